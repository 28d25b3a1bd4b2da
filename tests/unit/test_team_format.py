"""Team files (format v1): the vectors, bech32 and records as properties, settle, the age tool.

docs/formats/team.md is the specification; tests/vectors/make_team_vectors.py made
the vectors. The `age` command-line tool (Debian package `age`) checks that a team
file is a standard age file both ways; without it those tests are skipped (in CI
they fail).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pyrage
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl import bindings

from generator.board import team as board
from generator.formats import team as fmt
from generator.formats.primitives import Unopenable, padded_size
from tests.helpers import unavailable
from tests.helpers.fuzzing import FUZZ, mutated_bytes
from tests.vectors.make_team_vectors import (
    loaded_json,
    oversized_file,
    record_in,
    record_of,
    roster_of,
    vectors,
)

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "team-v1.json").read_text(encoding="utf-8")
)
IDENTITIES = [case["identity"] for case in VECTORS["identities"]]
RECIPIENTS = [case["recipient"] for case in VECTORS["identities"]]


def file_of(case: dict) -> bytes:
    if "cut" in case:
        whole = base64.b64decode(VECTORS["open"][case["cut"]["open"]]["file"])
        data = whole[: case["cut"]["length"]]
    elif case.get("refused_by") == "size":
        data = oversized_file()
    else:
        return base64.b64decode(case["file"])
    assert hashlib.sha256(data).hexdigest() == case["sha256"]
    return data


def test_the_committed_vectors_are_what_the_script_makes():
    assert vectors(VECTORS) == VECTORS


# --- identities and recipients -------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["identities"], ids=lambda c: c["role"])
def test_identities_recipients_and_fingerprints(case):
    secret = bytes.fromhex(case["secret"])
    assert fmt.identity_string(secret) == case["identity"]
    assert fmt.identity_secret(case["identity"]) == secret
    assert fmt.recipient_of_secret(secret) == case["recipient"]
    assert fmt.recipient_public(case["recipient"]) == bindings.crypto_scalarmult_base(secret)
    assert fmt.fingerprint(case["recipient"]) == case["fingerprint"]
    # rage reads the identity as the same key
    assert str(pyrage.x25519.Identity.from_str(case["identity"]).to_public()) == case["recipient"]


@pytest.mark.parametrize("case", VECTORS["bech32_variants"], ids=lambda c: c["desc"])
def test_other_spellings_of_a_key_decode_to_it(case):
    decode = fmt.identity_secret if case["kind"] == "identity" else fmt.recipient_public
    assert decode(case["text"]).hex() == case["hex"]


@pytest.mark.parametrize("case", VECTORS["bech32_invalid"], ids=lambda c: c["desc"])
def test_every_invalid_key_text_is_refused(case):
    decode = fmt.identity_secret if case["kind"] == "identity" else fmt.recipient_public
    with pytest.raises(Unopenable):
        decode(case["text"])


# --- records -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["encode"], ids=lambda c: c["desc"])
def test_every_record_encodes_to_its_exact_plaintext(case):
    record = record_of(case["record"])
    plaintext = fmt.encode_record(record)
    assert len(plaintext) == case["length"] == padded_size(case["body_length"], 512)
    assert hashlib.sha256(plaintext).hexdigest() == case["sha256"]
    if "plaintext" in case:
        assert plaintext.hex() == case["plaintext"]
    assert plaintext[case["body_length"] :] == b" " * (case["length"] - case["body_length"])
    assert fmt.decode_record(plaintext) == record


@pytest.mark.parametrize("case", VECTORS["open"], ids=lambda c: c["desc"])
def test_every_valid_file_opens_to_its_record(case):
    data = file_of(case)
    record = record_of(record_in(case))
    assert fmt.open_file(data, [IDENTITIES[case["identity"]]]) == record
    # with a list of identities, one that fits is enough
    assert fmt.open_file(data, [IDENTITIES[4], IDENTITIES[case["identity"]]]) == record
    for other, identity in enumerate(IDENTITIES):
        if "parts" in case and other not in case["parts"]["recipients"]:
            with pytest.raises(Unopenable):
                fmt.open_file(data, [identity])


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: c["desc"])
def test_every_invalid_file_is_refused(case):
    data = file_of(case)
    identity = IDENTITIES[case["identity"]]
    with pytest.raises(Unopenable) as refused:
        fmt.open_file(data, [identity])
    assert str(refused.value) == "could not open this"
    if case["refused_by"] == "record":
        # age opens it: the record layer is what refuses it
        plaintext = pyrage.decrypt(data, [pyrage.x25519.Identity.from_str(identity)])
        assert plaintext.hex() == case["plaintext"]
        with pytest.raises(Unopenable):
            fmt.decode_record(plaintext)
    if case["refused_by"] == "size":
        # well formed: only its size refuses it
        assert len(data) == case["length"] > fmt.MAX_FILE_BYTES
        assert pyrage.decrypt(data, [pyrage.x25519.Identity.from_str(identity)])


# --- settle --------------------------------------------------------------------------------


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def time_ns(self) -> int:
        return self.now


def settle_case(case: dict, monkeypatch: pytest.MonkeyPatch, *, reverse: bool = False) -> dict:
    # settle forgets decisions older than 400 days by the wall clock
    monkeypatch.setattr(board, "time", Clock(case["now"]))
    records = {name: record_of(record) for name, record in case["records"].items()}
    if reverse:
        records = dict(reversed(records.items()))
    loaded = board.settle(records, roster_of(case["roster"]), case["me"])
    return json.loads(json.dumps(loaded_json(loaded), sort_keys=True))


@pytest.mark.parametrize("case", VECTORS["settle"], ids=lambda c: c["desc"][:60])
def test_settle_gives_what_every_computer_must(case, monkeypatch):
    assert settle_case(case, monkeypatch) == json.loads(json.dumps(case["expected"]))
    # in whatever order the files were read
    assert settle_case(case, monkeypatch, reverse=True) == settle_case(case, monkeypatch)
    if "same" in case:
        assert board.same_submission(case["same"]["item"]) == case["same"]["digest"]


def test_a_post_sealed_to_the_whole_roster_is_not_sealed_again(monkeypatch):
    roster = board.Roster(
        {"zed2zed2": board.Moderator("zed2zed2", "Zed", RECIPIENTS[0], "2026-11-01")},
        build=RECIPIENTS[3],
    )
    writer = board.Writer(roster, "zed2zed2")
    post = {"text": "Title: A\n\nB\n", "item": None, "approved_by": "zed2zed2"}
    writer.record(("post", "share", "abc"), post, replaces=[])
    writer.record(("post", "share", "abc"), {"text": post["text"]}, replaces=[], view="build")
    settled = board.settle(writer.changes.records, roster, "zed2zed2")
    assert settled.dirty == set() and settled.reseal == set()


# --- properties ----------------------------------------------------------------------------

HRPS = st.sampled_from([fmt.IDENTITY_HRP, fmt.RECIPIENT_HRP])


@FUZZ
@given(HRPS, st.binary(max_size=60))
def test_bech32_round_trips_in_either_case(hrp, data):
    text = fmt.bech32_encode(hrp, data)
    assert fmt.bech32_decode(hrp, text) == data
    assert fmt.bech32_decode(hrp, text.upper()) == data


@FUZZ
@given(st.binary(min_size=32, max_size=32), st.data())
def test_an_identity_round_trips_and_one_changed_character_is_caught(secret, data):
    identity = fmt.identity_string(secret)
    assert fmt.identity_secret(identity) == secret
    recipient = fmt.recipient_of_secret(secret)
    assert str(pyrage.x25519.Identity.from_str(identity).to_public()) == recipient
    at = data.draw(st.integers(len("AGE-SECRET-KEY-1"), len(identity) - 1))
    char = data.draw(st.sampled_from(fmt._CHARSET.upper()).filter(lambda c: c != identity[at]))
    with pytest.raises(Unopenable):
        fmt.identity_secret(identity[:at] + char + identity[at + 1 :])


TEXT = st.text(max_size=30)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
RECORDS = st.builds(
    fmt.Record,
    key=st.lists(TEXT, min_size=1, max_size=4).map(tuple),
    value=JSON_VALUES,
    at=st.integers(0, 2**63 - 1),
    by=TEXT,
    view=st.sampled_from(fmt.VIEWS),
    replaces=st.lists(TEXT, max_size=3),
    to=st.lists(TEXT, max_size=3),
)


@FUZZ
@given(RECORDS)
def test_a_record_round_trips_padded_to_a_padme_size(record):
    plaintext = fmt.encode_record(record)
    assert fmt.decode_record(plaintext) == record
    body = plaintext.rstrip(b" ")
    assert body.startswith(fmt.MAGIC) and body.endswith(b"\n")
    assert len(plaintext) == padded_size(len(body), fmt.PAD_MINIMUM) >= 512


ONE = fmt.encode_record(record_of(VECTORS["encode"][1]["record"]))


@FUZZ
@given(mutated_bytes(ONE))
def test_a_damaged_plaintext_is_a_record_or_unopenable_never_another_error(plaintext):
    try:
        record = fmt.decode_record(plaintext)
    except Unopenable:
        return
    assert isinstance(record, fmt.Record)


@FUZZ
@given(RECORDS, st.sets(st.integers(0, 4), min_size=1))
def test_a_sealed_record_opens_with_exactly_the_identities_it_was_sealed_to(record, to):
    data = fmt.seal(record, [RECIPIENTS[i] for i in sorted(to)])
    for i, identity in enumerate(IDENTITIES):
        if i in to:
            assert fmt.open_file(data, [identity]) == record
        else:
            with pytest.raises(Unopenable):
                fmt.open_file(data, [identity])


# --- the standard age tool -----------------------------------------------------------------


def age_tool(name: str = "age") -> str:
    found = shutil.which(name)
    if found is None:
        unavailable(f"the {name} command is not installed (apt-get install -y age)")
    return found


def identity_file(folder: Path, identity: str) -> Path:
    """IDENTITY as an age identity file: never on a command line."""
    path = folder / "identity.txt"
    path.write_text(f"# a test identity\n{identity}\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def age(*args: str | Path, data: bytes = b"", tool: str = "age") -> subprocess.CompletedProcess:
    return subprocess.run(
        [age_tool(tool), *map(str, args)], input=data, capture_output=True, check=False
    )


RECORD = fmt.Record(
    key=("item", "q7m2xk4p"),
    value={"title": "A better week", "body": "Ça compte 💛"},
    at=1_795_176_000_000_000_000,
    by="arobinqq",
)


def test_the_age_tool_opens_a_file_quietboard_sealed(tmp_path):
    sealed = tmp_path / "file.age"
    sealed.write_bytes(fmt.seal(RECORD, [RECIPIENTS[0], RECIPIENTS[1], RECIPIENTS[3]]))
    opened = age("-d", "-i", identity_file(tmp_path, IDENTITIES[1]), sealed)
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.startswith(b"quietboard-team-record/1\n")
    assert opened.stdout == fmt.encode_record(RECORD)
    refused = age("-d", "-i", identity_file(tmp_path, IDENTITIES[2]), sealed)
    assert refused.returncode != 0
    assert refused.stdout == b""


def test_quietboard_opens_a_file_the_age_tool_sealed(tmp_path):
    out = tmp_path / "file.age"
    sealed = age(
        "-e", "-r", RECIPIENTS[0], "-r", RECIPIENTS[3], "-o", out, data=fmt.encode_record(RECORD)
    )
    assert sealed.returncode == 0, sealed.stderr
    assert fmt.open_file(out.read_bytes(), [IDENTITIES[3]]) == RECORD
    with pytest.raises(Unopenable):
        fmt.open_file(out.read_bytes(), [IDENTITIES[1]])


def test_the_age_tool_agrees_with_the_vectors(tmp_path):
    for case in VECTORS["identities"]:
        derived = age("-y", identity_file(tmp_path, case["identity"]), tool="age-keygen")
        assert derived.stdout.decode().strip() == case["recipient"], case["role"]
    sealed = tmp_path / "file.age"
    for case in VECTORS["open"]:
        sealed.write_bytes(file_of(case))
        opened = age("-d", "-i", identity_file(tmp_path, IDENTITIES[case["identity"]]), sealed)
        assert opened.returncode == 0, (case["desc"], opened.stderr)
        assert fmt.decode_record(opened.stdout) == record_of(record_in(case)), case["desc"]
    for case in VECTORS["invalid"]:
        if case["refused_by"] not in ("age", "record"):
            continue  # the age tool reads armor, and no size limit is part of age
        sealed.write_bytes(file_of(case))
        opened = age("-d", "-i", identity_file(tmp_path, IDENTITIES[case["identity"]]), sealed)
        if case["refused_by"] == "age":
            assert opened.returncode != 0, case["desc"]
        else:
            assert opened.returncode == 0, (case["desc"], opened.stderr)
            assert opened.stdout.hex() == case["plaintext"], case["desc"]
