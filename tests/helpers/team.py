"""Team boards for tests: a board made a team board, clones, joins, and a look inside.

`shared_copy` stands in for a sync where a test is about the store, not git:
it copies what the repository shares (board.toml, team/) from one folder to
another. The sync tests use real git with a bare repository instead.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from generator.board import crew, team
from generator.formats import team as fmt
from tests.helpers.boards import fast_vault
from tests.helpers.cli import PASSPHRASE, opened, run

TODAY = dt.date(2026, 11, 20)
SHARED = ("board.toml", "team", "content/pages", ".gitignore")


def make_team(root: Path, name: str = "Robin") -> Path:
    """Turn the keyed board ROOT into a team board with NAME as its moderator."""
    crew.make_team(root, lambda: PASSPHRASE, name, TODAY, lambda: PASSPHRASE)
    return root


def shared_copy(source: Path, target: Path) -> Path:
    """Give TARGET what SOURCE shares through the remote (board.toml, team/, pages)."""
    target.mkdir(parents=True, exist_ok=True)
    for rel in SHARED:
        src, dst = source / rel, target / rel
        if dst.is_dir():
            shutil.rmtree(dst)
        if src.is_dir():
            shutil.copytree(src, dst)
        elif src.is_file():
            shutil.copy2(src, dst)
    return target


def join(clone: Path, name: str) -> str:
    """NAME asks to join in CLONE (a quick vault made first); returns the fingerprint shown."""
    fast_vault(clone)
    result = run("team", "join", name, "--board", clone)
    assert result.exit_code == 0, result.output
    return re.search(r"Your fingerprint: (\S+)", result.output)[1]


def add(root: Path, name: str, fingerprint: str) -> None:
    result = run("team", "add", name, "--fingerprint", fingerprint, "--board", root)
    assert result.exit_code == 0, result.output


def second_moderator(first: Path, clone: Path, name: str = "Sam") -> Path:
    """A second moderator NAME on CLONE, added by the moderator of FIRST; both up to date."""
    shared_copy(first, clone)
    fingerprint = join(clone, name)
    shutil.copytree(clone / team.REQUESTS_DIR, first / team.REQUESTS_DIR, dirs_exist_ok=True)
    add(first, name, fingerprint)
    shutil.rmtree(clone / team.REQUESTS_DIR, ignore_errors=True)
    shared_copy(first, clone)
    return clone


def identity(root: Path) -> str:
    """The moderator's age identity on ROOT (from their vault)."""
    return team.local_identities(opened(root))[-1]


def state_names(root: Path) -> set[str]:
    return set(team.state_files(root))


def merge(base: set[str], ours: Path, theirs: Path, out: Path) -> None:
    """OUT's team/state becomes the three-way merge of OURS and THEIRS since BASE, as sync does."""
    a, b = state_names(ours), state_names(theirs)
    keep = (a | b) - (base - a) - (base - b)
    folder = out / team.STATE_DIR
    for name in state_names(out) - keep:
        (folder / name).unlink()
    for name in keep - state_names(out):
        source = ours if name in a else theirs
        shutil.copy2(source / team.STATE_DIR / name, folder / name)


def records(root: Path, identities: list[str]) -> dict[str, fmt.Record]:
    """Every team file of ROOT that IDENTITIES open."""
    opened_records, _ = team.read_records(team.state_files(root), identities)
    return opened_records


def plaintext_anywhere(root: Path, needle: str) -> list[str]:
    """Files of ROOT outside the moderator's own .quietboard/ whose bytes contain NEEDLE."""
    found = []
    for path in root.rglob("*"):
        if ".quietboard" in path.parts or not path.is_file():
            continue
        if needle.encode("utf-8") in path.read_bytes():
            found.append(str(path.relative_to(root)))
    return found


def posts(root: Path) -> dict[tuple[str, str], str]:
    """The posts ROOT's team files hold, as its moderator opens them."""
    from generator.board.vault import open_vault

    with open_vault(root, lambda: PASSPHRASE):
        return team.read_post_files(root)


def keys_of(root: Path) -> list[bytes]:
    """Every moderator's submission key in ROOT's board.toml."""
    from generator.board.config import read_board
    from generator.formats.primitives import unb64

    return [unb64(key, 32) for key in read_board(root).submissions.keys]


def moderator_id(root: Path) -> str:
    from generator.board.vault import read_vault, vault_path

    return team.local_id(read_vault(vault_path(root), PASSPHRASE).data)
