"""The `quietboard` command: a thin Click layer over the generator library.

It parses, prints and turns the library's named errors into one-line
`Error: ...` messages with exit status 1. Pelican is imported only here, in
the renderer handed to the library's build.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator import __version__, clock
from generator.build import audit_board, build_board
from generator.errors import AuditError, BuildError, QuietboardError

UNEXPECTED = (
    "quietboard hit an unexpected problem ({kind}); output/ and your content were not "
    "changed. Run again with QUIETBOARD_DEBUG=1 to see the details, and please report it"
)


class _CollectErrors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        first_line = record.getMessage().splitlines()[0] if record.getMessage() else ""
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(first_line)


def render_with_pelican(settings: dict[str, Any]) -> None:
    """Run Pelican with SETTINGS; any error it logs fails the build.

    Pelican logs and skips what it cannot process; for us a skipped file could
    mean a wrong page, so an error is fatal.
    """
    from pelican import Pelican  # noqa: PLC0415 - keep `quietboard --help` fast
    from pelican.settings import read_settings  # noqa: PLC0415

    collector = _CollectErrors()
    logger = logging.getLogger("pelican")
    logger.addHandler(collector)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            Pelican(read_settings(path=None, override=settings)).run()
    finally:
        logger.removeHandler(collector)
    for warning in collector.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if collector.errors:
        raise BuildError(
            f"Pelican could not build the site: {collector.errors[0]}; output/ was left as it was"
        )


class QuietGroup(click.Group):
    """Turns every error into one line, never a traceback (unless debugging)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QuietboardError as exc:
            raise click.ClickException(str(exc)) from None
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "quietboard"
            raise click.ClickException(f'{exc.format_message()} (see "{command} --help")') from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("QUIETBOARD_DEBUG"):
                raise
            raise click.ClickException(UNEXPECTED.format(kind=type(exc).__name__)) from None


def board_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--board",
        "board_dir",
        type=click.Path(path_type=Path),
        default=Path("."),
        show_default="the current folder",
        help="The board's folder (where board.toml is).",
    )(command)


def port_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=8000,
        show_default=True,
        help="Port on 127.0.0.1 (0 picks a free one).",
    )(command)


@click.group(cls=QuietGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quietboard")
def cli() -> None:
    """quietboard: a private, static board for an anonymous peer-support group.

    Moderators write and approve posts as Markdown; quietboard builds a site
    that loads nothing from anyone else and leaks nothing that is not meant
    to be public.

    Example: quietboard init myboard && quietboard build --board myboard
    """


def _report_build(report: Any) -> None:
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    withheld = ", ".join(f"{count} {why}" for why, count in sorted(report.withheld.items()))
    click.echo(
        f"Built {report.output}: {report.published} post(s) published"
        + (f", withheld: {withheld}" if withheld else "")
        + f"; {report.files} files. The output audit found nothing."
    )


def _run_build(board_dir: Path) -> Any:
    try:
        report = build_board(board_dir, render_with_pelican)
    except AuditError as exc:
        for finding in exc.findings:
            click.echo(f"  {finding}", err=True)
        raise click.ClickException(
            f"the built site failed its audit with {len(exc.findings)} finding(s) (listed above); "
            "nothing was published to output/. Fix the content or theme and build again"
        ) from None
    _report_build(report)
    return report


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new board in DIRECTORY from the template.

    It holds board.toml, the standard pages (guidelines, privacy, staying
    safe, how moderation works), a .gitignore that keeps posts and the
    moderators' vault out of git, and a netlify.toml.

    Example: quietboard init ~/boards/evening-group
    """
    from generator.boardinit import init_board  # noqa: PLC0415

    written = init_board(directory)
    click.echo(f"Created a board in {directory} ({len(written)} files).")
    click.echo(f"Next: edit {directory / 'board.toml'}, then: quietboard build --board {directory}")


@cli.command()
@board_option
def build(board_dir: Path) -> None:
    """Build output/ from board.toml and content/, then audit it.

    Members-only and expired posts are left out; the build fails, leaving
    output/ as it was, if the audit finds anything that should not be there.
    A successful build replaces output/ whole: keep nothing of your own in it.

    Example: quietboard build --board ~/boards/evening-group
    """
    _run_build(board_dir)


def _serve(directory: Path, port: int) -> None:
    from generator.serve import make_server  # noqa: PLC0415

    try:
        server = make_server(directory, port)
    except OSError:
        raise click.ClickException(
            f"port {port} on 127.0.0.1 is in use; choose another with --port N"
        ) from None
    host, bound = server.server_address[:2]
    click.echo(f"Serving {directory} at http://{host}:{bound}/ (only this computer can see it).")
    click.echo("Press Ctrl+C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()


@cli.command()
@board_option
@port_option
def serve(board_dir: Path, port: int) -> None:
    """Serve the built output/ on 127.0.0.1 with the same headers as the host.

    Example: quietboard serve --port 8080
    """
    output = board_dir / "output"
    if not (output / "index.html").is_file():
        raise click.ClickException(f'{output} has no built site; run "quietboard build" first')
    _serve(output, port)


@cli.command()
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

    Example: quietboard demo --port 8080
    """
    from generator.demo import prepare_demo  # noqa: PLC0415

    directory = directory or Path(tempfile.mkdtemp(prefix="quietboard-demo-"))
    prepare_demo(directory, clock.today())
    report = _run_build(directory)
    if not no_serve:
        _serve(report.output, port)


@cli.command()
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
    if (
        output is not None
        and board_dir == Path(".")
        and not Path("board.toml").exists()
        and (output.parent / "board.toml").is_file()
    ):
        board_dir = output.parent  # `quietboard audit my-board/output` from anywhere
    findings = audit_board(board_dir, output)
    target = output or board_dir / "output"
    if findings:
        for finding in findings:
            click.echo(f"  {finding}", err=True)
        raise click.ClickException(
            f"{target} has {len(findings)} finding(s) (listed above); do not deploy it. "
            'Rebuild with "quietboard build"'
        )
    click.echo(f"{target}: no findings.")


def main() -> None:
    cli(prog_name="quietboard")


if __name__ == "__main__":
    main()
