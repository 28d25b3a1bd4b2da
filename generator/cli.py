"""The `quietboard` command: a thin Click layer over the generator library.

It parses, prints and turns the library's named errors into one-line
`Error: ...` messages with exit status 1. Pelican is imported only here, in
the renderer handed to the library's build.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import json
import logging
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator import __version__, clock
from generator.build import audit_board, build_board
from generator.errors import AuditError, BuildError, QuietboardError, VaultError, printable

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


PASSPHRASE_ENV = "QUIETBOARD_PASSPHRASE"  # noqa: S105 - the name of a variable


def ask_passphrase() -> str:
    """The vault passphrase: QUIETBOARD_PASSPHRASE, or a hidden prompt on the terminal."""
    if PASSPHRASE_ENV in os.environ:
        return os.environ[PASSPHRASE_ENV]
    try:
        return click.prompt("Vault passphrase", hide_input=True, err=True)
    except click.Abort:
        raise VaultError(
            f"no passphrase was given; type it when asked, or set {PASSPHRASE_ENV} in "
            "the environment of a script"
        ) from None


def ask_new_passphrase() -> str:
    """A passphrase for a new vault, typed twice (or QUIETBOARD_PASSPHRASE)."""
    if PASSPHRASE_ENV in os.environ:
        return os.environ[PASSPHRASE_ENV]
    click.echo(
        "This board has no vault yet. Choose a passphrase for it: it protects your moderator "
        "key, members' access-code keys, the moderation queue and the watch list on this "
        "computer. Keep it somewhere safe; it cannot be recovered.",
        err=True,
    )
    try:
        return click.prompt(
            "New vault passphrase", hide_input=True, confirmation_prompt=True, err=True
        )
    except click.Abort:
        raise VaultError("no passphrase was given; the vault was not created") from None


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
    click.echo(
        f"Built {report.output}: {report.published} post(s) published"
        + (f", withheld: {withheld}" if withheld else "")
        + members
        + f"; {report.files} files. The output audit found nothing."
    )


def _run_build(board_dir: Path, passphrase: Callable[[], str] = ask_passphrase) -> Any:
    try:
        report = build_board(board_dir, render_with_pelican, passphrase=passphrase)
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

    It holds board.toml, the standard pages (guidelines, staying safe, how
    moderation works; the privacy page is written from board.toml at every
    build), a .gitignore that keeps posts and the moderators' vault out of
    git, and a netlify.toml.

    Example: quietboard init ~/boards/evening-group
    """
    from generator.boardinit import init_board  # noqa: PLC0415

    written = init_board(directory)
    click.echo(f"Created a board in {directory} ({len(written)} files).")
    click.echo(
        f"Next: edit {directory / 'board.toml'}, make your moderator key with "
        f"quietboard keys init --board {directory}, then: quietboard build --board {directory}"
    )


@cli.command()
@click.option(
    "--prune",
    "also_prune",
    is_flag=True,
    help="First delete expired posts and lapsed queue items, as quietboard prune does.",
)
@click.option("--yes", is_flag=True, help="With --prune: as quietboard prune --yes.")
@board_option
def build(also_prune: bool, yes: bool, board_dir: Path) -> None:
    """Build output/ from board.toml and content/, then audit it.

    Expired posts are left out (and with --prune deleted, as "quietboard
    prune" does; if pruning fails the build still runs, then exits with
    status 1); members-only sections are sealed so that
    only access codes open them (this asks for the vault passphrase, or reads
    QUIETBOARD_PASSPHRASE). The build fails, leaving output/ as it was, if
    the audit finds anything that should not be there. A successful build
    replaces output/ whole: keep nothing of your own in it.

    Example: quietboard build --prune --board ~/boards/evening-group
    """
    passphrase = functools.cache(ask_passphrase)  # asked at most once for both steps
    failed = None
    if also_prune:
        from generator.retention_cli import run_prune  # noqa: PLC0415

        try:
            run_prune(board_dir, passphrase, yes=yes)
        except QuietboardError as exc:
            # The build still runs: it leaves expired posts out without the vault.
            failed = exc
            click.echo(f"Warning: nothing was pruned: {exc}", err=True)
    _run_build(board_dir, passphrase)
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
    from generator.serve import make_server  # noqa: PLC0415

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


