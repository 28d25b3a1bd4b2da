"""The scrub report's shortcuts find exactly what the straightforward way finds.

The report made at import skips work that cannot find anything: finders whose
clue is missing from the text (no "@", too few digits), crisis rules whose words
a sentence does not hold, and rendering Markdown that would change nothing but
paragraphs. Each test here runs the straightforward way beside the fast one on
the corpora (tests/corpus/) and on texts made to sit on the edges, and asserts
the same findings, hit for hit.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]

import markdown
import phonenumbers
import pytest
from phonenumbers import PhoneMetadata

from generator.board import moderation
from generator.board.config import read_board
from generator.text import crisis, ids, phones, pii, postcodes, sanitise
from generator.text.hits import RANK, Found, Hit, Matchable, in_text, merge
from generator.text.scrub import clean_text, fold
from tests.helpers.boards import BOARD_TOML, BoardMaker

CORPUS = Path(__file__).parents[1] / "corpus"


def _load(name: str) -> list:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


IDENTIFYING = _load("identifying.json")
ORDINARY = _load("ordinary.json")
CRISIS_EN = [entry["text"] for entry in _load("crisis-en.json")]
CRISIS_DE = [entry["text"] for entry in _load("crisis-de.json")]
HOSTILE = [entry["markdown"] for entry in _load("hostile_markdown.json")]

# On the edges of the shortcuts: case, lookalikes and fullwidth forms, written-out
# emails, the shortest phone numbers, identity numbers next to their digit counts.
EDGES = [
    "SARAH (AT) EXAMPLE (DOT) COM", "sarah [at] example [dot] co [dot] uk",
    "sarah at example dot com", "ｓａｒａｈ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    "mail me: ЅАRАH@EXAMPLE.COM 🙂",
    "WWW.EXAMPLE.CO.UK", "www.quiet-board.zz", "see Example.ORG/page", "HTTPS://x.example",
    "ftp://files", "go to nhs.uk.", "write to sarah (at) example.com", "tired.It was",
    "@Jo @everyone @sam_k", "u/someone_here",
    "2001:db8::1 and fe80::1:2:3 and 10:30 to 11:45", "192.168.0.1", "1.2.3.4.5",
    "Call me Sam", "CALL ME SAM JONES", "ICH HEISSE Lena", "man nennt mich Kai", "my name's Zoë",
    "my nаme is Sarah", "ring +43 1234", "ring +290 1234", "Ruf 030 1234 an", "call 0800 1111",
    "07700 900123", "+44 7700 900123", "0044 20 7946 0000", "1300 123 456", "12345", "123456",
    "4111 1111 1111 1111", "4111111111111", "943 476 5919", "536-90-4399", "my ssn was 536904399",
    "AB 12 34 56 C", "12345678Z", "X1234567L", "1234567T", "1 85 05 78 006 084 36",
    "12 345 678 901", "1234.56.782", "046 454 286", "123 456 782", "GB82 WEST 1234 5698 7654 32",
    "SW1A 1AA", "GIR 0AA", "D6W WK5E", "90210-1234", "CA 90210", "K1A 0B1", "1012 AB",
    "10115 Berlin", "NSW 2000", "ｍｙ ｐｈｏｎｅ ０７４００ １２３４５６",
    "Ｋelvin Ｋ and ſ", "x" * 3 + "1" * 20,
]  # fmt: skip
REGIONS = ("GB", "US", "DE", "FR", "IE", "NL", "AU", "CA", "ES", "")
WATCH = ("Sarah", "St Anne's Clinic", "Millbrook", "Zoë Müller")

TEXTS = (
    [entry["text"] for entry in IDENTIFYING] + ORDINARY + CRISIS_EN + CRISIS_DE + HOSTILE + EDGES
)


def batched(items: Sequence[str], size: int) -> list[Sequence[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def every_finder(text: str, *, region: str = "", watch: Sequence[str] = ()) -> list[Hit]:
    """find_pii the straightforward way: every finder over every text."""
    region = region.strip().upper()
    region = pii.REGION_ALIASES.get(region, region)
    folded, index = fold(text)
    found: list[Found] = []

    def add(kind: str, spans: Iterator[tuple[int, int, str]]) -> None:
        for start, end, label in spans:
            rank = float(RANK[kind])
            if label == "NHS number" and region not in {"GB", ""}:
                rank = RANK["phone"] + 0.5
            found.append(Found(kind, start, end, label, rank))

    add("email", pii._emails(folded))
    add("url", pii._urls(folded))
    add("handle", pii._handles(folded))
    add("ip", pii._ipv4s(folded))
    add("ip", pii._ipv6s(folded))
    add("phone", phones.find_phones(folded, region))
    add("card", ids.find_cards(folded))
    add("national-id", ids.find_national_ids(folded, region))
    add("postcode", postcodes.find_postcodes(folded, region))
    add("name", pii._names(folded, text, index))
    found = in_text(found, index)
    if watch:
        matchable = Matchable.of(text, (folded, index))
        watched = (
            Found("watch-list", start, end, label, RANK["watch-list"])
            for start, end, label in pii._watch(matchable, watch)
        )
        found += in_text(watched, matchable.index)
    return merge(found, text)


def every_rule(self: crisis._CrisisMatcher, text: str) -> Iterator[tuple[int, int, list[int]]]:
    """_CrisisMatcher.by_sentence the straightforward way: every rule on every sentence."""
    for sentence in crisis.SENTENCE.finditer(text):
        yield sentence.start(), sentence.end(), list(range(len(self.rules)))


# --- identifying details ---------------------------------------------------------------------


@pytest.mark.parametrize("region", REGIONS)
def test_find_pii_finds_what_every_finder_finds(region: str) -> None:
    texts = TEXTS + [" ".join(group) for group in batched(TEXTS, 7)]
    differing = []
    for text in texts:
        cleaned = clean_text(text).text
        for watch in ((), WATCH):
            fast = pii.find_pii(cleaned, region=region, watch=watch)
            if fast != every_finder(cleaned, region=region, watch=watch):
                differing.append(text)
    assert not differing


def test_the_corpora_exercise_the_finders_the_shortcuts_skip() -> None:
    """The comparison above means something only if the finders do find things."""
    kinds = {
        hit.kind
        for entry in IDENTIFYING
        for hit in pii.find_pii(clean_text(entry["text"]).text, region=entry["region"])
    }
    assert {"email", "url", "handle", "ip", "phone", "card", "national-id", "postcode"} <= kinds


def fewest_digits(parsed: sre_parser.SubPattern) -> int:
    """How many digits every match of PARSED holds, at least (a lower bound)."""
    c = sre_constants
    total = 0
    for op, value in parsed:
        if op is c.LITERAL:
            total += chr(value).isdigit()
        elif op is c.IN:
            total += all(
                (kind is c.CATEGORY and item is c.CATEGORY_DIGIT)
                or (kind is c.LITERAL and chr(item).isdigit())
                or (kind is c.RANGE and chr(item[0]).isdigit() and chr(item[1]).isdigit())
                for kind, item in value
            )
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            total += value[0] * fewest_digits(value[2])
        elif op is c.SUBPATTERN:
            total += fewest_digits(value[3])
        elif op is c.BRANCH:
            total += min(fewest_digits(branch) for branch in value[1])
        elif op is c.ATOMIC_GROUP:
            total += fewest_digits(value)
    return total


def digits_of(pattern: re.Pattern[str]) -> int:
    return fewest_digits(sre_parser.parse(pattern.pattern, pattern.flags))


def test_each_pattern_holds_the_digits_its_shortcut_asks_for() -> None:
    for kind in ids.NATIONAL_IDS:
        group = kind.pattern if not kind.group else re.compile(r"\d{9}")  # its group: 9 digits
        assert kind.digits <= digits_of(group), kind.label
        assert kind.digits > 0, kind.label
    assert ids.IBAN_DIGITS <= digits_of(ids.IBAN_START)
    assert ids.CARD_DIGITS <= digits_of(ids.CARD)
    assert pii.IPV4_DIGITS <= digits_of(pii.IPV4)
    for finder in (postcodes.GB_POSTCODE, postcodes.US_ZIP_PLUS_4, postcodes.CA_POSTCODE,
                   postcodes.IE_EIRCODE, postcodes.NL_POSTCODE, postcodes.AU_POSTCODE,
                   postcodes.TOWN_POSTCODE, postcodes.US_ZIP_AFTER_STATE):  # fmt: skip
        assert digits_of(finder) >= 1, finder.pattern
    assert pii.IPV6.pattern.count("(?::") == 1 and "{2,7}" in pii.IPV6.pattern  # two colons


def _shortest(metadata: PhoneMetadata) -> int:
    return phones._shortest_valid(metadata)


def test_the_fewest_digits_of_a_phone_number_follow_phonenumbers_data() -> None:
    international = min(
        len(str(code))
        + min(
            _shortest(PhoneMetadata.metadata_for_region_or_calling_code(code, region))
            for region in regions
        )
        for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()
    )
    assert phones.INTERNATIONAL_DIGITS <= international
    for region in phonenumbers.SUPPORTED_REGIONS:
        fewest = phones.fewest_digits(region)
        assert 1 <= fewest <= phones.INTERNATIONAL_DIGITS
        for kind in phonenumbers.PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
            written = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            assert sum(map(str.isdigit, national)) >= fewest, (region, national)
            assert sum(map(str.isdigit, written)) >= phones.INTERNATIONAL_DIGITS, written


def test_every_countrys_example_numbers_are_found_as_without_shortcuts() -> None:
    """phonenumbers' example numbers of every type and country, the shortest among them,
    written as a member would in a post of that country's board and of a board abroad."""
    texts: dict[str, list[str]] = {}
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in phonenumbers.PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                for style in (phonenumbers.PhoneNumberFormat.NATIONAL,
                              phonenumbers.PhoneNumberFormat.INTERNATIONAL):  # fmt: skip
                    number = phonenumbers.format_number(example, style)
                    texts.setdefault(region, []).append(f"ring {number} today")
    found = 0
    for region, numbers in texts.items():
        for text in numbers:
            for board_region in (region, "GB", ""):
                fast = pii.find_pii(text, region=board_region)
                assert fast == every_finder(text, region=board_region), (board_region, text)
                found += bool(fast)
    assert found > 2000


