"""What every command shares: one-line errors, the --board option, passphrases."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator.errors import QuietboardError, VaultError

UNEXPECTED = (
    "quietboard hit an unexpected problem ({kind}); output/ and your content were not "
    "changed. Run again with QUIETBOARD_DEBUG=1 to see the details, and please report it"
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
