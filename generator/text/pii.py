"""Finding identifying details in a submission.

Everything here runs on the *cleaned* text (see scrub.clean_text) and reports
spans of that text, so that a moderator sees, and `redact` removes, exactly
what was found. Detection itself runs on scrub.fold's copy, in which lookalike
letters, fullwidth digits and accents are folded to plain ASCII: a detector
written for "sarah@example.com" then also finds it typed with Cyrillic
lookalike letters, and a phone number typed with fullwidth digits.

These are aids for a human reviewer, not a guarantee: they find the common
shapes of emails, phone numbers, addresses and identity numbers, and they are
tuned so that ordinary support talk ("3am", "day 45 sober", "20mg of
sertraline") is not flagged. Numbers with a checksum (cards, NHS numbers,
IBANs...) are flagged only when the checksum is right.

This module finds emails, web addresses, handles, IP addresses, names and the
board's watch list itself, and asks phones.py, ids.py (cards, identity numbers,
IBANs) and postcodes.py for the rest; hits.py holds what they share. Crisis
language is crisis.py's.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from .hits import RANK, UMLAUTS, Found, Hit, Matchable, in_text, merge
from .ids import CARD_DIGITS, find_cards, find_national_ids
from .phones import fewest_digits as fewest_phone_digits
from .phones import find_phones
from .postcodes import find_postcodes
from .scrub import fold, fold_key

REMOVED = "[removed]"
REGION_ALIASES = {"UK": "GB"}  # not an ISO 3166 code, but what a British moderator types
# A digit as the patterns count them (any script's decimal digits, like "\d").
DIGIT = re.compile(r"\d")
ASCII_DIGITS = "0123456789"


class Clue:
    """Something every match of a finder's patterns holds, written in small letters and
    looked for ignoring case: where it is missing, the finder cannot find anything.
    Every match of the clue holds one of LITERALS (small letters), if given."""

    def __init__(self, pattern: str, literals: tuple[str, ...] = ()) -> None:
        self.small = re.compile(pattern)
        self.any_case = re.compile(pattern, re.IGNORECASE)
        self.literals = literals

    def in_text(self, text: str, small: str | None) -> bool:
        """Whether TEXT holds the clue; SMALL is TEXT in small letters if TEXT is ASCII."""
        # In ASCII text, ignoring case is the same as looking in the small-letter copy,
        # and a pattern without IGNORECASE runs several times faster; looking for a
        # few strings first is faster still.
        if small is not None:
            if self.literals and not any(literal in small for literal in self.literals):
                return False
            return self.small.search(small) is not None
        return self.any_case.search(text) is not None


# --- email, url, handle, ip ---------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]*\w@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w-])")

# Top-level domains for bare domains ("example.com", "nhs.uk"). Only common ones, and
# none that is also a short English word ("it", "me", "at", "no", "is"...): a missing
# space after a full stop ("tired.It was") must not look like a web address.
TLDS = (
    "com|org|net|edu|gov|info|io|co|uk|de|fr|ie|au|ca|nl|eu|nz|es|ch|se|dk|pl|ru|app|dev|"
    "xyz|online|site|shop|blog|social|link|ly|ee"
)
URL = re.compile(
    r"\b(?:https?|ftp)://[^\s<>\"'`]+"
    r"|\bwww\d?\.[^\s<>\"'`.]+\.[^\s<>\"'`]+"
    rf"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{TLDS})(?![\w-])"
    r"(?:/[^\s<>\"'`]*)?",
    re.IGNORECASE,
)
URL_TRAILING = ".,;:!?'\"]}>"
# What every match of URL holds: "://", "www", or a dot and a top-level domain.
URL_CLUE = Clue(rf"://|www|\.(?:{TLDS})(?![\w-])")

# "sarah at example dot com", "sarah [at] example [dot] co [dot] uk", "sarah @ example.com".
_AT = r"(?:\s*@\s*|\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*\.\s*|\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]*\w{_AT}(?:[^\W_][\w-]*{_DOT})+(?:{TLDS})(?![\w-])", re.IGNORECASE
)
# ...but "I looked at nhs.uk" is a web address, not an obfuscated email: one of the
# tricks must be there.
OBFUSCATION = re.compile(r"@|[\[({<]\s*(?:at|dot)\s*[\])}>]|\sdot\s", re.IGNORECASE)
# Both email patterns need "@" (EMAIL) or one of the tricks (OBFUSCATED_EMAIL).
EMAIL_CLUE = Clue(OBFUSCATION.pattern, ("@", "dot", "[", "(", "{", "<"))

AT_HANDLE = re.compile(r"(?<![\w@.+%-])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
U_HANDLE = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}(?![\w/-])")
NOT_HANDLES = frozenset({"everyone", "here", "channel", "all", "mods", "moderators", "admin"})
TIME = re.compile(r"\d{1,2}(?:[:.]\d\d)?(?:am|pm|h)?", re.IGNORECASE)

IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
IPV4_DIGITS = 4  # the fewest digits in a match of IPV4
IPV6 = re.compile(
    r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}(?![\w:])"
)
IPV6_COLONS = 2  # ... and colons in a match of IPV6


def _emails(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in EMAIL.finditer(folded):
        yield match.start(), match.end(), "email address"
    for match in OBFUSCATED_EMAIL.finditer(folded):
        if OBFUSCATION.search(match.group()):
            yield match.start(), match.end(), "email address (written out)"


def _urls(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in URL.finditer(folded):
        url = match.group()
        while (url and url[-1] in URL_TRAILING) or (url.endswith(")") and "(" not in url):
            url = url[:-1]
        if "." in url:
            yield match.start(), match.start() + len(url), "web address"


def _handles(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in AT_HANDLE.finditer(folded):
        name = match.group(1)
        if TIME.fullmatch(name) or name.lower() in NOT_HANDLES or name.isdigit():
            continue
        yield match.start(), match.end(), "social media handle"
    for match in U_HANDLE.finditer(folded):
        yield match.start(), match.end(), "Reddit username"


def _ipv4s(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in IPV4.finditer(folded):
        try:
            ipaddress.IPv4Address(match.group())
        except ValueError:
            continue
        yield match.start(), match.end(), "IP address"


def _ipv6s(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in IPV6.finditer(folded):
        candidate = match.group()
        groups = [group for group in re.split(r"[:.]", candidate) if group]
        if len(groups) < 3:  # "::1", "fe80::1": not identifying, and "a::b" is not rare
            continue
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        yield match.start(), match.end(), "IP address"


# --- names ----------------------------------------------------------------------------------

NAME_INTRO = re.compile(
    r"(?<!\w)(?i:my\s+name\s+is|my\s+name'?s|i\s+am\s+called|i'?m\s+called|call\s+me"
    r"|ich\s+hei(?:ss|ß)e|mein\s+name\s+ist|man\s+nennt\s+mich|nennt\s+mich)"
    r"\s+([^\W\d_][\w'-]*)(?:[ ]([^\W\d_][\w'-]*))?"
)
# What every match of NAME_INTRO holds.
NAME_CLUE = Clue(r"name|call|hei|nennt", ("name", "call", "hei", "nennt"))
# Capitalised words that follow "call me" and friends without being a name ("my kids
# call me Mum").
NOT_NAMES = frozenset("""
    i im i'm i'd i'll a an the and but or so if when whatever anything crazy not just please
    maybe back later tomorrow now today tonight ich und aber nicht bitte einfach der die das
    doch mal morgen heute
    mum mom mam mummy mommy dad daddy mama papa nan nana nanna gran granny grandma grandad
    grandpa auntie aunty uncle sis bro babe hun love sweetie mutti vati oma opa