# --- crisis language --------------------------------------------------------------------------

BOARD_RULES = {
    "en": {
        "self-harm": ("re-lapse*", "x-ray", "o.d. again"),
        "suicide": ("don't want to wake up", "can't (cope|go on)", "# #"),
        "eating disorder": ("<many> <pills>",),
    },
    "de": {"suicide": ("nicht mehr aufwachen", "schluss-machen*")},
}
ODD_TEXTS = [
    "I had an x-ray. I had an xray! x ray? Relapsed again; re-lapsing.",
    "o.d. again. o.d again. od again", "I don't want to wake up. I dont want to wake up",
    "I can't cope. I cannot go on. I can\nnot go on.", "10 20 tablets; 30 pills",
    "I took 40 co-codamol", "self-harm, self harm, selfharm, selfharming",
    "Ich will nicht mehr aufwachen. Schluss-machen, schlussmachen.",
    "Never again.\n\nI want to die\u2029now", "", "...", "one word", "Ende.",
]  # fmt: skip


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("terms", [None, "board"])
def test_find_crisis_finds_what_every_rule_finds(
    language: str, terms: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = crisis.crisis_rules().terms
    if terms == "board":
        rules = {lang: dict(topics) for lang, topics in rules.items()}
        for lang, topics in BOARD_RULES.items():
            for topic, phrases in topics.items():
                rules[lang][topic] = tuple(rules[lang].get(topic, ())) + phrases
    texts = TEXTS + ODD_TEXTS + ["\n".join(group) for group in batched(TEXTS, 5)]
    texts = [clean_text(text).text for text in texts]
    fast = [crisis.find_crisis(text, rules, language=language) for text in texts]
    with monkeypatch.context() as patched:
        patched.setattr(crisis._CrisisMatcher, "by_sentence", every_rule)
        slow = [crisis.find_crisis(text, rules, language=language) for text in texts]
    assert sum(map(bool, slow)) > 200  # the corpora do hold crisis language
    assert [text for text, a, b in zip(texts, fast, slow, strict=True) if a != b] == []


def test_every_rule_is_indexed_by_words_it_cannot_match_without() -> None:
    """Every built-in rule has key words now (hyphenated and apostrophe words too)."""
    terms = crisis.crisis_rules().terms
    for language in terms:
        topics = tuple(
            (topic, ((language, tuple(rules)),)) for topic, rules in terms[language].items()
        )
        assert not crisis._matcher(topics).always, language


# --- the text as shown --------------------------------------------------------------------------

PLAIN = [
    "Hello there", "Hello there.\n\nSecond paragraph", "line one\nline two", "a\n\n\n\nb",
    "a\n \nb", "Zoë café, naïve 🙂", "I (think) so: yes! 50% or $3 - ok", "x\n", "don't \"quote\"",
    "a  b   c", "Call 07400 123456\nnow", "my number is 0740\n0 123456", "Q: why? A: because.",
    "It costs 3 + 4 = 7 / 2", "Ring +44 7700 900123 or email sarah@example.com",
]  # fmt: skip
NOT_PLAIN = [
    "1. x", "*a*", "a \nb", "a  \nb", "# heading", "> quote", "- item", "    code", "a | b",
    "x &amp; y", "<b>", "[link](x)", "a_b_c", "`code`", "Title\n===", "Title\n---", "\\*",
    "term\n: definition", "*[HTML]: Hyper", "a{: .x}", "~~~\ncode\n~~~", "07400 *12*3456",
]  # fmt: skip


def test_plain_text_is_shown_as_rendering_shows_it() -> None:
    texts = PLAIN + TEXTS + ["\n\n".join(group) for group in batched(TEXTS, 3)]
    texts += ["\n".join(group) for group in batched(ORDINARY + CRISIS_EN, 4)]
    plain = [text for text in map(lambda t: clean_text(t).text, texts)
             if moderation._plain_paragraphs(text) is not None]  # fmt: skip
    assert len(plain) > 800
    assert [t for t in plain if moderation.as_shown(t) != moderation._rendered_as_shown(t)] == []


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_text_with_markdown_is_rendered(text: str) -> None:
    assert moderation._plain_paragraphs(text) is None


def test_one_renderer_renders_as_a_fresh_one_would() -> None:
    """Footnotes and abbreviations of one text do not reach the next."""
    texts = [
        "Text[^1].\n\n[^1]: A footnote.", "Another[^1] text.", "*[HTML]: Hyper Text\n\nHTML here.",
        "HTML again, no definition.", *HOSTILE,
    ]  # fmt: skip
    fresh = [
        markdown.markdown(text, extensions=list(sanitise.MARKDOWN_EXTENSIONS), output_format="html")
        for text in texts
    ]
    assert [sanitise.markdown_to_html(text) for text in texts * 2] == fresh * 2


# --- the whole report -----------------------------------------------------------------------------


def _items() -> list[dict]:
    """Queue items made of the corpora: every text is in a title, a body or a warning."""
    bodies = [clean_text(text).text for text in TEXTS]
    separators = ["\n\n", " ", "\n", "\n\n- ", " *", "\n\n    "]
    items = []
    for number, group in enumerate(batched(bodies, 4)):
        body = separators[number % len(separators)].join(group)
        items.append({
            "kind": "post", "title": ORDINARY[number % len(ORDINARY)][:90], "body": body,
            "cw": [EDGES[number % len(EDGES)][:40]] if number % 3 == 0 else [],
            "pseudonym": ["Wren", "Mod Sam", "Sarah", "ｍｏｄ", ""][number % 5],
        })  # fmt: skip
    # Details that only show once rendered: split by emphasis, an entity or a line
    # break inside a paragraph (plain text, shown without rendering).
    hidden = ("Call 074*00* 123456 please", "Ring &#48;7400 123456", "It is 07400\n123456",
              "Mail sarah@exa**mple**.com", "I am Sarah\nJones, number 0740\n0 123456")  # fmt: skip
    for body in hidden:
        items.append({"kind": "post", "title": "Hidden", "body": body, "cw": [], "pseudonym": ""})
    return items


@pytest.mark.parametrize(("region", "language"), [("GB", "en"), ("DE", "de"), ("", "en")])
def test_the_report_is_the_straightforward_one(
    tmp_path: Path, region: str, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = BOARD_TOML.replace('language = "en"', f'language = "{language}"')
    toml += f'\n[moderation]\nregion = "{region}"\n' if region else ""
    for lang, topics in BOARD_RULES.items():
        toml += f"\n[moderation.crisis_terms.{lang}]\n"
        toml += "".join(f'"{topic}" = {json.dumps(rules)}\n' for topic, rules in topics.items())
    root = BoardMaker(tmp_path / "board")(toml=toml)
    board = read_board(root)
    data = {"watch": list(WATCH)}
    items = _items()

    def reports() -> list[dict]:
        return [
            moderation._stored_report(moderation.report(board, data, f"i{n}", item), "")
            for n, item in enumerate(items)
        ]

    fast = reports()
    with monkeypatch.context() as patched:
        patched.setattr(pii, "find_pii", every_finder)
        patched.setattr(crisis._CrisisMatcher, "by_sentence", every_rule)
        patched.setattr(moderation, "as_shown", moderation._rendered_as_shown)
        slow = reports()
    found = [field for report in slow for field in report["fields"]]
    assert sum(bool(f["identifying"]) for f in found) > 50
    assert sum(bool(f["crisis"]) for f in found) > 50
    assert any(f["name"] == moderation.AS_SHOWN for f in found)
    assert [n for n, (a, b) in enumerate(zip(fast, slow, strict=True)) if a != b] == []


def test_the_report_key_and_context_are_written_as_before(tmp_path: Path) -> None:
    """Reports stored by the code before these shortcuts are still recognised."""
    root = BoardMaker(tmp_path / "board")()
    board = read_board(root)
    data = {"watch": ["Zoë", "St Anne's"]}
    merged = {lang: dict(topics) for lang, topics in crisis.DEFAULT_CRISIS_TERMS.items()}
    context = json.dumps(
        [moderation.REPORT_FORMAT, data["watch"], board.moderation.region,
         sorted(board.roles.items()), merged, board.language],
        sort_keys=True, default=list,
    )  # fmt: skip
    assert moderation._report_context(board, data) == context
    item = {"title": 'Zoë’s "week"', "body": "Text\n", "cw": ["low mood"], "pseudonym": "Wren"}
    texts = json.dumps([context, moderation.item_fields(item)], ensure_ascii=False)
    assert moderation._report_key(context, item) == hashlib.sha256(texts.encode()).hexdigest()[:32]


def test_a_new_post_id_is_checked_as_the_glob_would(tmp_path: Path) -> None:
    posts = tmp_path / "content" / "posts"
    for rel in ("share/a1b2c3d4e5.md", "circle/f6a7b8c9d0.md", ".hidden/0a1b2c3d4e.md"):
        (posts / rel).parent.mkdir(parents=True, exist_ok=True)
        (posts / rel).write_text("x")
    (posts / "notes.md").write_text("not in a section")
    names = ["a1b2c3d4e5.md", "f6a7b8c9d0.md", "0a1b2c3d4e.md", "notes.md", "ffffffffff.md"]
    for folder in (posts, tmp_path / "nowhere"):
        assert [moderation._post_file_exists(folder, name) for name in names] == [
            any(folder.glob(f"*/{name}")) for name in names
        ]
