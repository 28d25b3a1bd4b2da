"""A moderator's board state: the vault's contents, typed, changed in transactions.

The vault (.quietboard/vault.json, see vault.py) holds one JSON object. This
module is its one owner: every part of it has an accessor here, and changes
are made inside `transaction()`, which holds the board's lock, saves the
vault once at the end (atomically), and only then deletes the files the
change made obsolete. A crash before the save changes nothing; a crash after
it leaves files the next run of the same action deletes.

The parts, as stored (docs/format.md, "The moderator vault"):

- queue: {"items": {id: item}, "seen": [envelope ids]}; an item is what a
  member sent (kind, section, title, pseudonym, body, cw, post, verifier),
  its import day, its future post id ("post_id") and its scrub report
  ("report"), both worked out at import;
- members: the keyring's salt and PBKDF2 count, and per members-only section
  its slot, content key and access-code records;
- moderator_keys: this moderator's key pairs, newest last;
- log: per day, counts of each moderation action;
- watch: names to catch in submissions;
- withdrawn: verifiers of withdrawal requests, with the day each arrived;
- taken_down: ids of posts taken down, with the day (optional; older vaults
  lack it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from generator.board.vault import Passphrase, Vault, board_lock, open_vault
from generator.errors import ModerationError

QueueItem = dict[str, Any]


class State:
    """The open vault's contents, with an accessor for each part."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._saved = self._fingerprint()
        self._doomed: list[Path] = []

    @property
    def data(self) -> dict[str, Any]:
        """The stored JSON object itself (for the modules that work on it)."""
        return self._vault.data

    # --- the queue ---------------------------------------------------------------------

    @property
    def queue(self) -> dict[str, Any]:
        queue = self.data.setdefault("queue", {})
        queue.setdefault("items", {})
        queue.setdefault("seen", [])
        return queue

    @property
    def items(self) -> dict[str, QueueItem]:
        return self.queue["items"]

    @property
    def seen(self) -> list[str]:
        return self.queue["seen"]

    def item(self, item_id: str) -> QueueItem:
        if item_id not in self.items:
            raise ModerationError(
                f'there is no item "{item_id}" in the queue; "quietboard queue list" shows the ids'
            )
        return self.items[item_id]

    # --- access codes and section keys ---------------------------------------------------

    @property
    def members(self) -> dict[str, Any]:
        return self.data.setdefault("members", {"sections": {}})

    @property
    def member_sections(self) -> dict[str, Any]:
        """Every members-only section the vault holds keys for, retired or not."""
        return self.data.get("members", {}).get("sections", {})

    # --- moderator keys ------------------------------------------------------------------

    @property
    def moderator_keys(self) -> list[dict[str, str]]:
        return self.data.setdefault("moderator_keys", [])

    @property
    def public_key(self) -> str | None:
        keys = self.data.get("moderator_keys", [])
        return keys[-1]["public"] if keys else None

    # --- the decision log ----------------------------------------------------------------

    def log(self, action: str, today: dt.date, count: int = 1) -> None:
        """Count ACTION for TODAY. The log holds counts per day and nothing else."""
        if count <= 0:
            return
        day = self.data.setdefault("log", {}).setdefault(today.isoformat(), {})
        day[action] = day.get(action, 0) + count

    @property
    def log_days(self) -> Mapping[str, Mapping[str, int]]:
        return self.data.get("log", {})

    # --- the watch list and withdrawals ----------------------------------------------------

    @property
    def watch(self) -> list[str]:
        return self.data.setdefault("watch", [])

    @watch.setter
    def watch(self, names: list[str]) -> None:
        self.data["watch"] = names

    @property
    def withdrawn(self) -> dict[str, str]:
        """Withdrawal verifiers, with the day each request arrived."""
        return self.data.setdefault("withdrawn", {})

    @property
    def taken_down(self) -> dict[str, str]:
        """Ids of posts taken down, with the day: their files are deleted wherever they appear."""
        return self.data.setdefault("taken_down", {})

    # --- saving --------------------------------------------------------------------------

    def delete_after_save(self, paths: Iterable[Path]) -> None:
        """Delete PATHS once the state that no longer needs them is saved."""
        self._doomed.extend(paths)

    def _fingerprint(self) -> str:
        # A part an accessor made empty ("queue": {"items": {}, "seen": []}) says what
        # its absence says: making one is no change to save (nor to build again for).
        data = self._vault.data
        return json.dumps({k: v for k, v in data.items() if not _empty(v)}, sort_keys=True)

    @property
    def changed(self) -> bool:
        return self._fingerprint() != self._saved

    def save(self) -> None:
        """Save now (an action that must record something before it writes a file)."""
        self._vault.save()
        self._saved = self._fingerprint()

    def commit(self) -> None:
        """Save if anything changed, then delete the files the change made obsolete."""
        fingerprint = self._fingerprint()
        if fingerprint != self._saved:
            self._vault.save()
            self._saved = fingerprint
        doomed, self._doomed = self._doomed, []
        for path in doomed:
            path.unlink(missing_ok=True)


def _empty(value: Any) -> bool:
    """Whether VALUE is an empty list or dict, or a dict of only those."""
    if isinstance(value, dict):
        return all(isinstance(part, list | dict) and not part for part in value.values())
    return isinstance(value, list) and not value


@contextlib.contextmanager
def transaction(
    root: Path, passphrase: Passphrase, create_passphrase: Passphrase | None = None
) -> Iterator[State]:
    """Lock ROOT, open its vault and yield its state; save once at the end if it changed.

    An exception in the block saves nothing and deletes nothing. The
    passphrase is asked before the lock is taken; nobody types while it is
    held.
    """
    with open_vault(root, passphrase, create_passphrase) as vault:
        state = State(vault)
        yield state
        state.commit()


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold ROOT's lock for changes outside the vault (board.toml, content/posts)."""
    with board_lock(root):
        yield
