"""A build killed at any file operation leaves output/ old or new, and no plaintext behind.

Each test kills `quietboard build` (a real child process, tests/helpers/faults.py)
at one file operation after another, then checks what a moderator would
find: output/ is the last site or the new one (never missing, never a mix
of both), and the next build leaves no work folder and no copy of a post
that has expired or was taken down anywhere outside content/.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from generator.board import scratch
from generator.site import stamp
from generator.site.render import render_with_pelican
from tests.helpers.boards import EXPIRING_THREAD, fast_vault, issue, post_text
from tests.helpers.faults import count_operations, killed, run_command

PASSPHRASE = "correct horse battery staple"
FIRST_DAY, SECOND_DAY = "2026-11-20", "2026-12-05"
TAKEN_DOWN = "A post a moderator takes down between the builds"
EXPIRED = "The first of December is its last day."
GONE_TEXTS = (TAKEN_DOWN, EXPIRED, "A reply that asked to stay until spring.")

POSTS = {
    **EXPIRING_THREAD,
    "share/t1t2t3t4t5.md": post_text("Taken down", TAKEN_DOWN + " It says too much."),
    "circle/c1c2c3c4c5.md": post_text("Inside the circle", "Only members read this sentence."),
}


def build(board: Path, day: str, **kwargs):
    env = {"QUIETBOARD_PASSPHRASE": PASSPHRASE, "QUIETBOARD_TODAY": day}
    return run_command(["build", "--board", board], env=env, **kwargs)


def index(output: Path) -> dict[str, str]:
    """Every file of OUTPUT by path, with a digest of its bytes (sealed files: only their path)."""
    return {
        path.relative_to(output).as_posix(): (
            "sealed" if "members" in path.relative_to(output).parts
            else hashlib.sha256(path.read_bytes()).hexdigest()
        )
        for path in sorted(output.rglob("*"))
        if path.is_file()
    }  # fmt: skip


def reusable(board: Path, day: str) -> bool:
    """Whether the next build on DAY would leave output/ as it is (site/stamp.py)."""
    return stamp.reusable_report(board, dt.date.fromisoformat(day), render_with_pelican) is not None


def stamp_is_sound(board: Path, day: str) -> bool:
    """A stamp that names the board's inputs on DAY describes output/ exactly."""
    try:
        recorded = json.loads((board / stamp.STAMP).read_bytes())
    except FileNotFoundError:
        return True
    inputs = stamp.input_digest(board, dt.date.fromisoformat(day), render_with_pelican)
    return recorded["inputs"] != inputs or recorded["output"] == stamp.output_manifest(
        board / "output"
    )


def texts_outside_content(board: Path, texts: tuple[str, ...]) -> list[str]:
    found = []
    for path in board.rglob("*"):
        if path.is_file() and "content" not in path.relative_to(board).parts[:1]:
            data = path.read_bytes()
            found += [f"{path}: {text}" for text in texts if text.encode() in data]
    return found


def copies_left_in_memory() -> list[Path]:
    """Private folders (where a build stages its posts) of commands that are gone."""
    left = []
    for folder in Path(scratch.base_dir() or tempfile.gettempdir()).glob(f"{scratch.PREFIX}*"):
        match = scratch.NAME.fullmatch(folder.name)
        if match and match["pid"] and not _alive(int(match["pid"])):
            left.append(folder)
    return left


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def built_once(make_board) -> Path:
    """A board built on the first day, then a post taken down (its file deleted)."""
    root = make_board(posts=POSTS)
    fast_vault(root, PASSPHRASE)
    issue(root, PASSPHRASE, "circle", "first member")
    result = build(root, FIRST_DAY)
    assert result.returncode == 0, result.stderr
    (root / "content/posts/share/t1t2t3t4t5.md").unlink()
    return root


def _second_day_build(board: Path, tmp_path: Path) -> tuple[int, dict[str, str]]:
    """A copy of BOARD built on the second day: (its file operations, its output's index)."""
    reference = shutil.copytree(board, tmp_path / "reference")
    operations, result = count_operations(
        ["build", "--board", reference],
        tmp_path,
        env={"QUIETBOARD_PASSPHRASE": PASSPHRASE, "QUIETBOARD_TODAY": SECOND_DAY},
    )
    assert result.returncode == 0, result.stderr
    return operations, index(reference / "output")


def test_a_build_killed_at_any_file_operation_leaves_the_old_or_the_new_site(built_once, tmp_path):
    old = index(built_once / "output")
    operations, new = _second_day_build(built_once, tmp_path)
    assert old != new

    for kill_at in range(1, operations + 1):
        board = shutil.copytree(built_once, tmp_path / f"killed-at-{kill_at}")
        assert killed(build(board, SECOND_DAY, kill_at=kill_at)), kill_at
        assert (board / "output").is_dir(), f"no output/ after a kill at operation {kill_at}"
        assert index(board / "output") in (old, new), f"a mixed output/ at operation {kill_at}"
        assert stamp_is_sound(board, SECOND_DAY), kill_at

        rerun = build(board, SECOND_DAY)
        assert rerun.returncode == 0, rerun.stderr
        assert index(board / "output") == new
        assert not list(board.glob(".quietboard-build-*")), kill_at
        # The stamp is whole and up to date: the next build would leave output/ as it is.
        assert reusable(board, SECOND_DAY), kill_at
        assert not list((board / ".quietboard").glob(".build-stamp.json-*")), kill_at
        assert texts_outside_content(board, GONE_TEXTS) == [], kill_at
        # A killed build's staged posts are gone too (the rerun removes them).
        assert copies_left_in_memory() == [], kill_at
        shutil.rmtree(board)


def test_a_site_a_dead_build_had_moved_aside_is_put_back_by_the_next_build(built_once):
    # Where folders cannot be exchanged in one step, the swap takes two renames:
    # this is the board after a crash between them.
    old = index(built_once / "output")
    dead = built_once / ".quietboard-build-dead1234"
    (dead / "content" / "posts").mkdir(parents=True)
    (dead / "content" / "posts" / "t1t2t3t4t5.md").write_text(TAKEN_DOWN)
    (built_once / "output").rename(dead / "previous-output")
    (built_once / "content/posts/share/bad0000001.md").write_text("Title: no dates\n\nBody.\n")

    result = build(built_once, SECOND_DAY)
    assert result.returncode == 1  # this build fails, and must still leave the last site
    assert result.stderr.startswith("Error: ") and "bad0000001" in result.stderr
    assert index(built_once / "output") == old
    assert not list(built_once.glob(".quietboard-build-*"))


def test_a_build_killed_before_its_stamp_is_written_leaves_the_next_build_to_run_in_full(
    built_once, tmp_path
):
    # Built again on the first day, so that it has a stamp (its first build saved the vault).
    assert build(built_once, FIRST_DAY).returncode == 0
    assert reusable(built_once, FIRST_DAY)
    operations, new = _second_day_build(built_once, tmp_path)
    # The last file operation is the stamp's: killed there, the new site is in
    # place and the stamp is the first day's.
    killed_build = build(built_once, SECOND_DAY, kill_at=operations)
    assert killed(killed_build)
    assert index(built_once / "output") == new
    assert json.loads((built_once / stamp.STAMP).read_bytes())["built"] == FIRST_DAY
    assert not reusable(built_once, SECOND_DAY)
    rerun = build(built_once, SECOND_DAY)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith("Built ")
    assert build(built_once, SECOND_DAY).stdout.startswith("Nothing changed since the last build")
