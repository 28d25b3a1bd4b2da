"""Members' sealed submissions into the queue: inbox import, inbox fetch."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from generator.board import clock
from generator.cli.common import ask_passphrase, board_option, load_board, say_withdrawals
from generator.errors import QuietboardError


@click.group("inbox")
def inbox_group() -> None:
    """Bring members' sealed submissions into the moderation queue.

    Only the sealed text is kept: the IP address, browser, referrer, time and
    ids that the form service records are never stored, not even in the queue.

    Example: quietboard inbox import netlify-export.csv
    """


def _read_inputs(files: tuple[str, ...]) -> list[Any]:
    from generator.board.inbox import read_input  # noqa: PLC0415

    found = []
    for name in files:
        if name == "-":
            click.echo("Paste the sealed text, then press Ctrl-D:", err=True)
            raw = sys.stdin.buffer.read()
            found += read_input("pasted text", raw)
            continue
        path = Path(name)
        if not path.is_file():
            raise click.ClickException(
                f"{name} is not a file; give the path of an export or of saved sealed text"
            )
        found += read_input(name, path.read_bytes())
    return found


def _import(board: Any, found: list[Any], board_dir: Path) -> Any:
    """Open FOUND into the queue in one transaction (withdrawals carried out too)."""
    from generator.board import actions  # noqa: PLC0415
    from generator.board.state import transaction  # noqa: PLC0415

    with transaction(board_dir, ask_passphrase) as state:
        with (
            click.progressbar(length=len(found), label="Opening submissions", file=sys.stderr)
            if len(found) >= PROGRESS_FROM
            else contextlib.nullcontext() as bar
        ):
            report = actions.import_submissions(
                board,
                state,
                found,
                clock.today(),
                progress=(lambda done: bar.update(done - bar.pos)) if bar else None,
            )
            if bar:
                bar.update(len(found) - bar.pos)
        withdrawals = actions.withdraw(board, state, clock.today())
    say_withdrawals(withdrawals)
    for problem in report.problem_lines():
        click.echo(f"  {problem}", err=True)
    return report


PROGRESS_FROM = 200


@inbox_group.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@board_option
def inbox_import(files: tuple[str, ...], board_dir: Path) -> None:
    """Open the sealed submissions in FILE... and add them to the queue.

    A FILE can be Netlify's CSV export of the form, the submissions JSON its
    API returns, or any text holding sealed submissions (a member's
    downloaded file, an email); "-" reads pasted text. Every file is checked
    before anything is stored. The same submission imported twice is kept
    once. Envelopes that are damaged, tampered with, sealed to someone else
    or lack the proof of work are listed and counted, and nothing else is
    lost; a form field longer than any submission is skipped unsearched and
    counted. One file is read up to 10,000 envelopes and one form field up
    to 4; the rest are counted, not opened. The first 20 problems are listed.

    Example: quietboard inbox import ~/Downloads/quietboard-submissions.csv
    """
    board = load_board(board_dir)
    found = _read_inputs(files)
    report = _import(board, found, board_dir)
    click.echo(report.summary())
    if len(report.imported) > report.requests:
        click.echo('See them with "quietboard queue list".')


TOKEN_ENV = "NETLIFY_AUTH_TOKEN"  # noqa: S105 - the name of a variable
API_ENV = "QUIETBOARD_NETLIFY_API"


@inbox_group.command("fetch")
@click.option(
    "--delete-remote",
    is_flag=True,
    help="Delete each submission from Netlify once it is safely in the queue.",
)
@board_option
def inbox_fetch(delete_remote: bool, board_dir: Path) -> None:
    """Fetch submissions from Netlify Forms and import them.

    Needs the site ID in board.toml ([submissions] netlify_site_id) and a
    Netlify personal access token in NETLIFY_AUTH_TOKEN (never as an
    argument, so it stays out of your shell history). With --delete-remote,
    what is safely stored (and spam) is deleted from Netlify afterwards;
    envelopes this vault cannot open stay there for another moderator.

    To set the token without it landing in your shell history:
    read -rs NETLIFY_AUTH_TOKEN && export NETLIFY_AUTH_TOKEN

    Example: quietboard inbox fetch --delete-remote
    """
    from generator.board.inbox import FORM_NAME, from_submissions  # noqa: PLC0415
    from generator.board.netlify import API, NetlifyClient  # noqa: PLC0415

    board = load_board(board_dir)
    site = board.submissions.netlify_site_id
    if not site:
        raise click.ClickException(
            "board.toml has no [submissions] netlify_site_id; copy the site ID from Netlify's "
            '"Site configuration" page into it'
        )
    token = os.environ.get(TOKEN_ENV)
    if token is None:
        raise click.ClickException(
            f"set {TOKEN_ENV} to a Netlify personal access token (Netlify: User settings > "
            "Applications); it is read only from the environment"
        )
    client = NetlifyClient(token, os.environ.get(API_ENV, API))
    form = client.form_id(site, FORM_NAME)
    submissions = client.submissions(form) + client.submissions(form, "spam")
    click.echo(f"Netlify holds {len(submissions)} submission(s).", err=True)
    if not submissions:
        click.echo("Imported 0, duplicates 0, spam 0, unreadable 0.")
        return
    found = from_submissions("Netlify", submissions)
    report = _import(board, found, board_dir)
    click.echo(report.summary())
    if delete_remote:
        _delete_settled(client, found, report)


def _delete_settled(client: Any, found: list[Any], report: Any) -> None:
    ids = {found[i].remote_id for i in report.settled} - {""}
    kept = {item.remote_id for i, item in enumerate(found) if i not in report.settled}
    ids -= kept  # one submission holding an envelope we could not open stays whole
    failed = 0
    for remote_id in sorted(ids):
        try:
            client.delete(remote_id)
        except QuietboardError:
            failed += 1
    click.echo(f"Deleted {len(ids) - failed} from Netlify; {len(kept)} left there.")
    if failed:
        raise click.ClickException(
            f"{failed} submission(s) are safely in the queue but could not be deleted from "
            'Netlify; run "quietboard inbox fetch --delete-remote" again later (they will '
            "count as duplicates)"
        )


COMMANDS = (inbox_group,)
