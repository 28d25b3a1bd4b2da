"""The primitives every quietboard format is built from, and nothing else.

docs/formats/primitives.md is the specification; theme/static/js/formats/
primitives.js is the browser's twin. Members' sections, submissions, HPKE and
pseudonyms all import from here, so that base64url, HKDF, AES-256-GCM, the
padding and the length framing are written once on each side.

AES-256-GCM comes from libsodium (PyNaCl); HKDF and HMAC from the standard
library. Every failure to decode or open something is the one opaque
`Unopenable`, which says nothing about why.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

from nacl import bindings, exceptions

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
HASH_BYTES = 32
LENGTH_BYTES = 4


class Unopenable(Exception):
    """Something could not be opened. Deliberately says nothing more."""

    def __init__(self) -> None:
        super().__init__("could not open this")


def b64(data: bytes) -> str:
    """b64u: base64url without padding (RFC 4648 section 5)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str, length: int | None = None) -> bytes:
    """The bytes of a b64u TEXT, of LENGTH bytes if given; `Unopenable` otherwise.

    Only the one canonical spelling is accepted (no padding, no white space,
    no stray bits in the last character), so a value has exactly one text form.
    """
    if not isinstance(text, str) or "=" in text or not text.isascii():
        raise Unopenable
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise Unopenable from None
    if b64(data) != text or (length is not None and len(data) != length):
        raise Unopenable
    return data


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def hmac_sha256(key: bytes, data: bytes) -> bytes:
    return hmac.digest(key, data, "sha256")


def equal(a: bytes, b: bytes) -> bool:
    """Constant-time comparison of two byte strings (or two ASCII texts)."""
    return hmac.compare_digest(a, b)


def hkdf_extract(salt: bytes, ikm: bytes) -> bytes:
    """HKDF-Extract (RFC 5869 section 2.2) with SHA-256; an empty salt is HashLen zeros."""
    return hmac_sha256(salt or bytes(HASH_BYTES), ikm)


def hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    """HKDF-Expand (RFC 5869 section 2.3) with SHA-256."""
    out, block = b"", b""
    for counter in range(1, -(-length // HASH_BYTES) + 1):
        block = hmac_sha256(prk, block + info + bytes([counter]))
        out += block
    return out[:length]


def hkdf_sha256(ikm: bytes, info: bytes, length: int, salt: bytes = b"") -> bytes:
    """HKDF (RFC 5869) with SHA-256: extract, then expand."""
    return hkdf_expand(hkdf_extract(salt, ikm), info, length)


def aes_seal(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-256-GCM: the ciphertext followed by its 16-byte tag."""
    return bindings.crypto_aead_aes256gcm_encrypt(plaintext, aad, nonce, key)


def aes_open(key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    """AES-256-GCM decryption; `Unopenable` on any failure (tag, sizes, types)."""
    try:
        return bindings.crypto_aead_aes256gcm_decrypt(sealed, aad, nonce, key)
    except (exceptions.CryptoError, exceptions.ValueError, exceptions.TypeError):
        raise Unopenable from None


def padded_size(length: int, minimum: int) -> int:
    """Padmé (Nikitin et al., PURBs, 2019), never below MINIMUM.

    Rounding to a value with only a few significant bits leaks O(log log n)
    bits of the size and costs at most about 12% more bytes.
    """
    if length <= minimum:
        return minimum
    exponent = length.bit_length() - 1
    significant = exponent.bit_length()
    mask = (1 << (exponent - significant)) - 1
    return (length + mask) & ~mask


def frame(payload: bytes, minimum: int) -> bytes:
    """The padded frame: uint32 big-endian length, PAYLOAD, zero bytes up to padded_size."""
    framed = struct.pack(">I", len(payload)) + payload
    return framed + bytes(padded_size(len(framed), minimum) - len(framed))


def unframe(framed: bytes) -> bytes:
    """The payload of a frame; `Unopenable` if the length overruns or the padding is not zero."""
    if len(framed) < LENGTH_BYTES:
        raise Unopenable
    (length,) = struct.unpack(">I", framed[:LENGTH_BYTES])
    if length > len(framed) - LENGTH_BYTES or any(framed[LENGTH_BYTES + length :]):
        raise Unopenable
    return framed[LENGTH_BYTES : LENGTH_BYTES + length]


def well_formed(text: str) -> bool:
    """Whether TEXT can be UTF-8 (JSON can carry "\\ud800" escapes that no UTF-8 holds)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
