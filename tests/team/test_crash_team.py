"""Team-board actions killed at each file operation (SIGKILL), then run again.

As tests/cli/test_crash_actions.py does for a one-moderator board: nothing
lost, nothing published twice, no plaintext left behind by the next command,
and the rerun finishes the job. Here the state is the sealed team files.
"""

from __future__ import annotations

import shutil

import pytest

from generator.board import team
from tests.helpers import faults
from tests.helpers.cli import PASSPHRASE, approve, opened, queue_ids, run, sealed, submit
from tests.helpers.team import identity, make_team, posts, records, second_moderator

ENV = {"QUIETBOARD_PASSPHRASE": PASSPHRASE, "QUIETBOARD_TODAY": "2026-11-20"}
BODY = "A body that must be published exactly once."


def leftovers(root) -> list[str]:
    """Temporary files of a killed write, and posts written out by a killed command."""
    found = [
        str(path.relative_to(root))
        for path in root.rglob(".*-*")
        if path.is_file() and path.name != ".gitignore"
    ]
    return found + [str(p.relative_to(root)) for p in (root / "content" / "posts").rglob("*.md")]


def crash_each_step(pristine, tmp_path, args, check, *, rerun=None):
    return faults.crash_each_step(
        pristine, tmp_path, args, check, env=ENV, leftovers=leftovers, rerun=rerun
    )


@pytest.fixture
def board(keyed_board):
    return make_team(keyed_board)


def copies(root) -> int:
    return sum(BODY in text for text in posts(root).values())


def test_approve_on_a_team_board_killed_anywhere_publishes_once(board, tmp_path):
    item = submit(board, body=BODY)

    def check(copy, again, step):
        assert again.returncode == 0 or "there is no item" in again.stderr, again.stderr
        assert copies(copy) == 1, f"killed at {step}"
        assert queue_ids(copy) == []

    crash_each_step(board, tmp_path, ["approve", item], check)


def test_import_on_a_team_board_killed_anywhere_keeps_each_submission_once(board, tmp_path):
    envelopes = board / "export.txt"
    envelopes.write_text("\n".join(sealed(board) for _ in range(3)))

    def check(copy, again, step):
        assert again.returncode == 0, again.stderr
        assert len(queue_ids(copy)) == 3, f"killed at {step}"

    crash_each_step(board, tmp_path, ["inbox", "import", envelopes], check)


def test_take_down_on_a_team_board_killed_anywhere_leaves_nothing_up(board, tmp_path):
    item = submit(board, body=BODY)
    assert approve(board, item).exit_code == 0
    [(section, post_id)] = posts(board)
    args = ["takedown", f"{section}/{post_id}", "--yes"]

    def check(copy, again, step):
        # Run again: it finishes, or finds the post gone (the first run got that far).
        assert again.returncode == 0 or "there is no post" in again.stderr, again.stderr
        assert copies(copy) == 0, f"killed at {step}"

    crash_each_step(board, tmp_path, args, check)


def test_removing_a_moderator_killed_anywhere_is_finished_by_running_it_again(board, tmp_path):
    assert run("access", "issue", "circle", "--label", "Alex", "--board", board).exit_code == 0
    sam = second_moderator(board, tmp_path / "sam")
    removed = identity(sam)
    old_key = opened(board)["members"]["sections"]["circle"]["key"]
    shutil.rmtree(sam)

    def check(copy, again, step):
        assert again.returncode == 0 or "is not on the team" in again.stderr, again.stderr
        assert records(copy, [removed]) == {}, f"killed at {step}"
        assert opened(copy)["members"]["sections"]["circle"]["key"] != old_key
        assert not team.read_roster(copy).rotate

    crash_each_step(board, tmp_path, ["team", "remove", "Sam", "--yes"], check)
