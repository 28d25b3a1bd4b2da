"""Crisis language: phrases a moderator should see before a post goes out.

So that they can reach out, add a content warning or point to crisis help. The
built-in rules, and the rule language they are written in, are data:
generator/data/crisis-terms.toml; a board adds its own under
[moderation.crisis_terms] (a plain phrase is a rule too). Rules are matched on
the folded, casefolded text, as whole words. Ordinary words of low mood ("sad",
"depressed", "exhausted") are deliberately absent: they are what a support
board is for, and flagging them would bury the posts that need a moderator.
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .hits import RANK, UMLAUTS, Found, Hit, Matchable, in_text, merge
from .scrub import fold_key

CRISIS_DATA = "data/crisis-terms.toml"


class CrisisRuleError(ValueError):
    """A crisis rule that cannot be read; the message says where and why."""


@dataclass(frozen=True)
class CrisisRules:
    """The built-in rules: per language, each topic's rules and exceptions, and the
    word classes (<name>) the rules of that language may use."""

    terms: dict[str, dict[str, tuple[str, ...]]]
    exceptions: dict[str, dict[str, tuple[str, ...]]]
    words: dict[str, dict[str, tuple[str, ...]]]


@functools.cache
def crisis_rules() -> CrisisRules:
    """The built-in crisis rules, read once from CRISIS_DATA."""
    text = resources.files("generator").joinpath(CRISIS_DATA).read_text("utf-8")
    data = tomllib.loads(text)
    terms: dict[str, dict[str, tuple[str, ...]]] = {}
    exceptions: dict[str, dict[str, tuple[str, ...]]] = {}
    words: dict[str, dict[str, tuple[str, ...]]] = {}
    for language, tables in data.items():
        words[language] = {name: tuple(v) for name, v in tables.get("words", {}).items()}
        terms[language], exceptions[language] = {}, {}
        for topic, table in tables.items():
            if topic != "words":
                terms[language][topic] = tuple(table["match"])
                exceptions[language][topic] = tuple(table.get("except", ()))
    return CrisisRules(terms, exceptions, words)


def __getattr__(name: str) -> object:
    # DEFAULT_CRISIS_TERMS ({language: {topic: rules}}) is read from the data file on
    # first use rather than at import time.
    if name == "DEFAULT_CRISIS_TERMS":
        return crisis_rules().terms
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


CONTRACTIONS = {
    "can't": r"can(?:'?t|\s*not)",
    "won't": r"(?:won'?t|will\s+not)",
    "i'm": r"i(?:'?m|\s+am)",
    "i've": r"i(?:'?ve|\s+have)",
    "i'll": r"i(?:'?ll|\s+will)",
    "i'd": r"i(?:'?d|\s+would|\s+had)",
    "anymore": r"any\s*more",
}
# Between two words of a rule: spaces, commas, quotes, dashes, emoji... but not the end
# of a sentence, so that a rule never joins words of two sentences.
SEP = r"[^\w.!?;\n\u2029]*"
GAP_WORD = r"\w+(?:['\u2019-]\w+)*"
NUMBER = r"(?<!\w)\d{2,}(?!\w)"
END = r"(?=[^\S\n\u2029]*(?:[.!?,;:)\n\u2029]|$))"
DEFAULT_GAP = 3
RULE_TOKEN = re.compile(
    r"\s*(?:(?P<open>[(\[])|(?P<close>[)\]])|(?P<bar>\|)|<(?P<cls>[\w -]+)>|~(?P<gap>\d?)"
    r"|(?P<num>\#)|(?P<end>\$)|(?P<neg>!)|(?P<word>[^\s()\[\]|<>~#$!]+))"
)
VOWELS = "aeiou"


def _inflected(word: str) -> list[str]:
    """English regular inflections of WORD ("kill+": kill, kills, killed, killing)."""
    if word.endswith("e"):
        return [word, *(word[:-1] + ending for ending in ("es", "ed", "ing", "en"))]
    if len(word) > 2 and word.endswith("y") and word[-2] not in VOWELS:
        return [word, *(word[:-1] + ending for ending in ("ies", "ied", "ying"))]
    if word.endswith(("s", "sh", "ch", "x", "z")):
        return [word, word + "es", word + "ed", word + "ing"]
    forms = [word, word + "s", word + "ed", word + "ing"]
    if re.search(r"(?:^|[^aeiou])[aeiou][bdgklmnprt]$", word):  # cut -> cutting
        forms += [word + word[-1] + "ed", word + word[-1] + "ing"]
    return forms


# Words of a rule that can be looked up in the set of a post's words: plain letters and
# digits. Others (with an apostrophe or hyphen, contractions) are only matched.
PLAIN_WORD = re.compile(r"\w+")
SENTENCE = re.compile(r"[^.!?;\n\u2029]+[.!?;\n\u2029]*|[.!?;\n\u2029]+")


def _word_pattern(word: str) -> str:
    if word in CONTRACTIONS:
        return CONTRACTIONS[word]
    if word.endswith("+"):
        return (
            "(?:"
            + "|".join(map(re.escape, sorted(_inflected(word[:-1]), key=len, reverse=True)))
            + ")"
        )
    ending = ""
    if word.endswith("*"):
        word, ending = word[:-1], r"\w*"
    if word.endswith("n't"):
        return re.escape(word[:-3]) + r"(?:n'?t|\s+not)" + ending
    pieces = []
    for char in word:
        if char == "'":
            pieces.append("'?")
        elif char == "-":
            pieces.append(r"[\s-]?")
        else:
            pieces.append(re.escape(char))
    return "".join(pieces) + ending


def _forms(spelling: str) -> frozenset[str] | None:
    """The words (or "prefix*") a rule word SPELLING matches, None if any word may."""
    marker = spelling[-1] if spelling[-1] in "*+" else ""
    bare = spelling[: len(spelling) - len(marker)]
    if spelling in CONTRACTIONS:
        return None
    if not PLAIN_WORD.fullmatch(bare):
        # "self-harm", "od'd", "co-codamol", "don't": _word_pattern matches the letters
        # before the first hyphen or apostrophe (before "n't") as they are, so the word
        # of the text that a match starts with begins with them ("self", "selfharm").
        if marker != "+" and bare.endswith("n't"):
            bare = bare[:-3]
        start = PLAIN_WORD.match(bare)
        return frozenset({start.group() + "*"}) if start else None
    if marker == "+":
        return frozenset(_inflected(bare))
    return frozenset({bare + marker})


# A choice of a group: its regular expression, the words it starts with, its items.
_Option = tuple[str, "frozenset[str] | None", list["Item"]]


def _group(options: list[_Option]) -> tuple[str, frozenset[str] | None]:
    """The regular expression of a choice between OPTIONS (sequences), and the words
    one of which starts it (None: any word may)."""
    regex = f"(?:{'|'.join(option[0] for option in options)})"
    forms = [option[1] for option in options]
    return regex, None if None in forms else frozenset().union(*forms)  # type: ignore[arg-type]


# An item of a rule: its kind ("word", "optional", "gap", "not", "end"), its regular
# expression, and the words one of which must start it (None: any word may).
Item = tuple[str, str, frozenset[str] | None]
# What a rule cannot match without: sets of words (or "prefix*"), one of each of which
# must start a word of the sentence; empty when it needs no particular word.
Needs = tuple[frozenset[str], ...]


def _word(word: str) -> Item:
    """One word of a rule, as typed in the rule, as a bounded regular expression."""
    marker = word[-1] if word[-1] in "*+" else ""
    bare = word[: len(word) - len(marker)]
    # "müde" is also typed "muede"; both are folded like the text ("mude", "muede").
    spellings = [
        s + marker for s in dict.fromkeys(fold_key(f) for f in (bare, bare.translate(UMLAUTS))) if s
    ]
    if not spellings:
        raise CrisisRuleError(f'"{word}" has no letters')
    regex = rf"(?<!\w)(?:{'|'.join(map(_word_pattern, spellings))})(?!\w)"
    forms = [_forms(spelling) for spelling in spellings]
    return "word", regex, None if None in forms else frozenset().union(*forms)  # type: ignore[arg-type]


FIXED_ITEMS: dict[str, Item] = {"num": ("word", NUMBER, None), "end": ("end", END, None)}


def _first_forms(items: list[Item]) -> frozenset[str] | None:
    """The words one of which must start a sequence of ITEMS (None: any word may)."""
    forms: set[str] = set()
    for kind, _, item_forms in items:
        if kind in {"not", "end"}:
            continue
        if kind == "gap" or item_forms is None:
            return None
        forms |= item_forms
        if kind == "word":
            return frozenset(forms)
    return None


class _RuleParser:
    """Reads one rule (see the header of the data file) into a regular expression."""

    def __init__(self, rule: str, language: str, seen: frozenset[str] = frozenset()):
        self.rule, self.language, self.seen = rule, language, seen
        self.tokens: list[tuple[str, str]] = []
        position, text = 0, rule.strip()
        while position < len(text):
            match = RULE_TOKEN.match(text, position)
            if not match or not match.lastgroup:
                raise CrisisRuleError(f'cannot read "{text[position:]}" in "{rule}"')
            self.tokens.append((match.lastgroup, match.group(match.lastgroup)))
            position = match.end()
        self.at = 0
        self.first_forms: frozenset[str] | None = None  # the words the rule starts with

    def error(self, problem: str) -> CrisisRuleError:
        return CrisisRuleError(f'{problem} in "{self.rule}"')

    def peek(self) -> str | None:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def parse(self) -> tuple[str, Needs]:
        """The rule's regular expression, and what it cannot match without: for each
        of its mandatory items, the words one of which starts that item."""
        options = self.alternatives()
        if self.at < len(self.tokens):
            raise self.error(f'unexpected "{self.tokens[self.at][1]}"')
        firsts = [option[1] for option in options]
        self.first_forms = None if None in firsts else frozenset().union(*firsts)  # type: ignore[arg-type]
        regex = options[0][0] if len(options) == 1 else f"(?:{'|'.join(o[0] for o in options)})"
        if len(options) > 1:
            return regex, () if self.first_forms is None else (self.first_forms,)
        return regex, tuple(
            dict.fromkeys(forms for kind, _, forms in options[0][2] if kind == "word" and forms)
        )

    def alternatives(self, nested: bool = False) -> list[_Option]:
        options = [self.sequence(nested)]
        while self.peek() == "bar":
            self.at += 1
            options.append(self.sequence(nested))
        return options

    def sequence(self, nested: bool = False) -> _Option:
        items: list[Item] = []
        while self.peek() not in {None, "bar", "close"}:
            items.append(self.item())
        # A choice inside a group may be "$" alone: "(anymore|like this|$)".
        zero_width = nested and items and all(kind in {"end", "not"} for kind, _, _ in items)
        if not zero_width and not any(kind == "word" for kind, _, _ in items):
            raise self.error("a rule, group or choice needs a word that must be there")
        parts: list[str] = []
        started = False  # after the first word that must be there, separators go before
        for kind, regex, _ in items:
            if kind == "word":
                parts.append(SEP + regex if started else regex)
                started = True
            elif kind == "optional":
                parts.append(f"(?:{SEP}{regex})?" if started else f"(?:{regex}{SEP})?")
            elif kind == "gap":
                word = f"{SEP}{GAP_WORD}" if started else f"{GAP_WORD}{SEP}"
                parts.append(f"(?:{word}){{0,{regex}}}?")
            elif kind == "not":
                parts.append(f"(?!{SEP}{regex})" if started else f"(?!{regex})")
            else:
                parts.append(regex)
        return "".join(parts), _first_forms(items), items

    def item(self) -> Item:
        kind, value = self.tokens[self.at]
        self.at += 1
        if kind == "word":
            return _word(value)
        if kind in FIXED_ITEMS:
            return FIXED_ITEMS[kind]
        if kind == "gap":
            return "gap", str(int(value) if value else DEFAULT_GAP), None
        if kind == "cls":
            return "word", *self.word_class(value.strip())
        if kind == "neg":
            if self.peek() not in {"word", "num", "cls", "open"}:
                raise self.error('"!" must come before a word, <class> or group')
            _, regex, _ = self.item()
            return "not", regex, None
        if kind == "open":
            regex, forms = _group(self.alternatives(nested=True))
            closing = ")" if value == "(" else "]"
            if self.peek() != "close" or self.tokens[self.at][1] != closing:
                raise self.error(f'"{value}" is not closed by "{closing}"')
            self.at += 1
            return ("word" if value == "(" else "optional"), regex, forms
        raise self.error(f'unexpected "{value}"')

    def word_class(self, name: str) -> tuple[str, frozenset[str] | None]:
        if name not in _words(self.language):
            raise self.error(f"unknown word class <{name}>")
        if name in self.seen:
            raise self.error(f"word class <{name}> uses itself")
        return _word_class(self.language, name, self.seen | {name})


def _words(language: str) -> dict[str, tuple[str, ...]]:
    """The word classes of LANGUAGE (English ones for a language without any)."""
    words = crisis_rules().words
    return words.get(language) or words["en"]


@functools.lru_cache(maxsize=512)
def _word_class(
    language: str, name: str, seen: frozenset[str]
) -> tuple[str, frozenset[str] | None]:
    """The regular expression of <NAME> and the words it starts with; SEEN are the
    classes being read, to refuse a class that uses itself."""
    options = []
    for member in sorted(_words(language)[name], key=len, reverse=True):  # longest first
        parser = _RuleParser(member, language, seen)
        sequences = parser.alternatives(nested=True)
        if parser.at < len(parser.tokens):
            raise parser.error(f'unexpected "{parser.tokens[parser.at][1]}"')
        options.append(_group(sequences))
    return _group([(regex, forms, []) for regex, forms in options])


@functools.lru_cache(maxsize=4096)
def _rule(rule: str, language: str) -> tuple[str, Needs]:
    """The regular expression of RULE, with the words it needs (see _RuleParser.parse)."""
    parser = _RuleParser(rule, language)
    regex, needs = parser.parse()
    # Most rules can only start with a few letters: saying so first spares trying every
    # choice of the rule at every word of a sentence.
    first = parser.first_forms
    if first:
        regex = f"(?=[{re.escape(''.join(sorted({form[0] for form in first})))}]){regex}"
    return regex, needs


@functools.lru_cache(maxsize=4096)
def _compiled(regex: str) -> re.Pattern[str]:
    # Compiled when a post first needs it: most rules are never needed in a session.
    return re.compile(regex)


def check_crisis_rule(rule: str, language: str) -> None:
    """Raise CrisisRuleError if RULE, for a board in LANGUAGE, cannot be read."""
    regex, _ = _rule(rule, re.split(r"[-_]", language, maxsplit=1)[0].lower())
    if _compiled(regex).fullmatch(""):
        raise CrisisRuleError(f'"{rule}" would match nothing at all')


def phrase_pattern(phrase: str, language: str = "en") -> str:
    """The regular expression (for the casefolded, folded text) of one crisis rule."""
    return _rule(phrase, language)[0]


class _Tokens:
    """The words of a text (as PLAIN_WORD finds them), for looking words up."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = set(PLAIN_WORD.findall(text))
        self._sorted: list[str] | None = None

    def starting(self, prefix: str) -> list[str]:
        """The words that start with PREFIX."""
        if prefix not in self.text:
            return []  # most prefixes, and much faster to find out
        if self._sorted is None:
            self._sorted = sorted(self.words)
        words = self._sorted
        found = []
        for at in range(bisect.bisect_left(words, prefix), len(words)):
            if not words[at].startswith(prefix):
                break
            found.append(words[at])
        return found


