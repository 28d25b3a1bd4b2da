"""The moderators' vault: .quietboard/vault.json, encrypted at rest.

It holds what a lost laptop must not give away: the member sections' content
keys and the keys derived from members' access codes (never the codes
themselves), and later the moderator key pair and the moderation queue.

The file is a small JSON header (format, Argon2id parameters and salt) and a
secretbox (XSalsa20-Poly1305) of the JSON contents, keyed by
Argon2id(passphrase). Every change is written to a temporary file, flushed
and renamed over the old one, under an exclusive lock, so a crash or a second
quietboard process can never leave a half-written or mixed vault.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nacl.pwhash
import nacl.secret
import nacl.utils
from nacl import exceptions

from generator.board import scratch
from generator.board.config import is_team_board
from generator.board.files import write_atomically
from generator.errors import VaultError

VAULT_DIR = ".quietboard"
VAULT_FILE = "vault.json"
LOCK_FILE = "lock"
# Plaintext beside the vault: only how many members-only sections it holds keys
# for, never their names, so a build with none left in board.toml knows when
# it must open the vault to retire them (docs/formats/vault.md).
HELD_FILE = "sections-held"
KIND = "quietboard-vault"
VERSION = 1
# libsodium's "moderate" limits: about half a second and 256 MiB here, once
# per command. The parameters are stored in the file, so they can be raised
# later without breaking older vaults.
OPSLIMIT = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
MEMLIMIT = nacl.pwhash.argon2id.MEMLIMIT_MODERATE
# The header is not authenticated (the key comes from it), so what it asks
# the KDF for is bounded before the KDF runs: a planted header must not make
# every command wait hours or allocate a terabyte. The ceiling is libsodium's
# "sensitive" memory (1 GiB) with room to raise the time cost later.
OPSLIMIT_RANGE = (nacl.pwhash.argon2id.OPSLIMIT_MIN, 8)
MEMLIMIT_RANGE = (nacl.pwhash.argon2id.MEMLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE)
SALT_HEX_CHARS = 2 * nacl.pwhash.argon2id.SALTBYTES
MIN_PASSPHRASE = 12
LOCK_WAIT_SECONDS = 10.0

UNOPENED_MESSAGE = (
    "the passphrase does not open this board's vault (.quietboard/vault.json); check it and "
    "try again (it is case-sensitive). If you are sure of it, the file is damaged: restore "
    ".quietboard/ from your backup"
)

Passphrase = Callable[[], str]


@dataclass
class Vault:
    """An open vault: its contents, and the key that seals them again."""

    path: Path
    data: dict[str, Any]
    _key: bytes = field(repr=False)
    _header: dict[str, Any] = field(repr=False)

    def save(self) -> None:
        """Seal the contents and atomically replace the file (and the held-sections count)."""
        plaintext = json.dumps(self.data, sort_keys=True).encode("utf-8")
        sealed = nacl.secret.SecretBox(self._key).encrypt(plaintext)
        document = dict(self._header, box=sealed.hex())
        held = len(self.data.get("members", {}).get("sections", {}))
        before = sections_held(self.path.parent.parent)
        # Raised before the vault is written and lowered after, so a crash in
        # between leaves a count too high (one needless passphrase prompt),
        # never too low (a gone section nobody retires).
        if before is None or held > before:
            _write_held(self.path.parent, held)
        write_atomically(self.path, json.dumps(document, indent=1).encode("utf-8") + b"\n", 0o600)
        if before is not None and held < before:
            _write_held(self.path.parent, held)


def _write_held(directory: Path, held: int) -> None:
    write_atomically(directory / HELD_FILE, f"{held}\n".encode("ascii"), 0o600)


def sections_held(root: Path) -> int | None:
    """How many members-only sections ROOT's vault holds keys for; None if unknown."""
    try:
        text = (Path(root) / VAULT_DIR / HELD_FILE).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.strip().isdigit() else None


def vault_path(root: Path) -> Path:
    return Path(root) / VAULT_DIR / VAULT_FILE


def vault_exists(root: Path) -> bool:
    return vault_path(root).is_file()


