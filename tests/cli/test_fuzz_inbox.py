"""Fuzzing what `quietboard inbox import` reads: Netlify's CSV and JSON exports,
armored text, the envelopes inside and the payloads they carry.

Every input is either imported or refused: a whole file with one line saying
what to do, a single envelope counted and listed with its reason. Nothing
ends in the "unexpected problem" catch-all, and a refused file leaves the
vault exactly as it was.

Note: inputs are kept to a few kilobytes, because find_armored is still
quadratic on text with many BEGIN markers and no END (fixed on another branch).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from generator.board import inbox, moderators
from generator.cli import cli
from generator.errors import InboxError
from generator.formats import hpke
from generator.formats import submissions as fmt
from generator.formats.armor import armor
from generator.formats.primitives import unb64
from tests.helpers.boards import BOARD_TOML, BoardMaker, fast_vault
from tests.helpers.fuzzing import (
    FUZZ,
    assert_one_line,
    assert_one_line_error,
    mutated,
    mutated_bytes,
    scratch,
)

TODAY = dt.date(2026, 11, 20)
PASSPHRASE = "correct horse battery staple"
POST = {
    "v": 1, "kind": "post", "section": "share", "title": "Small steps",
    "body": "I went outside every day.", "cw": ["low mood"], "pseudonym": "Wren",
    "verifier": fmt.withdrawal_verifier("abcde-fghij-klmno-pqrs2"),
}  # fmt: skip

DATA: dict = {}
moderators.create_key(DATA, TODAY)
PUBLIC = unb64(moderators.public_key(DATA), 32)


def _sealed_raw(payload: bytes, seed: bytes = bytes(32)) -> bytes:
    """An envelope around PAYLOAD bytes (any bytes, valid or not), zero-bit stamp."""
    body = fmt.seal_from_parts(payload, [PUBLIC], [hpke.generate_key_pair()], seed, bytes(12))
    return body + bytes(8)


ENVELOPE = fmt.seal(POST, [PUBLIC], 0)
ARMORED = armor(ENVELOPE)


def _csv(envelope: str) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["envelope", "website", "ip", "created_at", "id"])
    writer.writeheader()
    writer.writerow({"envelope": envelope, "website": "", "ip": "203.0.113.7",
                     "created_at": "2026-11-19T23:41:07Z", "id": "6740aa01"})  # fmt: skip
    return out.getvalue()


CSV = _csv(ARMORED)
JSON = json.dumps([{"id": "6740aa01", "data": {"envelope": ARMORED, "website": ""}}])


def _import(raw: bytes) -> None:
    """The library path of `inbox import`: read the file, then open what it holds."""
    try:
        found = inbox.read_input("export", raw)
    except InboxError as error:
        assert_one_line(str(error))
        return
    data = json.loads(json.dumps(DATA))
    report = inbox.import_found(data, found, pow_bits=0, today=TODAY)
    for problem in report.problems:
        assert inbox.UNEXPECTED not in problem, problem
        assert_one_line(problem)
    counted = len(report.imported) + report.duplicates + report.spam + report.no_work
    counted += report.unreadable + report.skipped + report.over_limit
    assert counted == sum(item.excess or 1 for item in found)  # every envelope, exactly once


@FUZZ
@given(text=mutated(CSV))
def test_a_mutated_csv_export_is_imported_or_refused_in_one_line(text):
    _import(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(text=mutated(JSON))
@example(text="[" * 100_000)
@example(text='[{"data": {"envelope": ' + "[" * 5000 + "]" * 5000 + "}}]")
@example(text='{"id": {"x": 1}, "data": {"envelope": 7, "website": []}}')
def test_a_mutated_json_export_is_imported_or_refused_in_one_line(text):
    _import(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(text=mutated("Dear moderators,\n\n" + ARMORED + "\nThanks\n"))
def test_mutated_armored_text_is_imported_or_refused_in_one_line(text):
    _import(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(raw=st.binary(max_size=600) | mutated_bytes(CSV.encode()) | mutated_bytes(JSON.encode()))
def test_any_bytes_are_imported_or_refused_in_one_line(raw):
    _import(raw)


@FUZZ
@given(envelope=mutated_bytes(ENVELOPE))
def test_a_damaged_envelope_is_counted_as_unreadable(envelope):
    _import(armor(envelope).encode())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)  # fmt: skip


@FUZZ.__class__(FUZZ, max_examples=400)
@given(key=st.sampled_from([*POST, "kind", "v", "extra"]), value=json_values)
@example(key="kind", value=[])
@example(key="kind", value={})
@example(key="v", value=[1])
def test_a_payload_with_any_wrong_value_is_refused_as_invalid(key, value):
    payload = json.dumps({**POST, key: value}).encode()
    _import(armor(_sealed_raw(payload)).encode())


@FUZZ
@given(payload=st.binary(max_size=200) | mutated_bytes(json.dumps(POST).encode()))
@example(payload=b"[" * 100_000)
@example(payload=b'{"v": 1, "kind": ' + b"[" * 5000 + b"]" * 5000 + b"}")
def test_a_payload_of_any_bytes_is_refused_as_invalid(payload):
    _import(armor(_sealed_raw(payload)).encode())


@pytest.mark.parametrize("kind", [[], {}, ["post"]])
def test_a_payload_whose_kind_is_not_text_is_invalid_not_unexpected(kind):
    envelope = _sealed_raw(json.dumps({**POST, "kind": kind}).encode())
    data = json.loads(json.dumps(DATA))
    report = inbox.import_found(
        data, inbox.read_input("x", armor(envelope).encode()), pow_bits=0, today=TODAY
    )
    assert report.unreadable == 1
    assert report.problems == ["x, envelope 1: opened, but it is not a valid submission"]


# The command itself, on a real vault: a refused file changes nothing.
CLI_INPUTS = [
    b"\xff\xfe not text",
    b"[" * 100_000,
    b'[{"data": 5}]',
    b'envelope,website\n"' + ARMORED.encode(),
    b"no envelope here at all",
    CSV.encode().replace(b"BEGIN", b"BEGlN"),
]


@pytest.mark.parametrize("raw", CLI_INPUTS)
def test_inbox_import_of_a_bad_file_is_one_line_and_keeps_the_vault(keyed_board, tmp_path, raw):
    path = tmp_path / "export.csv"
    path.write_bytes(raw)
    vault = keyed_board / ".quietboard" / "vault.json"
    before = vault.read_bytes()
    result = CliRunner().invoke(
        cli,
        ["inbox", "import", str(path), "--board", str(keyed_board)],
        prog_name="quietboard",
        env={"QUIETBOARD_PASSPHRASE": PASSPHRASE},
    )
    assert_one_line_error(result)
    assert inbox.UNEXPECTED not in result.output
    if result.exit_code:
        assert vault.read_bytes() == before


def _keyed_board() -> tuple[Path, bytes]:
    """A board whose vault holds a moderator key that board.toml lists (pow_bits = 0)."""
    from generator.board.edit import add_moderator_key
    from generator.board.vault import open_vault

    root = scratch("inbox-")
    BoardMaker(root)(toml=BOARD_TOML + "\n[submissions]\npow_bits = 0\n")
    fast_vault(root, PASSPHRASE)
    with open_vault(root, lambda: PASSPHRASE) as vault:
        public = moderators.create_key(vault.data, TODAY)
        vault.save()
    add_moderator_key(root, public)
    return root, unb64(public, 32)


KEYED, KEYED_PUBLIC = _keyed_board()
WITHDRAW = {"v": 1, "kind": "withdraw", "code": "abcdefghijklmnopqrst", "body": ""}


@st.composite
def exports(draw: st.DrawFn) -> bytes:
    """A file a moderator might import: an export or text around one sealed payload."""
    payload = draw(st.sampled_from([POST, WITHDRAW]))
    key = draw(st.sampled_from([*payload, "extra"]))
    if draw(st.booleans()):
        payload = {**payload, key: draw(json_values)}
    body = fmt.seal_from_parts(
        json.dumps(payload).encode(), [KEYED_PUBLIC], [hpke.generate_key_pair()],
        bytes(32), bytes(12),
    )  # fmt: skip
    armored = armor(body + bytes(8))
    wrapper = draw(st.sampled_from(["csv", "json", "text"]))
    if wrapper == "csv":
        text = _csv(armored)
    elif wrapper == "json":
        text = json.dumps([{"id": "6740aa01", "data": {"envelope": armored, "website": ""}}])
    else:
        text = "Dear moderators,\n\n" + armored
    if draw(st.booleans()):
        text = draw(mutated(text))
    return text.encode("utf-8", "surrogatepass")


@FUZZ.__class__(FUZZ, max_examples=40)
@given(raw=exports())
def test_inbox_import_of_any_file_is_one_line_and_a_refused_file_keeps_the_vault(raw):
    path = KEYED / "export.txt"
    path.write_bytes(raw)
    vault = KEYED / ".quietboard" / "vault.json"
    before = vault.read_bytes()
    result = CliRunner().invoke(
        cli,
        ["inbox", "import", str(path), "--board", str(KEYED)],
        prog_name="quietboard",
        env={"QUIETBOARD_PASSPHRASE": PASSPHRASE, "QUIETBOARD_TODAY": "2026-11-20"},
    )
    assert_one_line_error(result)
    assert inbox.UNEXPECTED not in result.output
    if result.exit_code:
        assert vault.read_bytes() == before
