"""Submissions, format v1: envelopes sealed in the browser to the moderators.

docs/formats/submissions.md is the specification;
theme/static/js/formats/submissions.js seals in the browser and this module opens
(and seals too, for tests and benchmarks). tests/vectors/submissions-v1.json
holds the two together. Functions that draw random bytes have `_from_parts`
twins that take them as arguments.
"""

from __future__ import annotations

import json
import os
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.formats import hpke
from generator.formats.primitives import (
    NONCE_BYTES,
    TAG_BYTES,
    Unopenable,
    aes_open,
    aes_seal,
    b64,
    equal,
    frame,
    hkdf_sha256,
    sha256,
    unb64,
    unframe,
    well_formed,
)

MAGIC = b"qbs1"
INFO = b"quietboard submission v1"
KEY_ID_INFO = b"quietboard moderator key v1"
INFO_PAYLOAD_KEY = b"quietboard submission v1 payload"
INFO_COMMIT = b"quietboard submission v1 commit"
POW_PREFIX = b"quietboard submission v1 pow"
WITHDRAWAL_PREFIX = b"quietboard withdrawal v1"
KEY_ID_BYTES = 8
SEED_BYTES = 32
BLOCK_BYTES = KEY_ID_BYTES + hpke.NPK + SEED_BYTES + TAG_BYTES
COMMIT_BYTES = 32
STAMP_BYTES = 8
MAX_RECIPIENTS = 8
MIN_PADDED = 1024
MAX_ENVELOPE_BYTES = 65_536
MAX_PAYLOAD_BYTES = 32_768
# The text form of the largest envelope with generous room for re-wrapping
# and indenting; anything longer is refused before it is looked at.
MAX_ARMORED_CHARS = 2 * MAX_ENVELOPE_BYTES * 4 // 3
# 22 bits is about a minute in a desktop browser and several on a phone: more
# than any member should be made to wait for. Boards choose 0 to this.
MAX_POW_BITS = 22
# A form field holds one envelope's text form. A field longer than the
# largest one with its markers and some room is not a submission, and is
# skipped without being searched.
MAX_FIELD_CHARS = MAX_ARMORED_CHARS + 4096

KINDS: dict[str, tuple[str, ...]] = {
    "post": ("section", "title", "body", "cw", "pseudonym", "verifier"),
    "reply": ("section", "post", "body", "cw", "pseudonym", "verifier"),
    "report": ("section", "post", "body"),
    "feedback": ("body",),
    "withdraw": ("code", "body"),
}
SECTION = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
POST_ID = re.compile(r"^[a-z0-9-]{1,64}$")
VERIFIER = re.compile(r"^[A-Za-z0-9_-]{43}$")
WITHDRAWAL_CODE_CHARS = 20  # 100 bits, base32
WITHDRAWAL_CODE = re.compile(rf"^[a-z2-7]{{{WITHDRAWAL_CODE_CHARS}}}$")
MAX_BODY = 20_000
MAX_WITHDRAW_BODY = 2_000
MAX_TITLE = 120
MAX_PSEUDONYM = 40
MAX_WARNINGS = 8
MAX_WARNING = 40

# Why an envelope was not imported. "damaged", "too-large" and "foreign" are
# read from its outside; every failure after a key id matched is "unopenable".
REASONS = {
    "damaged": "damaged (not a complete quietboard submission)",
    "too-large": f"too large (over {MAX_ENVELOPE_BYTES // 1024} KiB)",
    "spam": "no valid proof of work (spam, or damaged on the way); not opened",
    "honeypot": "spam (the hidden field that browsers leave empty was filled)",
    "duplicate": "imported before",
    "foreign": "sealed to a key this vault does not hold",
    "unopenable": "could not be opened (damaged or tampered with)",
    "invalid": "opened, but it is not a valid submission",
    "oversize": (
        f"skipped without searching: over {MAX_FIELD_CHARS // 1024} KiB, more than any submission"
    ),
}


class Rejected(Exception):
    """An envelope that cannot be imported; `code` is a key of REASONS."""

    def __init__(self, code: str) -> None:
        super().__init__(REASONS[code])
        self.code = code


