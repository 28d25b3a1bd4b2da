"""The git sync engine: moderators' boards, a bare repository as their remote, real git.

What is checked is what moderators and the remote's host would see: the files
in each board folder, the files in the remote's main, its history (always one
commit without a parent) and every object a clone of it could get.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from generator.board.gitsync import (
    JOURNAL,
    SYNCED_REF,
    Changes,
    clone,
    ensure_repository,
    finish_pending,
    sync,
)
from generator.errors import SyncConflictError, SyncError
from tests.helpers.faults import count_function_operations, killed, run_function
from tests.helpers.sync import (
    BOARD_TOML,
    bare_remote,
    files,
    first_board,
    git,
    history,
    join,
    keep_first_decision,
    reachable_objects,
    remote_files,
    stored_objects,
    sync_keeping_first_decision,
    write,
)

INITIAL = {
    "board.toml": BOARD_TOML,
    "content/pages/about.md": "# About\n\nWe listen.\n",
    "content/pages/rules.md": "# Rules\n\nBe kind.\n",
    "team/items/a1": "sealed a1\n",
    "team/items/a2": "sealed a2\n",
}


@pytest.fixture(autouse=True)
def plain_git(plain_git, monkeypatch):
    """The team tests' plain git (conftest.py), for every test here, with an author:
    commits the tests make with plain git, as another tool would."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "someone")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "someone@example.org")


@pytest.fixture
def remote(tmp_path):
    return bare_remote(tmp_path / "remote.git")


@pytest.fixture
def boards(tmp_path, remote):
    """Two moderators' boards, A (who set the team up) and B (who joined), in step."""
    a = first_board(tmp_path / "a", remote, INITIAL)
    return a, join(remote, tmp_path / "b")


def one_root_commit(remote) -> str:
    (commit,) = history(remote)
    assert len(commit) == 1, "main must have no parent"
    return commit[0]


def test_offline_additions_from_two_clones_end_as_the_union_in_one_root_commit(tmp_path, remote):
    private = {
        "content/posts/2026/hello.md": "PLAINTEXT POST\n",
        "output/index.html": "BUILT SITE\n",
        ".quietboard/vault": "VAULT\n",
    }
    a = first_board(tmp_path / "a", remote, {**INITIAL, **private})
    b = join(remote, tmp_path / "b")
    write(a, {"team/items/from-a": "from a\n"})
    write(b, {"team/items/from-b": "from b\n"})

    sent_by_a = sync(a)
    sent_by_b = sync(b)
    last = sync(a)

    expected = {**INITIAL, ".gitignore": (a / ".gitignore").read_text()}
    expected |= {"team/items/from-a": "from a\n", "team/items/from-b": "from b\n"}
    assert remote_files(remote) == files(a) == files(b) == expected
    assert (a / "content/posts/2026/hello.md").read_text() == "PLAINTEXT POST\n"
    for secret in (b"PLAINTEXT POST", b"BUILT SITE", b"VAULT"):
        assert secret not in reachable_objects(remote)
    commit = one_root_commit(remote)
    assert last.commit == commit and not last.pushed and last.received == ("team/items/from-b",)
    assert sent_by_a.added == ("team/items/from-a",) and sent_by_a.sent == ("team/items/from-a",)
    assert sent_by_b.added == ("team/items/from-b",) and sent_by_b.received == (
        "team/items/from-a",
    )
    assert sent_by_b.rounds == 1
    # Who synced, and at what hour, is not in the commit.
    author = git(remote, "log", "-1", "--format=%an <%ae> %ad|%cn <%ce> %cd", "--date=raw")
    stamp = author.split("|")[0].split()[-2]
    assert author.strip() == "|".join([f"quietboard <quietboard@invalid> {stamp} +0000"] * 2)
    assert int(stamp) % 86400 == 0
    for board in (a, b):
        assert git(board, "status", "--porcelain") == ""
        assert git(board, "rev-parse", "HEAD", SYNCED_REF).split() == [commit, commit]


