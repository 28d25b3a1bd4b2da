"""The moderator key pair: its private half in the vault, its public half in board.toml.

Every moderator has their own vault and key; the browser seals each
submission to all the public keys listed in board.toml, so any one
moderator can open it. Old key pairs stay in the vault (newest last), so
envelopes sealed to a key that was replaced still open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.errors import VaultError
from generator.formats import hpke
from generator.formats.primitives import b64, unb64
from generator.formats.submissions import key_id


def public_key(data: dict[str, Any]) -> str | None:
    """This vault's current public key (b64u), or None before `keys init`."""
    keys = data.get("moderator_keys", [])
    return keys[-1]["public"] if keys else None


def create_key(data: dict[str, Any], today: dt.date) -> str:
    """Make the vault's key pair; returns the public key. Refuses to replace one."""
    if public_key(data):
        raise VaultError(
            'this vault already has a moderator key; "quietboard keys show" prints it '
            "(replacing it would leave submissions sealed to it unreadable)"
        )
    secret, public = hpke.generate_key_pair()
    data.setdefault("moderator_keys", []).append(
        {"secret": b64(secret), "public": b64(public), "created": today.isoformat()}
    )
    return b64(public)


def secrets_by_key_id(data: dict[str, Any]) -> dict[bytes, bytes]:
    """Key id -> private key, for every key pair this vault holds."""
    return {
        key_id(unb64(pair["public"], 32)): unb64(pair["secret"], 32)
        for pair in data.get("moderator_keys", [])
    }
