"""Python HPKE against RFC 9180 Appendix A.1.1.

tests/vectors/hpke-x25519-sha256-base.json is a copy of the published vector
in ../shared/testvectors, kept in the repository so that a clean clone tests
against it; where the shared folder is present, the copies must be equal.

The vector's AEAD is AES-128-GCM, which libsodium does not offer; its
encryptions are checked in the browser (tests/browser/test_hpke.py). Here:
key pair derivation, encapsulation both ways, the key schedule for a 16-byte
key, the nonces per sequence number and the exporter.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.formats import hpke
from generator.formats.primitives import Unopenable

VECTOR_FILE = Path(__file__).parents[1] / "vectors" / "hpke-x25519-sha256-base.json"
PUBLISHED = Path(__file__).resolve().parents[3] / "shared" / "testvectors" / VECTOR_FILE.name


@pytest.fixture(scope="module")
def vector() -> dict:
    # A missing vector must fail the run, not skip it.
    ours = json.loads(VECTOR_FILE.read_text(encoding="utf-8"))
    if PUBLISHED.is_file():  # beside a development checkout; not in a clean clone
        assert json.loads(PUBLISHED.read_text(encoding="utf-8")) == ours
    return ours


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_the_vector_is_the_suite_we_implement(vector):
    assert (vector["mode"], vector["kem_id"], vector["kdf_id"]) == (
        hpke.MODE_BASE,
        hpke.KEM_X25519_SHA256,
        hpke.KDF_HKDF_SHA256,
    )
    assert vector["aead_id"] == hpke.AEAD_AES_128_GCM


def test_derive_key_pair(vector):
    assert hpke.derive_key_pair(h(vector["ikmE"])) == (h(vector["skEm"]), h(vector["pkEm"]))
    assert hpke.derive_key_pair(h(vector["ikmR"])) == (h(vector["skRm"]), h(vector["pkRm"]))


def test_encap_and_decap_agree_with_the_vector(vector):
    ephemeral = (h(vector["skEm"]), h(vector["pkEm"]))
    shared, enc = hpke.encap(h(vector["pkRm"]), ephemeral)
    assert (shared.hex(), enc.hex()) == (vector["shared_secret"], vector["enc"])
    assert hpke.decap(h(vector["enc"]), h(vector["skRm"])).hex() == vector["shared_secret"]


def test_key_schedule_nonces_and_exporter(vector):
    context = hpke.key_schedule(h(vector["shared_secret"]), h(vector["info"]), vector["aead_id"])
    assert context.key_schedule_context.hex() == vector["key_schedule_context"]
    assert context.secret.hex() == vector["secret"]
    assert context.key.hex() == vector["key"]
    assert context.base_nonce.hex() == vector["base_nonce"]
    assert context.exporter_secret.hex() == vector["exporter_secret"]
    for encryption in vector["encryptions"]:
        assert context.nonce(encryption["seq"]).hex() == encryption["nonce"]
    for export in vector["exports"]:
        value = context.export(h(export["exporter_context"]), export["L"])
        assert value.hex() == export["exported_value"]


def test_seal_and_open_round_trip_with_aes_256_gcm():
    secret, public = hpke.generate_key_pair()
    enc, sealed = hpke.seal_base(public, b"info", b"aad", b"a 32-byte seed for the payload..")
    assert (
        hpke.open_base(enc, secret, b"info", b"aad", sealed) == b"a 32-byte seed for the payload.."
    )
    other_secret, _ = hpke.generate_key_pair()
    for args in (
        (enc, other_secret, b"info", b"aad", sealed),
        (enc, secret, b"other", b"aad", sealed),
        (enc, secret, b"info", b"other", sealed),
        (enc, secret, b"info", b"aad", sealed[:-1] + bytes([sealed[-1] ^ 1])),
        (bytes(32), secret, b"info", b"aad", sealed),  # a low-order point: all-zero DH
    ):
        with pytest.raises(Unopenable, match=r"^could not open this$"):
            hpke.open_base(*args)
