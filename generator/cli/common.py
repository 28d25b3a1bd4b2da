"""What every command shares: one-line errors, the --board option, passphrases."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator.errors import QuietboardError, VaultError, printable

UNEXPECTED = (
    "quietboard hit an unexpected problem ({kind}); output/ and your content were not "
    "changed. Run again with QUIETBOARD_DEBUG=1 to see the details, and please report it"
)

# What to do about a fault of the computer rather than of quietboard, by errno.
AGAIN = "then run the command again"
ENVIRONMENT_ADVICE = {
    errno.ENOSPC: f"free some space on that disk, {AGAIN}",
    errno.EDQUOT: f"free some space or ask for a larger disk quota, {AGAIN}",
    errno.EFBIG: f"raise this computer's file-size limit (ulimit -f), {AGAIN}",
    errno.EROFS: f"make that file system writable (or work on a copy of the board), {AGAIN}",
    errno.EACCES: f"check who owns it and its permissions (ls -l), {AGAIN}",
    errno.EPERM: f"check who owns it and its permissions (ls -l), {AGAIN}",
    errno.EIO: "the disk reported a fault; check it, and your backups, before going on",
    errno.ENOENT: f"check that it is there (was it moved while quietboard ran?), {AGAIN}",
    errno.ENOTDIR: f"check that it is a folder, {AGAIN}",
    errno.EISDIR: f"check that it is a file, not a folder, {AGAIN}",
    errno.EMFILE: f"close some programs, {AGAIN}",
    errno.ENFILE: f"close some programs, {AGAIN}",
    errno.ENOMEM: f"close some programs, {AGAIN}",
}
# Said when the code that failed did not say more: true of every command,
# since each writes a file whole (a temporary file renamed over it) or not at all.
STOPPED = "quietboard stopped there; no file was left half-written"
# Said at a Ctrl-C, as the shell does for a program it interrupted.
INTERRUPTED_STATUS = 130


class Interrupted(click.ClickException):
    """Ctrl-C: one line saying what is true, exit status 130, no traceback."""

    exit_code = INTERRUPTED_STATUS

    def __init__(self, interrupt: BaseException | None = None) -> None:
        notes = getattr(interrupt, "__notes__", [])
        super().__init__(" ".join(notes) or "quietboard stopped; no file was left half-written")

    def show(self, file: Any = None) -> None:
        click.echo(f"Interrupted; {self.message}", err=True)


def environment_message(exc: OSError) -> str:
    """One line for a fault of the computer: the file, the cause, what was done, what to do.

    The code that knows what it had done when the fault came says so in the
    exception's notes ("output/ was not changed"); paths are the only
    details named, never the contents of a file.
    """
    cause = os.strerror(exc.errno) if exc.errno else type(exc).__name__
    where = ""
    if exc.filename is not None:
        where = f" at {printable(os.fsdecode(exc.filename))}"
        if exc.filename2 is not None:
            where += f" (and {printable(os.fsdecode(exc.filename2))})"
    notes = " ".join(getattr(exc, "__notes__", [])) or STOPPED
    advice = ENVIRONMENT_ADVICE.get(exc.errno or 0, f"fix that, {AGAIN}")
    return f"{cause.rstrip('.')}{where}. {notes.rstrip('.')}. To go on: {advice}"


def is_environment_fault(exc: BaseException) -> bool:
    """An OSError about a file or the disk (not a network error, not a bug)."""
    return isinstance(exc, OSError) and (
        exc.filename is not None or exc.errno in ENVIRONMENT_ADVICE
    )


class QuietGroup(click.Group):
    """Turns every error into one line, never a traceback (unless debugging)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Kept to name the subcommand a usage error is about: by then Click has
        # consumed the words, and its error often carries no context.
        ctx.meta["quietboard.words"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QuietboardError as exc:
            message = str(exc)
            if _PASSPHRASE_SOURCE["environment"] and message.startswith(UNOPENED_START):
                # Nobody typed it: say where it came from, and how to be asked instead.
                message = message.replace(
                    UNOPENED_START,
                    f"the passphrase in {PASSPHRASE_ENV} (set in the environment; unset it to "
                    "be asked instead) does not open",
                    1,
                )
            raise click.ClickException(message) from None
        except KeyboardInterrupt as exc:
            raise Interrupted(exc) from None
        except click.exceptions.NoArgsIsHelpError as exc:
            # `quietboard queue` alone: show what it offers, as a question, not an error.
            click.echo(exc.ctx.get_help() if exc.ctx else ctx.get_help())
            raise click.exceptions.Exit(0) from None
        except click.UsageError as exc:
            raise click.ClickException(_usage_message(exc, ctx)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("QUIETBOARD_DEBUG"):
                raise
            if is_environment_fault(exc):
                raise click.ClickException(environment_message(exc)) from None
            raise click.ClickException(UNEXPECTED.format(kind=type(exc).__name__)) from None


def _usage_message(exc: click.UsageError, ctx: click.Context) -> str:
    """The parser's complaint, and where to read about the command it was about."""
    command = _command_named(ctx, ctx.meta.get("quietboard.words", []))
    message = exc.format_message()
    if "unexpected extra argument" in message and any(
        param.name == "board_dir" for param in command.params
    ):
        message += "; to name the board's folder, use --board DIR"
    path = " ".join(["quietboard", *_names_to(ctx, command)])
    return f'{message} (see "{path} --help")'


def _command_named(ctx: click.Context, words: list[str]) -> click.Command:
    """The deepest command that WORDS name (`approve X --cw` names approve)."""
    command: click.Command = ctx.command
    for word in words:
        if not isinstance(command, click.Group) or word.startswith("-"):
            break
        found = command.get_command(ctx, word)
        if found is None:
            break
        command = found
    return command


def _names_to(ctx: click.Context, target: click.Command) -> list[str]:
    names: list[str] = []
    command: click.Command = ctx.command
    while command is not target and isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is target or (isinstance(sub, click.Group) and _contains(ctx, sub, target)):
                names.append(name)
                command = sub
                break
        else:
            break
    return names


def _contains(ctx: click.Context, group: click.Group, target: click.Command) -> bool:
    return any(
        sub is target or (isinstance(sub, click.Group) and _contains(ctx, sub, target))
        for sub in (group.get_command(ctx, name) for name in group.list_commands(ctx))
    )


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


PASSPHRASE_ENV = "QUIETBOARD_PASSPHRASE"  # noqa: S105 - the name of a variable


# How the vault's "wrong passphrase" message starts (board/vault.py UNOPENED_MESSAGE).
UNOPENED_START = "the passphrase does not open"
_PASSPHRASE_SOURCE = {"environment": False}


def _from_environment() -> str:
    """QUIETBOARD_PASSPHRASE, or "" when it is not set or empty (then a person is asked)."""
    value = os.environ.get(PASSPHRASE_ENV, "")
    _PASSPHRASE_SOURCE["environment"] = bool(value)
    return value


def ask_passphrase() -> str:
    """The vault passphrase: QUIETBOARD_PASSPHRASE, or a hidden prompt on the terminal."""
    if value := _from_environment():
        return value
    try:
        return click.prompt("Vault passphrase", hide_input=True, err=True)
    except click.Abort as exc:
        _raise_if_interrupted(exc)
        raise VaultError(
            f"no passphrase was given; type it when asked, or set {PASSPHRASE_ENV} in "
            "the environment of a script"
        ) from None


def ask_new_passphrase() -> str:
    """A passphrase for a new vault, typed twice (or QUIETBOARD_PASSPHRASE)."""
    from generator.board.vault import MIN_PASSPHRASE  # noqa: PLC0415

    if value := _from_environment():
        return value
    click.echo(
        "This board has no vault yet. Choose a passphrase for it: it protects your moderator "
        "key, members' access-code keys, the moderation queue and the watch list on this "
        f"computer. Use at least {MIN_PASSPHRASE} characters (four or more unrelated words "
        "are easy to remember and hard to guess). Keep it somewhere safe; it cannot be "
        "recovered.",
        err=True,
    )
    for _attempt in range(NEW_PASSPHRASE_TRIES):
        try:
            chosen = click.prompt(
                "New vault passphrase", hide_input=True, confirmation_prompt=True, err=True
            )
        except click.Abort as exc:
            _raise_if_interrupted(exc)
            raise VaultError("no passphrase was given; the vault was not created") from None
        if len(chosen) >= MIN_PASSPHRASE:
            return chosen
        click.echo(
            f"That has {len(chosen)} characters; a vault passphrase needs at least "
            f"{MIN_PASSPHRASE}. Try a longer one.",
            err=True,
        )
    return chosen  # the vault refuses it with the rule, and nothing is created


NEW_PASSPHRASE_TRIES = 3


def _raise_if_interrupted(abort: click.Abort) -> None:
    """Click turns Ctrl-C at a prompt into Abort, as it does the end of input: tell them apart."""
    if isinstance(abort.__context__, KeyboardInterrupt):
        interrupt = KeyboardInterrupt()
        # Every command asks for the passphrase before it changes anything.
        interrupt.add_note("nothing was changed (it was asking for the vault passphrase)")
        raise interrupt from None


def load_board(board_dir: Path) -> Any:
    """ROOT's board.toml, read and checked."""
    from generator.board.config import read_board  # noqa: PLC0415

    return read_board(board_dir)


def say_withdrawals(withdrawals: Any) -> None:
    """Tell the moderator what an action's withdrawals took away (on stderr)."""
    if withdrawals is not None and withdrawals.count:
        click.echo(
            f"Withdrawn at the member's request: {withdrawals.matched} published post(s), "
            f"{len(withdrawals.removed_posts) - withdrawals.matched} reply(ies) below them and "
            f"{withdrawals.removed_pending} waiting in the queue. Build and deploy to take them "
            "off the site.",
            err=True,
        )


def publish_step(board_dir: Path) -> str:
    """What publishes a change: a build and deploy, or on a team board a sync (the
    host builds from the team's remote, docs/deploying.md)."""
    from generator.board.config import is_team_board  # noqa: PLC0415

    if is_team_board(board_dir):
        return '"quietboard sync" (the host builds from it; or "quietboard build" and deploy)'
    return '"quietboard build" and deploy'
