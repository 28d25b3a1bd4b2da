"""Submission envelopes (format v1): the vectors, and the rules of the payload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.formats import hpke
from generator.formats import submissions as fmt
from generator.formats.armor import BEGIN, END, armor, find_armored
from generator.formats.primitives import unb64
from tests.vectors.make_submission_vectors import vectors

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "submissions-v1.json").read_text(encoding="utf-8")
)
HELD = {
    fmt.key_id(unb64(r["pk"])): unb64(r["sk"])
    for i, r in enumerate(VECTORS["recipients"])
    if i in VECTORS["held"]
}


def outside(text: str) -> fmt.Envelope:
    (inside,) = find_armored(text)
    return fmt.parse_envelope(fmt.unarmor(inside))


def test_the_committed_vectors_are_what_the_script_makes():
    assert vectors() == VECTORS


@pytest.mark.parametrize("case", VECTORS["generate"], ids=lambda c: c["desc"])
def test_every_valid_vector_opens_to_its_payload(case):
    envelope = outside(case["envelope"])
    assert envelope.stamp == case["stamp"]
    assert envelope.stamp_bits() >= case["bits"]
    assert fmt.open_envelope(envelope, HELD) == json.loads(case["payload"])


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: c["desc"])
def test_every_invalid_vector_is_refused_for_its_reason(case):
    with pytest.raises(fmt.Rejected) as caught:
        envelope = outside(case["envelope"])
        if envelope.stamp_bits() < case["bits"]:
            raise fmt.Rejected("spam")
        fmt.open_envelope(envelope, HELD)
    assert caught.value.code == case["reason"]


@pytest.mark.parametrize("case", VECTORS["withdrawal"], ids=lambda c: c["code"])
def test_withdrawal_codes_are_forgiving_about_case_and_spaces(case):
    assert fmt.canonical_withdrawal(case["code"]) == case["canonical"]
    assert fmt.withdrawal_verifier(case["code"]) == case["verifier"]


def test_sealed_text_survives_rewrapping_and_indenting():
    _, public = hpke.generate_key_pair()
    text = armor(fmt.seal({"v": 1, "kind": "feedback", "body": "hello"}, [public], 0))
    begin, *inner, end = text.splitlines()
    rewrapped = "\n".join("   " + line[:30] + "\n  " + line[30:] for line in inner)
    mangled = f"Forwarded:\n> {begin}\n{rewrapped}\n{end}\nThanks"
    (inside,) = find_armored(mangled)
    assert fmt.unarmor(inside) == fmt.unarmor(next(find_armored(text)))


def test_an_envelope_over_64_kib_is_refused_before_anything_else():
    text = armor(b"qbs1" + bytes(fmt.MAX_ENVELOPE_BYTES))
    with pytest.raises(fmt.Rejected) as caught:
        outside(text)
    assert caught.value.code == "too-large"
    assert str(caught.value) == "too large (over 64 KiB)"


def test_python_seals_what_it_opens_with_the_work_asked_for():
    secret, public = hpke.generate_key_pair()
    payload = {"v": 1, "kind": "feedback", "body": "thank you"}
    envelope = fmt.parse_envelope(fmt.seal(payload, [public], 10))
    assert envelope.stamp_bits() >= 10
    assert fmt.open_envelope(envelope, {fmt.key_id(public): secret}) == payload


POST = {
    "v": 1, "kind": "post", "section": "share", "title": "Hello", "body": "Text", "cw": [],
    "pseudonym": "", "verifier": "A" * 43,
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sent": "2026-11-21T09:14:00Z"}, "a post has exactly the keys"),
        ({"kind": "letter"}, "unknown kind"),
        ({"v": True}, "not a version 1 payload"),
        ({"section": "Share\n"}, "section is not a section name"),
        ({"title": ""}, "title must be text of 1 to 120 characters"),
        ({"body": "x" * 20_001}, "body must be text of 1 to 20000 characters"),
        ({"body": "a lone \ud800 surrogate"}, "body must be text of 1 to 20000 characters"),
        ({"cw": ["x" * 41]}, "cw must be a list"),
        ({"verifier": "short"}, "verifier is not a withdrawal verifier"),
    ],
)
def test_payload_rules(change, message):
    with pytest.raises(ValueError, match=message):
        fmt.check_payload({**POST, **change})
    fmt.check_payload(POST)


def test_find_armored_keeps_its_rules_for_stray_and_missing_markers():
    b, e = BEGIN, END
    text = f"{e} stray {b}one{e} between {b}cut short {b}two{e}{e} {b}unfinished"
    assert list(find_armored(text)) == ["one", "cut short ", "two", "unfinished"]
    assert list(find_armored(b * 50_000)) == [""] * 50_000
    assert list(find_armored("no envelope here")) == []
