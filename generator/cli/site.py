"""Build, serve, audit, and start boards: init, demo, build, serve, audit."""

from __future__ import annotations

import functools
import shutil
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator.board import clock
from generator.cli.common import (
    ask_passphrase,
    board_option,
    load_board,
    port_option,
)
from generator.errors import AuditError, QuietboardError, printable


def _report_build(report: Any) -> None:
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    withheld = ", ".join(f"{count} {why}" for why, count in sorted(report.withheld.items()))
    sealed = report.sealed
    members = (
        f"; {sealed.posts} members-only post(s) sealed in {sealed.sections} section(s) for "
        f"{sealed.codes} access code(s)"
        if sealed.sections
        else ""
    )
    counts = (
        f"{report.published} post(s) published"
        + (f", withheld: {withheld}" if withheld else "")
        + members
        + f"; {report.files} files"
    )
    if report.unchanged:
        click.echo(
            f"Nothing changed since the last build today: {report.output} is as it was built "
            f"({counts}). To build it again anyway: quietboard build --full"
        )
        return
    click.echo(f"Built {report.output}: {counts}. The output audit found nothing.")


def _run_build(
    board_dir: Path, passphrase: Callable[[], str] = ask_passphrase, *, full: bool = False
) -> Any:
    from generator.site import stamp  # noqa: PLC0415
    from generator.site.render import render_with_pelican  # noqa: PLC0415

    today = clock.today()
    # Decided before the build's own modules (Pelican, libsodium, Pillow) are loaded.
    kept = None if full else stamp.reusable_report(board_dir, today, render_with_pelican)
    if kept is not None:
        _report_build(kept)
        return kept
    from generator.site.build import build_board  # noqa: PLC0415

    try:
        # full: nothing to reuse was found just now (or --full asked for none).
        report = build_board(
            board_dir, render_with_pelican, today=today, passphrase=passphrase, full=True
        )
    except AuditError as exc:
        for finding in exc.findings:
            click.echo(f"  {finding}", err=True)
        raise click.ClickException(
            f"the built site failed its audit with {len(exc.findings)} finding(s) (listed above); "
            "nothing was published to output/. Fix the content or theme and build again"
        ) from None
    _report_build(report)
    return report


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new board in DIRECTORY from the template.

    It holds board.toml, the standard pages (guidelines, staying safe, how
    moderation works; the privacy page is written from board.toml at every
    build), a .gitignore that keeps posts and the moderators' vault out of
    git, and what a host needs to build the board from git itself: a
    netlify.toml, a requirements.txt naming this version of quietboard, and
    GitHub Actions workflows for GitHub Pages and for a daily build on
    Netlify or Cloudflare Pages (docs/deploying.md). None of them holds a
    secret. The board is made a git repository with a first commit (when
    git is installed), ready for "quietboard team init".

    Example: quietboard init ~/boards/evening-group
    """
    from generator.board.create import init_board  # noqa: PLC0415

    written = init_board(directory)
    click.echo(f"Created a board in {directory} ({len(written)} files).")
    _make_repository(directory)
    click.echo(
        f"Next: edit {directory / 'board.toml'}, make your moderator key with "
        f"quietboard keys init --board {directory}, then: quietboard build --board {directory}"
    )


def _make_repository(directory: Path) -> None:
    """A board is a git repository from the start, so a team can share it later."""
    from generator.board.gitsync import ensure_repository  # noqa: PLC0415
    from generator.errors import SyncError  # noqa: PLC0415

    try:
        ensure_repository(directory)
    except SyncError as exc:  # no git here: the board works without it
        click.echo(f"Note: the board is not a git repository ({exc}).", err=True)
    else:
        click.echo(
            "It is a git repository (the vault, output/ and content/posts/ are never committed); "
            '"quietboard team init" shares it with other moderators (docs/team.md).'
        )


@click.command()
@click.option(
    "--prune",
    "also_prune",
    is_flag=True,
    help="First delete expired posts and lapsed queue items, as quietboard prune does.",
)
@click.option("--yes", is_flag=True, help="With --prune: as quietboard prune --yes.")
@click.option(
    "--full",
    is_flag=True,
    help="Build everything again even if nothing changed since the last build today.",
)
@board_option
def build(also_prune: bool, yes: bool, full: bool, board_dir: Path) -> None:
    """Build output/ from board.toml and content/, then audit it.

    Expired posts are left out (and with --prune deleted, as "quietboard
    prune" does; if pruning fails the build still runs, then exits with
    status 1); members-only sections are sealed so that
    only access codes open them (this asks for the vault passphrase, or reads
    QUIETBOARD_PASSPHRASE). The build fails, leaving output/ as it was, if
    the audit finds anything that should not be there. A successful build
    replaces output/ whole: keep nothing of your own in it.

    If nothing changed since the last build today (posts, board.toml, the
    vault, quietboard itself) and output/ is exactly as that build left it,
    the build says so and leaves output/ as it is, without asking for the
    passphrase; --full builds everything again anyway. A new day always
    builds in full, and so does a team board.

    Example: quietboard build --prune --board ~/boards/evening-group
    """
    passphrase = functools.cache(ask_passphrase)  # asked at most once for both steps
    failed = None
    if also_prune:
        from generator.cli.retention import run_prune  # noqa: PLC0415

        try:
            run_prune(board_dir, passphrase, yes=yes)
        except QuietboardError as exc:
            # The build still runs: it leaves expired posts out without the vault.
            failed = exc
            click.echo(f"Warning: nothing was pruned: {exc}", err=True)
    _run_build(board_dir, passphrase, full=full)
    if failed:
        raise click.ClickException(
            "the site was built, but nothing was pruned (see the warning above); fix that and "
            'run "quietboard prune"'
        )


PORT_IN_USE = "port {port} on 127.0.0.1 is in use; choose another with --port N"


def _check_port(port: int) -> None:
    """Fail now, before minutes of work, if PORT cannot be served on."""
    if port == 0:
        return
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise click.ClickException(PORT_IN_USE.format(port=port)) from None


def _serve(directory: Path, port: int, after: str = "") -> None:
    from generator.site.serve import make_server  # noqa: PLC0415

    try:
        server = make_server(directory, port)
    except OSError:
        raise click.ClickException(PORT_IN_USE.format(port=port)) from None
    host, bound = server.server_address[:2]
    click.echo(f"Serving {directory} at http://{host}:{bound}/ (only this computer can see it).")
    if after:
        click.echo(f"Invite link: http://{host}:{bound}/{after}")
    click.echo("Press Ctrl+C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()


@click.command()
@board_option
@port_option
def serve(board_dir: Path, port: int) -> None:
    """Serve the built output/ on 127.0.0.1 with the same headers as the host.

    No form service is behind it: a post sent from the share page is dropped,
    and the page tells the member so and hands over the locked text.

    Example: quietboard serve --port 8080
    """
    load_board(board_dir)  # outside a board, the same message as every other command
    output = board_dir / "output"
    if not (output / "index.html").is_file():
        raise click.ClickException(f'{output} has no built site; run "quietboard build" first')
    _serve(output, port)


@click.command()
@click.option("--no-serve", is_flag=True, help="Only build the demo, do not serve it.")
@port_option
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to put the demo board (default: a new temporary folder).",
)
def demo(no_serve: bool, port: int, directory: Path | None) -> None:
    """Build the bundled demo board and serve it on 127.0.0.1.

    --dir must be an empty or new folder, or one an earlier demo used.
    Without --dir the demo lives in a temporary folder, removed when the
    server stops (or kept, and named, with --no-serve).

    Example: quietboard demo --port 8080
    """
    from generator.board.demo import prepare_demo  # noqa: PLC0415
    from generator.site.build import build_board  # noqa: PLC0415
    from generator.site.render import render_with_pelican  # noqa: PLC0415

    if not no_serve:
        _check_port(port)
    temporary = directory is None
    directory = directory or Path(tempfile.mkdtemp(prefix="quietboard-demo-"))
    keep = not temporary
    try:
        passphrase, code = prepare_demo(directory, clock.today())
        try:
            # full: the demo's vault and access code are new each time.
            report = build_board(
                directory, render_with_pelican, passphrase=lambda: passphrase, full=True
            )
        except AuditError as exc:  # the demo is ours: a finding is a bug in quietboard
            raise click.ClickException(f"the demo failed its audit: {exc.findings[0]}") from None
        _report_build(report)
        click.echo(f"The demo's members' area opens with this access code: {code}")
        if no_serve:
            keep = True
            if temporary:
                click.echo(f"The demo board is in {directory}; delete it when you are done.")
        else:
            _serve(report.output, port, after=f"members/#code={code}")
    finally:
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)


@click.command()
@click.argument(
    "output", required=False, type=click.Path(file_okay=False, path_type=Path), default=None
)
@board_option
def audit(output: Path | None, board_dir: Path) -> None:
    """Check a built OUTPUT folder (default: the board's output/) for leaks.

    It looks for members-only and expired text, third-party requests, inline
    scripts and styles, generator and author tags, times of day, and missing
    security headers and robots rules.

    Example: quietboard audit --board ~/boards/evening-group
    """
    if output is not None and board_dir == Path(".") and not Path("board.toml").exists():
        if (output / "board.toml").is_file():  # `quietboard audit my-board`: the board itself
            board_dir, output = output, None
        elif (output.parent / "board.toml").is_file():
            board_dir = output.parent  # `quietboard audit my-board/output` from anywhere
    from generator.site.build import audit_board  # noqa: PLC0415

    findings = audit_board(board_dir, output)
    target = printable(str(output or board_dir / "output"))
    if findings:
        for finding in findings:
            click.echo(f"  {finding}", err=True)
        raise click.ClickException(
            f"{target} has {len(findings)} finding(s) (listed above); do not deploy it. "
            'Rebuild with "quietboard build"'
        )
    click.echo(f"{target}: no findings.")


COMMANDS = (
    init,
    demo,
    build,
    serve,
    audit,
)
