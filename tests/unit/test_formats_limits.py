"""Every limit has one home: generator/formats/. The browser's twins and the share
page's form carry copies (JavaScript cannot import Python), and these tests pin each
copy to its home, so that a limit changed on one side cannot silently disagree with
the other (a post the page accepts and the import refuses, or the reverse)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.board import config, moderation
from generator.formats import members, primitives, pseudonyms, submissions

THEME = Path(__file__).parents[2] / "theme"
JS = THEME / "static" / "js"
CONSTANT = re.compile(r"^export const (\w+) = ([\d_ *]+);$", re.MULTILINE)


def js_constants(path: Path) -> dict[str, int]:
    """The numeric `export const` of a browser module (products of whole numbers only)."""
    found = {}
    for name, expression in CONSTANT.findall(path.read_text(encoding="utf-8")):
        value = 1
        for factor in expression.split("*"):
            value *= int(factor.strip().replace("_", ""))
        found[name] = value
    return found


PINNED = {
    "formats/submissions.js": {
        "MAX_RECIPIENTS": submissions.MAX_RECIPIENTS,
        "MIN_PADDED": submissions.MIN_PADDED,
        "MAX_ENVELOPE": submissions.MAX_ENVELOPE_BYTES,
        "MAX_PAYLOAD": submissions.MAX_PAYLOAD_BYTES,
        "MAX_POW_BITS": submissions.MAX_POW_BITS,
        "MAX_TITLE": submissions.MAX_TITLE,
        "MAX_BODY": submissions.MAX_BODY,
        "MAX_WITHDRAW_BODY": submissions.MAX_WITHDRAW_BODY,
        "MAX_PSEUDONYM": submissions.MAX_PSEUDONYM,
        "MAX_WARNINGS": submissions.MAX_WARNINGS,
        "MAX_WARNING": submissions.MAX_WARNING,
        "WITHDRAWAL_CODE_CHARS": submissions.WITHDRAWAL_CODE_CHARS,
        "VERSION": 1,
    },
    "formats/members.js": {
        "MIN_ITERATIONS": members.MIN_ITERATIONS,
        "MAX_ITERATIONS": members.MAX_ITERATIONS,
        "MIN_PADDED": members.MIN_PADDED,
        "MAX_ITEM": members.MAX_ITEM_BYTES,
        "VERSION": members.VERSION,
        "SECTION_VERSION": members.SECTION_VERSION,
    },
    "formats/pseudonyms.js": {
        "MIN_SECRET_CHARS": pseudonyms.MIN_SECRET_CHARS,
        "LIST_SIZE": pseudonyms.LIST_SIZE,
    },
    "formats/primitives.js": {
        "KEY": primitives.KEY_BYTES,
        "NONCE": primitives.NONCE_BYTES,
        "TAG": primitives.TAG_BYTES,
    },
}


@pytest.mark.parametrize("module", PINNED)
def test_each_browser_constant_is_its_python_twin(module):
    assert js_constants(JS / module) == PINNED[module]


def test_a_board_chooses_its_proof_of_work_within_what_the_format_allows():
    """One MAX_POW_BITS: board.toml's upper bound is the format's (the browser
    refuses more), not a second, different number."""
    assert config.MAX_POW_BITS == submissions.MAX_POW_BITS
    assert js_constants(JS / "formats/submissions.js")["MAX_POW_BITS"] == config.MAX_POW_BITS


def test_the_board_limits_are_the_format_limits():
    """What a moderator may type in review is what a member may send."""
    assert config.MAX_MODERATOR_KEYS == submissions.MAX_RECIPIENTS
    assert config.DEFAULT_KDF_ITERATIONS == members.MIN_ITERATIONS
    assert config.MAX_KDF_ITERATIONS == members.MAX_ITERATIONS
    assert moderation.MAX_TITLE == submissions.MAX_TITLE
    assert moderation.MAX_WARNINGS == submissions.MAX_WARNINGS
    assert moderation.MAX_WARNING == submissions.MAX_WARNING
    assert moderation.LIMITS == {
        "title": submissions.MAX_TITLE,
        "pseudonym": submissions.MAX_PSEUDONYM,
    }


def test_the_share_form_states_the_format_limits():
    share = (THEME / "templates" / "share.html").read_text(encoding="utf-8")
    fields = dict(re.findall(r'id="(\w+)"[^>]*?maxlength="(\d+)"', share))
    assert fields == {
        "title": str(submissions.MAX_TITLE),
        "body": str(submissions.MAX_BODY),
        "pseudonym": str(submissions.MAX_PSEUDONYM),
    }
    # The messages that name a limit, in the words a member reads.
    assert (
        f"at most {submissions.MAX_WARNINGS} content warnings, "
        f"each shorter than {submissions.MAX_WARNING} characters"
    ) in share
    assert f"under {submissions.MAX_WITHDRAW_BODY:,} characters" in share
    assert f"the {submissions.WITHDRAWAL_CODE_CHARS}-letter withdrawal code" in share


def test_the_page_scripts_take_their_limits_from_the_format_modules():
    """submit.js once had 2000, 8 and 40 written out; it imports them now."""
    submit = (JS / "submit.js").read_text(encoding="utf-8")
    for literal in ("2000", "20000", "120", "<= 8", "<= 40", "=== 20"):
        assert literal not in submit, literal