""".split())  # fmt: skip


def _names(folded: str, text: str, index: Sequence[int]) -> Iterator[tuple[int, int, str]]:
    for match in NAME_INTRO.finditer(folded):
        first, second = match.group(1), match.group(2)
        if not first[0].isupper() or first.casefold() in NOT_NAMES:
            continue
        end = match.end(1)
        if second and second[0].isupper() and second.casefold() not in NOT_NAMES:
            end = match.end(2)
        # The words as typed ("heiße", not the folded "heisse"), in small letters.
        intro = text[index[match.start()] : index[match.start(1)]]
        yield match.start(1), end, f"a name after '{' '.join(intro.split()).lower()}'"


# --- watch list and phrases (matched on a casefolded copy) ----------------------------------


WATCH_SEPARATORS = re.compile(r"[\s'\u2019\u2010\u2011\-.]+")
WATCH_GAP = r"[\s'\u2019\u2010\u2011\-.]{0,3}"


@functools.lru_cache(maxsize=1024)
def _watch_pattern(entry: str) -> re.Pattern[str] | None:
    keys = {fold_key(entry), fold_key(entry.translate(UMLAUTS))} - {""}
    if not keys:
        return None
    # Spaces, apostrophes, hyphens and dots are optional anywhere, so "St Anne's
    # Clinic" also catches "st annes clinic" and "Millbrook" catches "Mill-brook".
    alternatives = sorted(
        (WATCH_GAP.join(map(re.escape, WATCH_SEPARATORS.sub("", key))) for key in keys), key=len
    )
    return re.compile(rf"(?<!\w)(?:{'|'.join(reversed(alternatives))})(?!\w)")


def _watch(matchable: Matchable, watch: Sequence[str]) -> Iterator[tuple[int, int, str]]:
    for entry in watch:
        pattern = _watch_pattern(entry)
        if pattern is not None:
            for match in pattern.finditer(matchable.text):
                yield match.start(), match.end(), "watch-list name"


# --- finding everything ---------------------------------------------------------------------


def find_pii(text: str, *, region: str = "", watch: Sequence[str] = ()) -> list[Hit]:
    """Identifying details in TEXT (the cleaned text), sorted by start.

    REGION is the board's two-letter country code ("GB", "US"...; "" for none): it
    chooses how national phone numbers and postcodes look, and turns on the national
    identity numbers that are too plain to look for everywhere. International phone
    numbers, emails, web addresses, handles, IP addresses, card numbers, IBANs and
    identity numbers with a distinctive shape are looked for whatever the region.
    WATCH is a list of names the moderators want caught (compared with fold_key, as
    whole words, ignoring case and accents). Overlapping hits are merged into one
    that covers all of them, labelled after the longest.
    """
    region = region.strip().upper()
    region = REGION_ALIASES.get(region, region)
    folded, index = fold(text)
    found: list[Found] = []

    def add(kind: str, spans: Iterable[tuple[int, int, str]]) -> None:
        for start, end, label in spans:
            rank = float(RANK[kind])
            if label == "NHS number" and region not in {"GB", ""}:
                rank = RANK["phone"] + 0.5  # elsewhere, a 3-3-4 number is a phone first
            found.append(Found(kind, start, end, label, rank))

    # Most of what members write holds no "@", few digits and no web address, and
    # then most finders cannot find anything: each runs only when the text holds
    # what every one of its matches must (see the comments on the patterns), which
    # spares running their expressions over ordinary talk. The findings are the
    # same as running them all (tests/unit/test_report_shortcuts.py).
    small = folded.lower() if folded.isascii() else None
    digits = sum(map(folded.count, ASCII_DIGITS)) if small else len(DIGIT.findall(folded))
    if EMAIL_CLUE.in_text(folded, small):
        add("email", _emails(folded))
    if URL_CLUE.in_text(folded, small):
        add("url", _urls(folded))
    if "@" in folded or "u/" in folded:
        add("handle", _handles(folded))
    if digits >= IPV4_DIGITS:
        add("ip", _ipv4s(folded))
    if folded.count(":") >= IPV6_COLONS:
        add("ip", _ipv6s(folded))
    if digits >= fewest_phone_digits(region):
        add("phone", find_phones(folded, region))
    if digits >= CARD_DIGITS:
        add("card", find_cards(folded))
    add("national-id", find_national_ids(folded, region, digits))
    if digits:  # every postcode has a digit
        add("postcode", find_postcodes(folded, region))
    if NAME_CLUE.in_text(folded, small):
        add("name", _names(folded, text, index))
    found = in_text(found, index)
    if watch:
        matchable = Matchable.of(text, (folded, index))
        watched = (
            Found("watch-list", start, end, label, RANK["watch-list"])
            for start, end, label in _watch(matchable, watch)
        )
        found += in_text(watched, matchable.index)
    return merge(found, text)


def redact(text: str, hits: Sequence[Hit]) -> str:
    """TEXT with every hit replaced by "[removed]" (overlapping hits by one).

    Raises ValueError if a hit does not match TEXT, which means it was found in
    another version of the text (before cleaning, or before an edit).
    """
    spans: list[list[int]] = []
    for hit in sorted(hits, key=lambda hit: (hit.start, hit.end)):
        if text[hit.start : hit.end] != hit.text:
            raise ValueError("a hit does not match the text: find hits again in the text to redact")
        if spans and hit.start < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hit.end)
        else:
            spans.append([hit.start, hit.end])
    pieces, position = [], 0
    for start, end in spans:
        pieces += [text[position:start], REMOVED]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


# Scripts that are written together in one word without any trickery.
SCRIPT_FAMILIES = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HAN": "CJK"}
NOT_A_SCRIPT = frozenset({"COMMON", "INHERITED", "Unknown"})


def lookalikes(text: str) -> int:
    """How many words mix scripts with lookalike letters ("paypal" with a Cyrillic "a").

    A word counts when its letters come from more than one script and a letter
    from a minority script looks like a letter of the word's main script (UTS #39
    confusables, via confusable_homoglyphs). A word wholly in one script (Russian,
    Greek, Arabic) is never counted, nor Japanese mixing kanji and kana.
    """
    if text.isascii():
        return 0  # one script, and most posts
    from confusable_homoglyphs import categories, confusables  # noqa: PLC0415 - loads data

    script_of = functools.cache(categories.alias)  # a binary search per call otherwise
    count = 0
    for word in text.split():
        if word.isascii():
            continue
        letters = "".join(char for char in word if char.isalpha())
        if letters.isascii():
            continue
        scripts = Counter(
            SCRIPT_FAMILIES.get(alias, alias)
            for alias in map(script_of, letters)
            if alias not in NOT_A_SCRIPT
        )
        if len(scripts) < 2:
            continue
        most = max(scripts.values())
        mains = [script for script, n in scripts.items() if n == most and script != "CJK"]
        # A tie ("аb") counts if either script could pass for the other.
        if any(confusables.is_confusable(letters, preferred_aliases=[main]) for main in mains):
            count += 1
    return count
