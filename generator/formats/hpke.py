"""HPKE (RFC 9180), base mode, DHKEM(X25519, HKDF-SHA256) with HKDF-SHA256.

Only what quietboard needs: single-shot seal and open with AES-256-GCM
(aead_id 2), plus the parts the RFC's test vectors check (key pair
derivation, the key schedule for any key length, the exporter). X25519 comes
from libsodium (PyNaCl); HKDF and AES-256-GCM from primitives.py. The profile
is docs/formats/hpke.md; theme/static/js/formats/hpke.js is the browser's twin.
Failures to open are the one opaque `Unopenable`.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from nacl import bindings, exceptions

from generator.formats.primitives import (
    NONCE_BYTES,
    Unopenable,
    aes_open,
    aes_seal,
    hkdf_expand,
    hkdf_extract,
)

MODE_BASE = 0
KEM_X25519_SHA256 = 0x0020
KDF_HKDF_SHA256 = 0x0001
AEAD_AES_128_GCM = 0x0001
AEAD_AES_256_GCM = 0x0002
KEY_LENGTHS = {AEAD_AES_128_GCM: 16, AEAD_AES_256_GCM: 32}
NSECRET = 32  # Nsecret and Nh: SHA-256
NPK = 32
NSK = 32

KEM_SUITE = b"KEM" + struct.pack(">H", KEM_X25519_SHA256)


def _suite(aead_id: int) -> bytes:
    return b"HPKE" + struct.pack(">HHH", KEM_X25519_SHA256, KDF_HKDF_SHA256, aead_id)


def labeled_extract(suite: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    """RFC 9180 section 4: HKDF-Extract over "HPKE-v1" || suite || label || ikm."""
    return hkdf_extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    """RFC 9180 section 4: HKDF-Expand with the length and label bound into info."""
    return hkdf_expand(prk, struct.pack(">H", length) + b"HPKE-v1" + suite + label + info, length)


def public_key(secret: bytes) -> bytes:
    return bindings.crypto_scalarmult_base(secret)


def derive_key_pair(ikm: bytes) -> tuple[bytes, bytes]:
    """RFC 9180 section 7.1.3: (secret, public) from input keying material."""
    prk = labeled_extract(KEM_SUITE, b"", b"dkp_prk", ikm)
    secret = labeled_expand(KEM_SUITE, prk, b"sk", b"", NSK)
    return secret, public_key(secret)


def generate_key_pair() -> tuple[bytes, bytes]:
    return derive_key_pair(os.urandom(NSK))


def _dh(secret: bytes, public: bytes) -> bytes:
    if len(public) != NPK:
        raise Unopenable
    try:
        shared = bindings.crypto_scalarmult(secret, public)
    except (exceptions.RuntimeError, exceptions.ValueError, exceptions.TypeError):
        raise Unopenable from None
    # libsodium refuses an all-zero result already; RFC 9180 section 7.1.4 requires it.
    if not any(shared):
        raise Unopenable
    return shared


def _extract_and_expand(dh: bytes, kem_context: bytes) -> bytes:
    prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE, prk, b"shared_secret", kem_context, NSECRET)


def encap(public: bytes, ephemeral: tuple[bytes, bytes] | None = None) -> tuple[bytes, bytes]:
    """(shared secret, enc) for the recipient PUBLIC; EPHEMERAL is for test vectors."""
    secret_e, public_e = ephemeral or generate_key_pair()
    dh = _dh(secret_e, public)
    return _extract_and_expand(dh, public_e + public), public_e


def decap(enc: bytes, secret: bytes) -> bytes:
    dh = _dh(secret, enc)
    return _extract_and_expand(dh, enc + public_key(secret))


@dataclass(frozen=True)
class Context:
    """The key schedule's output (RFC 9180 section 5.1)."""

    key_schedule_context: bytes
    secret: bytes
    key: bytes
    base_nonce: bytes
    exporter_secret: bytes
    aead_id: int

    def nonce(self, seq: int) -> bytes:
        return (int.from_bytes(self.base_nonce, "big") ^ seq).to_bytes(NONCE_BYTES, "big")

    def export(self, exporter_context: bytes, length: int) -> bytes:
        return labeled_expand(
            _suite(self.aead_id), self.exporter_secret, b"sec", exporter_context, length
        )


def key_schedule(shared_secret: bytes, info: bytes, aead_id: int = AEAD_AES_256_GCM) -> Context:
    """Base mode: no PSK, so psk and psk_id are empty."""
    suite = _suite(aead_id)
    psk_id_hash = labeled_extract(suite, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(suite, b"", b"info_hash", info)
    context = bytes([MODE_BASE]) + psk_id_hash + info_hash
    secret = labeled_extract(suite, shared_secret, b"secret", b"")
    return Context(
        key_schedule_context=context,
        secret=secret,
        key=labeled_expand(suite, secret, b"key", context, KEY_LENGTHS[aead_id]),
        base_nonce=labeled_expand(suite, secret, b"base_nonce", context, NONCE_BYTES),
        exporter_secret=labeled_expand(suite, secret, b"exp", context, NSECRET),
        aead_id=aead_id,
    )


def seal_base(
    public: bytes,
    info: bytes,
    aad: bytes,
    plaintext: bytes,
    ephemeral: tuple[bytes, bytes] | None = None,
) -> tuple[bytes, bytes]:
    """Single-shot SealBase with AES-256-GCM: (enc, ciphertext with tag)."""
    shared, enc = encap(public, ephemeral)
    context = key_schedule(shared, info)
    return enc, aes_seal(context.key, context.nonce(0), plaintext, aad)


def open_base(enc: bytes, secret: bytes, info: bytes, aad: bytes, sealed: bytes) -> bytes:
    """Single-shot OpenBase with AES-256-GCM; `Unopenable` on any failure."""
    context = key_schedule(decap(enc, secret), info)
    return aes_open(context.key, context.nonce(0), sealed, aad)
