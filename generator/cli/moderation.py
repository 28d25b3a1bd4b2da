"""The moderation commands: queue, approve, reject, take down, post, watch list.

The interactive `review` loop is in generator/review_cli.py. Everything a
submission says is shown through `visible()`, so control and bidi characters
can never move the cursor, retitle the terminal or disguise text.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from generator.board import clock
from generator.cli.common import (
    ask_passphrase,
    board_option,
    load_board,
    publish_step,
    say_withdrawals,
)
from generator.errors import ContentError, ModerationError

# Control, format (bidi overrides, zero-width) and private-use characters from
# a submission could move the cursor, retitle the terminal or disguise text.
HIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}


def visible(text: str, keep: str = "") -> str:
    return "".join(
        json.dumps(ch)[1:-1] if unicodedata.category(ch) in HIDDEN_CATEGORIES and ch not in keep
        else ch
        for ch in text
    )  # fmt: skip


@contextlib.contextmanager
def open_queue(board_dir: Path, passphrase: Any = ask_passphrase) -> Iterator[tuple[Any, Any]]:
    """The board and its state in one transaction, withdrawals carried out first.

    Saved once at the end if anything changed; the files of withdrawn posts
    are deleted after that.
    """
    from generator.board.actions import withdraw  # noqa: PLC0415
    from generator.board.state import transaction  # noqa: PLC0415

    board = load_board(board_dir)
    with transaction(board_dir, passphrase) as state:
        withdrawals = withdraw(board, state, clock.today())
        yield board, state
    say_withdrawals(withdrawals)


def warn_without_region(board: Any) -> None:
    if not board.moderation.region:
        click.echo(
            "Warning: board.toml sets no region ([moderation] region or [crisis] country), so "
            "phone numbers without a + and postcodes are not recognised; set it",
            err=True,
        )


@contextlib.contextmanager
def private_file(name: str, text: str) -> Iterator[Path]:
    """TEXT in a file only this user can read, in a new directory removed afterwards
    (also when the terminal is closed; see generator/board/scratch.py)."""
    from generator.board.scratch import private_folder  # noqa: PLC0415

    with private_folder() as folder:
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        yield path


def edit_privately(text: str, name: str = "post.md") -> str:
    """Open TEXT in $EDITOR (or $VISUAL) and return what was saved."""
    with private_file(name, text) as path:
        try:
            click.edit(filename=str(path))
        except click.ClickException:
            raise ModerationError(
                "the editor did not finish normally (it could not start, or exited with an "
                'error), so nothing was changed; check EDITOR (for example "nano")'
            ) from None
        return path.read_text(encoding="utf-8")


# --- queue ------------------------------------------------------------------------------


@click.group("queue")
def queue_group() -> None:
    """The moderation queue: imported submissions waiting for review.

    Example: quietboard queue list
    """


def queue_row(item_report: Any) -> dict[str, Any]:
    item = item_report.item
    row: dict[str, Any] = {"id": item_report.item_id, "kind": item["kind"]}
    for name in ("section", "post", "title", "pseudonym", "cw", "body", "verifier"):
        if name in item:
            row[name] = item[name]
    row["imported"] = item["imported"]
    row["flags"] = item_report.flags
    row["identifying"] = [
        {"field": name, "kind": hit.kind, "label": hit.label, "text": hit.text}
        for name, hit in item_report.identifying
    ]
    row["crisis"] = [{"topic": hit.label, "text": hit.text} for hit in item_report.crisis]
    row["suggested_cw"] = item_report.suggested_warnings
    row["invisible_removed"] = item_report.removed
    if item.get("edited"):
        row["edited"] = True
    return row


@queue_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with whole texts) instead.")
@board_option
def queue_list(as_json: bool, board_dir: Path) -> None:
    """List the submissions waiting for review: crisis-flagged first, then oldest.

    Flags: crisis (crisis language), pii (possible identifying details),
    watch-list (a name from your watch list), role-name (a pseudonym that
    could pass for a badge, such as "Moderator"), lookalikes (letters from another
    alphabet disguised as ordinary ones), invisible (hidden characters that
    will be removed).

    Example: quietboard queue list --json
    """
    from generator.board.moderation import pending  # noqa: PLC0415

    with open_queue(board_dir) as (board, state):
        # Reports are made at import; one made again (an older item, a changed
        # watch list) is stored by this transaction, so it is made once.
        rows = [queue_row(item_report) for item_report in pending(board, state.data)]
    if as_json:
        click.echo(visible(json.dumps({"items": rows}, indent=2, ensure_ascii=False), "\n"))
        return
    if not rows:
        click.echo('The queue is empty. Import submissions with "quietboard inbox import FILE".')
        return
    warn_without_region(board)
    click.echo(f"{'id':<6}  {'kind':<8}  {'section':<12}  {'imported':<10}  {'flags':<22}  title")
    for row in rows:
        where = row.get("section", "")
        what = row.get("title") or " ".join(row["body"].split())[:60]
        flags = ",".join(row["flags"]) or "-"
        click.echo(
            visible(
                f"{row['id']}  {row['kind']:<8}  {where:<12}  {row['imported']}  "
                f"{flags:<22}  {what}"
            )
        )


@queue_group.command("log")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@board_option
def queue_log(as_json: bool, board_dir: Path) -> None:
    """Counts per day of each moderation action, and nothing else.

    Approved, edited, rejected, dismissed and withdrawn items; expired posts
    and lapsed queue items (waited too long) deleted by prune. The log keeps
    counts only: no ids, no texts, no times of day.

    Example: quietboard queue log
    """
    from generator.board.moderation import LOG_ACTIONS, log_rows  # noqa: PLC0415

    with open_queue(board_dir) as (_, state):
        rows = log_rows(state.data)
    if as_json:
        click.echo(json.dumps({"days": rows}, indent=2))
        return
    if not rows:
        click.echo("Nothing has been moderated yet.")
        return
    click.echo("day         " + "  ".join(f"{action:>9}" for action in LOG_ACTIONS))
    for row in rows:
        click.echo(f"{row['day']}  " + "  ".join(f"{row[a]:>9}" for a in LOG_ACTIONS))


# --- approve, reject, take down -----------------------------------------------------------


def describe_approval(approved: Any, board_dir: Path) -> str:
    post = approved.post
    shows = f"{post.pseudonym}" if post.pseudonym else "A member"
    lines = [
        f"Approved as {approved.path.name} in section {post.section}: dated {post.date}, "
        f"expires {post.expires}, shown as {shows}."
    ]
    if post.cw:
        lines.append(f"Content warnings: {', '.join(post.cw)}.")
    if approved.redacted:
        lines.append(f"Replaced {approved.redacted} identifying detail(s) with [removed].")
    if approved.renamed:
        lines.append("The pseudonym looked identifying, so it shows a random friendly name.")
    lines.append(f"Run {publish_step(board_dir)} to publish it.")
    return visible(" ".join(lines))


@click.command()
@click.argument("item_id", metavar="ID")
@click.option("--section", "section_name", help="Publish in this section instead.")
@click.option(
    "--expires-days",
    type=click.IntRange(1, 3650),
    help="Days until it expires (default: section's).",
)
@click.option(
    "--cw",
    "warnings",
    multiple=True,
    help="A content warning; repeat for more. Without it, suggested ones are added.",
)
@click.option("--redact", is_flag=True, help="Replace identifying details with [removed].")
@click.option(
    "--keep-flagged", is_flag=True, help="Publish flagged details as they are (you checked them)."
)
@click.option("--pseudonym", help="The name it shows under (default: the member's choice).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@board_option
def approve(
    item_id: str,
    section_name: str | None,
    expires_days: int | None,
    warnings: tuple[str, ...],
    redact: bool,
    keep_flagged: bool,
    pseudonym: str | None,
    as_json: bool,
    board_dir: Path,
) -> None:
    """Publish queue item ID as a post (at the next build).

    The text is cleaned of invisible characters and put in NFC; the post is
    dated today (or this week, per board.toml) and gets a random id. An item
    with possible identifying details needs --redact (or --keep-flagged
    once you have checked them). Crisis language adds a suggested content
    warning unless you give --cw.

    Example: quietboard approve k3m9qz --redact --cw "self-harm"
    """
    from generator.board.actions import approve as approve_item  # noqa: PLC0415
    from generator.board.moderation import Approval  # noqa: PLC0415

    choice = Approval(
        section=section_name,
        expires_days=expires_days,
        warnings=warnings or None,
        redact=redact,
        keep_flagged=keep_flagged,
        pseudonym=pseudonym,
    )
    with open_queue(board_dir) as (board, state):
        approved = approve_item(board, state, item_id, choice, clock.today())
    if as_json:
        post = approved.post
        click.echo(json.dumps({
            "approved": item_id, "post": post.id, "section": post.section,
            "file": str(approved.path.relative_to(board.root)), "date": str(post.date),
            "expires": str(post.expires), "cw": list(post.cw), "pseudonym": post.pseudonym,
            "redacted": approved.redacted,
        }, indent=2, ensure_ascii=False))  # fmt: skip
        return
    click.echo(describe_approval(approved, board_dir))


@click.command()
@click.argument("item_id", metavar="ID")
@board_option
def reject(item_id: str, board_dir: Path) -> None:
    """Delete queue item ID for good (also dismisses a report or a note).

    Nothing of it is kept: the log counts one rejection for today.

    Example: quietboard reject k3m9qz
    """
    from generator.board.actions import reject as reject_item  # noqa: PLC0415

    with open_queue(board_dir) as (board, state):
        kind = reject_item(board, state, item_id, clock.today())
    done = "Rejected" if kind in ("post", "reply") else "Dismissed"
    click.echo(f"{done} {item_id}; it is deleted from the queue.")


@click.command()
@click.argument("post_id", metavar="POST_ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@board_option
def takedown(post_id: str, yes: bool, board_dir: Path) -> None:
    """Take post POST_ID (and the replies below it) off the board now.

    Deletes the files from content/posts; build and deploy afterwards so the
    site loses it too.

    Example: quietboard takedown 3f9a1c0b2e
    """
    from generator.board import actions, moderation  # noqa: PLC0415
    from generator.board.config import is_team_board  # noqa: PLC0415

    with open_queue(board_dir) as (board, _):
        # Finishes a take-down that a killed run saved but did not complete. A
        # team board's posts are written out only while it is open.
        files = moderation.take_down(board, post_id) if is_team_board(board.root) else None
    # Asked with nothing locked; the action checks the post again.
    files = files if files is not None else moderation.take_down(board, post_id)
    if not yes and not click.confirm(
        f"Delete {len(files)} post file(s) (the post and its replies) for good?", err=True
    ):
        raise click.ClickException("nothing was deleted")
    with open_queue(board_dir) as (board, state):
        files = actions.take_down(board, state, post_id, clock.today())
    click.echo(
        f"Took down {len(files)} post(s). Run {publish_step(board_dir)} to take them off the site."
    )


# --- a moderator's own post --------------------------------------------------------------

POST_TEMPLATE = (
    '# Write your post below the blank line, in Markdown. Lines starting with "#"\n'
    "# up here are removed. CW is optional: content warnings, separated by commas.\n"
    "Title: \nCW: \n\n"
)


@click.command("post")
@click.option("--section", "section_name", required=True, help="The section to post in.")
@click.option("--role", help="Role badge from board.toml [roles] (default: moderator).")
@click.option("--pseudonym", help="A name to show beside the badge (optional).")
@click.option("--expires-days", type=click.IntRange(1, 3650), help="Days until it expires.")
@click.argument("source", required=False, metavar="[FILE]")
@board_option
def post_command(
    section_name: str,
    role: str | None,
    pseudonym: str | None,
    expires_days: int | None,
    source: str | None,
    board_dir: Path,
) -> None:
    """Publish your own post under a role badge (at the next build).

    The text comes from FILE ("-" for standard input), or from your editor
    ($EDITOR) when you run it in a terminal. It starts with "Title: ..." (and
    optionally "CW: ..."), then a blank line, then the post in Markdown. The
    badge comes from board.toml [roles], so a submission can never carry it.
    The section, role and days are checked before your editor opens; if the
    post still cannot be written, what you typed is kept in
    .quietboard/drafts/ (only you can read it) to post again with FILE;
    "quietboard prune" deletes drafts kept [privacy] pending_days.

    Example: quietboard post --section share --role counsellor
    """
    from generator.board.config import is_team_board  # noqa: PLC0415
    from generator.board.moderation import (  # noqa: PLC0415
        DRAFTS_DIR,
        check_own_post,
        keep_draft,
        write_own_post,
    )

    board = load_board(board_dir)
    role = role or ("moderator" if "moderator" in board.roles else "")
    check_own_post(board, section_name, role, expires_days)
    draft = None
    if source == "-":
        text = sys.stdin.read()
    elif source:
        path = Path(source)
        if not path.is_file():
            raise click.ClickException(f"{source} is not a file; give the path of your post")
        text = path.read_text(encoding="utf-8")
        if path.resolve().parent == (board.root / DRAFTS_DIR).resolve():
            draft = path
    elif not sys.stdin.isatty():
        raise click.ClickException(
            "there is no terminal here to open your editor in; give the post as FILE, or "
            '"-" to read it from standard input'
        )
    else:
        text = edit_privately(POST_TEMPLATE)
    try:
        with _posts_open(board.root):
            written = write_own_post(
                board,
                text,
                section=section_name,
                role=role,
                pseudonym=pseudonym,
                expires_days=expires_days,
                today=clock.today(),
            )
    except (ContentError, ModerationError) as exc:
        problem = str(exc) if isinstance(exc, ModerationError) else f"{exc}; nothing was written"
        if source or text.strip() == POST_TEMPLATE.strip():
            raise ModerationError(problem) from None
        kept = board_dir / keep_draft(board.root, text, clock.today()).relative_to(board.root)
        again = f"--section {section_name} --role {role}" + (
            f" --board {board_dir}" if board_dir != Path(".") else ""
        )
        raise ModerationError(
            f"{problem}. What you typed is kept in {kept} (only you can read it): fix it, then "
            f'run "quietboard post {again} {kept}"'
        ) from None
    if draft is not None:
        draft.unlink()
    for warning in written.warnings:
        click.echo(visible(f"Check: {warning}"), err=True)
    where = (
        f"post {written.path.stem} in {written.path.parent.name} (sealed in the team files)"
        if is_team_board(board.root)
        else str(written.path.relative_to(board.root))
    )
    click.echo(
        f"Wrote {where} ({board.roles[role]}), expires {written.post.expires}. "
        f"Run {publish_step(board_dir)} to publish it."
    )


# --- watch list --------------------------------------------------------------------------


@contextlib.contextmanager
def _posts_open(root: Path) -> Iterator[None]:
    """Where a moderator's own post is written: content/posts under the board's lock, or,
    on a team board, the team's posts (written out while the command runs)."""
    from generator.board.config import is_team_board  # noqa: PLC0415
    from generator.board.state import locked  # noqa: PLC0415
    from generator.board.vault import open_vault  # noqa: PLC0415

    if is_team_board(root):
        with open_vault(root, ask_passphrase):
            yield
    else:
        with locked(root):
            yield


