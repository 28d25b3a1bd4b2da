"""Your moderator key pair: keys init, keys show."""

from __future__ import annotations

from pathlib import Path

import click

from generator.board import clock
from generator.cli.common import (
    ask_new_passphrase,
    ask_passphrase,
    board_option,
    load_board,
)
from generator.errors import VaultError


@click.group("keys")
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
    changed board.toml. If it was stopped before board.toml changed, running
    it again finishes the job. Submissions can be sealed to you after the next build
    and deploy.

    Example: quietboard keys init
    """
    from generator.board.actions import init_key  # noqa: PLC0415

    load_board(board_dir)
    made = init_key(board_dir, ask_passphrase, ask_new_passphrase, clock.today())
    public = made.public
    if made.completed:
        click.echo(
            "The vault already had your key, but board.toml did not list it (an earlier "
            '"keys init" was stopped); it is listed now.'
        )
    click.echo(f"Your public key, now in board.toml under [submissions] keys:\n\n    {public}\n")
    click.echo(
        'Run "quietboard build" and deploy (and commit board.toml, if you keep the board in '
        "git): from then on members' submissions are sealed to you too."
    )


@keys_group.command("show")
@board_option
def keys_show(board_dir: Path) -> None:
    """Print your public key (never the private one), and whether board.toml lists it.

    Example: quietboard keys show
    """
    from generator.board.moderators import public_key  # noqa: PLC0415
    from generator.board.vault import open_vault  # noqa: PLC0415

    board = load_board(board_dir)
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


COMMANDS = (keys_group,)