def test_a_pruned_file_leaves_the_remote_and_every_clone_and_stays_gone(tmp_path, remote):
    a = first_board(tmp_path / "a", remote, {**INITIAL, "team/items/pruned": "PRUNED CIPHER\n"})
    b = join(remote, tmp_path / "b")
    write(b, {"team/items/from-b": "from b\n"})  # B works offline meanwhile

    (a / "team/items/pruned").unlink()
    report = sync(a)

    assert report.removed == ("team/items/pruned",)
    assert b"PRUNED CIPHER" not in reachable_objects(remote)
    assert b"PRUNED CIPHER" not in stored_objects(a)

    sync(b)
    assert not (b / "team/items/pruned").exists()
    assert (b / "team/items/from-b").read_text() == "from b\n"
    assert b"PRUNED CIPHER" not in stored_objects(b)
    sync(a)
    assert "team/items/pruned" not in remote_files(remote)
    assert files(a) == files(b) == remote_files(remote)
    assert b"PRUNED CIPHER" not in reachable_objects(remote)
    one_root_commit(remote)


def test_board_toml_changed_in_different_lines_is_merged(boards, remote):
    a, b = boards
    toml = (a / "board.toml").read_text()
    (a / "board.toml").write_text(toml.replace('"Harbour"', '"Harbour Light"'))
    (b / "board.toml").write_text(toml.replace("pending_days = 14", "pending_days = 7"))

    sync(a)
    report = sync(b)
    sync(a)

    merged = toml.replace('"Harbour"', '"Harbour Light"').replace("= 14", "= 7")
    assert report.modified == ("board.toml",) and report.sent == ("board.toml",)
    assert (a / "board.toml").read_text() == (b / "board.toml").read_text() == merged
    assert remote_files(remote)["board.toml"] == merged
    one_root_commit(remote)


def test_board_toml_changed_in_the_same_line_stops_and_changes_nothing(boards, remote):
    a, b = boards
    toml = (a / "board.toml").read_text()
    (a / "board.toml").write_text(toml.replace('"Harbour"', '"Harbour Light"'))
    sync(a)
    (b / "board.toml").write_text(toml.replace('"Harbour"', '"Lighthouse"'))
    write(b, {"team/items/from-b": "from b\n"})
    remote_before, b_before = git(remote, "rev-parse", "main"), files(b)
    synced_before = git(b, "rev-parse", SYNCED_REF)

    with pytest.raises(SyncConflictError) as error:
        sync(b)

    message = str(error.value)
    assert error.value.path == "board.toml" and "\n" not in message
    assert message.startswith("board.toml was changed here and by another moderator")
    assert "git show origin/main:board.toml" in message
    assert git(remote, "rev-parse", "main") == remote_before
    assert files(b) == b_before
    assert git(b, "rev-parse", SYNCED_REF) == synced_before


def test_deleted_on_one_side_and_changed_on_the_other_keeps_the_change(boards, remote):
    a, b = boards
    (a / "content/pages/about.md").unlink()
    (a / "content/pages/rules.md").write_text("# Rules\n\nBe kind. Be brief.\n")
    (b / "content/pages/about.md").write_text("# About\n\nWe listen, and reply.\n")
    (b / "content/pages/rules.md").unlink()

    sync(a)
    sync(b)
    sync(a)

    for board in (a, b):
        pages = board / "content/pages"
        assert (pages / "about.md").read_text() == "# About\n\nWe listen, and reply.\n"
        assert (pages / "rules.md").read_text() == "# Rules\n\nBe kind. Be brief.\n"
    assert files(a) == files(b) == remote_files(remote)


