"""Team files: one record of a board's shared state, sealed to every moderator.

docs/formats/team.md is the specification. A team file is a standard age v1
file (https://age-encryption.org/v1: a fresh file key, wrapped once per
X25519 recipient, and a ChaCha20-Poly1305 STREAM payload), made and opened by
pyrage, so that in an emergency any moderator can open any file with the
standard `age` tool and their identity. Its payload is a record:

    b"quietboard-team-record/1\\n" + JSON object + b"\\n" + spaces (padding)

The JSON object holds the record's key (a list of strings naming what part of
the board state it is), its value, when and by whom it was written, which
files it replaces, and who it was sealed to. A moderator's identity is an
X25519 key pair: the same key opens the submissions sealed to them (HPKE) and
the team files (age). Every failure to open a file is the one opaque
`Unopenable`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from typing import Any

import pyrage
from nacl import bindings

from generator.formats.primitives import Unopenable, padded_size

MAGIC = b"quietboard-team-record/1\n"
AGE_MAGIC = b"age-encryption.org/v1\n"
SUFFIX = ".age"
# A record is a queue item or a post at most (both capped well below this);
# a bigger file is refused before it is decrypted.
MAX_FILE_BYTES = 4 * 1024 * 1024
PAD_MINIMUM = 512
NAME_BYTES = 16
VIEWS = ("full", "build")

# --- identities and recipients (bech32, BIP 173, as age spells them) ---------------------

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
IDENTITY_HRP = "age-secret-key-"
RECIPIENT_HRP = "age"


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_GENERATOR):
            checksum ^= generator if (top >> i) & 1 else 0
    return checksum


def _expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _regroup(data: bytes | list[int], source: int, target: int, *, pad: bool) -> list[int]:
    accumulator, bits, out = 0, 0, []
    for value in data:
        accumulator = (accumulator << source) | value
        bits += source
        while bits >= target:
            bits -= target
            out.append((accumulator >> bits) & ((1 << target) - 1))
    if pad and bits:
        out.append((accumulator << (target - bits)) & ((1 << target) - 1))
    elif not pad and (bits >= source or (accumulator << (target - bits)) & ((1 << target) - 1)):
        raise Unopenable
    return out


def bech32_encode(hrp: str, data: bytes) -> str:
    words = _regroup(data, 8, 5, pad=True)
    checksum = _polymod([*_expand(hrp), *words, 0, 0, 0, 0, 0, 0]) ^ 1
    words += [(checksum >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[w] for w in words)


def bech32_decode(hrp: str, text: str) -> bytes:
    """The bytes of TEXT, which must be bech32 with the human part HRP; `Unopenable` if not."""
    if (
        not isinstance(text, str)
        or not text.isascii()
        or (text.lower() != text and text.upper() != text)
    ):
        raise Unopenable
    text = text.lower()
    if not text.startswith(hrp + "1") or len(text) < len(hrp) + 7:  # the separator and a checksum
        raise Unopenable
    words = []
    for char in text[len(hrp) + 1 :]:
        if char not in _CHARSET:
            raise Unopenable
        words.append(_CHARSET.index(char))
    if _polymod([*_expand(hrp), *words]) != 1:
        raise Unopenable
    return bytes(_regroup(words[:-6], 5, 8, pad=False))


def identity_string(secret: bytes) -> str:
    """The age identity (AGE-SECRET-KEY-1...) of a raw X25519 private key."""
    return bech32_encode(IDENTITY_HRP, secret).upper()


def identity_secret(identity: str) -> bytes:
    """The raw X25519 private key of an age identity string; `Unopenable` if it is not one."""
    secret = bech32_decode(IDENTITY_HRP, identity.strip())
    if len(secret) != 32:
        raise Unopenable
    return secret


def recipient_of_public(public: bytes) -> str:
    """The age recipient (age1...) of a raw X25519 public key."""
    return bech32_encode(RECIPIENT_HRP, public)


def recipient_public(recipient: str) -> bytes:
    public = bech32_decode(RECIPIENT_HRP, recipient.strip())
    if len(public) != 32:
        raise Unopenable
    return public


def recipient_of_secret(secret: bytes) -> str:
    return recipient_of_public(bindings.crypto_scalarmult_base(secret))


def new_identity() -> bytes:
    """A fresh raw X25519 private key (clamped by X25519 itself when used)."""
    return os.urandom(32)


def fingerprint(recipient: str) -> str:
    """Four groups a person can read aloud to check a recipient on another channel."""
    digest = base64.b32encode(hashlib.sha256(recipient.encode()).digest())
    text = digest.decode("ascii").lower()[:16]
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


# --- records -------------------------------------------------------------------------------


@dataclass
class Record:
    """One part of the shared board state."""

    key: tuple[str, ...]
    value: Any
    at: int  # nanoseconds since the epoch, when written (orders versions of one key)
    by: str  # the writing moderator's id in team/recipients.toml
    view: str = "full"  # "build": the part a host's build may read
    replaces: list[str] = field(default_factory=list)  # file names this version supersedes
    to: list[str] = field(default_factory=list)  # ids of the identities it was sealed to

    def to_json(self) -> dict[str, Any]:
        return {
            "k": list(self.key),
            "v": self.value,
            "at": self.at,
            "by": self.by,
            "view": self.view,
            "replaces": self.replaces,
            "to": self.to,
        }


def encode_record(record: Record) -> bytes:
    """The padded plaintext of RECORD."""
    body = MAGIC + json.dumps(record.to_json(), ensure_ascii=False, sort_keys=True).encode() + b"\n"
    return body + b" " * (padded_size(len(body), PAD_MINIMUM) - len(body))


def decode_record(plaintext: bytes) -> Record:
    """The record in PLAINTEXT; `Unopenable` if it is not one this version writes.

    Only what `encode_record` writes opens: the JSON on one line, then spaces.
    """
    if not plaintext.startswith(MAGIC):
        raise Unopenable
    line, newline, padding = plaintext[len(MAGIC) :].partition(b"\n")
    if not newline or padding.strip(b" "):
        raise Unopenable
    try:
        document = json.loads(line.decode("utf-8"), parse_constant=_not_json)
        # JSON can escape a lone surrogate that UTF-8 cannot hold: such a record
        # could be read but never written again, so it is not a record.
        json.dumps(document, ensure_ascii=False).encode("utf-8")
        key, replaces, to = document["k"], document["replaces"], document["to"]
        if not all(isinstance(part, list) for part in (key, replaces, to)):
            raise Unopenable
        record = Record(
            key=tuple(key),
            value=document["v"],
            at=document["at"],
            by=document["by"],
            view=document["view"],
            replaces=list(replaces),
            to=list(to),
        )
    except (ValueError, KeyError, TypeError, RecursionError):
        raise Unopenable from None
    if (
        not record.key
        or not all(isinstance(part, str) for part in record.key)
        or type(record.at) is not int
        or not isinstance(record.by, str)
        or record.view not in VIEWS
        or not all(isinstance(name, str) for name in record.replaces + record.to)
    ):
        raise Unopenable
    return record


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


def seal(record: Record, recipients: list[str]) -> bytes:
    """RECORD as an age file to every one of RECIPIENTS (age1... strings), with a fresh file key."""
    keys = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    return pyrage.encrypt(encode_record(record), keys)


def open_file(data: bytes, identities: list[str]) -> Record:
    """The record in the team file DATA, opened with any of IDENTITIES; `Unopenable` otherwise."""
    if len(data) > MAX_FILE_BYTES or not data.startswith(AGE_MAGIC):
        raise Unopenable
    try:
        keys = [pyrage.x25519.Identity.from_str(i) for i in identities]
        plaintext = pyrage.decrypt(data, keys)
    except Exception:  # pyrage raises several types; every failure is the same to us
        raise Unopenable from None
    return decode_record(plaintext)


def b64_digest(data: bytes) -> str:
    """A short digest that names a thing inside a sealed record (never outside one)."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()[:18]).decode("ascii")


def b64_mac(key: bytes, data: bytes) -> str:
    """HMAC-SHA256 of DATA under KEY, base64url (a roster entry's mark, docs/formats/team.md)."""
    return base64.urlsafe_b64encode(hmac.new(key, data, hashlib.sha256).digest()).decode("ascii")


def b64_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def equal_text(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def new_name() -> str:
    """A file name that says nothing: 128 random bits, base32."""
    return base64.b32encode(os.urandom(NAME_BYTES)).decode("ascii").rstrip("=").lower() + SUFFIX


def is_team_file_name(name: str) -> bool:
    stem = name.removesuffix(SUFFIX)
    return (
        name.endswith(SUFFIX)
        and len(stem) == 26
        and all(c in "abcdefghijklmnopqrstuvwxyz234567" for c in stem)
    )
