"""Retention: what expires, what prune deletes, and what status reports.

Every post leaves the board on its expiry day (a reply with the post it
answers); `prune` deletes the files of posts that have left, and queue items
nobody reviewed within `[privacy] pending_days`. Each build records which
posts it put into output/ and until when (in .quietboard/, beside the vault,
never in output/), so `status` can tell when the built site still holds a
post past its day: the deployed copy is stale and must be rebuilt.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generator.board.config import CRISIS_CHECK_DAYS, Board
from generator.board.files import write_atomically
from generator.board.inbox import queue_of
from generator.board.moderation import kept_drafts, log, stored_report
from generator.board.post import (
    MEMBERS_ONLY,
    Publication,
    plan_publication,
    read_posts,
)
from generator.board.threads import ThreadTree
from generator.board.vault import VAULT_DIR
from generator.errors import VaultError

BUILD_RECORD = "build.json"
RECORD_VERSION = 1
SOON_DAYS = 7
# Reasons plan_publication gives for a post that has left the board.
GONE = ("expired", "thread expired")


@dataclass(frozen=True)
class Listed:
    """A post by section and id, with the day it leaves (no title: status may be logged)."""

    section: str
    id: str
    until: str


MEMBERS_ONLY_LABEL = "members-only"


def shown_section(board: Board, name: str) -> str:
    """A section as status and prune print it: members-only sections are never named,
    so that their output can go to a log or an email."""
    return MEMBERS_ONLY_LABEL if board.sections[name].members_only else name


# --- the build record -------------------------------------------------------------------


def record_path(board: Board) -> Path:
    return board.root / VAULT_DIR / BUILD_RECORD


def write_build_record(
    board: Board, plan: Publication, unopenable: list[str], today: dt.date
) -> None:
    """Note the day of this build and every post it put into output/, with its last day."""
    shown = list(plan.published)
    shown += [
        post
        for post, why in plan.withheld
        if why == MEMBERS_ONLY and post.section not in unopenable
    ]
    record = {
        "version": RECORD_VERSION,
        "built": today.isoformat(),
        "posts": [
            asdict(Listed(post.section, post.id, plan.tree.visible_until(post).isoformat()))
            for post in sorted(shown, key=lambda p: (p.section, p.id))
        ],
    }
    path = record_path(board)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    write_atomically(path, json.dumps(record, indent=1).encode(), 0o600)


def read_build_record(board: Board) -> dict[str, Any] | None:
    """The last build's record, or None when there is none (or it is unreadable)."""
    try:
        record = json.loads(record_path(board).read_text(encoding="utf-8"))
        dt.date.fromisoformat(record["built"])
        posts = [Listed(**entry) for entry in record["posts"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {"built": dt.date.fromisoformat(record["built"]), "posts": posts}


# --- pruning ------------------------------------------------------------------------------


def waited(item_id: str, item: dict[str, Any], today: dt.date) -> int:
    """How many days queue item ITEM_ID has waited since it was imported."""
    try:
        return (today - dt.date.fromisoformat(item["imported"])).days
    except (KeyError, TypeError, ValueError):
        raise VaultError(
            f'queue item "{item_id}" has no readable import day, so nobody can tell how long it '
            f'has waited; review it now, or delete it with "quietboard reject {item_id}"'
        ) from None


def lapsed_items(data: dict[str, Any], today: dt.date, days: int) -> list[str]:
    """Queue items imported DAYS or more days ago, which prune deletes unreviewed."""
    return sorted(
        item_id
        for item_id, item in queue_of(data)["items"].items()
        if waited(item_id, item, today) >= days
    )


def crisis_flagged(board: Board, data: dict[str, Any], item_ids: list[str]) -> int:
    """How many of ITEM_IDS hold crisis language (named when they are deleted unreviewed)."""
    items = queue_of(data)["items"]
    return sum(
        1 for item_id in item_ids if stored_report(board, data, item_id, items[item_id]).crisis
    )


@dataclass
class PruneReport:
    posts: list[Listed] = field(default_factory=list)
    lapsed: int = 0
    lapsed_crisis: int = 0  # of those, how many held crisis language
    drafts: int = 0  # drafts of moderators' own posts kept pending_days or more
    # The files to delete once the vault no longer lists what they hold (posts, drafts).
    files: list[Path] = field(default_factory=list)


def prune(
    board: Board, today: dt.date, vault_data: dict[str, Any] | None, *, dry_run: bool = False
) -> PruneReport:
    """Work out what prune deletes: posts that have left the board, lapsed queue
    items and old drafts.

    VAULT_DATA (the open vault's contents, or None for a board without one)
    loses the lapsed items and counts what goes in its log; the caller saves
    it, then deletes the report's `files`. With DRY_RUN nothing changes.
    """
    pruned = PruneReport()
    plan = plan_publication(board, read_posts(board), today)
    gone = sorted(
        (post for post, why in plan.withheld if why in GONE), key=lambda p: (p.section, p.id)
    )
    pruned.posts = [
        Listed(
            shown_section(board, post.section), post.id, plan.tree.visible_until(post).isoformat()
        )
        for post in gone
    ]
    lapsed = lapsed_items(vault_data, today, board.privacy.pending_days) if vault_data else []
    pruned.lapsed = len(lapsed)
    pruned.lapsed_crisis = crisis_flagged(board, vault_data, lapsed) if vault_data else 0
    old_drafts = [
        path
        for path, kept in kept_drafts(board.root)
        if (today - kept).days >= board.privacy.pending_days
    ]
    pruned.drafts = len(old_drafts)
    if dry_run:
        return pruned
    pruned.files = [*old_drafts, *(board.root / post.source for post in gone)]
    if vault_data is not None:
        items = queue_of(vault_data)["items"]
        for item_id in lapsed:
            del items[item_id]
        log(vault_data, "expired", today, len(gone))
        log(vault_data, "lapsed", today, len(lapsed))
    return pruned


# --- status -------------------------------------------------------------------------------


@dataclass
class QueueStatus:
    waiting: int
    oldest_days: int | None
    lapsing_soon: int  # deleted unreviewed by a prune within SOON_DAYS days
    lapsed: int  # deleted by the next prune


@dataclass
class Status:
    today: str
    last_build: str | None
    days_since_build: int | None
    leaving_soon: list[Listed]
    stale_in_output: list[Listed]
    expired_files: int
    queue: QueueStatus | None
    privacy_reviewed: str | None
    crisis_checked: str | None
    warnings: list[str]
    drafts: int = 0  # drafts of moderators' own posts in .quietboard/drafts/ (plain text)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _record_section(board: Board, name: str) -> str:
    # A section removed from board.toml since the build is shown by a neutral name.
    return shown_section(board, name) if name in board.sections else "removed-section"


def _days(since: dt.date | None, today: dt.date) -> int | None:
    return None if since is None else (today - since).days


def review_warnings(board: Board, today: dt.date) -> list[str]:
    """Dates the moderators must keep fresh: the privacy review and the crisis services."""
    warnings = []
    reviewed, every = board.privacy.reviewed, board.privacy.review_days
    if reviewed is None:
        warnings.append(
            "the privacy page has never been reviewed: read it (output/privacy/index.html) "
            "against what your board does, then set [privacy] reviewed = <today's date> in "
            "board.toml"
        )
    elif reviewed > today:
        warnings.append(
            f"[privacy] reviewed ({reviewed}) is after today; set it to the day you reviewed "
            "the privacy page"
        )
    elif (today - reviewed).days > every:
        warnings.append(
            f"the privacy page was last reviewed {(today - reviewed).days} days ago (the board "
            f"asks for every {every} days): read it against what your board does, then set "
            "[privacy] reviewed in board.toml"
        )
    checked = board.crisis.last_checked
    if checked is not None and (today - checked).days > CRISIS_CHECK_DAYS:
        warnings.append(
            f"the crisis services were last checked {(today - checked).days} days ago: call or "
            "visit each one, fix any that changed, then set [crisis] last_checked in board.toml"
        )
    elif checked is None and board.crisis.country:
        warnings.append(
            "[crisis] has no last_checked date: check each service, then set "
            "[crisis] last_checked in board.toml"
        )
    return warnings


def board_status(board: Board, today: dt.date, vault_data: dict[str, Any] | None) -> Status:
    """What needs attention today. VAULT_DATA is None for a board without a vault."""
    posts = ThreadTree(read_posts(board))
    soon = today + dt.timedelta(days=SOON_DAYS)
    leaving = sorted(
        (
            Listed(shown_section(board, post.section), post.id, until.isoformat())
            for post in posts
            if today < (until := posts.visible_until(post)) <= soon
        ),
        key=lambda listed: (listed.until, listed.section, listed.id),
    )
    expired_files = sum(1 for post in posts if posts.visible_until(post) <= today)
    record = read_build_record(board)
    built = record["built"] if record else None
    output_exists = (board.root / "output").is_dir()
    stale = (
        sorted(
            (
                Listed(_record_section(board, listed.section), listed.id, listed.until)
                for listed in record["posts"]
                if dt.date.fromisoformat(listed.until) <= today
            ),
            key=lambda listed: (listed.until, listed.section, listed.id),
        )
        if record and output_exists
        else []
    )
    queue = None
    if vault_data is not None:
        items = queue_of(vault_data)["items"]
        ages = [waited(item_id, item, today) for item_id, item in items.items()]
        pending_days = board.privacy.pending_days
        queue = QueueStatus(
            waiting=len(ages),
            oldest_days=max(ages) if ages else None,
            lapsing_soon=sum(1 for age in ages if pending_days - SOON_DAYS <= age < pending_days),
            lapsed=sum(1 for age in ages if age >= pending_days),
        )
    warnings = []
    if stale:
        warnings.append(
            f"output/ still holds {len(stale)} post(s) past their expiry: build and deploy now "
            "(quietboard build --prune, then deploy output/)"
        )
    if record is None:
        warnings.append('no build recorded yet: run "quietboard build"')
    elif (today - built).days > 1:
        warnings.append(
            f"the last build was {(today - built).days} days ago: build and deploy every day, "
            "so that expiry reaches the host (docs/deploying.md)"
        )
    if queue and queue.lapsed:
        warnings.append(
            f"{queue.lapsed} queue item(s) waited {board.privacy.pending_days} days or more and "
            'the next "quietboard prune" deletes them unreviewed; review them now'
        )
    elif queue and queue.lapsing_soon:
        warnings.append(
            f"{queue.lapsing_soon} queue item(s) will be deleted unreviewed within {SOON_DAYS} "
            f"days (after {board.privacy.pending_days} days waiting); review them soon"
        )
    warnings += review_warnings(board, today)
    return Status(
        today=today.isoformat(),
        last_build=built.isoformat() if built else None,
        days_since_build=_days(built, today),
        leaving_soon=leaving,
        stale_in_output=stale,
        expired_files=expired_files,
        queue=queue,
        privacy_reviewed=board.privacy.reviewed.isoformat() if board.privacy.reviewed else None,
        crisis_checked=board.crisis.last_checked.isoformat() if board.crisis.last_checked else None,
        warnings=warnings,
        drafts=len(kept_drafts(board.root)),
    )
