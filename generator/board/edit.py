"""Change board.toml from the command line without losing the moderators' edits.

tomlkit keeps comments, order and formatting; the changed text is validated
as a whole board before it replaces the file (atomically), so a command can
never leave a board.toml that the next build rejects.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomlkit
from tomlkit.items import Comment, Whitespace

from generator.board.config import BOARD_FILE, SECTION_NAME, parse_board, read_board
from generator.board.files import write_atomically
from generator.board.vault import board_lock
from generator.errors import ConfigError


def add_section(
    root: Path,
    name: str,
    *,
    title: str = "",
    members_only: bool = False,
    expires_days: int | None = None,
    check_only: bool = False,
) -> str:
    """Add [sections.NAME] to ROOT/board.toml; returns the section's title.

    With CHECK_ONLY, board.toml is checked as it would be written, not written.
    Read, changed and written under the board's lock, so two commands at once
    never lose one's change.
    """
    with board_lock(root):
        return _add_section(
            root,
            name,
            title=title,
            members_only=members_only,
            expires_days=expires_days,
            check_only=check_only,
        )


def _add_section(
    root: Path,
    name: str,
    *,
    title: str,
    members_only: bool,
    expires_days: int | None,
    check_only: bool,
) -> str:
    check_new_section(root, name)
    document = _document(Path(root))
    table = tomlkit.table()
    table["title"] = title or name.replace("-", " ").capitalize()
    if members_only:
        table["members_only"] = True
    if expires_days is not None:
        table["expires_days"] = expires_days
    sections = document.setdefault("sections", tomlkit.table(is_super_table=True))
    tables = list(sections.values())
    # tomlkit counts the comment above the next table ("# Role badges ...") as the
    # end of the last section; it moves below the new one so it stays with [roles].
    comments: list[Comment | Whitespace] = []
    if tables:
        body = tables[-1].value.body
        while body and body[-1][0] is None and isinstance(body[-1][1], Comment | Whitespace):
            comments.insert(0, body.pop()[1])
        if comments:
            body.append((None, Whitespace("\n")))
    sections[name] = table
    for item in comments:
        table.value.body.append((None, item))
    _replace(Path(root), document, check_only=check_only)
    return table["title"]


def check_new_section(root: Path, name: str) -> None:
    """`ConfigError` unless NAME can be added to ROOT/board.toml as a new section."""
    board = read_board(Path(root))
    if not SECTION_NAME.fullmatch(name):
        raise ConfigError(
            f'"{name}" cannot be a section name: use lower-case letters, digits and hyphens, '
            "starting with a letter (it appears in public URLs only for public sections)"
        )
    if name in board.sections:
        raise ConfigError(f'board.toml already has a section "{name}"; edit it there instead')


def add_moderator_key(root: Path, public_key: str) -> bool:
    """Add PUBLIC_KEY to [submissions] keys; False if it is there already."""
    with board_lock(root):
        return _add_moderator_key(root, public_key)


def _add_moderator_key(root: Path, public_key: str) -> bool:
    board = read_board(Path(root))
    if public_key in board.submissions.keys:
        return False
    document = _document(Path(root))
    submissions = document.get("submissions")
    if submissions is None:
        submissions = tomlkit.table()
        submissions.comment("Sealed submissions: docs/configuration.md")
        document["submissions"] = submissions
    keys = submissions.setdefault("keys", tomlkit.array())
    keys.multiline(True)
    keys.append(public_key)
    _replace(Path(root), document)
    return True


def remove_sections(root: Path, names: list[str]) -> None:
    """Take [sections.NAME] out of board.toml for each of NAMES that is there."""
    with board_lock(root):
        document = _document(Path(root))
        sections = document.get("sections")
        if sections is None or not any(name in sections for name in names):
            return
        for name in names:
            if name in sections:
                del sections[name]
        _replace(Path(root), document)


def remove_moderator_key(root: Path, public_key: str) -> bool:
    """Take PUBLIC_KEY out of [submissions] keys; False if it was not there."""
    with board_lock(root):
        document = _document(Path(root))
        keys = document.get("submissions", {}).get("keys")
        if keys is None or public_key not in keys:
            return False
        keys.remove(public_key)
        _replace(Path(root), document)
        return True


def _document(root: Path) -> tomlkit.TOMLDocument:
    path = root / BOARD_FILE
    return tomlkit.parse(path.read_text(encoding="utf-8").removeprefix("\ufeff"))


def _replace(root: Path, document: tomlkit.TOMLDocument, *, check_only: bool = False) -> None:
    """Check DOCUMENT as every build would, then write it over board.toml atomically."""
    path = root / BOARD_FILE
    text = tomlkit.dumps(document)
    parse_board(tomllib.loads(text), root)
    if check_only:
        return
    write_atomically(path, text.encode("utf-8"), path.stat().st_mode & 0o777)
