"""Pseudonyms (format v1) in Chromium: formats/pseudonyms.js against the vectors and the share page.

The module must give every name, canonical form and refusal of
tests/vectors/pseudonyms-v1.json, and fold every code point as Python does.
On the share page, a name derived from a private phrase reaches the queue
while the phrase itself goes nowhere: not into the POST, not into storage.
"""

from __future__ import annotations

import json
import unicodedata
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect

from generator.formats import pseudonyms
from tests.helpers.browser import capture_posts, import_and_list

pytestmark = pytest.mark.browser

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "pseudonyms-v1.json"
BOARD = "Quiet Harbour"  # the demo board's name
PHRASE = "Otters sleep holding hands, Grandma said"
TITLE = "A small thing that helped"
BODY = "I wrote three lines in a notebook before bed."


# The vectors go in as their file's text (ASCII, with escapes) so that the
# lone surrogate of a refusal case reaches the page intact.
RUN_VECTORS = """async (fileText) => {
  const pn = await import("/theme/js/formats/pseudonyms.js");
  const v = JSON.parse(fileText);
  const names = await pn.loadNames();
  const words = [...names.adjectives, ...names.nouns].map((w) => w + "\\n").join("");
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(words)));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  const derive = [];
  for (const c of v.derive) {
    const got = { canonical: [], boards: [], names: [] };
    for (const s of c.secrets) {
      got.canonical.push(pn.canonical(s));
      for (const b of c.boards) got.names.push(await pn.derivedName(s, b, names));
    }
    for (const b of c.boards) got.boards.push(pn.canonical(b));
    derive.push(got);
  }
  const canonical = v.canonical.map((c) => pn.canonical(c.text));
  const refuse = [];
  for (const c of v.refuse) {
    try {
      refuse.push(["named", await pn.derivedName(c.secret, c.board, names)]);
    } catch (error) {
      refuse.push(["refused", error.message]);
    }
  }
  return {
    sha256: hex, first: [names.adjectives[0], names.nouns[0]],
    last: [names.adjectives.at(-1), names.nouns.at(-1)], min: pn.MIN_SECRET_CHARS,
    derive, canonical, refuse,
  };
}"""


def test_the_browser_gives_every_vector(page):
    text = VECTORS.read_text(encoding="utf-8")
    vectors = json.loads(text)
    got = page.evaluate(RUN_VECTORS, text)
    names = vectors["names"]
    assert (got["sha256"], got["first"], got["last"]) == (names["sha256"], names["first"],
                                                          names["last"])  # fmt: skip
    assert got["min"] == vectors["min_secret_chars"]
    for case, made in zip(vectors["derive"], got["derive"], strict=True):
        assert made["canonical"] == [case["canonical"]] * len(case["secrets"]), case["desc"]
        assert made["boards"] == [case["canonical_board"]] * len(case["boards"]), case["desc"]
        assert set(made["names"]) == {case["name"]}, case["desc"]
    assert got["canonical"] == [case["canonical"] for case in vectors["canonical"]]
    for case, (outcome, message) in zip(vectors["refuse"], got["refuse"], strict=True):
        assert outcome == "refused", case["desc"]
        if case["secret"].strip():
            assert case["secret"].strip() not in message


FOLD_EVERY_CODE_POINT = """async (ranges) => {
  const { canonical } = await import("/theme/js/formats/pseudonyms.js");
  const out = [];
  for (const [start, end] of ranges) {
    for (let cp = start; cp <= end; cp++) out.push(canonical(String.fromCodePoint(cp)));
  }
  return out;
}"""


def assigned_code_point_ranges() -> list[tuple[int, int]]:
    """Code points Python's Unicode (14.0 in 3.11) assigns, surrogates left out.

    Normalisation and case folding are stable for assigned characters, so a
    newer Unicode in Chromium must agree on all of them.
    """
    ranges: list[tuple[int, int]] = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF or unicodedata.category(chr(cp)) == "Cn":
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


def test_every_assigned_code_point_is_canonicalised_as_python_does(page):
    ranges = assigned_code_point_ranges()
    got = page.evaluate(FOLD_EVERY_CODE_POINT, ranges)
    code_points = [cp for start, end in ranges for cp in range(start, end + 1)]
    assert len(got) == len(code_points)
    differ = [
        f"U+{cp:04X}: {made!r} != {expected!r}"
        for cp, made in zip(code_points, got, strict=True)
        if made != (expected := pseudonyms.canonical(chr(cp)))
    ]
    assert differ == []


STORED = """() => JSON.stringify([
  Object.entries(sessionStorage), Object.entries(localStorage), document.cookie])"""


