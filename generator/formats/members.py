"""Member sections, format v2: keyring entries, sealed items and section chunks.

docs/formats/members.md is the specification; this module and
theme/static/js/formats/members.js are its two implementations, held together
by tests/vectors/members-v2.json. Version 2 changes only how a section is laid
out (a list first, then the posts, cut into equal chunks); the keyring and the
item envelope keep their version-1 markers, so codes issued before still open.
Every public function that draws random bytes has a `_from_parts` twin that
takes them as arguments, so vectors are reproducible without mocking.

PBKDF2 comes from the standard library, everything else from primitives.py.
Nothing here logs or raises a secret: every failure to open something is the
one opaque `Unopenable`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import struct
from dataclasses import dataclass
from typing import Any

from generator.formats.codes import canonical_code
from generator.formats.primitives import (
    KEY_BYTES,
    NONCE_BYTES,
    TAG_BYTES,
    Unopenable,
    aes_open,
    aes_seal,
    b64,
    frame,
    hkdf_sha256,
    hmac_sha256,
    padded_size,
    unb64,
    unframe,
)

VERSION = 1
KEYRING_KIND = "quietboard-members-keyring"
KDF_NAME = "pbkdf2-sha256"
# PBKDF2-HMAC-SHA256 rounds for member access codes: OWASP's 2023 figure is
# the floor (and a board's default); a board may raise it (each member's phone
# pays it once).
MIN_ITERATIONS = 600_000
MAX_ITERATIONS = 10_000_000
SALT_BYTES = 16
LOOKUP_BYTES = 16
SLOT_BYTES = 16
ENTRY_PLAINTEXT_BYTES = SLOT_BYTES + KEY_BYTES + 4
ENTRY_BOX_BYTES = NONCE_BYTES + ENTRY_PLAINTEXT_BYTES + TAG_BYTES
ENTRY_GROUP = 8
MIN_PADDED = 4096
MAX_ITEM_BYTES = 64 * 1024 * 1024
INFO_LOOKUP = b"quietboard members v1 lookup"
INFO_WRAP = b"quietboard members v1 wrap"
AAD_ENTRY = b"quietboard members v1 entry:"
AAD_ITEM = b"quietboard members v1 item:"
EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class CodeKeys:
    """What a code derives to: where its entry is, and the key that opens it."""

    lookup: bytes
    wrap: bytes


def derive_code_keys(code: str, salt: bytes, iterations: int) -> CodeKeys:
    """Steps 1-3 of "Opening a section": canonicalise, PBKDF2 once, HKDF twice.

    PBKDF2 gives 32 bytes (one SHA-256 block): asking it for 64 would double
    our cost and not an attacker's, who can test a guess with the first block.
    """
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS or len(salt) != SALT_BYTES:
        raise Unopenable
    master = hashlib.pbkdf2_hmac("sha256", canonical_code(code).encode(), salt, iterations, 32)
    return CodeKeys(
        lookup=hkdf_sha256(master, INFO_LOOKUP, LOOKUP_BYTES),
        wrap=hkdf_sha256(master, INFO_WRAP, KEY_BYTES),
    )


def day_number(day: dt.date | None) -> int:
    """Days since 1970-01-01; 0 stands for "no expiry"."""
    return 0 if day is None else (day - EPOCH).days


@dataclass(frozen=True)
class Grant:
    """What a keyring entry gives: a section's slot and key, until a day."""

    slot: bytes
    content_key: bytes
    expires: dt.date | None


EPOCH_BYTES = 16


def entry_id(lookup: bytes, epoch: bytes) -> bytes:
    """A code's entry id in one build's keyring: HMAC-SHA256(lookup, epoch), 16 bytes.

    Each build publishes a fresh random epoch, so a code's entry has a new id
    in every build and two copies of the keyring cannot be matched up.
    """
    return hmac_sha256(lookup, epoch)[:LOOKUP_BYTES]


def seal_entry_from_parts(
    keys: CodeKeys, grant: Grant, epoch: bytes, nonce: bytes
) -> dict[str, str]:
    plaintext = grant.slot + grant.content_key + struct.pack(">I", day_number(grant.expires))
    box = nonce + aes_seal(keys.wrap, nonce, plaintext, AAD_ENTRY + keys.lookup)
    return {"id": b64(entry_id(keys.lookup, epoch)), "box": b64(box)}


