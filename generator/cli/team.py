"""A team of moderators: team init, join, add, list, remove, build-key, recover."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from generator.board import clock
from generator.cli.common import ask_new_passphrase, ask_passphrase, board_option, load_board
from generator.errors import VaultError


@click.group("team")
def team_group() -> None:
    """Run one board with several moderators, through a private git remote.

    The board's queue, decisions, access-code records, section keys and posts
    are kept as small sealed files in team/ (age format), each sealed to every
    moderator; each moderator's private key stays on their own computer under
    their passphrase. "quietboard sync" shares the work through the remote.
    docs/team.md tells the whole story.

    Example: quietboard team init --name Robin
    """


def _not_team(board_dir: Path) -> None:
    from generator.board.config import is_team_board  # noqa: PLC0415

    if not is_team_board(board_dir):
        raise VaultError(
            f'{board_dir} is not a team board yet; "quietboard team init --name NAME" makes it one'
        )


@team_group.command("init")
@click.option("--name", required=True, help="Your name as the team knows you (a nickname will do).")
@board_option
def team_init(name: str, board_dir: Path) -> None:
    """Make this board a team board, with you as its first moderator.

    Everything your vault holds (the queue, access codes, section keys, the
    decision log, the watch list) and every post in content/posts moves into
    sealed files in team/; your vault keeps only your identity. Run it again
    if it was stopped: it finishes the job.

    Example: quietboard team init --name Robin
    """
    from generator.board.crew import make_team  # noqa: PLC0415
    from generator.board.gitsync import ensure_repository  # noqa: PLC0415

    load_board(board_dir)
    made = make_team(board_dir, ask_passphrase, name, clock.today(), ask_new_passphrase)
    ensure_repository(board_dir)
    if made.finished:
        click.echo(
            "Finished making this a team board (an earlier run was stopped). "
            f'You are "{made.name}".'
        )
    else:
        click.echo(
            f'This is a team board now, with you ("{made.name}") as its moderator: '
            f"{made.records} sealed file(s) in team/state, {made.posts} post(s) moved out of "
            "content/posts."
        )
    click.echo(
        "Next: make a private repository on your git host (empty, no README), then\n"
        "    git remote add origin URL\n"
        "    quietboard sync\n"
        "and keep a copy of .quietboard/vault.json (your identity) somewhere safe: see "
        '"quietboard team recover".'
    )


@team_group.command("join")
@click.argument("name")
@board_option
def team_join(name: str, board_dir: Path) -> None:
    """Ask to join the team of this board (run inside your clone of its remote).

    Makes your identity (a key pair under a new passphrase, kept only on this
    computer) and a request the other moderators see after you sync. Tell the
    moderator who adds you the fingerprint this prints, on another channel
    (a call, a message): they check it before adding you.

    Example: quietboard team join Sam
    """
    from generator.board.crew import request_to_join  # noqa: PLC0415

    load_board(board_dir)
    request = request_to_join(
        board_dir, ask_new_passphrase, name, clock.today(), passphrase=ask_passphrase
    )
    click.echo(f'Your request to join as "{request.name}" is in team/requests/{request.path.name}.')
    click.echo(f"Your fingerprint: {request.fingerprint}")
    click.echo(
        'Now run "quietboard sync", and tell a moderator your fingerprint on another channel. '
        f'They run "quietboard sync" and "quietboard team add {request.name} --fingerprint '
        f'{request.fingerprint}"; then you sync again.'
    )


@team_group.command("add")
@click.argument("name")
@click.option(
    "--fingerprint",
    help='The fingerprint NAME read to you from "quietboard team join" (asked if left out).',
)
@board_option
def team_add(name: str, fingerprint: str | None, board_dir: Path) -> None:
    """Add NAME to the team, once they have asked to join.

    Without a request from NAME, prints what NAME must run. With one, checks
    the fingerprint NAME told you, seals every team file again to the whole
    team (NAME included) and lists NAME's key in board.toml so new
    submissions reach them. Run "quietboard sync" afterwards.

    Example: quietboard team add Sam --fingerprint abcd-efgh-ijkl-mnop
    """
    from generator.board.crew import add_moderator, join_requests  # noqa: PLC0415
    from generator.board.team import read_roster  # noqa: PLC0415

    load_board(board_dir)
    _not_team(board_dir)
    on_team = read_roster(board_dir).by_name(name)
    if on_team is not None:
        raise VaultError(
            f'"{on_team.name}" is on the team already; "quietboard team list" shows the team '
            f'(to take back someone who lost their identity: "quietboard team remove '
            f'{on_team.name}" first, then they join again)'
        )
    if not any(r.name.casefold() == name.casefold() for r in join_requests(board_dir)):
        click.echo(
            f'There is no request from "{name}" yet. {name} runs, on their own computer:\n\n'
            "    git clone URL-OF-THE-BOARD'S-REMOTE board\n"
            "    cd board\n"
            "    pip install quietboard\n"
            f"    quietboard team join {name}\n"
            "    quietboard sync\n\n"
            'and tells you the fingerprint it shows. Then run "quietboard sync" and this '
            "command again."
        )
        raise SystemExit(1)
    if fingerprint is None:
        fingerprint = click.prompt(f"The fingerprint {name} told you", err=True)
    added = add_moderator(board_dir, ask_passphrase, name, fingerprint, clock.today())
    click.echo(
        f'"{added.name}" is on the team: {added.resealed} file(s) sealed again to the whole team, '
        f'and their key is in board.toml. Run "quietboard sync" now, then build and deploy so '
        "new submissions are sealed to them too."
    )


@team_group.command("list")
@board_option
def team_list(board_dir: Path) -> None:
    """List the moderators, the build key and the requests to join.

    Example: quietboard team list
    """
    from generator.board.crew import join_requests  # noqa: PLC0415
    from generator.board.team import read_roster  # noqa: PLC0415
    from generator.formats.team import fingerprint as fingerprint_of  # noqa: PLC0415

    load_board(board_dir)
    _not_team(board_dir)
    roster = read_roster(board_dir)
    for mod in sorted(roster.moderators.values(), key=lambda m: m.name.casefold()):
        click.echo(
            f"moderator  {mod.name}  (since {mod.since}, "
            f"fingerprint {fingerprint_of(mod.recipient)})"
        )
    if roster.build:
        click.echo(
            f"build key  (since {roster.build_since}, fingerprint {fingerprint_of(roster.build)})"
        )
    else:
        click.echo('build key  none ("quietboard team build-key" makes one for the host)')
    for request in join_requests(board_dir):
        click.echo(f"asks to join  {request.name}  (fingerprint {request.fingerprint})")
    if roster.rotate:
        click.echo(
            'Warning: a removal was not finished; run "quietboard team remove" again.', err=True
        )


@team_group.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask (needed without a terminal).")
@board_option
def team_remove(name: str, yes: bool, board_dir: Path) -> None:
    """Take NAME off the team; nothing written afterwards is sealed to them.

    Every team file is sealed again to the rest of the team, each
    members-only section gets a new key, and NAME's key leaves board.toml.
    Run "quietboard sync" afterwards, then build and deploy.

    Asks first (add --yes where there is no terminal).

    Example: quietboard team remove Sam
    """
    import sys  # noqa: PLC0415

    from generator.board.crew import remove_moderator  # noqa: PLC0415

    load_board(board_dir)
    _not_team(board_dir)
    question = (
        f'Take "{name}" off the team? Nothing written from now on is sealed to them, and every '
        "members-only section gets a new key"
    )
    if not yes:
        if not sys.stdin.isatty():
            raise VaultError(f'removing "{name}" needs a yes: run it in a terminal, or add --yes')
        if not click.confirm(question, err=True):
            raise VaultError(f'"{name}" was not removed')
    removed = remove_moderator(board_dir, ask_passphrase, name)
    rotated = ", ".join(removed.rotated) or "none"
    click.echo(
        f'"{removed.name}" is off the team: {removed.resealed} file(s) sealed again without them; '
        f"new section keys for: {rotated}."
    )
    click.echo(
        f"What {removed.name} may have kept: anything they copied while on the team (the "
        "queue and posts as they were, section keys as they were, and the keys derived from "
        "members' access codes, which open the new section keys just as the members' codes "
        "do). To cut that last part off too, every member needs a new code: issue new codes "
        '("quietboard access issue"), send them, then revoke the old ones. If they set up the '
        'host\'s build key, make a new one ("quietboard team build-key"). Run "quietboard '
        'sync" now, then build and deploy.'
    )


@team_group.command("build-key")
@board_option
def team_build_key(board_dir: Path) -> None:
    """Make the key the host's build uses, and print it once.

    Store what it prints as the secret environment variable
    QUIETBOARD_BUILD_KEY in the host's settings (docs/deploying.md). It opens
    what a build publishes (section keys, posts) and nothing else. Running
    this again replaces the key: the old one opens nothing written afterwards.

    Example: quietboard team build-key
    """
    from generator.board.crew import make_build_key  # noqa: PLC0415

    load_board(board_dir)
    _not_team(board_dir)
    identity, resealed = make_build_key(board_dir, ask_passphrase, clock.today())
    click.echo(
        "The build key, shown only now. Paste it into the host's settings as the secret\n"
        "environment variable QUIETBOARD_BUILD_KEY (docs/deploying.md), then forget it:\n",
        err=True,
    )
    click.echo(identity)
    click.echo(
        f'\n{resealed} file(s) sealed to it. Run "quietboard sync" so the host\'s next build '
        "can open them.",
        err=True,
    )


@team_group.command("recover")
@click.argument("url")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--identity",
    "identity_file",
    required=True,
    type=click.Path(path_type=Path),
    help="Your saved identity file (a copy of .quietboard/vault.json).",
)
def team_recover(url: str, directory: Path, identity_file: Path) -> None:
    """Restore the board on a new computer from its remote and your identity file.

    Clones URL into DIRECTORY, puts your identity in place and checks your
    passphrase opens it and that you are still on the team. Without the
    identity file (and without another moderator to add you again) nothing
    can be recovered: keep a copy somewhere safe.

    Example: quietboard team recover URL board --identity ~/safe/board-identity
    """
    from generator.board.crew import install_identity  # noqa: PLC0415
    from generator.board.gitsync import clone  # noqa: PLC0415

    if directory.exists() and any(directory.iterdir()):
        raise VaultError(f"{directory} exists and is not empty; give a new folder")
    if not identity_file.is_file():
        raise VaultError(f"{identity_file} is not a file; give the path of your saved identity")
    clone(url, directory)
    try:
        mod = install_identity(directory, identity_file, ask_passphrase)
    except BaseException:
        # The copy is removed again, so the same command can simply be run again.
        shutil.rmtree(directory, ignore_errors=True)
        raise
    click.echo(
        f'Recovered: {directory} is the board, and you are "{mod.name}" on its team. '
        f'Run "quietboard sync --board {directory}" to check it is up to date.'
    )


@click.command("sync")
@click.option(
    "--accept-deletions",
    is_flag=True,
    help="Go on although the remote lost most of the team's files (only if the team meant it).",
)
@click.option("--yes", is_flag=True, help="Sync as of QUIETBOARD_TODAY although it is a day ahead.")
@board_option
def sync_command(accept_deletions: bool, yes: bool, board_dir: Path) -> None:
    """Share your work with the other moderators through the remote "origin".

    Settles the board (withdrawals, expired codes), sends what you did, takes
    what the others did, and settles that too. Two of you deciding the same
    item offline is fine: the earlier decision stands, nothing is published
    twice, and you are told here if yours was the later one. The remote keeps
    one commit only, so what was pruned, rejected or withdrawn leaves its
    history. Run it before and after each session.

    Example: quietboard sync
    """
    from generator.board.sharing import share  # noqa: PLC0415

    load_board(board_dir)
    shared = share(
        board_dir,
        ask_passphrase,
        clock.today(),
        accept_deletions=accept_deletions,
        future_day=yes,
    )
    if shared.waiting:
        click.echo(
            "Synced. Your request to join is not accepted yet: tell a moderator your fingerprint "
            '("quietboard team list" shows it), and sync again after they add you.'
        )
        return
    if shared.joined:
        click.echo("You are on the team now: the board's files are sealed to you.")
    click.echo(f"Synced: sent {shared.sent} change(s), received {shared.received}.")
    for what in shared.overruled:
        after = (
            f' If it must not stay up, take it down: "quietboard takedown {what.post}".'
            if what.post and what.mine == "removed"
            else ""
        )
        click.echo(
            f"Item {what.item}: your decision ({what.mine}) was not kept; {what.by} had "
            f"{what.standing} it earlier, and that stands.{after}",
            err=True,
        )
    for name in shared.added:
        click.echo(f'"{name}" joined the team.')
    for name in shared.removed:
        click.echo(f'"{name}" left the team.')
    for name in shared.requests:
        click.echo(
            f'"{name}" asks to join: check their fingerprint with them on another channel, '
            f'then "quietboard team add {name} --fingerprint ..."'
        )
    for name in shared.untrusted:
        click.echo(
            f'Warning: team/recipients.toml names "{name}", but no moderator added that entry '
            '(it was not made by "quietboard team add"): nothing is sealed to it. If you did '
            "not expect it, someone with access to the repository put it there: check who can "
            "push to it.",
            err=True,
        )
    for warning in shared.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if shared.left_out:
        shown = ", ".join(shared.left_out[:5]) + (" and more" if len(shared.left_out) > 5 else "")
        click.echo(
            f"Not shared (not the board's own files): {shown}. A form export holds members' "
            "IP addresses: delete it once imported. To share a file on purpose: git add FILE.",
            err=True,
        )


COMMANDS = (team_group, sync_command)
