"""Sections and access codes: section add/restore/forget, access issue/list/revoke/rotate."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path
from typing import Any

import click

from generator.board import clock
from generator.cli.common import (
    ask_new_passphrase,
    ask_passphrase,
    board_option,
    load_board,
    publish_step,
)


@click.group()
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
    type=click.IntRange(min=1),
    default=None,
    help="Days a post stays up unless its Expires says sooner (default 90; at most the "
    "board's [posts] max_expires_days, 365 unless set).",
)
@click.option(
    "--publish-existing",
    is_flag=True,
    help="Add a public section although content/posts/NAME/ already holds posts.",
)
@click.option(
    "--yes",
    is_flag=True,
    help="Do not ask before forgetting an earlier members-only NAME's access codes.",
)
@board_option
def section_add(
    name: str,
    members_only: bool,
    title: str,
    expires_days: int | None,
    publish_existing: bool,
    yes: bool,
    board_dir: Path,
) -> None:
    """Add the section NAME to board.toml, keeping its comments.

    A members-only section is published only sealed; give members access
    codes with "quietboard access issue NAME --label L". Its posts go in
    content/posts/NAME/. A new section always starts with new keys and no
    codes: if the vault still holds those of an earlier members-only section
    of that name, they are forgotten first, after asking (--yes does not
    ask; to keep them, put the section back by hand and run "quietboard
    section restore NAME"). A public section is refused while content/posts/NAME/
    holds posts, unless --publish-existing says they are meant for everyone,
    and always when they were written for an earlier members-only NAME.

    Example: quietboard section add circle --members-only --title "Evening circle"
    """
    from generator.board.state import locked  # noqa: PLC0415

    passphrase = functools.cache(ask_passphrase)
    if _vault_may_hold_sections(board_dir):
        passphrase()  # typed before the lock is taken
        folder = board_dir / "content" / "posts" / name
        members_posts = 0 if members_only or not folder.is_dir() else len(list(folder.glob("*.md")))
        if not yes and not members_posts:  # with them there, the add is refused anyway
            _confirm_forgetting(board_dir, name, passphrase)  # asked before it too
    # board.toml is read, checked and written under the board's lock: two
    # "section add" at once each keep their section.
    with locked(board_dir):
        _add_section(board_dir, name, passphrase, members_only=members_only, title=title,
                     expires_days=expires_days, publish_existing=publish_existing)  # fmt: skip


def _add_section(
    board_dir: Path,
    name: str,
    passphrase: Any,
    *,
    members_only: bool,
    title: str,
    expires_days: int | None,
    publish_existing: bool,
) -> None:
    from generator.board.edit import add_section, check_new_section  # noqa: PLC0415

    check_new_section(board_dir, name)
    options = {"title": title, "members_only": members_only, "expires_days": expires_days}
    add_section(board_dir, name, **options, check_only=True)  # before the vault changes
    folder = board_dir / "content" / "posts" / name
    posts = sum(1 for _ in folder.glob("*.md")) if folder.is_dir() else 0
    _forget_earlier_section(board_dir, name, passphrase, public_posts=0 if members_only else posts)
    if posts and not members_only and not publish_existing:
        raise click.ClickException(
            f"content/posts/{name}/ holds {posts} post(s), which a public section publishes at "
            "the next build; add --publish-existing if they are meant for everyone, or move "
            "them away first"
        )
    from generator.board.config import is_team_board  # noqa: PLC0415

    if members_only and is_team_board(board_dir):
        title = _add_private_section(board_dir, name, passphrase, options)
        where = "the team's sealed sections (not board.toml: its name stays out of git)"
    else:
        title = add_section(board_dir, name, **options)
        where = str(board_dir / "board.toml")
    kind = "members-only section" if members_only else "public section"
    click.echo(f'Added the {kind} "{name}" ("{title}") to {where}.')
    folder.mkdir(parents=True, exist_ok=True)
    if members_only:
        click.echo(f'Next: quietboard access issue {name} --label "R." (one code per member)')


def _add_private_section(board_dir: Path, name: str, passphrase: Any, options: dict) -> str:
    """A team board's members-only section goes into its sealed files (board/team.py)."""
    from generator.board.vault import open_vault  # noqa: PLC0415

    table: dict[str, Any] = {
        "title": options["title"] or name.replace("-", " ").capitalize(),
        "members_only": True,
    }
    if options["expires_days"] is not None:
        table["expires_days"] = options["expires_days"]
    with open_vault(board_dir, passphrase) as opened:
        opened.data.setdefault("private_sections", {})[name] = table
        opened.save()
    return table["title"]


def _vault_may_hold_sections(board_dir: Path) -> bool:
    from generator.board.vault import sections_held, vault_exists  # noqa: PLC0415

    return vault_exists(board_dir) and sections_held(board_dir) != 0


def _forget_earlier_section(
    board_dir: Path, name: str, passphrase: Any, *, public_posts: int
) -> None:
    """A new section starts with new keys and no codes.

    The vault is saved before board.toml changes: a crash in between leaves
    the section not added yet, and nothing an old code could open.
    PUBLIC_POSTS, the posts a public NAME would publish, must be none if
    the vault held NAME as members-only: they were written for its members.
    """
    from generator.board.access import forget_section, held_codes  # noqa: PLC0415
    from generator.board.state import transaction  # noqa: PLC0415
    from generator.errors import AccessError  # noqa: PLC0415

    if not _vault_may_hold_sections(board_dir):
        return
    with transaction(board_dir, passphrase) as state:
        if public_posts and held_codes(state.data, name) is not None:
            raise AccessError(
                f'the vault holds "{name}" as a members-only section, and content/posts/{name}/ '
                f"holds {public_posts} post(s) written for its members: move or delete them "
                "first, then add the public section (or add it members-only again)"
            )
        said = forget_section(state.data, name)
    if said:
        click.echo(said)


def _confirm_forgetting(board_dir: Path, name: str, passphrase: Any) -> None:
    """Members lose their codes only when a person says so, asked with the board unlocked."""
    from generator.board.access import held_codes  # noqa: PLC0415
    from generator.board.vault import open_vault  # noqa: PLC0415
    from generator.errors import AccessError  # noqa: PLC0415

    with open_vault(board_dir, passphrase) as vault:
        codes = held_codes(vault.data, name)
    if not codes:
        return
    warning = (
        f'the vault still holds {codes} access code(s) of an earlier section "{name}", which a '
        "new section never reuses: adding it deletes them for good"
    )
    keep = (
        f'to keep them, put [sections.{name}] back in board.toml by hand and run "quietboard '
        f'section restore {name}"'
    )
    if not sys.stdin.isatty():
        raise AccessError(f"{warning}; {keep}, or add --yes to start afresh")
    click.echo(f"{warning[0].upper()}{warning[1:]}. To {keep[3:]}.", err=True)
    if not click.confirm("Delete them and add a new section?", err=True):
        raise AccessError("nothing was changed")


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
    from generator.board.access import restore_section  # noqa: PLC0415
    from generator.board.state import transaction  # noqa: PLC0415

    board = load_board(board_dir)
    with transaction(board_dir, ask_passphrase) as state:
        codes = restore_section(state.data, board, name)
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
    from generator.board.access import held_codes  # noqa: PLC0415
    from generator.board.state import transaction  # noqa: PLC0415
    from generator.errors import AccessError  # noqa: PLC0415

    passphrase = functools.cache(ask_passphrase)
    with transaction(board_dir, passphrase) as state:
        codes = held_codes(state.data, name)
    if codes is None:
        raise AccessError(f'the vault holds no keys for a section "{name}"; nothing was forgotten')
    warning = f'this deletes the keys and {codes} access code(s) of "{name}" for good'
    if not yes:
        if not sys.stdin.isatty():
            raise AccessError(f"{warning}; add --yes to go ahead")
        # Asked with the vault unlocked, so another command may run meanwhile.
        if not click.confirm(f"{warning[0].upper()}{warning[1:]}. Go ahead?", err=True):
            raise AccessError("nothing was forgotten")
    with transaction(board_dir, passphrase) as state:
        codes = held_codes(state.data, name)
        if codes is None:
            raise AccessError(
                f'the vault holds no keys for a section "{name}"; nothing was forgotten'
            )
        state.member_sections.pop(name)
    board = load_board(board_dir)
    again = (
        f' It starts again with new keys and no codes: "quietboard access issue {name} --label L".'
        if name in board.sections and board.sections[name].members_only
        else ""
    )
    click.echo(
        f'Forgot the keys and {codes} access code(s) of "{name}": no code given for it before '
        f"opens it again.{again}"
    )


def _retire_gone_sections(state: Any, board: Any) -> None:
    from generator.board.access import retire_gone_sections  # noqa: PLC0415

    said = retire_gone_sections(state.data, board)
    for sentence in said:
        click.echo(f"Warning: {sentence}", err=True)


@click.group("access")
def access_group() -> None:
    """Issue, list, revoke and rotate members' access codes.

    Codes live only in the vault (.quietboard/), which the vault passphrase
    opens: it is asked for on the terminal, or read from QUIETBOARD_PASSPHRASE.

    Example: quietboard access issue circle --label "R." --expires 2027-03-01
    """


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
    from generator.board.access import issue_code  # noqa: PLC0415
    from generator.board.state import transaction  # noqa: PLC0415

    board = load_board(board_dir)
    with transaction(board_dir, ask_passphrase, ask_new_passphrase) as state:
        _retire_gone_sections(state, board)
        code = issue_code(
            state.data,
            board,
            section_name,
            label,
            expires=expires.date() if expires else None,
            today=clock.today(),
        )
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
    from generator.board.access import list_codes  # noqa: PLC0415
    from generator.board.vault import open_vault  # noqa: PLC0415

    board = load_board(board_dir)
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
    from generator.board.access import list_codes, revoke_code  # noqa: PLC0415
    from generator.board.state import transaction  # noqa: PLC0415

    board = load_board(board_dir)
    with transaction(board_dir, ask_passphrase) as state:
        _retire_gone_sections(state, board)
        wanted = " ".join(label.split()).casefold()
        stored = [r.label for r in list_codes(state.data, board, section_name)]
        label = next((name for name in stored if name.casefold() == wanted), label)
        left = revoke_code(state.data, board, section_name, label)
    click.echo(
        f'Revoked "{label}" in "{section_name}"; {left} other code(s) keep working. '
        f"Run {publish_step(board_dir)} now: until then the old site still opens for it."
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
    from generator.board.access import rotate_key  # noqa: PLC0415
    from generator.board.state import transaction  # noqa: PLC0415

    board = load_board(board_dir)
    with transaction(board_dir, ask_passphrase) as state:
        _retire_gone_sections(state, board)
        rotate_key(state.data, board, section_name)
    click.echo(f'"{section_name}" has a new key. Run {publish_step(board_dir)} now.')


COMMANDS = (
    section,
    access_group,
)