def key_id(public: bytes) -> bytes:
    return sha256(KEY_ID_INFO + public)[:KEY_ID_BYTES]


def parse_public_key(text: str) -> bytes:
    """A moderator public key as written in board.toml; `ValueError` if malformed."""
    try:
        return unb64(text, hpke.NPK)
    except Unopenable:
        raise ValueError("not a quietboard public key") from None


def _derive(seed: bytes) -> tuple[bytes, bytes]:
    return hkdf_sha256(seed, INFO_PAYLOAD_KEY, 32), hkdf_sha256(seed, INFO_COMMIT, COMMIT_BYTES)


def seal_from_parts(
    payload: bytes,
    keys: list[bytes],
    ephemerals: list[tuple[bytes, bytes]],
    seed: bytes,
    nonce: bytes,
) -> bytes:
    """Sealing steps 2-4: the envelope body (without its stamp)."""
    if not 1 <= len(keys) <= MAX_RECIPIENTS or len(ephemerals) != len(keys):
        raise ValueError("an envelope has 1 to 8 recipients")
    payload_key, commit = _derive(seed)
    blocks = b""
    for public, ephemeral in zip(keys, ephemerals, strict=True):
        enc, wrapped = hpke.seal_base(public, INFO, b"", seed, ephemeral)
        blocks += key_id(public) + enc + wrapped
    aad = MAGIC + bytes([len(keys)]) + blocks + commit
    return aad + nonce + aes_seal(payload_key, nonce, frame(payload, MIN_PADDED), aad)


def encode_payload(payload: Mapping[str, Any]) -> bytes:
    check_payload(dict(payload))
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_PAYLOAD_BYTES:
        raise ValueError("too long to send")
    return data


def seal(payload: Mapping[str, Any], keys: list[bytes], bits: int) -> bytes:
    """A whole envelope, as a browser would make it (for tests and benchmarks)."""
    body = seal_from_parts(
        encode_payload(payload),
        keys,
        [hpke.generate_key_pair() for _ in keys],
        os.urandom(SEED_BYTES),
        os.urandom(NONCE_BYTES),
    )
    return body + struct.pack(">Q", find_stamp(body, bits))


def envelope_id(body: bytes) -> bytes:
    return sha256(body)


def _leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def _work(identity: bytes, stamp: int) -> bytes:
    return sha256(POW_PREFIX + identity + struct.pack(">Q", stamp))


def find_stamp(body: bytes, bits: int) -> int:
    """Sealing step 5: the first stamp whose hash starts with BITS zero bits."""
    identity = envelope_id(body)
    stamp = 0
    while _leading_zero_bits(_work(identity, stamp)) < bits:
        stamp += 1
    return stamp


