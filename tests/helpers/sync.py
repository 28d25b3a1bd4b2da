"""Team boards synced through git: a bare repository on disk as the remote, and clones.

Everything goes through the real `git`; the helpers read what a moderator or
an attacker with the remote would see (files on disk, reachable objects).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from generator.board.gitsync import Changes, clone, ensure_repository, sync

BOARD_TOML = 'title = "Harbour"\nlanguage = "en"\n\n[privacy]\npending_days = 14\n'
# Directories that never leave a moderator's computer, and git's own.
LOCAL_ONLY = {".git", ".quietboard", "output", os.path.join("content", "posts")}


def git(cwd: Path, *args: str, input: bytes | None = None) -> str:
    """Run git in CWD the way a person would; its output as text, without the last newline."""
    result = subprocess.run(
        ["git", "-C", str(cwd), *args], input=input, capture_output=True, check=True
    )
    return result.stdout.decode().removesuffix("\n")


def write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def bare_remote(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    git(path.parent, "init", "--quiet", "--bare", "-b", "main", str(path))
    return path


def first_board(root: Path, remote: Path, files: Mapping[str, str]) -> Path:
    """A board that FILES make up, set up for a team and synced to an empty REMOTE."""
    root.mkdir(parents=True)
    write(root, files)
    ensure_repository(root)
    # Relative, so that a copy of the folders next to each other works as well.
    git(root, "remote", "add", "origin", os.path.relpath(remote, root))
    sync(root)
    return root


def join(remote: Path, dest: Path) -> Path:
    board = clone(str(remote), dest)
    git(board, "remote", "set-url", "origin", os.path.relpath(remote, board))
    return board


def files(root: Path) -> dict[str, str]:
    """Every file of the board folder a sync shares (what git does not ignore)."""
    found = {}
    for folder, subfolders, names in os.walk(root):
        relative = os.path.relpath(folder, root)
        subfolders[:] = [
            d for d in subfolders if os.path.normpath(os.path.join(relative, d)) not in LOCAL_ONLY
        ]
        for name in names:
            path = Path(folder) / name
            found[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return found


def remote_files(remote: Path) -> dict[str, str]:
    """The files in the remote's main."""
    names = git(remote, "ls-tree", "-r", "-z", "--name-only", "main").split("\0")[:-1]
    output = subprocess.run(
        ["git", "-C", str(remote), "cat-file", "--batch"],
        input="".join(f"main:{name}\n" for name in names).encode(),
        capture_output=True,
        check=True,
    ).stdout
    contents, position = {}, 0
    for name in names:
        header_end = output.index(b"\n", position)
        size = int(output[position:header_end].split()[2])
        contents[name] = output[header_end + 1 : header_end + 1 + size].decode()
        position = header_end + 1 + size + 1
    return contents


def history(remote: Path) -> list[list[str]]:
    """Every commit reachable in REMOTE, each as [commit, *parents]."""
    return [line.split() for line in git(remote, "rev-list", "--all", "--parents").splitlines()]


def reachable_objects(remote: Path) -> bytes:
    """The contents of every object a clone of REMOTE could get, one after another."""
    shas = [line.split()[0] for line in git(remote, "rev-list", "--objects", "--all").splitlines()]
    return subprocess.run(
        ["git", "-C", str(remote), "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha in shas).encode(),
        capture_output=True,
        check=True,
    ).stdout


def stored_objects(repository: Path) -> bytes:
    """The contents of every object in REPOSITORY's store, reachable or not."""
    return subprocess.run(
        ["git", "-C", str(repository), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout


def keep_first_decision(team: Mapping[str, bytes]) -> Changes:
    """A resolve hook: of two decisions on one item (team/decisions/ITEM-WHO), keep the first.

    It decides from the file names alone, as a resolver must.
    """
    kept: dict[str, str] = {}
    duplicates = set()
    for path in sorted(team):
        if path.startswith("team/decisions/"):
            item = path.rsplit("/", 1)[1].split("-")[0]
            if item in kept:
                duplicates.add(path)
            else:
                kept[item] = path
    return Changes(delete=duplicates)


def sync_keeping_first_decision(root: str) -> None:
    """What the crash tests run in a child: a sync with the resolve hook above."""
    sync(root, resolve=keep_first_decision)
