"""Every action that must survive a crash, killed at each of its file operations.

Each test runs a command once to the end to count its os.replace, rename,
unlink and rmdir calls, then on fresh copies of the same board kills it
(SIGKILL, tests/helpers/faults.py) at each one in turn, runs it again, and checks
what a moderator would: nothing lost, nothing published twice, no plaintext
left in a temporary file, and the rerun finished the job. The vaults use
libsodium's smallest Argon2id cost, so each run is one process start.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import tomllib

import pytest

from generator.board import vault
from tests.helpers import faults
from tests.helpers.boards import fast_vault, post_text
from tests.helpers.cli import (
    PASSPHRASE,
    POST,
    approve,
    opened,
    post_files,
    queue_ids,
    run,
    sealed,
    submit,
)
from tests.helpers.faults import killed, run_command

ENV = {"QUIETBOARD_PASSPHRASE": PASSPHRASE, "QUIETBOARD_TODAY": "2026-11-20"}
BODY = "A body that must be published exactly once."


@pytest.fixture
def board(keyed_board):
    return keyed_board


def temporaries(root) -> list[str]:
    """Temporary files write_atomically leaves when killed before its rename."""
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob(".*-*")  # .<name>-<8 random characters>
        if path.is_file() and path.name != ".gitignore"
    )


def copies_with(root, text) -> int:
    return sum(1 for path in (root / "content" / "posts").rglob("*.md") if text in path.read_text())


def crash_each_step(pristine, tmp_path, args, check, *, rerun=None):
    return faults.crash_each_step(
        pristine, tmp_path, args, check, env=ENV, leftovers=temporaries, rerun=rerun
    )


def test_approve_killed_anywhere_publishes_once_when_run_again(board, tmp_path):
    item = submit(board, body=BODY)

    def check(copy, again, step):
        # Run again: it finishes (or says the item is gone, if the first got that far).
        assert again.returncode == 0 or "there is no item" in again.stderr, again.stderr
        assert copies_with(copy, BODY) == 1, f"killed at {step}"
        assert queue_ids(copy) == []

    crash_each_step(board, tmp_path, ["approve", item], check)


def killed_where(root, tmp_path, args, found):
    """A copy of ROOT with ARGS killed at the first file operation after which FOUND(copy)."""
    for step in range(1, 20):
        copy = shutil.copytree(root, tmp_path / f"where-{step}")
        assert killed(run_command([*args, "--board", copy], kill_at=step, env=ENV))
        if found(copy):
            return copy
    raise AssertionError("no kill left the board in that state")


def test_an_approval_rerun_after_its_file_was_written_makes_no_second_copy(board, tmp_path):
    """The kill that matters most: after the post file, before the vault save."""
    item = submit(board, body=BODY)
    copy = killed_where(
        board, tmp_path, ["approve", item], lambda copy: copies_with(copy, BODY) == 1
    )
    assert queue_ids(copy) == [item]
    result = approve(copy, item)
    assert result.exit_code == 0, result.output
    assert copies_with(copy, BODY) == 1 and queue_ids(copy) == []


def test_a_temporary_post_file_left_by_a_kill_is_removed_by_the_next_command(board, tmp_path):
    item = submit(board, body=BODY)
    copy = killed_where(board, tmp_path, ["approve", item], temporaries)
    [left] = temporaries(copy)
    assert left.startswith("content/posts/share/.") and BODY in (copy / left).read_text()
    assert run("reject", item, "--board", copy).exit_code == 0
    assert temporaries(copy) == [] and copies_with(copy, BODY) == 0


def test_reject_after_a_killed_approval_leaves_nothing_published(board, tmp_path):
    item = submit(board, body=BODY)
    copy = killed_where(
        board, tmp_path, ["approve", item], lambda copy: copies_with(copy, BODY) == 1
    )
    assert run("reject", item, "--board", copy).exit_code == 0
    assert copies_with(copy, BODY) == 0 and queue_ids(copy) == []


def test_reject_killed_anywhere_is_finished_when_run_again(board, tmp_path):
    item = submit(board, body=BODY)

    def check(copy, again, step):
        assert again.returncode == 0 or "there is no item" in again.stderr, again.stderr
        assert queue_ids(copy) == [] and copies_with(copy, BODY) == 0

    crash_each_step(board, tmp_path, ["reject", item], check)


def test_takedown_killed_anywhere_leaves_nothing_up_after_the_next_command(board, tmp_path):
    approve(board, submit(board, body=BODY))
    [path] = post_files(board)
    approve(board, submit(board, kind="reply", post=path.stem, title=None, body="A reply."))

    def check(copy, again, step):
        # Run again, it finishes; or the first run saved the take-down and the
        # rerun (like any command that takes the lock) deleted what was left.
        assert again.returncode == 0 or "there is no post" in again.stderr, again.stderr
        assert post_files(copy) == [], f"killed at {step}"

    crash_each_step(board, tmp_path, ["takedown", path.stem, "--yes"], check)


def test_a_saved_take_down_is_finished_by_the_next_command(board, tmp_path):
    approve(board, submit(board, body=BODY))
    [path] = post_files(board)
    copy = killed_where(
        board,
        tmp_path,
        ["takedown", path.stem, "--yes"],
        lambda copy: "taken_down" in opened(copy),
    )
    assert copies_with(copy, BODY) == 1  # saved, killed before the file went
    assert run("queue", "log", "--board", copy).exit_code == 0
    assert copies_with(copy, BODY) == 0


def test_import_killed_anywhere_keeps_each_submission_once(board, tmp_path):
    (board / "in.txt").write_text(sealed(board, {**POST, "body": BODY}))

    def check(copy, again, step):
        assert again.returncode == 0, again.stderr
        rows = [row for row in opened(copy)["queue"]["items"].values() if row["body"] == BODY]
        assert len(rows) == 1, f"killed at {step}"

    crash_each_step(board, tmp_path, ["inbox", "import", board / "in.txt"], check)


def test_prune_killed_anywhere_is_finished_when_run_again(make_board, tmp_path):
    old = post_text("Old", BODY, date="2026-08-01", expires="2026-11-01")
    root = make_board(posts={"share/a1b2c3d4e5.md": old})
    fast_vault(root)

    def check(copy, again, step):
        assert again.returncode == 0, again.stderr
        assert copies_with(copy, BODY) == 0
        assert opened(copy)["log"]["2026-11-20"]["expired"] >= 1

    crash_each_step(root, tmp_path, ["prune"], check)


def labels(root, section="circle") -> list[str]:
    return [code["label"] for code in opened(root)["members"]["sections"][section]["codes"]]


def test_access_issue_and_revoke_killed_anywhere_lose_nothing(board, tmp_path):
    assert run("access", "issue", "circle", "--label", "A.", "--board", board).exit_code == 0

    def issued(copy, again, step):
        # Saved before the kill: the label is taken (the code was never shown: revoke it).
        assert again.returncode == 0 or "already has a code" in again.stderr, again.stderr
        assert labels(copy) == ["A.", "B."], f"killed at {step}"

    crash_each_step(board, tmp_path, ["access", "issue", "circle", "--label", "B."], issued)

    def revoked(copy, again, step):
        assert again.returncode == 0 or "has no code labelled" in again.stderr, again.stderr
        assert labels(copy) == [], f"killed at {step}"

    crash_each_step(board, tmp_path, ["access", "revoke", "circle", "A."], revoked)


def test_keys_init_killed_anywhere_is_completed_when_run_again(make_board, tmp_path):
    root = make_board()
    fast_vault(root)

    def check(copy, again, step):
        assert again.returncode == 0, again.stderr
        public = opened(copy)["moderator_keys"][-1]["public"]
        keys = tomllib.loads((copy / "board.toml").read_text())["submissions"]["keys"]
        assert keys == [public], f"killed at {step}"

    crash_each_step(root, tmp_path, ["keys", "init"], check)


def test_section_add_killed_anywhere_adds_it_once_when_run_again(board, tmp_path):
    def check(copy, again, step):
        assert again.returncode == 0 or "already has a section" in again.stderr, again.stderr
        sections = tomllib.loads((copy / "board.toml").read_text())["sections"]
        assert "evening" in sections, f"killed at {step}"

    crash_each_step(board, tmp_path, ["section", "add", "evening", "--members-only"], check)


# --- the board's lock ----------------------------------------------------------------------


def test_section_add_waits_for_the_board_lock(board, monkeypatch):
    """Two `section add` at once: the second waits, so neither loses the other's section."""
    monkeypatch.setattr(vault, "LOCK_WAIT_SECONDS", 0.2)
    before = (board / "board.toml").read_text()
    with open(board / ".quietboard" / "lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = run("section", "add", "evening", "--board", board)
        fcntl.flock(handle, fcntl.LOCK_UN)
    assert result.exit_code == 1 and "another quietboard command" in result.output
    assert (board / "board.toml").read_text() == before


def _review(board, editor="true"):
    env = {**os.environ, **ENV, "EDITOR": editor, "PYTHONUNBUFFERED": "1"}
    env.pop("VISUAL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "review", "--board", str(board)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for(stream, text):
    lines = []
    for line in stream:
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} never appeared: {''.join(lines)}")


def test_review_left_open_blocks_no_other_command(board):
    first = submit(board, body=BODY)
    process = _review(board)
    try:
        _wait_for(process.stdout, "[a] approve")
        # A moderator reads; meanwhile the nightly job and another moderator run.
        assert run("queue", "log", "--board", board).exit_code == 0
        assert run("reject", first, "--board", board).exit_code == 0
        _out, err = process.communicate("x\ny\n", timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert f"item {first} was decided meanwhile" in err
    assert queue_ids(board) == []


def test_closing_the_terminal_during_the_editor_removes_the_private_file(board, tmp_path):
    submit(board, body=BODY)
    seen = tmp_path / "seen.txt"
    editor = tmp_path / "editor.py"
    editor.write_text(textwrap.dedent(f"""\
        import os, pathlib, sys, time
        pathlib.Path({str(seen)!r}).write_text(f"{{os.getpid()}} {{sys.argv[-1]}}")
        time.sleep(60)
        """))  # fmt: skip
    process = _review(board, editor=f"{sys.executable} {editor}")
    editor_pid = None
    try:
        _wait_for(process.stdout, "[a] approve")
        process.stdin.write("e\n")
        process.stdin.flush()
        while not (seen.exists() and seen.read_text()):  # the editor says where it is
            assert process.poll() is None, process.stderr.read()
        pid, opened_file = seen.read_text().split(" ", 1)
        editor_pid = int(pid)
        assert BODY in open(opened_file).read()
        process.send_signal(signal.SIGHUP)  # the terminal is closed
        process.wait(timeout=60)
    finally:
        process.kill()
        if editor_pid:
            os.kill(editor_pid, signal.SIGKILL)
    assert not os.path.exists(os.path.dirname(opened_file))
    assert queue_ids(board) != []  # nothing decided, nothing lost


def test_an_editor_folder_left_by_a_killed_command_is_removed_by_the_next(board):
    from generator.board import scratch

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    base = scratch.base_dir() or "/tmp"
    folder = os.path.join(base, f"quietboard-{gone.stdout.strip()}-zz9test")
    os.mkdir(folder, 0o700)
    with open(os.path.join(folder, "post.md"), "w") as handle:
        handle.write(BODY)
    try:
        assert run("queue", "list", "--board", board).exit_code == 0
        assert not os.path.exists(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the stored state -----------------------------------------------------------------------


def test_a_vault_written_before_stored_reports_opens_and_works(board):
    """Items imported by older code have no post id and no report: listed, then approved."""
    import datetime as dt

    from generator.board.inbox import import_found, read_input

    with vault.open_vault(board, lambda: PASSPHRASE) as v:
        found = read_input("old.txt", sealed(board, {**POST, "body": BODY}).encode())
        [item] = import_found(v.data, found, pow_bits=4, today=dt.date(2026, 11, 20)).imported
        v.save()
    # The bare import (no post id, no stored report), as older code left items.
    assert set(opened(board)["queue"]["items"][item]) == {*POST, "imported", "envelope"}
    result = run("queue", "list", "--json", "--board", board)
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)["items"]
    assert row["id"] == item and row["flags"] == []
    assert "report" in opened(board)["queue"]["items"][item]  # made once, then kept
    assert approve(board, item).exit_code == 0
    assert copies_with(board, BODY) == 1 and queue_ids(board) == []