def _derive(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        passphrase.encode("utf-8"),
        salt,
        opslimit=opslimit,
        memlimit=memlimit,
    )


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise VaultError(
            f"a vault passphrase needs at least {MIN_PASSPHRASE} characters; four or more "
            "unrelated words are easy to remember and hard to guess"
        )


def create_vault(
    root: Path, passphrase: str, *, opslimit: int = OPSLIMIT, memlimit: int = MEMLIMIT
) -> Vault:
    """Create an empty vault under ROOT/.quietboard/ (which must not hold one)."""
    check_new_passphrase(passphrase)
    path = vault_path(root)
    with board_lock(root):
        if path.exists():
            raise VaultError(f"{path} already exists; it was not changed")
        salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
        header = {
            "kind": KIND,
            "v": VERSION,
            "kdf": "argon2id",
            "opslimit": opslimit,
            "memlimit": memlimit,
            "salt": salt.hex(),
        }
        vault = Vault(path, {}, _derive(passphrase, salt, opslimit, memlimit), header)
        vault.save()
    return vault


def read_vault(path: Path, passphrase: str) -> Vault:
    """The vault at PATH opened with PASSPHRASE (the caller holds the board's lock)."""
    return _read(path, passphrase)


def _read(path: Path, passphrase: str) -> Vault:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        header = {key: document[key] for key in ("kind", "v", "kdf", "opslimit", "memlimit")}
        header["salt"] = document["salt"]
        if header["kind"] != KIND or header["kdf"] != "argon2id":
            raise VaultError(UNOPENED_MESSAGE)
        if header["v"] != VERSION:
            raise VaultError(
                f"{path} was written by a newer quietboard (vault format {header['v']}); "
                "upgrade quietboard to open it"
            )
        _check_kdf_settings(path, header)
        key = _cached_key(passphrase, header)
        plaintext = nacl.secret.SecretBox(key).decrypt(bytes.fromhex(document["box"]))
        data = json.loads(plaintext)
    # RecursionError: JSON nested thousands deep, which no vault we wrote holds.
    except (ValueError, KeyError, TypeError, RecursionError, exceptions.CryptoError,
            UnicodeDecodeError):  # fmt: skip
        raise VaultError(UNOPENED_MESSAGE) from None
    if not isinstance(data, dict):
        raise VaultError(UNOPENED_MESSAGE)
    return Vault(path, data, key, header)


# The key of the vault opened last, so a command that opens it several times
# (review: once per decision, to hold the lock only while writing) runs
# Argon2id once. Only in this process's memory, as the key itself is anyway.
_last_key: dict[tuple[Any, ...], bytes] = {}


def _cached_key(passphrase: str, header: dict[str, Any]) -> bytes:
    wanted = (
        header["salt"],
        header["opslimit"],
        header["memlimit"],
        hashlib.sha256(passphrase.encode("utf-8")).digest(),
    )
    if wanted not in _last_key:
        key = _derive(passphrase, bytes.fromhex(header["salt"]), header["opslimit"],
                      header["memlimit"])  # fmt: skip
        _last_key.clear()
        _last_key[wanted] = key
    return _last_key[wanted]


def _within(value: Any, bounds: tuple[int, int]) -> bool:
    return type(value) is int and bounds[0] <= value <= bounds[1]


