"""The crash harness itself: it kills at the operation asked, and only there."""

from __future__ import annotations

import shutil

from tests.helpers.faults import count_operations, killed, run_command


def test_the_harness_counts_and_kills_at_each_file_operation(make_board, tmp_path):
    pristine = make_board()
    boards = [shutil.copytree(pristine, tmp_path / f"copy-{n}") for n in range(3)]
    total, result = count_operations(["build", "--board", boards[0]], tmp_path)
    assert result.returncode == 0, result.stderr
    assert total > 0
    assert killed(run_command(["build", "--board", boards[1]], kill_at=1))
    assert not (boards[1] / "output").exists()
    past_the_end = run_command(["build", "--board", boards[2]], kill_at=total + 1)
    assert past_the_end.returncode == 0, past_the_end.stderr
    assert (boards[2] / "output" / "index.html").is_file()