@cli.command()
@board_option
@port_option
def serve(board_dir: Path, port: int) -> None:
    """Serve the built output/ on 127.0.0.1 with the same headers as the host.

    No form service is behind it: a post sent from the share page is dropped,
    and the page tells the member so and hands over the locked text.

    Example: quietboard serve --port 8080
    """
    _load_board(board_dir)  # outside a board, the same message as every other command
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
    Without --dir the demo lives in a temporary folder, removed when the
    server stops (or kept, and named, with --no-serve).

    Example: quietboard demo --port 8080
    """
    from generator.demo import prepare_demo  # noqa: PLC0415

    if not no_serve:
        _check_port(port)
    temporary = directory is None
    directory = directory or Path(tempfile.mkdtemp(prefix="quietboard-demo-"))
    keep = not temporary
    try:
        passphrase, code = prepare_demo(directory, clock.today())
        try:
            report = build_board(directory, render_with_pelican, passphrase=lambda: passphrase)
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
    target = printable(str(output or board_dir / "output"))
    if findings:
        for finding in findings:
            click.echo(f"  {finding}", err=True)
        raise click.ClickException(
            f"{target} has {len(findings)} finding(s) (listed above); do not deploy it. "
            'Rebuild with "quietboard build"'
        )
    click.echo(f"{target}: no findings.")


@cli.group()
def section() -> None:
    """Add sections to board.toml; restore or forget a members-only section's codes.

    Example: quietboard section add circle --members-only
    """


@section.command("add")
@click.argument("name")
@click.option("--members-only", is_flag=True, help="Only members with an access code can read it.")
@click.option("--title", default="", help="The title readers see (default: from NAME).")
@click.option(
    "--expires-days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Days a post stays up unless its Expires says sooner (default 90).",
)
@click.option(
    "--publish-existing",
    is_flag=True,
    help="Add a public section although content/posts/NAME/ already holds posts.",
)
@board_option
def section_add(
    name: str,
    members_only: bool,
    title: str,
    expires_days: int | None,
    publish_existing: bool,
    board_dir: Path,
) -> None:
    """Add the section NAME to board.toml, keeping its comments.

    A members-only section is published only sealed; give members access
    codes with "quietboard access issue NAME --label L". Its posts go in
    content/posts/NAME/. A new section always starts with new keys and no
    codes: if the vault still holds those of an earlier members-only section
    of that name, they are forgotten first, and said so (this asks for the
    passphrase). A public section is refused while content/posts/NAME/
    holds posts, unless --publish-existing says they are meant for everyone,
    and always when they were written for an earlier members-only NAME.

    Example: quietboard section add circle --members-only --title "Evening circle"
    """
    from generator.boardedit import add_section, check_new_section  # noqa: PLC0415

    check_new_section(board_dir, name)
    options = {"title": title, "members_only": members_only, "expires_days": expires_days}
    add_section(board_dir, name, **options, check_only=True)  # before the vault changes
    folder = board_dir / "content" / "posts" / name
    posts = sum(1 for _ in folder.glob("*.md")) if folder.is_dir() else 0
    _forget_earlier_section(board_dir, name, public_posts=0 if members_only else posts)
    if posts and not members_only and not publish_existing:
        raise click.ClickException(
            f"content/posts/{name}/ holds {posts} post(s), which a public section publishes at "
            "the next build; add --publish-existing if they are meant for everyone, or move "
            "them away first"
        )
    title = add_section(board_dir, name, **options)
    kind = "members-only section" if members_only else "public section"
    click.echo(f'Added the {kind} "{name}" ("{title}") to {board_dir / "board.toml"}.')
    folder.mkdir(parents=True, exist_ok=True)
    if members_only:
        click.echo(f'Next: quietboard access issue {name} --label "R." (one code per member)')


def _vault_may_hold_sections(board_dir: Path) -> bool:
    from generator.vault import sections_held, vault_exists  # noqa: PLC0415

    return vault_exists(board_dir) and sections_held(board_dir) != 0


def _forget_earlier_section(board_dir: Path, name: str, *, public_posts: int) -> None:
    """A new section starts with new keys and no codes.

    The vault is saved before board.toml changes: a crash in between leaves
    the section not added yet, and nothing an old code could open.
    PUBLIC_POSTS, the posts a public NAME would publish, must be none if
    the vault held NAME as members-only: they were written for its members.
    """
    from generator.access import forget_section, held_codes  # noqa: PLC0415
    from generator.errors import AccessError  # noqa: PLC0415
    from generator.vault import open_vault  # noqa: PLC0415

    if not _vault_may_hold_sections(board_dir):
        return
    with open_vault(board_dir, ask_passphrase) as vault:
        if public_posts and held_codes(vault.data, name) is not None:
            raise AccessError(
                f'the vault holds "{name}" as a members-only section, and content/posts/{name}/ '
                f"holds {public_posts} post(s) written for its members: move or delete them "
                "first, then add the public section (or add it members-only again)"
            )
        said = forget_section(vault.data, name)
        if said:
            vault.save()
            click.echo(said)


@section.command("restore")
@click.argument("name")
@board_option
def section_restore(name: str, board_dir: Path) -> None:
    """Let the old access codes of a retired section NAME open it again.

    A members-only section that left board.toml is retired: the vault keeps
    its keys and codes, and nothing is published for it. Put [sections.NAME]
    back in board.toml (members_only = true), then run this.

    Example: quietboard section restore circle
    """
    from generator.access import restore_section  # noqa: PLC0415
    from generator.vault import open_vault  # noqa: PLC0415

    board = _load_board(board_dir)
    with open_vault(board_dir, ask_passphrase) as vault:
        codes = restore_section(vault.data, board, name)
        vault.save()
    click.echo(
        f'Restored "{name}": its {codes} access code(s) open it again after the next build. '
        'Run "quietboard build" and deploy.'
    )


@section.command("forget")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask before deleting.")
@board_option
def section_forget(name: str, yes: bool, board_dir: Path) -> None:
    """Delete the keys and access codes the vault holds for the section NAME.

    For a retired section (one that left board.toml), or to start a section
    again with new keys and no codes. It says how many codes go, and asks
    first (--yes does not ask); no code given for NAME before opens it again.

    Example: quietboard section forget circle --yes
    """
    from generator.access import held_codes  # noqa: PLC0415
    from generator.errors import AccessError  # noqa: PLC0415
    from generator.vault import open_vault  # noqa: PLC0415

    passphrase = functools.cache(ask_passphrase)
    with open_vault(board_dir, passphrase) as vault:
        codes = held_codes(vault.data, name)
    if codes is None:
        raise AccessError(f'the vault holds no keys for a section "{name}"; nothing was forgotten')
    warning = f'this deletes the keys and {codes} access code(s) of "{name}" for good'
    if not yes:
        if not sys.stdin.isatty():
            raise AccessError(f"{warning}; add --yes to go ahead")
        # Asked with the vault unlocked, so another command may run meanwhile.
        if not click.confirm(f"{warning[0].upper()}{warning[1:]}. Go ahead?", err=True):
            raise AccessError("nothing was forgotten")
    with open_vault(board_dir, passphrase) as vault:
        codes = held_codes(vault.data, name)
        if codes is None:
            raise AccessError(
                f'the vault holds no keys for a section "{name}"; nothing was forgotten'
            )
        vault.data["members"]["sections"].pop(name)
        vault.save()
    board = _load_board(board_dir)
    again = (
        f' It starts again with new keys and no codes: "quietboard access issue {name} --label L".'
        if name in board.sections and board.sections[name].members_only
        else ""
    )
    click.echo(
        f'Forgot the keys and {codes} access code(s) of "{name}": no code given for it before '
        f"opens it again.{again}"
    )


def _retire_gone_sections(vault: Any, board: Any) -> None:
    from generator.access import retire_gone_sections  # noqa: PLC0415

    said = retire_gone_sections(vault.data, board)
    if said:
        vault.save()
    for sentence in said:
        click.echo(f"Warning: {sentence}", err=True)


@cli.group("access")
def access_group() -> None:
    """Issue, list, revoke and rotate members' access codes.

    Codes live only in the vault (.quietboard/), which the vault passphrase
    opens: it is asked for on the terminal, or read from QUIETBOARD_PASSPHRASE.

    Example: quietboard access issue circle --label "R." --expires 2027-03-01
    """


def _load_board(board_dir: Path) -> Any:
    from generator.config import read_board  # noqa: PLC0415

    return read_board(board_dir)


@access_group.command("issue")
@click.argument("section_name", metavar="SECTION")
@click.option("--label", required=True, help="Who or what the code is for (moderators only).")
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day the code stops working, like 2027-03-01 (default: until revoked).",
)
@board_option
def access_issue(
    section_name: str, label: str, expires: dt.datetime | None, board_dir: Path
) -> None:
    """Make a new access code for SECTION and print it with an invite link.

    The code is shown only this once: quietboard keeps the keys it derives
    from it, never the code. Give each member their own code, so that one
    can be revoked without troubling the others. It works after the next
    build and deploy.

    Example: quietboard access issue circle --label "R." --expires 2027-03-01
    """
    from generator.access import issue_code  # noqa: PLC0415
    from generator.vault import open_vault  # noqa: PLC0415

    board = _load_board(board_dir)
    with open_vault(board_dir, ask_passphrase, ask_new_passphrase) as vault:
        _retire_gone_sections(vault, board)
        code = issue_code(
            vault.data,
            board,
            section_name,
            label,
            expires=expires.date() if expires else None,
            today=clock.today(),
        )
        vault.save()
    link = f"{board.base_url}/members/#code={code}" if board.base_url else ""
    until = f", until {expires.date().isoformat()}" if expires else ""
    click.echo(f'Access code for "{label}" in "{section_name}"{until}. It is shown only once:')
    click.echo(f"\n    {code}\n")
    if link:
        click.echo(f"Invite link: {link}")
    else:
        click.echo(
            f"Invite link: your site's address followed by /members/#code={code} "
            "(set base_url in board.toml to have it printed whole)"
        )
    click.echo(
        "Send it to the member privately. It opens the section after your next "
        '"quietboard build" and deploy.'
    )


@access_group.command("list")
@click.argument("section_name", metavar="SECTION")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@board_option
def access_list(section_name: str, as_json: bool, board_dir: Path) -> None:
    """List the codes of SECTION: labels, dates and expiry, never the codes.

    Example: quietboard access list circle
    """
    from generator.access import list_codes  # noqa: PLC0415
    from generator.vault import open_vault  # noqa: PLC0415

    board = _load_board(board_dir)
    with open_vault(board_dir, ask_passphrase) as vault:  # reads only: never saves
        records = list_codes(vault.data, board, section_name)
    today = clock.today()
    if as_json:
        rows = [
            {
                "label": r.label,
                "issued": r.issued.isoformat(),
                "expires": r.expires.isoformat() if r.expires else None,
                "status": r.status(today),
            }
            for r in records
        ]
        click.echo(json.dumps({"section": section_name, "codes": rows}, indent=2))
        return
    if not records:
        click.echo(f'"{section_name}" has no access codes yet.')
        return
    width = max(len("label"), *(len(r.label) for r in records))
    click.echo(f"{'label':<{width}}  issued      expires     status")
    for r in records:
        expires = r.expires.isoformat() if r.expires else "never"
        click.echo(f"{r.label:<{width}}  {r.issued.isoformat()}  {expires:<10}  {r.status(today)}")


@access_group.command("revoke")
@click.argument("section_name", metavar="SECTION")
@click.argument("label")
@board_option
def access_revoke(section_name: str, label: str, board_dir: Path) -> None:
    """Revoke the code labelled LABEL: after the next build it opens nothing.

    The section gets a new key, which the next build gives to every other
    code: nobody else needs a new code.

    Example: quietboard access revoke circle "R."
    """
    from generator.access import revoke_code  # noqa: PLC0415
    from generator.vault import open_vault  # noqa: PLC0415

    board = _load_board(board_dir)
    with open_vault(board_dir, ask_passphrase) as vault:
        _retire_gone_sections(vault, board)
        left = revoke_code(vault.data, board, section_name, label)
        vault.save()
    click.echo(
        f'Revoked "{label}" in "{section_name}"; {left} other code(s) keep working. '
        'Run "quietboard build" and deploy now: until then the old site still opens for it.'
    )


@access_group.command("rotate")
@click.argument("section_name", metavar="SECTION")
@board_option
def access_rotate(section_name: str, board_dir: Path) -> None:
    """Give SECTION a new key; every code keeps working after the next build.

    Use it when a device that had "remember on this device" turned on may be
    in the wrong hands: the key it remembers stops working.

    Example: quietboard access rotate circle
    """
    from generator.access import rotate_key  # noqa: PLC0415
    from generator.vault import open_vault  # noqa: PLC0415

    board = _load_board(board_dir)
    with open_vault(board_dir, ask_passphrase) as vault:
        _retire_gone_sections(vault, board)
        rotate_key(vault.data, board, section_name)
        vault.save()
    click.echo(f'"{section_name}" has a new key. Run "quietboard build" and deploy now.')


@cli.group("keys")
def keys_group() -> None:
    """Your moderator key pair, which opens members' sealed submissions.

    The private key stays in the vault (.quietboard/); the public key goes into
    board.toml, and the share page seals every submission to all the keys
    listed there, so any one moderator can open it.

    Example: quietboard keys init
    """


@keys_group.command("init")
@board_option
def keys_init(board_dir: Path) -> None:
    """Make your key pair and add its public key to board.toml.

    Each moderator runs this once, with their own vault, and commits the
    changed board.toml. Submissions can be sealed to you after the next build
    and deploy.

    Example: quietboard keys init
    """
    from generator.boardedit import add_moderator_key  # noqa: PLC0415
    from generator.moderators import create_key  # noqa: PLC0415
    from generator.vault import open_vault  # noqa: PLC0415

    _load_board(board_dir)
    with open_vault(board_dir, ask_passphrase, ask_new_passphrase) as vault:
        public = create_key(vault.data, clock.today())
        vault.save()
    add_moderator_key(board_dir, public)
    click.echo(f"Your public key, now in board.toml under [submissions] keys:\n\n    {public}\n")
    click.echo(
        'Commit board.toml, then run "quietboard build" and deploy: from then on members\' '
        "submissions are sealed to you too."
    )


@keys_group.command("show")
@board_option
def keys_show(board_dir: Path) -> None:
    """Print your public key (never the private one), and whether board.toml lists it.

    Example: quietboard keys show
    """
    from generator.moderators import public_key  # noqa: PLC0415
    from generator.vault import open_vault  # noqa: PLC0415

    board = _load_board(board_dir)
    with open_vault(board_dir, ask_passphrase) as vault:
        public = public_key(vault.data)
    if public is None:
        raise VaultError(
            'this vault has no moderator key yet; make one with "quietboard keys init"'
        )
    click.echo(public)
    if public not in board.submissions.keys:
        click.echo(
            "Warning: board.toml does not list this key, so no submission is sealed to it; "
            'add it to [submissions] keys (or run "quietboard keys init" on a fresh vault)',
            err=True,
        )


@cli.group("inbox")
def inbox_group() -> None:
    """Bring members' sealed submissions into the moderation queue.

    Only the sealed text is kept: the IP address, browser, referrer, time and
    ids that the form service records are never stored, not even in the queue.

    Example: quietboard inbox import netlify-export.csv
    """


def _read_inputs(files: tuple[str, ...]) -> list[Any]:
    from generator.inbox import read_input  # noqa: PLC0415

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


def _import(board: Any, found: list[Any], vault: Any) -> Any:
    from generator.inbox import import_found  # noqa: PLC0415

    with (
        click.progressbar(length=len(found), label="Opening submissions", file=sys.stderr)
        if len(found) >= PROGRESS_FROM
        else contextlib.nullcontext() as bar
    ):
        report = import_found(
            vault.data,
            found,
            pow_bits=board.submissions.pow_bits,
            today=clock.today(),
            progress=(lambda done: bar.update(done - bar.pos)) if bar else None,
        )
        if bar:
            bar.update(len(found) - bar.pos)
    if report.imported:
        vault.save()
    withdraw_and_save(board, vault)
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
    from generator.vault import open_vault  # noqa: PLC0415

    board = _load_board(board_dir)
    found = _read_inputs(files)
    with open_vault(board_dir, ask_passphrase) as vault:
        report = _import(board, found, vault)
    click.echo(report.summary())
    if report.imported:
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
    from generator.inbox import FORM_NAME, from_submissions  # noqa: PLC0415
    from generator.netlify import API, NetlifyClient  # noqa: PLC0415
    from generator.vault import open_vault  # noqa: PLC0415

    board = _load_board(board_dir)
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
    with open_vault(board_dir, ask_passphrase) as vault:
        report = _import(board, found, vault)
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


def withdraw_and_save(board: Any, vault: Any) -> None:
    """Carry out the withdrawal requests the vault knows of, then save it.

    Post files are deleted only after the vault is saved, so a crash in
    between leaves the request on record to be carried out next time.
    """
    from generator.moderation import apply_withdrawals, remove_files  # noqa: PLC0415

    before = json.dumps(vault.data, sort_keys=True)
    withdrawals = apply_withdrawals(board, vault.data, clock.today())
    if json.dumps(vault.data, sort_keys=True) != before:
        vault.save()
    remove_files(withdrawals.removed_posts)
    if withdrawals.count:
        click.echo(
            f"Withdrawn at the member's request: {withdrawals.matched} published post(s), "
            f"{len(withdrawals.removed_posts) - withdrawals.matched} reply(ies) below them and "
            f"{withdrawals.removed_pending} waiting in the queue. Build and deploy to take them "
            "off the site.",
            err=True,
        )


def main() -> None:
    cli(prog_name="quietboard")


# The moderation and retention commands register themselves on `cli`.
from generator import moderation_cli, retention_cli  # noqa: E402, F401

if __name__ == "__main__":
    main()