def test_someone_pushing_between_fetch_and_push_makes_sync_try_again(boards, remote):
    a, b = boards
    write(a, {"team/items/from-a": "from a\n"})
    write(b, {"team/items/from-b": "from b\n"})
    calls = []

    def push_from_b_first(team):
        calls.append(sorted(team))
        if len(calls) == 1:
            sync(b)  # lands after A fetched, before A pushes
        return Changes()

    report = sync(a, resolve=push_from_b_first)

    assert report.rounds == 2 and report.pushed
    assert "team/items/from-b" not in calls[0] and "team/items/from-b" in calls[1]
    assert {"team/items/from-a", "team/items/from-b"} <= remote_files(remote).keys()
    assert files(a) == remote_files(remote)
    sync(b)
    assert files(b) == remote_files(remote)
    one_root_commit(remote)


def test_the_resolve_hook_sees_team_files_and_its_changes_are_pushed(boards, remote):
    a, _ = boards
    seen = {}

    def index_and_drop_a2(team):
        seen.update(team)
        return Changes(write={"team/index": b"a1\n"}, delete={"team/items/a2"})

    report = sync(a, resolve=index_and_drop_a2)

    assert seen == {"team/items/a1": b"sealed a1\n", "team/items/a2": b"sealed a2\n"}
    assert report.added == ("team/index",) and report.removed == ("team/items/a2",)
    assert remote_files(remote)["team/index"] == (a / "team/index").read_text() == "a1\n"
    assert "team/items/a2" not in remote_files(remote) and not (a / "team/items/a2").exists()
    with pytest.raises(ValueError, match=r"not 'board\.toml'"):
        sync(a, resolve=lambda team: Changes(delete={"board.toml"}))


def test_two_decisions_on_one_item_end_as_one(boards, remote):
    a, b = boards
    write(a, {"team/decisions/item7-a": "kept\n"})
    write(b, {"team/decisions/item7-b": "DUPLICATE\n"})

    sync(a, resolve=keep_first_decision)
    sync(b, resolve=keep_first_decision)
    sync(a, resolve=keep_first_decision)

    decisions = {p for p in remote_files(remote) if p.startswith("team/decisions/")}
    assert decisions == {"team/decisions/item7-a"}
    assert files(a) == files(b) == remote_files(remote)
    assert b"DUPLICATE" not in reachable_objects(remote) + stored_objects(b)


def test_a_remote_with_history_or_private_files_is_replaced_by_one_clean_commit(boards, remote):
    a, b = boards
    # Someone used plain git in B: a commit on top, with a plaintext post forced in.
    write(b, {"team/items/by-hand": "by hand\n", "content/posts/p.md": "PLAINTEXT POST\n"})
    git(b, "add", "team/items/by-hand")
    git(b, "add", "--force", "content/posts/p.md")
    git(b, "commit", "--quiet", "-m", "by hand")
    git(b, "push", "--quiet", "origin", "main")
    assert len(history(remote)) == 2

    report = sync(a)

    assert report.pushed and report.removed == ("content/posts/p.md",)
    assert "team/items/by-hand" in remote_files(remote)
    assert b"PLAINTEXT POST" not in reachable_objects(remote)
    assert not (a / "content/posts/p.md").exists()
    one_root_commit(remote)
    sync(b)
    assert (b / "content/posts/p.md").read_text() == "PLAINTEXT POST\n"  # still B's own
    assert files(b) == remote_files(remote)


def test_a_new_empty_remote_gets_the_board_as_it_is(boards, tmp_path):
    a, _ = boards
    write(a, {"team/items/new": "new\n"})
    (a / "team/items/a1").unlink()
    moved = bare_remote(tmp_path / "moved.git")
    git(a, "remote", "set-url", "origin", str(moved))

    report = sync(a)

    assert report.pushed and report.removed == () and "team/items/a1" not in report.added
    assert remote_files(moved) == files(a)
    assert "team/items/new" in files(a) and "team/items/a1" not in files(a)
    one_root_commit(moved)