@dataclass(frozen=True, eq=False)  # compared (and hashed) as one shared object
class _Words:
    """Words, and prefixes ("suizid" for "suizid*"), one of which starts a word of
    every match of a rule."""

    words: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, forms: frozenset[str]) -> _Words:
        prefixes = tuple(sorted(form[:-1] for form in forms if form.endswith("*")))
        return cls(frozenset(form for form in forms if not form.endswith("*")), prefixes)

    def found(self, tokens: _Tokens) -> list[str]:
        """The words of TOKENS that are these words or start with these prefixes."""
        found = list(self.words.intersection(tokens.words))
        for prefix in self.prefixes:
            found += tokens.starting(prefix)
        return found


def _word_tree(forms: Iterable[str]) -> str:
    """A regular expression that matches a whole word of the text that is one of FORMS
    (or starts with one of their "prefix*"es), spelt as a tree of letters: it
    spends a few steps at each word, where a list of hundreds of words would try
    them all."""
    tree: dict[str, Any] = {}
    for form in forms:
        node = tree
        for char in form.removesuffix("*"):
            node = node.setdefault(char, {})
        node["*" if form.endswith("*") else "$"] = {}

    def branch(node: dict[str, Any]) -> str:
        if "*" in node:
            return r"\w*"  # the rest of the word, whatever it is
        options = [re.escape(char) + branch(child) for char, child in sorted(node.items())
                   if char != "$"]  # fmt: skip
        if "$" in node:
            options.append(r"(?!\w)")
        return options[0] if len(options) == 1 else f"(?:{'|'.join(options)})"

    return rf"(?<!\w){branch(tree)}"