@click.group("watch")
def watch_group() -> None:
    """Local names to catch in submissions: your town, clinics, schools, employers, people.

    The list is kept in the encrypted vault. Names are typed at a prompt (or
    piped in), never given as arguments, so they stay out of shell history.

    Example: quietboard watch add
    """


def _read_names(prompt: str) -> list[str]:
    if not sys.stdin.isatty():
        return [line.strip() for line in sys.stdin if line.strip()]
    click.echo(f"{prompt} One per line; an empty line ends.", err=True)
    names = []
    while True:
        name = click.prompt("Name", default="", show_default=False, err=True).strip()
        if not name:
            return names
        names.append(name)


@watch_group.command("add")
@board_option
def watch_add(board_dir: Path) -> None:
    """Add names to the watch list (typed at a prompt, or one per line on stdin).

    Matching ignores case and accents, and sees through lookalike letters.

    Example: quietboard watch add
    """
    from generator.board.moderation import add_watch  # noqa: PLC0415

    names = _read_names("Type the names to watch for.")
    with open_queue(board_dir) as (_, state):
        added = add_watch(state.data, names)
    click.echo(f"Added {added} name(s) to the watch list.")


@watch_group.command("list")
@board_option
def watch_list_command(board_dir: Path) -> None:
    """Show the watch list (on your screen only).

    Example: quietboard watch list
    """
    from generator.board.moderation import watch_list  # noqa: PLC0415

    with open_queue(board_dir) as (_, state):
        names = watch_list(state.data)
    if not names:
        click.echo('The watch list is empty; add names with "quietboard watch add".')
    for number, name in enumerate(names, 1):
        click.echo(visible(f"{number:>3}  {name}"))


@watch_group.command("remove")
@board_option
def watch_remove(board_dir: Path) -> None:
    """Remove names from the watch list (typed at a prompt, or one per line on stdin).

    Example: quietboard watch remove
    """
    from generator.board.moderation import remove_watch  # noqa: PLC0415

    names = _read_names("Type the names to remove.")
    with open_queue(board_dir) as (_, state):
        removed = remove_watch(state.data, names)
    click.echo(f"Removed {removed} name(s) from the watch list.")


COMMANDS = (queue_group, approve, reject, takedown, post_command, watch_group)
