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
from tests.helpers.cli import PASSPHRASE, opened, run, sealed

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


# --- a team sharing one board through a bare repository on disk ---------------------------


def reachable_blobs(remote: Path) -> list[bytes]:
    """Every blob a clone of REMOTE could fetch, each whole."""
    import subprocess

    listed = subprocess.run(
        ["git", "-C", str(remote), "rev-list", "--objects", "--all"],
        capture_output=True, check=True, text=True,
    ).stdout.split()  # fmt: skip
    shas = [
        word for word in listed if len(word) == 40 and all(c in "0123456789abcdef" for c in word)
    ]
    batch = subprocess.run(
        ["git", "-C", str(remote), "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha in shas).encode(), capture_output=True, check=True,
    ).stdout  # fmt: skip
    blobs, at = [], 0
    while at < len(batch):
        end = batch.index(b"\n", at)
        _, kind, size = batch[at:end].split()
        body = batch[end + 1 : end + 1 + int(size)]
        if kind == b"blob":
            blobs.append(body)
        at = end + 1 + int(size) + 1
    return blobs


def readable_on_remote(remote: Path, identities: list[str]) -> list[fmt.Record]:
    """Every team record reachable on REMOTE that any of IDENTITIES opens."""
    found = []
    for blob in reachable_blobs(remote):
        if blob.startswith(fmt.AGE_MAGIC):
            try:
                found.append(fmt.open_file(blob, identities))
            except fmt.Unopenable:
                continue
    return found


class Crew:
    """Moderators on their own clones of one board, sharing it through a bare repository."""

    def __init__(self, first: Path, tmp: Path, name: str = "Robin") -> None:
        import os

        from tests.helpers.sync import bare_remote, git

        self.tmp = tmp
        self.remote = bare_remote(tmp / "remote.git")
        self.boards = {name: first}
        self.today = "2026-11-20"
        self.ok(name, "team", "init", "--name", name)
        git(first, "remote", "add", "origin", os.path.relpath(self.remote, first))
        self.sync(name)

    def run(self, name: str, *args, **kwargs):
        env = {"QUIETBOARD_TODAY": self.today, **kwargs.pop("env", {})}
        return run(*args, "--board", self.boards[name], env=env, **kwargs)

    def ok(self, name: str, *args, **kwargs):
        result = self.run(name, *args, **kwargs)
        assert result.exit_code == 0, f"{name}: {' '.join(map(str, args))}: {result.output}"
        return result

    def sync(self, name: str):
        return self.ok(name, "sync")

    def join(self, name: str, by: str = "Robin") -> Path:
        import os

        from generator.board.gitsync import clone
        from tests.helpers.sync import git

        board = clone(str(self.remote), self.tmp / name.lower())
        git(board, "remote", "set-url", "origin", os.path.relpath(self.remote, board))
        self.boards[name] = board
        fast_vault(board)
        shown = self.ok(name, "team", "join", name)
        fingerprint = re.search(r"Your fingerprint: (\S+)", shown.output)[1]
        self.sync(name)
        self.sync(by)
        self.ok(by, "team", "add", name, "--fingerprint", fingerprint)
        self.sync(by)
        self.sync(name)
        return board

    def keys(self, name: str = "Robin") -> list[bytes]:
        return keys_of(self.boards[name])

    def envelopes(self, count: int, **payload) -> Path:
        """An export of COUNT submissions sealed to every moderator, as the share page does."""
        from tests.helpers.cli import POST

        first = next(iter(self.boards.values()))
        path = self.tmp / f"export-{len(list(self.tmp.glob('export-*')))}.txt"
        texts = []
        import secrets

        from generator.formats.submissions import withdrawal_verifier

        for _ in range(count):
            # Each its own draft (its own withdrawal code), unless the payload says.
            fresh = {"verifier": withdrawal_verifier(secrets.token_hex(10))}
            whole = payload if payload.get("kind") == "withdraw" else {**POST, **fresh, **payload}
            texts.append(sealed(first, whole, keys=self.keys()))
        path.write_text("\n".join(texts))
        return path

    def queue(self, name: str) -> list[dict]:
        import json

        result = self.ok(name, "queue", "list", "--json")
        document = json.loads(result.output)
        return document["items"] if isinstance(document, dict) else document

    def host_build(self, key: str) -> Path:
        """A fresh clone of the remote, built with only the build key, as a host does."""
        from generator.board.gitsync import clone

        host = self.tmp / f"host-{len(list(self.tmp.glob('host-*')))}"
        clone(str(self.remote), host)
        result = run("build", "--board", host, env={
            "QUIETBOARD_BUILD_KEY": key, "QUIETBOARD_PASSPHRASE": "",
            "QUIETBOARD_TODAY": self.today,
        })  # fmt: skip
        assert result.exit_code == 0, result.output
        return host / "output"


def quietboard(*args: str) -> None:
    """`quietboard ARGS` in this process (for tests/helpers/faults.py run_function)."""
    import sys

    from generator.cli import main

    sys.argv = ["quietboard", *args]
    main()


def build_key(crew: Crew, name: str = "Robin") -> str:
    """A new build key made by NAME and synced; the secret it printed once."""
    made = crew.ok(name, "team", "build-key")
    crew.sync(name)
    return re.search(r"^(AGE-SECRET-KEY-1\S+)$", made.output, re.MULTILINE)[1]


def published(output: Path, text: str) -> int:
    """How many public pages of the built OUTPUT show TEXT."""
    return sum(
        text in path.read_text(encoding="utf-8", errors="replace")
        for path in output.rglob("*.html")
        if "members" not in path.parts
    )