def test_links_never_reach_the_remote_or_a_board(boards, remote):
    a, b = boards
    (b / "content/pages/keys.md").symlink_to("/etc/hostname")
    with pytest.raises(SyncError, match=r"^content/pages/keys.md is a symbolic link"):
        sync(b)
    (b / "content/pages/keys.md").unlink()
    # A link that reached the remote some other way is dropped by the next sync.
    (a / "content/pages/keys.md").symlink_to("/etc/hostname")
    git(a, "add", "content/pages/keys.md")
    git(a, "commit", "--quiet", "-m", "a link")
    git(a, "push", "--quiet", "origin", "main")

    report = sync(b)

    assert report.removed == ("content/pages/keys.md",)
    assert "content/pages/keys.md" not in remote_files(remote)
    assert not (b / "content/pages/keys.md").is_symlink()


def test_sync_killed_at_any_point_finishes_once_on_the_next_run(tmp_path):
    template = tmp_path / "template"
    remote = bare_remote(template / "remote.git")
    gone = {
        "team/items/pruned-by-a": "PRUNED BY A\n",
        "team/items/gone-by-b": "GONE BY B\n",
    }
    a = first_board(template / "a", remote, {**INITIAL, **gone})
    b = join(remote, template / "b")
    write(b, {"team/items/from-b": "from b\n", "team/decisions/item7-a": "kept\n"})
    (b / "team/items/gone-by-b").unlink()
    sync(b, resolve=keep_first_decision)
    # A, offline meanwhile: an addition, a prune, a page edit, a duplicate decision.
    edits = {
        "team/items/from-a": "from a\n",
        "content/pages/about.md": "# About\n\nWe listen, and reply.\n",
        "team/decisions/item7-b": "DUPLICATE DECISION\n",
    }
    write(a, edits)
    (a / "team/items/pruned-by-a").unlink()
    expected = {**files(b), **edits}
    del expected["team/decisions/item7-b"], expected["team/items/pruned-by-a"]
    must_be_gone = (b"PRUNED BY A", b"GONE BY B", b"DUPLICATE DECISION")

    def check(work, when):
        board_a, board_b, bare = work / "a", work / "b", work / "remote.git"
        assert remote_files(bare) == expected, when
        assert files(board_a) == files(board_b) == expected, when
        one_root_commit(bare)
        assert git(board_a, "status", "--porcelain") == "", when
        assert not (board_a / JOURNAL).exists(), when
        assert not list((board_a / ".git").glob("quietboard-*")), when
        objects = reachable_objects(bare) + stored_objects(board_a) + stored_objects(board_b)
        for content in must_be_gone:
            assert content not in objects, when

    function = "tests.helpers.sync:sync_keeping_first_decision"
    runner = "generator.board.gitsync:_git"
    whole = tmp_path / "whole"
    shutil.copytree(template, whole, symlinks=True)
    operations, result = count_function_operations(function, [whole / "a"], tmp_path, also=[runner])
    assert result.returncode == 0, result.stderr
    sync(whole / "b", resolve=keep_first_decision)
    check(whole, "without a kill")
    assert operations > 20  # every git call and file operation of a sync that pushes

    remote_before = git(remote, "rev-parse", "main")
    killed_when = {"before the push": 0, "after the push": 0, "with a journal": 0}
    for kill_at in range(1, operations + 1):
        work = tmp_path / f"killed-{kill_at}"
        shutil.copytree(template, work, symlinks=True)
        result = run_function(function, [work / "a"], also=[runner], kill_at=kill_at)
        assert killed(result), (kill_at, result.stderr)
        pushed = git(work / "remote.git", "rev-parse", "main") != remote_before
        killed_when["after the push" if pushed else "before the push"] += 1
        if finish_pending(work / "a"):  # what any command does first, under the lock
            killed_when["with a journal"] += 1
            assert files(work / "a") == expected, f"finish_pending after a kill at {kill_at}"
        sync_keeping_first_decision(str(work / "a"))
        sync(work / "b", resolve=keep_first_decision)
        check(work, f"killed at operation {kill_at}")
        shutil.rmtree(work)
    assert all(killed_when.values()), killed_when