# Words remembered with the rules they are key words of; more are forgotten at once.
MAX_WORDS_REMEMBERED = 50_000


@dataclass(frozen=True)
class _CrisisMatcher:
    """Every rule of a board's topics with the words it cannot match without.

    Each word of a match of a rule starts a word of the text (rules match whole
    words), so a sentence can only match a rule if it holds a word of each set of
    words the rule needs. Rules are indexed by one such set, their key words (the
    rarest-looking), found in a text with one regular expression; a sentence runs
    only the rules whose key word it holds and whose other words the text holds
    (most sentences: none).
    """

    rules: tuple[tuple[str, str], ...]  # (topic, regular expression)
    others: tuple[tuple[_Words, ...], ...]  # for each rule, the sets it needs besides its keys
    always: frozenset[int]  # rules that need no particular word (say, starting with a number)
    by_word: dict[str, frozenset[int]]  # each key word, and its rules
    by_prefix: dict[str, frozenset[int]]  # each key "prefix*", and its rules
    key_words: re.Pattern[str] | None  # finds the words of a text that are key words
    # The rules of each key word seen so far: a post's words are mostly words seen before.
    seen: dict[str, frozenset[int]] = field(default_factory=dict, compare=False)

    def rules_of(self, word: str) -> frozenset[int]:
        """The rules that WORD (a key word found in the text) is a key word of."""
        found = self.seen.get(word)
        if found is None:
            found = self.by_word.get(word, frozenset())
            for prefix, numbers in self.by_prefix.items():
                if word.startswith(prefix):
                    found |= numbers
            if len(self.seen) >= MAX_WORDS_REMEMBERED:
                self.seen.clear()
            self.seen[word] = found
        return found

    def keyed(self, text: str) -> list[tuple[int, frozenset[int]]]:
        """Where in TEXT a key word starts, and its rules."""
        if self.key_words is None:
            return []
        return [(match.start(), self.rules_of(match.group()))
                for match in self.key_words.finditer(text)]  # fmt: skip

    def needs_met(self, text: str, rules: Iterable[int]) -> dict[int, list[list[str]]]:
        """Those of RULES whose other words TEXT holds, each with those words of TEXT
        (for each set it needs, the words of TEXT in that set)."""
        tokens = _Tokens(text)
        found: dict[_Words, list[str]] = {}  # rules share sets (of pills, of people...)
        met: dict[int, list[list[str]]] = {}
        for rule in rules:
            words = []
            for needed in self.others[rule]:  # the rarest-looking first
                if needed not in found:
                    found[needed] = needed.found(tokens)
                if not found[needed]:
                    break
                words.append(found[needed])
            else:
                met[rule] = words
        return met

    def by_sentence(self, text: str) -> Iterator[tuple[int, int, list[int]]]:
        """Each sentence of TEXT that may match rules (its span), with those rules.

        No rule reaches across the end of a sentence, so a sentence runs only the
        rules whose key word it holds and whose other words the text holds (and the
        sentence, as strings at least): in most texts and sentences, none.
        """
        keyed = self.keyed(text)
        if not keyed and not self.always:
            return
        met = self.needs_met(text, self.always.union(*(rules for _, rules in keyed)))
        next_key = 0
        for sentence in SENTENCE.finditer(text) if met else ():
            here = set(self.always)
            while next_key < len(keyed) and keyed[next_key][0] < sentence.end():
                here |= keyed[next_key][1]
                next_key += 1
            within = sentence.group()
            rules = [
                rule
                for rule in sorted(here.intersection(met))
                if all(any(word in within for word in words) for words in met[rule])
            ]
            if rules:
                yield sentence.start(), sentence.end(), rules


