"""Every change that must survive a crash, as one action each.

An action checks everything first, changes the board's state (state.py) and
saves it once, and only then deletes the files it made obsolete; where it
writes a file (an approved post, board.toml) it does so in an order that a
rerun after a kill at any point finishes once. The CLI calls these and
prints what they return; it never orders saves and deletions itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.board import moderation, retention
from generator.board.config import Board, read_board
from generator.board.inbox import Found, ImportReport, import_found
from generator.board.moderation import Approval, Approved, Withdrawals
from generator.board.post import POSTS_DIR
from generator.board.state import State, locked, transaction
from generator.board.vault import Passphrase, open_vault, vault_exists
from generator.errors import ModerationError, VaultError

# --- withdrawals --------------------------------------------------------------------------


def withdraw(board: Board, state: State, today: dt.date) -> Withdrawals:
    """Carry out every withdrawal request the state knows of.

    The withdrawn posts' files are deleted once the state is saved, so a
    crash in between leaves the request on record, carried out next time.
    """
    withdrawals = moderation.apply_withdrawals(board, state.data, today)
    state.delete_after_save(withdrawals.removed_posts)
    _finish_take_downs(board, state, today)
    return withdrawals


@dataclass
class Settlement:
    """What `settle` changed, for the command to say."""

    retired: list[str]  # one sentence per section that left board.toml
    expired: list[str]  # one sentence per access code past its day
    withdrawals: Withdrawals


def settle(board: Board, state: State, today: dt.date) -> Settlement:
    """What a build or a sync settles before anything is published: sections gone from
    board.toml retired, expired access codes dropped (the section gets a new key),
    withdrawal requests carried out. The caller saves."""
    from generator.board import access  # noqa: PLC0415

    retired = access.retire_gone_sections(state.data, board)
    expired = [
        f'the access code "{label}" for "{section}" has expired and was removed; the section '
        "has a new key, which every other code opens"
        for section, label in access.drop_expired(state.data, today)
    ]
    return Settlement(retired, expired, withdraw(board, state, today))


def _finish_take_downs(board: Board, state: State, today: dt.date) -> None:
    """Delete the files of posts taken down that a killed command (or a backup) left."""
    horizon = today - dt.timedelta(days=board.max_expires_days + moderation.WITHDRAWN_GRACE_DAYS)
    taken_down = state.data.get("taken_down", {})
    for post_id, day in list(taken_down.items()):
        if dt.date.fromisoformat(day) < horizon:
            del taken_down[post_id]
        else:
            state.delete_after_save((board.root / POSTS_DIR).glob(f"*/{post_id}.md"))


# --- the queue -----------------------------------------------------------------------------


def _post_ids_taken(board: Board, state: State) -> set[str]:
    taken = {path.stem for path in (board.root / POSTS_DIR).glob("*/*.md")}
    return taken | {item["post_id"] for item in state.items.values() if "post_id" in item}


def import_submissions(
    board: Board,
    state: State,
    found: list[Found],
    today: dt.date,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Open FOUND into the queue, each new item with its future post id and its report."""
    report = import_found(
        state.data, found, pow_bits=board.submissions.pow_bits, today=today, progress=progress
    )
    taken = _post_ids_taken(board, state)
    for item_id in report.imported:
        item = state.items[item_id]
        _give_post_id(board, item, taken)
        moderation.stored_report(board, state.data, item_id, item)
    return report


def _give_post_id(board: Board, item: dict[str, Any], taken: set[str]) -> bool:
    if item["kind"] not in moderation.PUBLISHABLE or "post_id" in item:
        return False
    item["post_id"] = moderation.fresh_post_id(board, item.get("title", ""), taken)
    taken.add(item["post_id"])
    return True


def approve(board: Board, state: State, item_id: str, choice: Approval, today: dt.date) -> Approved:
    """Publish queue item ITEM_ID: write its post file, then drop it from the queue.

    The post's id is saved with the item before its file is written (at
    import, or here for an item an older quietboard imported), so a rerun
    after a kill or a full disk rewrites the same file: one post, never two.
    """
    item = state.item(item_id)
    if item["kind"] in moderation.PUBLISHABLE and "post_id" not in item:
        _give_post_id(board, item, _post_ids_taken(board, state))
        state.save()
    approved = moderation.approve(board, state.data, item_id, choice, today)
    return approved


