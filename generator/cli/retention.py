"""The retention commands: `status` and `prune` (and `build --prune`, in cli/site.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator.board import clock
from generator.cli.common import ask_passphrase, board_option, load_board, say_withdrawals
from generator.errors import ConfigError

if TYPE_CHECKING:  # the library is imported where it is used, to keep --help fast
    from generator.board.config import Board
    from generator.board.retention import PruneReport, Status
    from generator.board.vault import Passphrase


def run_prune(
    board_dir: Path, passphrase: Passphrase, *, dry_run: bool = False, yes: bool = False
) -> PruneReport:
    """Prune BOARD_DIR as of today and say what went (or would go)."""
    from generator.board.actions import prune  # noqa: PLC0415

    board = load_board(board_dir)
    today = clock.today()
    if not dry_run and not yes and clock.ahead_of_system():
        raise ConfigError(
            f"QUIETBOARD_TODAY ({today}) is after this computer's date, and prune deletes for "
            "good; unset QUIETBOARD_TODAY, or add --yes if you mean to prune as of that day"
        )
    report, withdrawals = prune(board, passphrase, today, dry_run=dry_run)
    say_withdrawals(withdrawals)
    _say_pruned(board, report, dry_run)
    return report


def _say_pruned(board: Board, report: PruneReport, dry_run: bool) -> None:
    verb = "Would delete" if dry_run else "Deleted"
    if not report.posts and not report.lapsed and not report.drafts:
        click.echo("Nothing to prune: no post has expired and no queue item waited too long.")
        return
    if report.posts:
        click.echo(f"{verb} {len(report.posts)} expired post(s) from content/posts:")
        for listed in report.posts:
            click.echo(f"  {_where(listed)}  (left the board on {listed.until})")
    if report.lapsed:
        crisis = (
            f", {report.lapsed_crisis} of them flagged for crisis language"
            if report.lapsed_crisis
            else ""
        )
        click.echo(
            f"{verb} {report.lapsed} queue item(s) that waited {board.privacy.pending_days} days "
            f"or more without review{crisis}."
        )
    if report.drafts:
        click.echo(
            f"{verb} {report.drafts} draft(s) of your own posts kept "
            f"{board.privacy.pending_days} days or more (.quietboard/drafts/)."
        )


def _where(listed: Any) -> str:
    """A post as status and prune print it: SECTION/ID, the file's place under content/posts.

    A members-only post's section is never named (the output may go to a log),
    and "members-only/ID" would read as a folder that does not exist.
    """
    from generator.board.retention import MEMBERS_ONLY_LABEL  # noqa: PLC0415

    if listed.section == MEMBERS_ONLY_LABEL:
        return f"{listed.id} (a members-only post)"
    return f"{listed.section}/{listed.id}"


YES_HELP = "Prune even when QUIETBOARD_TODAY is set after this computer's date."


@click.command("prune")
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted; change nothing.")
@click.option("--yes", is_flag=True, help=YES_HELP)
@board_option
def prune_command(dry_run: bool, yes: bool, board_dir: Path) -> None:
    """Delete expired posts, queue items that waited too long, and old drafts.

    Deletes from content/posts every post past its expiry, and every reply
    whose thread has expired; from the vault's queue every item not
    reviewed within [privacy] pending_days (asks for the vault passphrase);
    and drafts of your own posts (.quietboard/drafts/) kept that long.
    Counts go to the moderation log. The built site keeps them until the
    next build: "quietboard build --prune" does both.

    Example: quietboard prune --dry-run
    """
    report = run_prune(board_dir, ask_passphrase, dry_run=dry_run, yes=yes)
    if report.posts and not dry_run:
        click.echo('Build and deploy now so the site drops them too ("quietboard build").')


def _listed(title: str, items: list[Any], empty: str) -> list[str]:
    if not items:
        return [f"{title}: {empty}"]
    return [f"{title}: {len(items)}"] + [f"  {item.until}  {_where(item)}" for item in items]


def _status_lines(status: Status, board: Board) -> list[str]:
    lines = [f"Today: {status.today}"]
    if status.last_build:
        lines.append(f"Last build: {status.last_build} ({status.days_since_build} day(s) ago)")
    else:
        lines.append("Last build: none recorded")
    lines += _listed("Posts leaving in the next 7 days", status.leaving_soon, "none")
    lines += _listed("Expired posts still in output/", status.stale_in_output, "none")
    if status.expired_files:
        lines.append(
            f"Expired post files in content/posts: {status.expired_files} "
            '("quietboard prune" deletes them)'
        )
    if status.queue is None:
        lines.append("Queue: not checked (no vault, or --skip-queue)")
    elif status.queue.waiting:
        lines.append(
            f"Queue: {status.queue.waiting} waiting, the oldest for "
            f"{status.queue.oldest_days} day(s)"
        )
    else:
        lines.append("Queue: empty")
    if status.drafts:
        lines.append(
            f"Drafts of your own posts in .quietboard/drafts/: {status.drafts} (plain text; "
            f"prune deletes them after {board.privacy.pending_days} days)"
        )
    lines.append(f"Privacy page last reviewed: {status.privacy_reviewed or 'never'}")
    lines.append(f"Crisis services last checked: {status.crisis_checked or 'never'}")
    lines += [f"Warning: {warning}" for warning in status.warnings]
    return lines


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option(
    "--skip-queue", is_flag=True, help="Do not open the vault (no passphrase; no queue figures)."
)
@click.option(
    "--strict", is_flag=True, help="Exit with status 1 when anything needs attention (for cron)."
)
@board_option
def status_command(as_json: bool, skip_queue: bool, strict: bool, board_dir: Path) -> None:
    """What needs attention: expiry, a stale site, the queue, review dates.

    Posts leaving in the next 7 days; posts past expiry still in output/ (the
    deployed site is stale: build and deploy); days since the last build;
    how long the queue has waited, and what prune will delete unreviewed;
    how many drafts of your own posts are kept in .quietboard/drafts/;
    when the privacy page and the crisis services were last checked. Posts
    are named by section and id only, never by title, so the output can go
    to a log. A board with a vault asks for its passphrase (the queue is in
    it) unless given --skip-queue. Status changes nothing. --strict makes
    warnings an exit status of 1, so a scheduled run can tell someone.

    Example: quietboard status --json
    """
    from generator.board.retention import board_status  # noqa: PLC0415
    from generator.board.vault import open_vault, vault_exists  # noqa: PLC0415

    board = load_board(board_dir)
    today = clock.today()
    if vault_exists(board.root) and not skip_queue:
        with open_vault(board.root, ask_passphrase) as vault:
            status = board_status(board, today, vault.data)
    else:
        status = board_status(board, today, None)
    if as_json:
        click.echo(json.dumps(status.as_json(), indent=2))
    else:
        click.echo("\n".join(_status_lines(status, board)))
    if strict and status.warnings:
        raise click.ClickException(
            f"{len(status.warnings)} thing(s) need attention (the warnings above)"
        )


COMMANDS = (prune_command, status_command)