def unarmor(inside: str) -> bytes:
    """Opening step 1 (decoding): the envelope bytes, or `Rejected`."""
    if len(inside) > MAX_ARMORED_CHARS:
        raise Rejected("too-large")
    compact = "".join(inside.split())
    if len(compact) > -(-MAX_ENVELOPE_BYTES * 4 // 3):
        raise Rejected("too-large")
    try:
        return unb64(compact)
    except Unopenable:
        raise Rejected("damaged") from None


@dataclass(frozen=True)
class Envelope:
    """An envelope's outside: what can be checked without a key."""

    count: int
    blocks: list[tuple[bytes, bytes, bytes]]
    aad: bytes
    nonce: bytes
    sealed: bytes
    body: bytes
    stamp: int

    @property
    def id(self) -> bytes:
        return envelope_id(self.body)

    def stamp_bits(self) -> int:
        return _leading_zero_bits(_work(self.id, self.stamp))


def parse_envelope(data: bytes) -> Envelope:
    """Opening step 1 (structure)."""
    if len(data) > MAX_ENVELOPE_BYTES:
        raise Rejected("too-large")
    if len(data) < 5 or data[:4] != MAGIC or not 1 <= data[4] <= MAX_RECIPIENTS:
        raise Rejected("damaged")
    count = data[4]
    head = 5 + count * BLOCK_BYTES + COMMIT_BYTES
    if len(data) < head + NONCE_BYTES + MIN_PADDED + TAG_BYTES + STAMP_BYTES:
        raise Rejected("damaged")
    blocks = []
    for i in range(count):
        block = data[5 + i * BLOCK_BYTES : 5 + (i + 1) * BLOCK_BYTES]
        blocks.append((block[:KEY_ID_BYTES], block[KEY_ID_BYTES : KEY_ID_BYTES + hpke.NPK],
                       block[KEY_ID_BYTES + hpke.NPK :]))  # fmt: skip
    body = data[:-STAMP_BYTES]
    return Envelope(
        count=count,
        blocks=blocks,
        aad=data[:head],
        nonce=data[head : head + NONCE_BYTES],
        sealed=body[head + NONCE_BYTES :],
        body=body,
        stamp=struct.unpack(">Q", data[-STAMP_BYTES:])[0],
    )


def open_envelope(envelope: Envelope, secrets: Mapping[bytes, bytes]) -> dict[str, Any]:
    """Opening steps 4-7 with SECRETS (key id -> private key): the payload."""
    matches = [(enc, wrapped, secrets[kid]) for kid, enc, wrapped in envelope.blocks
               if kid in secrets]  # fmt: skip
    if not matches:
        raise Rejected("foreign")
    enc, wrapped, secret = matches[0]
    try:
        seed = hpke.open_base(enc, secret, INFO, b"", wrapped)
        payload_key, commit = _derive(seed)
        if not equal(commit, envelope.aad[-COMMIT_BYTES:]):
            raise Unopenable
        data = unframe(aes_open(payload_key, envelope.nonce, envelope.sealed, envelope.aad))
    except Unopenable:
        raise Rejected("unopenable") from None
    if len(data) > MAX_PAYLOAD_BYTES:
        raise Rejected("invalid")
    try:
        payload = json.loads(data.decode("utf-8"))
        check_payload(payload)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        raise Rejected("invalid") from None
    return payload


PATTERNS = {
    "section": (SECTION, "a section name"),
    "post": (POST_ID, "a post id"),
    "verifier": (VERIFIER, "a withdrawal verifier"),
    "code": (WITHDRAWAL_CODE, "a withdrawal code"),
}


def _text(payload: dict[str, Any], name: str, low: int, high: int) -> None:
    value = payload[name]
    if not isinstance(value, str) or not low <= len(value) <= high or not well_formed(value):
        raise ValueError(f"{name} must be text of {low} to {high} characters")


def check_payload(payload: Any) -> None:
    """The payload rules; `ValueError` naming the first one broken."""
    if not isinstance(payload, dict) or payload.get("v") != 1 or type(payload["v"]) is not int:
        raise ValueError("not a version 1 payload")
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:  # a list or object is not hashable
        raise ValueError("unknown kind")
    if set(payload) != {"v", "kind", *KINDS[kind]}:
        raise ValueError(f"a {kind} has exactly the keys v, kind, {', '.join(KINDS[kind])}")
    for name, (pattern, what) in PATTERNS.items():
        value = payload.get(name, "")
        if name in payload and not (isinstance(value, str) and pattern.fullmatch(value)):
            raise ValueError(f"{name} is not {what}")
    if "title" in payload:
        _text(payload, "title", 1, MAX_TITLE)
    if kind == "withdraw":
        _text(payload, "body", 0, MAX_WITHDRAW_BODY)
    else:
        _text(payload, "body", 1, MAX_BODY)
    if "pseudonym" in payload:
        _text(payload, "pseudonym", 0, MAX_PSEUDONYM)
    warnings = payload.get("cw", [])
    if (
        not isinstance(warnings, list)
        or len(warnings) > MAX_WARNINGS
        or not all(
            isinstance(w, str) and 1 <= len(w) <= MAX_WARNING and well_formed(w) for w in warnings
        )
    ):
        raise ValueError(
            f"cw must be a list of at most {MAX_WARNINGS} texts of 1 to {MAX_WARNING} characters"
        )


def canonical_withdrawal(text: str) -> str:
    return re.sub(r"[^a-z2-7]", "", text.lower())


def withdrawal_verifier(code: str) -> str:
    return b64(sha256(WITHDRAWAL_PREFIX + canonical_withdrawal(code).encode()))