def reject(board: Board, state: State, item_id: str, today: dt.date) -> str:
    """Delete ITEM_ID from the queue for good; returns what it was.

    A post file an approval of it left (killed before it finished) goes too.
    """
    item = state.item(item_id)
    if item.get("post_id"):
        state.delete_after_save((board.root / POSTS_DIR).glob(f"*/{item['post_id']}.md"))
    return moderation.reject(state.data, item_id, today)


def take_down(
    board: Board,
    state: State,
    post_id: str,
    today: dt.date,
    *,
    section: str | None = None,
    report_id: str | None = None,
) -> list[Path]:
    """Take post POST_ID and its replies down (and dismiss REPORT_ID, the report about it).

    The take-down is saved first (with the ids of the posts it removes), then
    the files are deleted: a crash in between leaves files that the next
    command taking the lock deletes, never a reported post up with its
    report gone.
    """
    files = moderation.take_down(board, post_id, section)
    if report_id is not None:
        moderation.reject(state.data, report_id, today)
    state.log("rejected", today, len(files))
    for path in files:
        state.taken_down[path.stem] = today.isoformat()
    state.delete_after_save(files)
    return files


def redact(board: Board, state: State, item_id: str) -> int:
    return moderation.redact_item(board, state.data, item_id)


def edit(state: State, item_id: str, document: str) -> bool:
    return moderation.apply_edit(state.item(item_id), document)


# --- prune ---------------------------------------------------------------------------------


def prune(
    board: Board, passphrase: Passphrase, today: dt.date, *, dry_run: bool
) -> tuple[retention.PruneReport, Withdrawals | None]:
    """Delete expired posts, lapsed queue items and old drafts, the vault saved first.

    Withdrawals are carried out first (not in a dry run, which changes nothing).
    """
    if not vault_exists(board.root):
        with locked(board.root):
            report = retention.prune(board, today, None, dry_run=dry_run)
            for path in report.files:
                path.unlink(missing_ok=True)
        return report, None
    if dry_run:  # changes nothing, not even the reports stored with the items
        with open_vault(board.root, passphrase) as vault:
            return retention.prune(board, today, vault.data, dry_run=True), None
    with transaction(board.root, passphrase) as state:
        withdrawals = withdraw(board, state, today)
        report = retention.prune(board, today, state.data, dry_run=dry_run)
        state.delete_after_save(report.files)
    return report, withdrawals


# --- keys and sections ----------------------------------------------------------------------


@dataclass
class KeyInit:
    public: str
    completed: bool  # the key was in the vault already; board.toml was missing it


def init_key(
    root: Path, passphrase: Passphrase, create_passphrase: Passphrase, today: dt.date
) -> KeyInit:
    """Make the vault's key pair and list its public key in board.toml.

    The vault is saved first: a run killed before board.toml changed is
    finished by running it again, which lists the key it made.
    """
    from generator.board.edit import add_moderator_key  # noqa: PLC0415
    from generator.board.moderators import create_key  # noqa: PLC0415

    with transaction(root, passphrase, create_passphrase) as state:
        public = state.public_key
        completed = public is not None
        if public is not None and public in read_board(root).submissions.keys:
            raise VaultError(
                'this vault already has a moderator key; "quietboard keys show" prints it '
                "(replacing it would leave submissions sealed to it unreadable)"
            )
        if public is None:
            public = create_key(state.data, today)
            state.save()
        add_moderator_key(root, public)
    return KeyInit(public, completed)


class Superseded(ModerationError):
    """The item a moderator was shown was decided or changed meanwhile."""


def check_unchanged(state: State, item_id: str, shown: dict[str, Any]) -> dict[str, Any]:
    """The item ITEM_ID as it is now, if it is still what the moderator was shown.

    Review holds no lock while a moderator reads: another command (or
    moderator) may have decided or edited it meanwhile.
    """
    item = state.items.get(item_id)
    if item is None:
        raise Superseded(
            f"item {item_id} was decided meanwhile (by another quietboard command); it is no "
            "longer in the queue, so nothing was changed"
        )
    if _without_report(item) != _without_report(shown):
        raise Superseded(
            f"item {item_id} was changed meanwhile (by another quietboard command); nothing "
            "was changed: look at it again"
        )
    return item


def _without_report(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key != "report"}
