"""Member-section format v2: the published vectors, codes, padding, keyrings and chunks."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from generator.formats import codes
from generator.formats import members as fmt
from generator.formats.primitives import Unopenable, hkdf_sha256, padded_size, unb64
from tests.vectors.make_members_vectors import vectors

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "members-v2.json").read_text(encoding="utf-8")
)


def day(number: int) -> dt.date:
    return fmt.EPOCH + dt.timedelta(days=number)


def test_the_committed_vectors_are_what_the_script_makes():
    assert vectors() == VECTORS


@pytest.mark.parametrize("case", VECTORS["canonical"], ids=lambda c: c["typed"])
def test_codes_are_read_forgivingly(case):
    assert codes.canonical_code(case["typed"]) == case["canonical"]


@pytest.mark.parametrize("case", VECTORS["derive"], ids=lambda c: c["code"])
def test_code_keys_match_the_vectors(case):
    keys = fmt.derive_code_keys(case["code"], bytes.fromhex(case["salt"]), case["iterations"])
    assert keys.lookup.hex() == case["lookup"]
    assert keys.wrap.hex() == case["wrap"]


@pytest.mark.parametrize("case", VECTORS["keyrings"], ids=lambda c: c["desc"])
def test_keyrings_open_only_as_the_vectors_say(case):
    if not case["opens"]:
        with pytest.raises(Unopenable) as raised:
            fmt.open_keyring(case["keyring"], case["code"], day(case["today"]))
        assert str(raised.value) == "could not open this"
        return
    grant = fmt.open_keyring(case["keyring"], case["code"], day(case["today"]))
    assert grant.slot.hex() == case["slot"]
    assert grant.content_key.hex() == case["content_key"]
    assert fmt.day_number(grant.expires) == case["expires"]


@pytest.mark.parametrize("case", VECTORS["items"], ids=lambda c: c["desc"])
def test_items_seal_and_open_as_the_vectors_say(case):
    key, slot = bytes.fromhex(case["content_key"]), bytes.fromhex(case["slot"])
    payload = bytes.fromhex(case["payload"])
    sealed = fmt.seal_item_from_parts(key, slot, case["item_id"], payload,
                                      bytes.fromhex(case["nonce"]))  # fmt: skip
    assert sealed.hex() == case["envelope"]
    assert fmt.open_item(key, slot, case["item_id"], sealed) == payload


@pytest.mark.parametrize("case", VECTORS["invalid_items"], ids=lambda c: c["desc"])
def test_damaged_items_do_not_open(case):
    with pytest.raises(Unopenable):
        fmt.open_item(
            bytes.fromhex(case["content_key"]),
            bytes.fromhex(case["slot"]),
            case["item_id"],
            bytes.fromhex(case["envelope"]),
        )


@pytest.mark.parametrize("case", VECTORS["sections"], ids=lambda c: c["desc"])
def test_sections_are_cut_into_chunks_as_the_vectors_say(case):
    key, slot = bytes.fromhex(case["content_key"]), bytes.fromhex(case["slot"])
    listing = bytes.fromhex(case["listing"])
    posts = bytes.fromhex(case["posts_byte"]) * case["posts_repeat"]
    stream = fmt.section_stream(listing, posts)
    nonces = [bytes.fromhex(n) for n in case["nonces"]]
    edition = bytes.fromhex(case["edition"])
    chunks = fmt.seal_section_from_parts(key, slot, stream, edition, nonces)
    assert [fmt.b64(c) for c in chunks] == case["chunks"]
    assert fmt.open_section(key, slot, chunks) == (listing, posts)


@pytest.mark.parametrize("case", VECTORS["invalid_chunks"], ids=lambda c: c["desc"])
def test_damaged_chunks_do_not_open(case):
    with pytest.raises(Unopenable):
        fmt.open_chunk(
            bytes.fromhex(case["content_key"]),
            bytes.fromhex(case["slot"]),
            case["number"],
            bytes.fromhex(case["envelope"]),
        )


def _two_chunks(edition: bytes) -> list[bytes]:
    stream = fmt.section_stream(b"{}", b"x" * 70_000)
    return fmt.seal_section_from_parts(
        KEY, SLOT, stream, edition, [bytes(12), bytes([1]) + bytes(11)]
    )


KEY, SLOT = bytes(range(32)), bytes(range(16))


@pytest.mark.parametrize(
    "chunks",
    [
        pytest.param(_two_chunks(bytes(16))[:1], id="the last chunk missing"),
        pytest.param(
            [_two_chunks(bytes(16))[0], _two_chunks(b"\x01" * 16)[1]],
            id="a chunk of another build",
        ),
        pytest.param(_two_chunks(bytes(16))[::-1], id="chunks swapped"),
        pytest.param([], id="no chunks"),
    ],
)
def test_a_section_opens_only_from_all_its_own_chunks_in_order(chunks):
    assert fmt.open_section(KEY, SLOT, _two_chunks(bytes(16))) == (b"{}", b"x" * 70_000)
    with pytest.raises(Unopenable):
        fmt.open_section(KEY, SLOT, chunks)


def test_chunk_sizes_show_only_the_padded_size_of_the_whole_section():
    """Every chunk but the last is the same size, and the sizes depend only on
    the padded size of the stream, as the one file of version 1 did."""
    for listed, texts in ((10, 200_000), (150_000, 50_010), (100_000, 100_010)):
        stream = fmt.section_stream(b"l" * listed, b"t" * texts)
        sizes = [len(c) for c in fmt.seal_section(KEY, SLOT, b"l" * listed, b"t" * texts)]
        assert len(set(sizes[:-1])) <= 1
        assert sizes[:-1] == [fmt.CHUNK_FRAMED + 29] * (len(sizes) - 1)
        same_total = fmt.seal_section(KEY, SLOT, b"", b"u" * (len(stream) - 8 - 4 - 60))
        assert [len(c) for c in same_total] == sizes


def test_hkdf_passes_rfc_5869_case_1():
    okm = hkdf_sha256(
        bytes.fromhex("0b" * 22),
        bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"),
        42,
        salt=bytes.fromhex("000102030405060708090a0b0c"),
    )
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_codes_have_at_least_77_bits_and_no_distressing_words():
    words = codes.wordlist()
    assert len(set(words)) == len(words)
    assert all(word.isascii() and word.isalpha() and word.islower() for word in words)
    assert not set(words) & codes.DISTRESSING
    assert "strangle" not in words and "despair" not in words
    assert codes.WORDS_PER_CODE * math.log2(len(words)) >= 77
    assert codes.code_bits() >= codes.MIN_CODE_BITS


def test_generated_codes_are_six_known_words_and_differ():
    made = {codes.generate_code() for _ in range(50)}
    assert len(made) == 50
    for code in made:
        parts = code.split("-")
        assert len(parts) == 6
        assert set(parts) <= set(codes.wordlist())


@pytest.mark.parametrize("length", [0, 1, 4096, 4097, 5000, 65_537, 1_000_000])
def test_padding_rounds_up_within_twelve_percent(length):
    padded = padded_size(length, fmt.MIN_PADDED)
    assert padded >= max(length, fmt.MIN_PADDED)
    assert padded <= max(fmt.MIN_PADDED, length * 1.12)
    assert padded_size(padded, fmt.MIN_PADDED) == padded


def test_keyrings_round_the_entry_count_up_and_change_every_id_every_build():
    keys = fmt.CodeKeys(lookup=bytes(16), wrap=bytes(32))
    grant = fmt.Grant(bytes(16), bytes(32), None)
    for real, total in ((0, 8), (1, 8), (8, 8), (9, 16)):
        keyring = fmt.make_keyring(bytes(16), 600_000, [(keys, grant)] * real)
        assert len(keyring["entries"]) == total
        assert {len(unb64(e["box"])) for e in keyring["entries"]} == {fmt.ENTRY_BOX_BYTES}
        assert [e["id"] for e in keyring["entries"]] == sorted(e["id"] for e in keyring["entries"])
    # Two builds share no id and no box: real entries cannot be told from decoys
    # by comparing copies.
    first = fmt.make_keyring(bytes(16), 600_000, [(keys, grant)])
    second = fmt.make_keyring(bytes(16), 600_000, [(keys, grant)])
    assert first["epoch"] != second["epoch"]
    assert not {e["id"] for e in first["entries"]} & {e["id"] for e in second["entries"]}
    assert not {e["box"] for e in first["entries"]} & {e["box"] for e in second["entries"]}


@pytest.mark.parametrize("text", ["AAAA=", "AA+A", "AAB", " AAAA", "ÀAAA"])
def test_base64_is_strict(text):
    with pytest.raises(Unopenable):
        unb64(text)
