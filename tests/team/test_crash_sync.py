"""`quietboard sync` on a team board killed (SIGKILL) at points spread over its run:
each git call and file operation counts, and a kill at every one of them is
tried for the git engine alone in tests/team/test_sync.py. Here the whole
command (settle, share, resolve, settle again) is killed at fifteen points
spread over it, then run again: nothing lost, nothing doubled, nothing left."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.helpers.cli import PASSPHRASE
from tests.helpers.faults import count_function_operations, killed, run_function
from tests.helpers.team import Crew, identity, posts, readable_on_remote

RUNNER = "generator.board.gitsync:_git"
COMMAND = "tests.helpers.team:quietboard"


pytestmark = pytest.mark.usefixtures("plain_git")


def test_a_sync_killed_anywhere_loses_nothing_when_run_again(keyed_board, tmp_path):
    crew = Crew(keyed_board, tmp_path)
    crew.join("Sam")
    crew.ok("Robin", "inbox", "import", crew.envelopes(3, body="Waiting words."))
    crew.sync("Robin")
    crew.sync("Sam")
    first, second, third = (item["id"] for item in crew.queue("Sam"))
    # Offline on both sides: Robin approves one and syncs; Sam approves another,
    # rejects the third and imports two more, then syncs (the sync that is killed).
    crew.ok("Robin", "approve", first)
    crew.sync("Robin")
    crew.ok("Sam", "approve", second)
    crew.ok("Sam", "reject", third)
    crew.ok("Sam", "inbox", "import", crew.envelopes(2, body="New words from Sam's import."))
    env = {"QUIETBOARD_PASSPHRASE": PASSPHRASE, "QUIETBOARD_TODAY": crew.today,
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}  # fmt: skip
    whole = tmp_path / "whole"
    shutil.copytree(tmp_path, whole, ignore=shutil.ignore_patterns("whole", "kill-*"))
    total, result = count_function_operations(
        COMMAND, ["sync", "--board", whole / "sam"], tmp_path, also=[RUNNER], env=env
    )
    assert result.returncode == 0, result.stderr
    steps = sorted({max(1, total * n // 15) for n in range(1, 16)})
    for step in steps:
        work = tmp_path / f"kill-{step}"
        shutil.copytree(tmp_path, work, ignore=shutil.ignore_patterns("whole", "kill-*"))
        sam, robin = work / "sam", work / (keyed_board.name)
        run = run_function(COMMAND, ["sync", "--board", sam], also=[RUNNER], kill_at=step, env=env)
        assert killed(run), (step, run.stderr)
        again = run_function(COMMAND, ["sync", "--board", sam], env=env)
        assert again.returncode == 0, (step, again.stderr)
        again = run_function(COMMAND, ["sync", "--board", robin], env=env)
        assert again.returncode == 0, (step, again.stderr)
        for board in (sam, robin):
            held = posts(board)
            assert len(held) == 2, step  # first and second, once each
            assert not (board / "content" / "posts").exists(), step
        everyone = [identity(sam), identity(robin)]
        found = readable_on_remote(work / "remote.git", everyone)
        queued = [r.key for r in found if "New words from Sam's import." in repr(r.value)]
        assert len(queued) == 2 and all(key[0] == "item" for key in queued), step
        shutil.rmtree(work)
