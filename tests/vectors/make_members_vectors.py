"""Write tests/vectors/members-v2.json: member-section format v2 test vectors.

Run from the repository root: python -m tests.vectors.make_members_vectors
Every random input is fixed here, so running it again gives the same file.
Python (tests/unit/test_memberformat.py) and the browser
(tests/browser/test_members.py) both check every case.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
from pathlib import Path

from generator.formats import members as fmt

OUT = Path(__file__).with_name("members-v2.json")
ITERATIONS = 600_000
SALT = bytes(range(16))
CODE_A = "maple-orbit-candle-velvet-sprout-harbor"
CODE_B = "lantern-quiet-meadow-pebble-willow-cocoa"
CODE_WRONG = "maple-orbit-candle-velvet-sprout-harbour"
SLOT = bytes.fromhex("a0" * 16)
CONTENT_KEY = bytes.fromhex("0f" * 32)
TODAY = dt.date(2026, 11, 21)


def fixed(byte: int, length: int) -> bytes:
    return bytes([byte]) * length


def keyring_case(desc, keyring, code, opens, *, today=TODAY, grant=None):
    case = {"desc": desc, "keyring": keyring, "code": code, "today": fmt.day_number(today)}
    if opens:
        case.update(
            slot=grant.slot.hex(),
            content_key=grant.content_key.hex(),
            expires=fmt.day_number(grant.expires),
        )
    case["opens"] = opens
    return case


def vectors() -> dict:
    """The whole vector document."""
    canonical = [
        {"typed": typed, "canonical": fmt.canonical_code(typed)}
        for typed in (
            CODE_A,
            "Maple Orbit candle-velvet  SPROUT harbor",
            " maple–orbit\u00a0candle.velvet,sprout\nharbor ",
            "ｍａｐｌｅ orbit candle velvet sprout harbor",
            "maple-orbit-candle-velvet-sprout-harbor-",
        )
    ]
    keys_a = fmt.derive_code_keys(CODE_A, SALT, ITERATIONS)
    keys_b = fmt.derive_code_keys(CODE_B, SALT, ITERATIONS)
    derive = [
        {"code": code, "salt": SALT.hex(), "iterations": ITERATIONS,
         "lookup": keys.lookup.hex(), "wrap": keys.wrap.hex()}
        for code, keys in ((CODE_A, keys_a), (CODE_B, keys_b))
    ]  # fmt: skip

    grant_a = fmt.Grant(SLOT, CONTENT_KEY, None)
    grant_b = fmt.Grant(SLOT, CONTENT_KEY, dt.date(2027, 3, 1))
    epoch = fixed(0x5E, fmt.EPOCH_BYTES)
    entry_a = fmt.seal_entry_from_parts(keys_a, grant_a, epoch, fixed(1, 12))
    entry_b = fmt.seal_entry_from_parts(keys_b, grant_b, epoch, fixed(2, 12))
    decoy = {"id": fmt.b64(fixed(0x33, 16)), "box": fmt.b64(fixed(0x44, fmt.ENTRY_BOX_BYTES))}
    keyring = fmt.keyring_from_parts(SALT, ITERATIONS, epoch, [entry_a, entry_b], [decoy])

    def altered(**changes):
        return {**keyring, **changes}

    flipped = bytearray(fmt.unb64(entry_a["box"]))
    flipped[-1] ^= 1
    tampered = [dict(e) for e in keyring["entries"]]
    for e in tampered:
        if e["id"] == entry_a["id"]:
            e["box"] = fmt.b64(bytes(flipped))
    swapped = [dict(e) for e in keyring["entries"]]
    for e in swapped:
        if e["id"] == entry_a["id"]:
            e["box"] = entry_b["box"]

    keyrings = [
        keyring_case("code A, no expiry", keyring, CODE_A, True, grant=grant_a),
        keyring_case("code A typed loosely", keyring, "MAPLE orbit candle velvet sprout harbor",
                     True, grant=grant_a),
        keyring_case("code B the day before it expires", keyring, CODE_B, True,
                     today=dt.date(2027, 2, 28), grant=grant_b),
        keyring_case("code B on its expiry day", keyring, CODE_B, False,
                     today=dt.date(2027, 3, 1)),
        keyring_case("a code with one letter changed", keyring, CODE_WRONG, False),
        keyring_case("unknown version", altered(v=2), CODE_A, False),
        keyring_case("unknown kind", altered(kind="something-else"), CODE_A, False),
        keyring_case("unknown kdf", altered(kdf="pbkdf2-sha1"), CODE_A, False),
        keyring_case("too few iterations", altered(iterations=1000), CODE_A, False),
        keyring_case("salt of the wrong length", altered(salt=fmt.b64(SALT[:8])), CODE_A, False),
        keyring_case("another build's epoch", altered(epoch=fmt.b64(fixed(0x5F, 16))), CODE_A,
                     False),
        keyring_case("epoch missing", {k: v for k, v in keyring.items() if k != "epoch"}, CODE_A,
                     False),
        keyring_case("entry box altered", altered(entries=tampered), CODE_A, False),
        keyring_case("another entry's box under this id", altered(entries=swapped), CODE_A, False),
        keyring_case("the entry twice", altered(entries=[*keyring["entries"], entry_a]), CODE_A,
                     False),
        keyring_case("entries missing", altered(entries=None), CODE_A, False),
    ]  # fmt: skip

    small = json.dumps({"v": 1, "posts": []}).encode()
    large = json.dumps({"v": 1, "text": "x" * 5000}).encode()
    items = []
    for desc, payload, item_id, nonce in (
        ("small payload, padded to 4096", small, "section", fixed(7, 12)),
        ("5 KB payload, padded by Padmé", large, "section", fixed(8, 12)),
        ("non-ASCII item id", "é".encode(), "é", fixed(9, 12)),
    ):
        envelope = fmt.seal_item_from_parts(CONTENT_KEY, SLOT, item_id, payload, nonce)
        items.append({"desc": desc, "content_key": CONTENT_KEY.hex(), "slot": SLOT.hex(),
                      "item_id": item_id, "nonce": nonce.hex(), "payload": payload.hex(),
                      "envelope": envelope.hex()})  # fmt: skip

    good = bytes.fromhex(items[0]["envelope"])
    nonce = fixed(7, 12)
    aad = fmt.AAD_ITEM + SLOT + b"section"

    def reseal(framed: bytes) -> bytes:
        return b"\x01" + nonce + fmt.aes_seal(CONTENT_KEY, nonce, framed, aad)

    bad_padding = bytearray(struct.pack(">I", len(small)) + small + bytes(4096 - 4 - len(small)))
    bad_padding[-1] = 1
    long_length = struct.pack(">I", 4093) + small + bytes(4096 - 4 - len(small))
    short_padding = struct.pack(">I", len(small)) + small + bytes(100)
    invalid_items = [
        ("unknown version", b"\x02" + good[1:], "section", SLOT),
        ("tag altered", good[:-1] + bytes([good[-1] ^ 1]), "section", SLOT),
        ("ciphertext altered", good[:20] + bytes([good[20] ^ 1]) + good[21:], "section", SLOT),
        ("truncated", good[:-16], "section", SLOT),
        ("other section's slot", good, "section", fixed(0xA1, 16)),
        ("other item id", good, "post", SLOT),
        ("padding not zero", reseal(bytes(bad_padding)), "section", SLOT),
        ("length beyond the plaintext", reseal(long_length), "section", SLOT),
        ("shorter than the smallest bucket", reseal(short_padding), "section", SLOT),
    ]
    invalid = [
        {"desc": desc, "content_key": CONTENT_KEY.hex(), "slot": slot.hex(), "item_id": item_id,
         "envelope": envelope.hex()}
        for desc, envelope, item_id, slot in invalid_items
    ]  # fmt: skip

    sections, invalid_chunks = chunk_vectors()
    return {
        "format": "quietboard members v2 (docs/formats/members.md)",
        "made_by": "tests/vectors/make_members_vectors.py",
        "canonical": canonical,
        "derive": derive,
        "keyrings": keyrings,
        "items": items,
        "invalid_items": invalid,
        "sections": sections,
        "invalid_chunks": invalid_chunks,
    }


def chunk_vectors() -> tuple[list, list]:
    """Sections cut into chunks (one, and two; chunks in b64u, and the posts
    part as one byte repeated, to keep the file small), and chunks that must
    not open."""
    edition = fixed(0xE0, 16)
    sections = []
    for desc, listing, repeat in (
        ("one chunk", b'{"v":2,"posts":[]}', 0),
        ("two chunks", b'{"v":2,"posts":[{"at":0,"len":70000}]}', 70000),
    ):
        posts = b"x" * repeat
        stream = fmt.section_stream(listing, posts)
        nonces = [fixed(0x30 + n, 12) for n in range(fmt.chunk_count(len(stream)))]
        chunks = fmt.seal_section_from_parts(CONTENT_KEY, SLOT, stream, edition, nonces)
        sections.append({"desc": desc, "content_key": CONTENT_KEY.hex(), "slot": SLOT.hex(),
                         "edition": edition.hex(), "nonces": [n.hex() for n in nonces],
                         "listing": listing.hex(), "posts_byte": "78", "posts_repeat": repeat,
                         "chunks": [fmt.b64(c) for c in chunks]})  # fmt: skip

    def seal_chunk(number: int, plaintext: bytes) -> bytes:
        return fmt.seal_item_from_parts(
            CONTENT_KEY, SLOT, fmt.chunk_item_id(number), plaintext, fixed(0x40, 12)
        )

    one = fmt.unb64(sections[0]["chunks"][0])
    piece = b"\x00" * 100

    def head(version: int, count: int) -> bytes:
        return bytes([version]) + edition + struct.pack(">I", count)

    invalid_chunks = [
        {"desc": desc, "content_key": CONTENT_KEY.hex(), "slot": SLOT.hex(), "number": number,
         "envelope": envelope.hex()}
        for desc, number, envelope in (
            ("chunk 0 opened as chunk 1", 1, one),
            ("section version 1", 0, seal_chunk(0, head(1, 1) + piece)),
            ("a count of 0", 0, seal_chunk(0, head(2, 0) + piece)),
            ("chunk 1 of 1", 1, seal_chunk(1, head(2, 1) + piece)),
            ("head only, no bytes of the stream", 0, seal_chunk(0, head(2, 1))),
        )
    ]  # fmt: skip

    return sections, invalid_chunks


def main() -> None:
    OUT.write_text(json.dumps(vectors(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