def keyring_from_parts(
    salt: bytes,
    iterations: int,
    epoch: bytes,
    entries: list[dict[str, str]],
    decoys: list[dict[str, str]],
) -> dict[str, Any]:
    """The keyring document: real entries and decoys, sorted by (random-looking) id."""
    return {
        "kind": KEYRING_KIND,
        "v": VERSION,
        "kdf": KDF_NAME,
        "iterations": iterations,
        "salt": b64(salt),
        "epoch": b64(epoch),
        "entries": sorted(entries + decoys, key=lambda entry: entry["id"]),
    }


def make_keyring(
    salt: bytes, iterations: int, grants: list[tuple[CodeKeys, Grant]]
) -> dict[str, Any]:
    """One build's keyring: a new epoch, every grant sealed afresh, and random
    decoys rounding the entry count up to a multiple of 8."""
    epoch = os.urandom(EPOCH_BYTES)
    entries = [
        seal_entry_from_parts(keys, grant, epoch, os.urandom(NONCE_BYTES)) for keys, grant in grants
    ]
    total = max(ENTRY_GROUP, -(-len(entries) // ENTRY_GROUP) * ENTRY_GROUP)
    decoys = [
        {"id": b64(os.urandom(LOOKUP_BYTES)), "box": b64(os.urandom(ENTRY_BOX_BYTES))}
        for _ in range(total - len(entries))
    ]
    return keyring_from_parts(salt, iterations, epoch, entries, decoys)


def open_keyring(keyring: Any, code: str, today: dt.date) -> Grant:
    """Verify steps for a keyring and a typed code; `Unopenable` on any failure."""
    if not isinstance(keyring, dict) or type(keyring.get("v")) is not int:
        raise Unopenable
    if keyring["v"] != VERSION:
        raise Unopenable
    if keyring.get("kind") != KEYRING_KIND or keyring.get("kdf") != KDF_NAME:
        raise Unopenable
    iterations = keyring.get("iterations")
    entries = keyring.get("entries")
    if isinstance(iterations, bool) or not isinstance(iterations, int):
        raise Unopenable
    if not isinstance(entries, list):
        raise Unopenable
    epoch = unb64(keyring.get("epoch"), EPOCH_BYTES)
    keys = derive_code_keys(code, unb64(keyring.get("salt"), SALT_BYTES), iterations)
    wanted = b64(entry_id(keys.lookup, epoch))
    found = [e for e in entries if isinstance(e, dict) and e.get("id") == wanted]
    if len(found) != 1:
        raise Unopenable
    box = unb64(found[0].get("box"), ENTRY_BOX_BYTES)
    nonce, sealed = box[:NONCE_BYTES], box[NONCE_BYTES:]
    plaintext = aes_open(keys.wrap, nonce, sealed, AAD_ENTRY + keys.lookup)
    (days,) = struct.unpack(">I", plaintext[SLOT_BYTES + KEY_BYTES :])
    expires = EPOCH + dt.timedelta(days=days) if days else None
    if expires is not None and expires <= today:
        raise Unopenable
    return Grant(plaintext[:SLOT_BYTES], plaintext[SLOT_BYTES : SLOT_BYTES + KEY_BYTES], expires)


def _item_aad(slot: bytes, item_id: str) -> bytes:
    return AAD_ITEM + slot + item_id.encode("utf-8")


def seal_item_from_parts(
    content_key: bytes, slot: bytes, item_id: str, payload: bytes, nonce: bytes
) -> bytes:
    """Version byte, nonce, AES-256-GCM of (length, payload, zero padding)."""
    sealed = aes_seal(content_key, nonce, frame(payload, MIN_PADDED), _item_aad(slot, item_id))
    return bytes([VERSION]) + nonce + sealed


def seal_item(content_key: bytes, slot: bytes, item_id: str, document: Any) -> bytes:
    """Seal DOCUMENT (JSON); `ValueError` if it is too big for any reader to open."""
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if padded_size(len(payload) + 4, MIN_PADDED) + 1 + NONCE_BYTES + TAG_BYTES > MAX_ITEM_BYTES:
        raise ValueError("item too large")
    return seal_item_from_parts(content_key, slot, item_id, payload, os.urandom(NONCE_BYTES))


def open_item(content_key: bytes, slot: bytes, item_id: str, envelope: bytes) -> bytes:
    """Verify steps for a sealed item; returns the payload bytes."""
    if len(envelope) < 1 + NONCE_BYTES + TAG_BYTES + MIN_PADDED or envelope[0] != VERSION:
        raise Unopenable
    if len(envelope) > MAX_ITEM_BYTES:
        raise Unopenable
    nonce, sealed = envelope[1 : 1 + NONCE_BYTES], envelope[1 + NONCE_BYTES :]
    return unframe(aes_open(content_key, nonce, sealed, _item_aad(slot, item_id)))


def is_envelope_size(size: int) -> bool:
    """Whether SIZE is the size of some sealed item (for the output audit)."""
    body = size - 1 - NONCE_BYTES - TAG_BYTES
    return body >= MIN_PADDED and padded_size(body, MIN_PADDED) == body


# Format v2: a section is one padded byte stream (its list, then its posts),
# cut into chunks that are sealed as items "section-0", "section-1", ... Every
# chunk but the last seals exactly CHUNK_FRAMED bytes, so the files show the
# stream's padded size (as version 1 did) and nothing of where posts begin.
SECTION_VERSION = 2
EDITION_BYTES = 16
CHUNK_HEAD = 1 + EDITION_BYTES + 4
CHUNK_FRAMED = 64 * 1024
CHUNK_PIECE = CHUNK_FRAMED - 4 - CHUNK_HEAD


def chunk_item_id(number: int) -> str:
    return f"section-{number}"


def section_stream(listing: bytes, posts: bytes) -> bytes:
    """uint32be(len(listing)) || listing || posts, framed and padded as one item."""
    payload = struct.pack(">I", len(listing)) + listing + posts
    if padded_size(len(payload) + 4, MIN_PADDED) > MAX_ITEM_BYTES:
        raise ValueError("section too large")
    return frame(payload, MIN_PADDED)


def seal_section_from_parts(
    content_key: bytes, slot: bytes, stream: bytes, edition: bytes, nonces: list[bytes]
) -> list[bytes]:
    """The chunk envelopes of STREAM, in order; one nonce per chunk."""
    pieces = [stream[at : at + CHUNK_PIECE] for at in range(0, len(stream), CHUNK_PIECE)]
    if len(nonces) != len(pieces) or len(edition) != EDITION_BYTES:
        raise ValueError("one nonce per chunk, and a 16-byte edition")
    head = bytes([SECTION_VERSION]) + edition + struct.pack(">I", len(pieces))
    return [
        seal_item_from_parts(content_key, slot, chunk_item_id(number), head + piece, nonce)
        for number, (piece, nonce) in enumerate(zip(pieces, nonces, strict=True))
    ]


def chunk_count(stream_length: int) -> int:
    return -(-stream_length // CHUNK_PIECE)


def seal_section(content_key: bytes, slot: bytes, listing: bytes, posts: bytes) -> list[bytes]:
    """Seal a section (its list and its posts, JSON bytes) as chunks, with a fresh
    edition and nonces; `ValueError` if it is too big for any reader to open."""
    stream = section_stream(listing, posts)
    nonces = [os.urandom(NONCE_BYTES) for _ in range(chunk_count(len(stream)))]
    return seal_section_from_parts(content_key, slot, stream, os.urandom(EDITION_BYTES), nonces)


@dataclass(frozen=True)
class Chunk:
    edition: bytes
    count: int
    piece: bytes


def open_chunk(content_key: bytes, slot: bytes, number: int, envelope: bytes) -> Chunk:
    """Verify steps for one chunk; `Unopenable` on any failure."""
    plaintext = open_item(content_key, slot, chunk_item_id(number), envelope)
    if len(plaintext) <= CHUNK_HEAD or plaintext[0] != SECTION_VERSION:
        raise Unopenable
    (count,) = struct.unpack(">I", plaintext[1 + EDITION_BYTES : CHUNK_HEAD])
    if not number < count <= chunk_count(MAX_ITEM_BYTES):
        raise Unopenable
    return Chunk(plaintext[1 : 1 + EDITION_BYTES], count, plaintext[CHUNK_HEAD:])


def open_section(content_key: bytes, slot: bytes, envelopes: list[bytes]) -> tuple[bytes, bytes]:
    """Open every chunk of a section: its (listing, posts) bytes."""
    chunks = [open_chunk(content_key, slot, n, e) for n, e in enumerate(envelopes)]
    if not chunks or any((c.edition, c.count) != (chunks[0].edition, len(chunks)) for c in chunks):
        raise Unopenable
    payload = unframe(b"".join(c.piece for c in chunks))
    if len(payload) < 4:
        raise Unopenable
    (listed,) = struct.unpack(">I", payload[:4])
    if listed > len(payload) - 4:
        raise Unopenable
    return payload[4 : 4 + listed], payload[4 + listed :]
