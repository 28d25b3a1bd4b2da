"""Write tests/vectors/submissions-v1.json: submission format v1 test vectors.

Run from the repository root: python -m tests.vectors.make_submission_vectors
Every random input is fixed here, so running it again gives the same file.
Python (tests/unit/test_submitformat.py) opens every valid case and refuses every
invalid one; the browser (tests/browser/test_hpke.py) must seal the same
envelopes from the same parts.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

from generator.formats import hpke
from generator.formats import submissions as fmt
from generator.formats.armor import armor, find_armored
from generator.formats.primitives import aes_seal, b64, hkdf_sha256

OUT = Path(__file__).with_name("submissions-v1.json")


def fixed(label: str, length: int = 32) -> bytes:
    return hashlib.sha256(label.encode()).digest()[:length]


RECIPIENTS = [hpke.derive_key_pair(fixed(f"moderator {i}")) for i in range(3)]
WITHDRAWAL_CODES = (
    "abcde-fghij-klmno-pqrs2",
    "  ABCDE FGHIJ klmno PQRS2 ",
    "77777-aaaaa-23456-zzzzz",
)
VERIFIER = fmt.withdrawal_verifier("abcde-fghij-klmno-pqrs2")

PAYLOADS = {
    "post": {
        "v": 1, "kind": "post", "section": "share", "title": "A better week",
        "body": "I slept through the night *twice*.\n\nSmall things.", "cw": [],
        "pseudonym": "", "verifier": VERIFIER,
    },
    "reply": {
        "v": 1, "kind": "reply", "section": "circle", "post": "k3m9x2qa",
        "body": "Ça me parle 💛 — thank you for writing this.", "cw": ["loss", "grief"],
        "pseudonym": "Wren", "verifier": VERIFIER,
    },
    "feedback": {"v": 1, "kind": "feedback", "body": "Could the text be larger? " * 60},
}  # fmt: skip


def payload_bytes(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def seal_case(desc: str, name: str, recipients: list[int], bits: int, salt: str) -> dict:
    keys = [RECIPIENTS[i][1] for i in recipients]
    ikms = [fixed(f"{salt} ephemeral {i}") for i in range(len(keys))]
    seed, nonce = fixed(f"{salt} seed"), fixed(f"{salt} nonce", 12)
    payload = payload_bytes(PAYLOADS[name])
    body = fmt.seal_from_parts(payload, keys, [hpke.derive_key_pair(k) for k in ikms], seed, nonce)
    stamp = fmt.find_stamp(body, bits)
    return {
        "desc": desc,
        "payload": payload.decode("utf-8"),
        "keys": [b64(k) for k in keys],
        "recipients": recipients,
        "ikmE": [b64(k) for k in ikms],
        "seed": b64(seed),
        "nonce": b64(nonce),
        "bits": bits,
        "stamp": stamp,
        "envelope": armor(body + struct.pack(">Q", stamp)),
    }


def stamped(body: bytes, bits: int = 0) -> bytes:
    return body + struct.pack(">Q", fmt.find_stamp(body, bits))


def raw(case: dict) -> bytes:
    return fmt.unarmor(next(find_armored(case["envelope"])))


def invalid_cases(valid: list[dict]) -> list[dict]:
    one, two = raw(valid[0])[:-8], raw(valid[1])[:-8]
    other = raw(seal_case("", "post", [0], 0, "other"))[:-8]
    foreign = raw(seal_case("", "post", [2], 0, "foreign"))
    flip_last = one[:-1] + bytes([one[-1] ^ 1])
    commit_at = 5 + fmt.BLOCK_BYTES
    flip_commit = one[:commit_at] + bytes([one[commit_at] ^ 1]) + one[commit_at + 1 :]
    swapped = two[:5] + other[5 : 5 + fmt.BLOCK_BYTES] + two[5 + fmt.BLOCK_BYTES :]

    # A correctly sealed envelope whose padding is not all zero.
    seed, nonce = fixed("padding seed"), fixed("padding nonce", 12)
    payload_key = hkdf_sha256(seed, fmt.INFO_PAYLOAD_KEY, 32)
    commit = hkdf_sha256(seed, fmt.INFO_COMMIT, 32)
    enc, wrapped = hpke.seal_base(
        RECIPIENTS[0][1], fmt.INFO, b"", seed, hpke.derive_key_pair(fixed("padding eph"))
    )
    aad = fmt.MAGIC + b"\x01" + fmt.key_id(RECIPIENTS[0][1]) + enc + wrapped + commit
    text = payload_bytes(PAYLOADS["post"])
    framed = struct.pack(">I", len(text)) + text
    framed += bytes(fmt.MIN_PADDED - len(framed) - 1) + b"\x01"
    bad_padding = aad + nonce + aes_seal(payload_key, nonce, framed, aad)

    unknown_key = fmt.seal_from_parts(
        payload_bytes({**PAYLOADS["post"], "sent": "2026-11-21T09:14:00Z"}),
        [RECIPIENTS[0][1]],
        [hpke.derive_key_pair(fixed("unknown key eph"))],
        fixed("unknown key seed"),
        fixed("unknown key nonce", 12),
    )
    weak = stamped(one)
    while fmt.parse_envelope(weak).stamp_bits() >= 12:
        weak = one + struct.pack(">Q", fmt.parse_envelope(weak).stamp + 1)
    cases = [
        ("the last byte of the ciphertext (its tag) altered", stamped(flip_last), 0, "unopenable"),
        ("the commitment altered", stamped(flip_commit), 0, "unopenable"),
        ("a recipient block taken from another envelope", stamped(swapped), 0, "unopenable"),
        ("padding that is not all zero", stamped(bad_padding), 0, "unopenable"),
        ("opens, but the payload has a key the format does not allow", stamped(unknown_key), 0,
         "invalid"),
        ("unknown magic", stamped(b"qbs2" + one[4:]), 0, "damaged"),
        ("nine recipients", stamped(one[:4] + b"\x09" + one[5:]), 0, "damaged"),
        ("truncated", stamped(one[:200]), 0, "damaged"),
        ("sealed only to another moderator's key", foreign, 0, "foreign"),
        ("a stamp with fewer zero bits than the board asks for", weak, 12, "spam"),
    ]  # fmt: skip
    return [
        {"desc": desc, "envelope": armor(envelope), "bits": bits, "reason": reason}
        for desc, envelope, bits, reason in cases
    ]


def vectors() -> dict:
    valid = [
        seal_case("a post to one moderator, 8 bits of work", "post", [0], 8, "one"),
        seal_case("a reply with warnings and non-ASCII text to two moderators", "reply", [0, 1], 4,
                  "two"),
        seal_case("feedback longer than the smallest bucket, no work", "feedback", [1], 0,
                  "long"),
    ]  # fmt: skip
    return {
        "format": "quietboard submissions v1 (docs/formats/submissions.md)",
        "made_by": "tests/vectors/make_submission_vectors.py",
        "recipients": [{"sk": b64(sk), "pk": b64(pk)} for sk, pk in RECIPIENTS],
        "held": [0, 1],
        "generate": valid,
        "invalid": invalid_cases(valid),
        "withdrawal": [
            {
                "code": code,
                "canonical": fmt.canonical_withdrawal(code),
                "verifier": fmt.withdrawal_verifier(code),
            }
            for code in WITHDRAWAL_CODES
        ],
    }


def main() -> None:
    OUT.write_text(json.dumps(vectors(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