def test_finish_pending_removes_what_a_killed_git_left(boards):
    a, _ = boards
    (a / ".git/index.lock").write_text("")
    (a / ".git/quietboard-index").write_text("")

    assert finish_pending(a) is False

    assert not (a / ".git/index.lock").exists() and not (a / ".git/quietboard-index").exists()
    write(a, {"team/items/new": "new\n"})
    assert sync(a).pushed


def test_without_origin_sync_says_how_to_add_one(tmp_path):
    board = tmp_path / "board"
    board.mkdir()
    write(board, INITIAL)
    ensure_repository(board)

    with pytest.raises(SyncError, match="no remote named origin") as error:
        sync(board)

    assert "`git remote add origin URL`" in str(error.value) and "\n" not in str(error.value)


def test_a_board_that_is_not_a_repository_is_refused(tmp_path):
    with pytest.raises(SyncError, match="not a git repository"):
        sync(tmp_path)


def test_an_unreachable_origin_is_reported_in_gits_words_without_credentials(boards, tmp_path):
    a, _ = boards
    git(a, "remote", "set-url", "origin", str(tmp_path / "nowhere.git"))
    with pytest.raises(SyncError, match="does not appear to be a git repository"):
        sync(a)

    git(a, "remote", "set-url", "origin", "https://moderator:s3cret-token@127.0.0.1:9/board.git")
    with pytest.raises(SyncError, match=r"^could not fetch from origin: ") as error:
        sync(a)
    assert "s3cret-token" not in str(error.value) and "\n" not in str(error.value)


def test_without_git_sync_says_to_install_it(boards, tmp_path, monkeypatch):
    a, _ = boards
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with pytest.raises(SyncError, match="git is not installed"):
        sync(a)


def test_clone_checks_out_main_and_records_it_as_agreed(boards, remote, tmp_path):
    a, _ = boards
    write(a, {"team/items/later": "later\n"})
    sync(a)

    c = clone(str(remote), tmp_path / "c")

    head = git(remote, "rev-parse", "main")
    assert git(c, "rev-parse", "HEAD", SYNCED_REF, "origin/main").split() == [head] * 3
    assert files(c) == remote_files(remote)
    assert git(c, "status", "--porcelain") == ""
    report = sync(c)
    assert not report.changed and report.sent == () and report.commit == head
    with pytest.raises(SyncError, match="not empty"):
        clone(str(remote), tmp_path / "c")


def test_ensure_repository_keeps_gitignore_and_commits_what_is_there(tmp_path, remote):
    board = tmp_path / "board"
    board.mkdir()
    write(board, {**INITIAL, ".gitignore": "*.bak\noutput/\n", "content/posts/p.md": "post\n"})

    assert ensure_repository(board) is True

    lines = (board / ".gitignore").read_text().splitlines()
    # The board's own line kept; every folder and file that must never be shared added.
    assert lines == [
        "*.bak", "output/", ".quietboard/", "content/posts/", "__pycache__/", ".quietboard-*/",
        "*.csv",
    ]  # fmt: skip
    one_root_commit(board)
    committed = git(board, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert sorted(committed) == sorted([*INITIAL, ".gitignore"])
    assert git(board, "for-each-ref", SYNCED_REF) == ""
    assert ensure_repository(board) is False
    assert (board / ".gitignore").read_text().splitlines() == lines

    # Once a remote main is known, it is what this folder agreed with last.
    other = first_board(tmp_path / "other", remote, INITIAL)
    git(board, "remote", "add", "origin", str(remote))
    git(board, "fetch", "--quiet", "origin")
    ensure_repository(board)
    assert git(board, "rev-parse", SYNCED_REF) == git(other, "rev-parse", "HEAD")


def test_a_second_sync_with_nothing_new_changes_nothing(boards, remote):
    a, b = boards
    head = git(remote, "rev-parse", "main")

    report = sync(b)

    assert not report.changed and not report.pushed and report.received == ()
    assert git(remote, "rev-parse", "main") == head
    assert subprocess.run(["git", "-C", str(a), "diff", "--quiet"], check=False).returncode == 0