def _key_words(needs: Needs) -> frozenset[str] | None:
    """The set of words a rule is indexed by: the one whose shortest word is longest,
    likely the rarest ("myself" over "to")."""
    return max(needs, key=lambda forms: min(map(len, forms)), default=None)


@functools.lru_cache(maxsize=64)
def _matcher(
    topics: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...],
) -> _CrisisMatcher:
    """The matcher for TOPICS: (topic, ((language, rules), ...)) pairs."""
    rules: list[tuple[str, str]] = []
    others: list[tuple[_Words, ...]] = []
    sets: dict[frozenset[str], _Words] = {}  # one of each, shared by the rules that need it
    always: set[int] = set()
    by_word: dict[str, set[int]] = {}
    by_prefix: dict[str, set[int]] = {}
    for topic, parts in topics:
        for language, phrases in parts:
            for phrase in phrases:
                if not phrase.strip():
                    continue
                regex, needs = _rule(phrase, language)
                keys = _key_words(needs)
                number = len(rules)
                rules.append((topic, regex))
                rest = sorted((forms for forms in needs if forms is not keys),
                              key=lambda forms: -min(map(len, forms)))  # fmt: skip
                others.append(tuple(sets.setdefault(forms, _Words.of(forms)) for forms in rest))
                if keys is None:
                    always.add(number)
                for key in keys or ():
                    if key.endswith("*"):
                        by_prefix.setdefault(key[:-1], set()).add(number)
                    else:
                        by_word.setdefault(key, set()).add(number)
    keys = [*by_word, *(prefix + "*" for prefix in by_prefix)]
    return _CrisisMatcher(
        tuple(rules),
        tuple(others),
        frozenset(always),
        {word: frozenset(numbers) for word, numbers in by_word.items()},
        {prefix: frozenset(numbers) for prefix, numbers in by_prefix.items()},
        re.compile(_word_tree(keys)) if keys else None,
    )