def assert_nowhere(phrase: str, *places: str) -> None:
    for variant in {phrase, phrase.lower(), urllib.parse.quote_plus(phrase),
                    urllib.parse.quote(phrase)}:  # fmt: skip
        for place in places:
            assert variant not in place


def test_a_name_from_a_private_phrase_reaches_the_queue_and_the_phrase_goes_nowhere(
    netlify_board, watched, tmp_path
):
    expected = pseudonyms.derived_name(PHRASE, BOARD)
    watch = watched(netlify_board.base)
    page = watch.page
    sent = capture_posts(page)
    page.goto(f"{netlify_board.base}/share/")
    expect(page.locator("#compose")).to_be_visible()
    assert page.locator("#compose [name]:not(input[type=radio][name=name-choice])").count() == 0
    assert page.locator("#name-random").is_checked()
    expect(page.locator("#random-name")).to_contain_text("You will appear as ")

    page.fill("#title", TITLE)
    page.fill("#body", BODY)
    page.get_by_role("radio", name="My usual name, from a private phrase only I know").check()
    assert not page.locator("#name-random").is_checked()
    phrase = page.locator("#phrase")
    assert (phrase.get_attribute("type"), phrase.get_attribute("autocomplete")) == (
        "password", "off")  # fmt: skip
    phrase.press_sequentially(PHRASE[:8])
    expect(page.locator("#phrase-name")).to_have_text("Type at least 12 characters (4 more).")
    phrase.fill(PHRASE)
    expect(page.locator("#phrase-name")).to_have_text(f"You will appear as {expected}.")
    # Different spellings of the same phrase give the same name.
    phrase.fill("  " + PHRASE.upper().replace(" ", "   ") + " ")
    expect(page.locator("#phrase-name")).to_have_text(f"You will appear as {expected}.")
    assert_nowhere(PHRASE, page.evaluate(STORED))

    page.click("#send")
    expect(page.locator("#sent")).to_be_visible(timeout=60_000)
    assert phrase.input_value() == ""
    assert page.locator("#phrase-name").inner_text() == ""
    assert page.locator("#name-random").is_checked()
    (body,) = sent
    fields = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
    assert set(fields) == {"form-name", "envelope", "website"}
    assert_nowhere(PHRASE, body, page.evaluate(STORED))
    assert_nowhere(expected, body)
    watch.assert_clean()

    _, items = import_and_list(netlify_board, tmp_path, [fields["envelope"]])
    item = next(item for item in items if item["title"] == TITLE)
    assert item["pseudonym"] == expected
    assert_nowhere(PHRASE, json.dumps(items, ensure_ascii=False))


def test_the_random_name_shown_is_the_name_sent_and_a_short_phrase_is_refused(
    netlify_board, watched, tmp_path
):
    adjectives, nouns = pseudonyms.load_names()
    page = watched(netlify_board.base).page
    sent = capture_posts(page)
    page.goto(f"{netlify_board.base}/share/")
    page.fill("#title", "Random name")
    page.fill("#body", "Signed by a friendly random name.")
    page.fill("#phrase", "too short")
    assert page.locator("#name-phrase").is_checked()
    page.click("#send")
    expect(page.locator("#compose-status")).to_have_text(
        "Please type a private phrase of at least 12 characters, or choose another way to be named."
    )
    page.get_by_role("radio", name="A name I choose").check()
    page.click("#send")
    expect(page.locator("#compose-status")).to_have_text(
        "Please type the name to show, or choose another way to be named."
    )
    assert sent == []

    page.get_by_role("radio", name="No name (shown as a friendly random name)").check()
    assert not page.locator("#name-own").is_checked()
    assert not page.locator("#name-phrase").is_checked()
    shown = page.locator("#random-name").inner_text()
    assert shown.startswith("You will appear as ") and shown.endswith(".")
    name = shown.removeprefix("You will appear as ").removesuffix(".")
    adjective, noun = name.lower().split(" ")
    assert adjective in adjectives and noun in nouns
    page.click("#send")
    expect(page.locator("#sent")).to_be_visible(timeout=60_000)
    assert page.locator("#random-name").inner_text() != ""
    (body,) = sent
    envelope = dict(urllib.parse.parse_qsl(body))["envelope"]
    _, items = import_and_list(netlify_board, tmp_path, [envelope])
    item = next(item for item in items if item["title"] == "Random name")
    assert item["pseudonym"] == name


def test_leaving_the_page_forgets_the_phrase(demo_board, watched):
    page = watched(demo_board.base).page
    page.goto(f"{demo_board.base}/share/")
    page.fill("#phrase", PHRASE)
    expect(page.locator("#phrase-name")).to_contain_text("You will appear as ")
    page.evaluate("dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }))")
    assert page.locator("#phrase").input_value() == ""
    assert page.locator("#phrase-name").inner_text() == ""