def _check_kdf_settings(path: Path, header: dict[str, Any]) -> None:
    salt = header["salt"]
    if not (
        _within(header["opslimit"], OPSLIMIT_RANGE)
        and _within(header["memlimit"], MEMLIMIT_RANGE)
        and isinstance(salt, str)
        and len(salt) == SALT_HEX_CHARS
    ):
        raise VaultError(
            f"{path} is damaged: its key-derivation settings are outside what quietboard "
            "writes, so it was not opened; restore .quietboard/ from your backup"
        )


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold the board's lock; wait a little for another command to finish.

    On a board this user may not write to (a read-only disk, a backup) the
    lock file is opened for reading, or skipped if it is missing: reading
    commands still work, and a save fails naming the vault.
    """
    try:
        handle = open(directory / LOCK_FILE, "a+b")
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise
        if not (directory / LOCK_FILE).is_file():
            # Nobody can write here to make one, and a vault is replaced whole anyway.
            yield
            return
        handle = open(directory / LOCK_FILE, "rb")
    with handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise VaultError(
                        "another quietboard command is using this board's vault; wait for it "
                        "to finish and try again"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# Boards whose lock this process holds, and how deeply: an action that takes
# the lock may call another that takes it too (flock would wait for itself).
_held: dict[Path, int] = {}


@contextlib.contextmanager
def board_lock(root: Path) -> Iterator[None]:
    """Hold ROOT's lock for the block: every write to the vault, board.toml or
    content/posts happens under it. Taking it first removes what a killed
    command left behind (temporary files, private editor folders)."""
    directory = Path(root) / VAULT_DIR
    directory.mkdir(mode=0o700, exist_ok=True)
    key = directory.resolve()
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    # Even on a board whose own .gitignore was lost, git never picks the vault up.
    guard = directory / ".gitignore"
    if not guard.is_file():
        guard.write_text("*\n", encoding="utf-8")
    with _locked(directory):
        _held[key] = 1
        try:
            remove_leftovers(Path(root))
            _finish_sync(Path(root))
            yield
        finally:
            del _held[key]


def _finish_sync(root: Path) -> None:
    """On a team board, finish the local half of a sync a kill interrupted (gitsync.py):
    until then the work tree may be half way between two states."""
    if is_team_board(root) or (root / VAULT_DIR / "sync-pending").exists():
        from generator.board import gitsync  # noqa: PLC0415 - only team boards need git

        gitsync.finish_pending(root)


# What write_atomically's temporary files are called (tempfile.mkstemp: the
# prefix ".<name>-" and 8 random characters). Only files written under the
# lock are looked for, so no running command can own one.
_TEMPORARY = re.compile(r"\.(?P<name>.+)-[a-z0-9_]{8}")


def remove_leftovers(root: Path) -> list[Path]:
    """Delete the temporary files and editor folders a killed command left behind.

    A post's temporary file holds its plaintext, so it must not wait for
    anyone to notice it. Returns what was removed.
    """
    candidates = [
        *(root / VAULT_DIR).glob(".*-*"),
        *root.glob(".board.toml-*"),
        *(root / "content" / "posts").glob("*/.*.md-*"),
        *(root / "team" / "state").glob(".*.age-*"),
        *(root / "team").glob(".recipients.toml-*"),
        *(root / "team" / "requests").glob(".*.toml-*"),
        *root.glob(".gitignore-*"),
    ]
    removed = []
    for path in candidates:
        match = _TEMPORARY.fullmatch(path.name)
        name = match["name"] if match else ""
        ours = (
            name in (VAULT_FILE, HELD_FILE, "board.toml")
            or (name.endswith(".md") and path.parent.parent.name == "posts")
            or (name.endswith(".age") and path.parent.name == "state")
            or name in ("recipients.toml", ".gitignore")
            or (name.endswith(".toml") and path.parent.name == "requests")
        )
        if ours and path.is_file() and not path.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
                removed.append(path)
    scratch.remove_stale_folders()
    return removed


@contextlib.contextmanager
def open_vault(
    root: Path, passphrase: Passphrase, create_passphrase: Passphrase | None = None
) -> Iterator[Vault]:
    """Lock and open ROOT's vault for the block; changes are kept only by `save()`.

    Without a vault, CREATE_PASSPHRASE (when given) makes one; otherwise it is
    an error that says how to start.
    """
    if is_team_board(root):
        from generator.board import team  # noqa: PLC0415 - team.py builds on this module

        with team.open_team_vault(root, passphrase) as opened:
            yield opened
        return
    path = vault_path(root)
    if not path.is_file():
        if create_passphrase is None:
            raise VaultError(
                f"this board has no vault yet ({path} is missing); create it with "
                '"quietboard keys init" (or by issuing the first access code)'
            )
        chosen = create_passphrase()
        create_vault(root, chosen)
        passphrase = lambda: chosen  # noqa: E731 - asked once, used once more below
    secret = passphrase()  # typed before the lock is taken, never while holding it
    with board_lock(root):
        yield _read(path, secret)