@functools.lru_cache(maxsize=256)
def _exception_pattern(languages: tuple[str, ...], topic: str) -> re.Pattern[str] | None:
    """Every exception of TOPIC in LANGUAGES, found at each place it starts (overlapping)."""
    rules = crisis_rules().exceptions
    patterns = [
        _rule(rule, lang)[0] for lang in languages for rule in rules.get(lang, {}).get(topic, ())
    ]
    if not patterns:
        return None
    return re.compile(rf"(?<!\w)(?=((?:{'|'.join(patterns)})))")


def find_crisis(
    text: str,
    terms: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    language: str = "en",
) -> list[Hit]:
    """Crisis language in TEXT: hits of kind "crisis" whose label is the topic.

    TERMS maps a language to topics and their rules (DEFAULT_CRISIS_TERMS when None).
    The rules of LANGUAGE ("de", or "de-AT") and of English are used, because boards
    often mix languages. A hit that lies wholly inside one of the built-in exceptions
    of its topic ("killing myself laughing") is dropped. Overlapping hits of one topic
    are merged; hits of different topics are all kept, so that every topic is suggested.
    """
    terms = crisis_rules().terms if terms is None else terms
    primary = re.split(r"[-_]", language, maxsplit=1)[0].lower()
    languages = tuple(dict.fromkeys([primary, "en"]))
    topics: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for lang in languages:
        for topic, phrases in terms.get(lang, {}).items():
            topics.setdefault(topic, []).append((lang, tuple(phrases)))
    matcher = _matcher(tuple((topic, tuple(parts)) for topic, parts in topics.items()))
    matchable = Matchable.of(text)
    found: dict[str, list[tuple[int, int]]] = {}
    # Each sentence runs only the rules it could match, and its topics' exceptions
    # only if one of them matched.
    for start, end, numbers in matcher.by_sentence(matchable.text):
        spans: dict[str, list[tuple[int, int]]] = {}
        for number in numbers:
            topic, regex = matcher.rules[number]
            for match in _compiled(regex).finditer(matchable.text, start, end):
                if match.end() > match.start():
                    spans.setdefault(topic, []).append(match.span())
        for topic, topic_spans in spans.items():
            exceptions = _exception_pattern(languages, topic)
            excepted = (
                [match.span(1) for match in exceptions.finditer(matchable.text, start, end)]
                if exceptions
                else []
            )
            found.setdefault(topic, []).extend(
                (low, high)
                for low, high in topic_spans
                if not any(a <= low and high <= b for a, b in excepted)
            )
    hits: list[Hit] = []
    for topic, topic_spans in found.items():
        items = (Found("crisis", low, high, topic, RANK["crisis"]) for low, high in topic_spans)
        hits.extend(merge(in_text(items, matchable.index), text))
    return sorted(hits, key=lambda hit: (hit.start, hit.end))


def suggested_warnings(hits: Sequence[Hit]) -> list[str]:
    """The distinct crisis topics among HITS, in the order they first appear."""
    return list(dict.fromkeys(hit.label for hit in hits if hit.kind == "crisis"))
