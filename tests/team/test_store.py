"""The team store: a board's state as sealed files, settled the same way everywhere.

Two moderators' offline work is merged here by copying files (as git would
merge them); tests/team/test_sync.py does the same through real git.
"""

from __future__ import annotations

import pytest

from generator.board import team
from tests.helpers.cli import PASSPHRASE, approve, opened, queue_ids, run, sealed, submit
from tests.helpers.team import (
    identity,
    make_team,
    merge,
    moderator_id,
    plaintext_anywhere,
    posts,
    records,
    second_moderator,
    shared_copy,
    state_names,
)

SECRET_TITLE = "Nobody at work knows about the hospital"
SECRET_BODY = "I told my sister about the nights in the ward on Elm Street."


@pytest.fixture
def solo(keyed_board):
    """A one-moderator board with a queue, a code, a watch list and two approved posts."""
    root = keyed_board
    kept = submit(root, title="Still waiting in the queue", body="Queued words stay sealed.")
    public = submit(root, title="A public walk", body="Walking helped today.")
    members = submit(root, section="circle", title=SECRET_TITLE, body=SECRET_BODY)
    assert approve(root, public).exit_code == 0
    assert approve(root, members).exit_code == 0
    assert (
        run("access", "issue", "circle", "--label", "Alex Example", "--board", root).exit_code == 0
    )
    assert run("watch", "add", "--board", root, input="Jordan Quill\n").exit_code == 0
    return root, kept


def test_team_init_moves_everything_into_sealed_files_and_loses_nothing(solo):
    root, kept = solo
    before = opened(root)
    result = run("team", "init", "--name", "Robin", "--board", root)
    assert result.exit_code == 0, result.output
    assert "This is a team board now" in result.output
    # Nothing a member wrote, no code label and no watched name is left in plain text.
    # The members-only section's name and title left board.toml for the sealed files.
    assert "circle" not in (root / "board.toml").read_text()
    assert "Inner circle of trust" in (root / ".quietboard" / "sections.toml").read_text()
    for needle in ("Inner circle of trust", SECRET_TITLE, SECRET_BODY, "Queued words stay sealed",
                   "Alex Example", "Jordan Quill", "Walking helped today"):  # fmt: skip
        assert plaintext_anywhere(root, needle) == []
    assert not (root / "content" / "posts").exists()
    # The vault keeps only the identity.
    from generator.board.vault import read_vault, vault_path

    assert set(read_vault(vault_path(root), PASSPHRASE).data) == {"moderator_keys", "team"}
    after = opened(root)
    assert after["queue"]["items"].keys() == before["queue"]["items"].keys() == {kept}
    assert (
        after["members"]["sections"]["circle"]["key"]
        == before["members"]["sections"]["circle"]["key"]
    )
    assert [c["label"] for c in after["members"]["sections"]["circle"]["codes"]] == ["Alex Example"]
    assert after["watch"] == before["watch"]
    assert sorted(after["log"]) == sorted(before["log"])
    held = posts(root)
    assert sorted(section for section, _ in held) == ["circle", "share"]
    assert any(SECRET_BODY in text for text in held.values())
    # And the moderator goes on as before.
    assert run("queue", "list", "--board", root).exit_code == 0
    assert approve(root, kept).exit_code == 0
    assert queue_ids(root) == []
    assert len(posts(root)) == 3
    build = run("build", "--board", root)
    assert build.exit_code == 0, build.output
    assert "3 post(s) published" in build.output or "published" in build.output
    assert not (root / "content" / "posts").exists()


def test_team_init_again_says_so_and_changes_nothing(solo):
    root, _ = solo
    assert run("team", "init", "--name", "Robin", "--board", root).exit_code == 0
    names = state_names(root)
    again = run("team", "init", "--name", "Robin", "--board", root)
    assert again.exit_code == 1
    assert 'is a team board already (you are "Robin" on it)' in again.output
    assert state_names(root) == names


@pytest.fixture
def pair(keyed_board, tmp_path):
    """Robin's board and Sam's clone, both on the team, in step."""
    robin = make_team(keyed_board)
    sam = second_moderator(robin, tmp_path / "sam")
    return robin, sam


def both_keys(robin, sam):
    from tests.helpers.team import keys_of

    assert len(keys_of(robin)) == 2
    return keys_of(robin)


def test_a_new_moderator_opens_everything_and_submissions_reach_both(pair):
    robin, sam = pair
    keys = both_keys(robin, sam)
    envelope = robin / "one.txt"
    envelope.write_text(sealed(robin, keys=keys))
    assert run("inbox", "import", envelope, "--board", sam).exit_code == 0
    shared_copy(sam, robin)
    assert len(queue_ids(robin)) == 1
    # Every file opens with either identity.
    names = state_names(robin)
    assert set(records(robin, [identity(robin)])) == names
    assert set(records(robin, [identity(sam)])) == names


@pytest.mark.parametrize("first", ["approve", "reject"])
def test_two_decisions_on_one_item_the_earlier_stands_and_nothing_is_published_twice(
    pair, tmp_path, first
):
    robin, sam = pair
    keys = both_keys(robin, sam)
    envelope = robin / "one.txt"
    envelope.write_text(sealed(robin, keys=keys))
    assert run("inbox", "import", envelope, "--board", robin).exit_code == 0
    shared_copy(robin, sam)
    [item] = queue_ids(robin)
    base = state_names(robin)
    # Offline on both sides: the earlier decision is Robin's.
    if first == "approve":
        assert approve(robin, item).exit_code == 0
        assert run("reject", item, "--board", sam).exit_code == 0
    else:
        assert run("reject", item, "--board", robin).exit_code == 0
        assert approve(sam, item).exit_code == 0
    merged = shared_copy(robin, tmp_path / "merged")
    merge(base, robin, sam, merged)
    shared_copy(merged, robin)
    shared_copy(merged, sam)
    expected = 1 if first == "approve" else 0
    assert len(posts(robin)) == len(posts(sam)) == expected
    assert queue_ids(robin) == queue_ids(sam) == []
    # Sam's decision lost; Sam is told at their sync, Robin is not.
    told = team.resolve_merged(
        sam, [identity(sam)], team.read_roster(sam), moderator_id(sam),
        team.state_files(sam),
    )  # fmt: skip
    told = told.overruled
    assert [(t.item, t.standing, t.by) for t in told] == [
        (item, "approved" if first == "approve" else "removed", "Robin")
    ]
    told_robin = team.resolve_merged(
        robin, [identity(robin)], team.read_roster(robin), moderator_id(robin),
        team.state_files(robin),
    )  # fmt: skip
    told_robin = told_robin.overruled
    assert told_robin == []


def test_offline_imports_of_the_same_export_keep_each_submission_once(pair, tmp_path):
    robin, sam = pair
    keys = both_keys(robin, sam)
    export = tmp_path / "export.txt"
    export.write_text("\n".join(sealed(robin, keys=keys) for _ in range(3)))
    base = state_names(robin)
    for root in (robin, sam):
        assert run("inbox", "import", export, "--board", root).exit_code == 0
    merged = shared_copy(robin, tmp_path / "merged")
    merge(base, robin, sam, merged)
    shared_copy(merged, robin)
    # Both imported the same three envelopes as different queue items; one of each is kept.
    assert len(queue_ids(robin)) == 3


def test_withdrawals_made_before_team_init_still_hold_after_it(keyed_board):
    from generator.formats import submissions as subfmt
    from tests.helpers.cli import POST

    root = keyed_board
    code = "w" * 20
    mine = submit(root, title="Regretted", body="Words I take back.",
                  verifier=subfmt.withdrawal_verifier(code))  # fmt: skip
    assert approve(root, mine).exit_code == 0
    withdraw = {"v": 1, "kind": "withdraw", "code": code, "body": ""}
    (root / "withdraw.txt").write_text(sealed(root, withdraw))
    assert run("inbox", "import", root / "withdraw.txt", "--board", root).exit_code == 0
    assert run("team", "init", "--name", "Robin", "--board", root).exit_code == 0
    assert opened(root)["withdrawn"]
    # The same words sent again later are withdrawn at once, on the team board too.
    again = {**POST, "title": "Regretted", "body": "Sent again.",
             "verifier": subfmt.withdrawal_verifier(code)}  # fmt: skip
    (root / "again.txt").write_text(sealed(root, again))
    result = run("inbox", "import", root / "again.txt", "--board", root)
    assert result.exit_code == 0, result.output
    assert "Withdrawn at the member's request" in result.output
    assert queue_ids(root) == []
    assert not any("Words I take back" in text for text in posts(root).values())


def test_a_missing_copy_of_the_members_only_sections_never_retires_them(solo):
    """A moderator who lost .quietboard/sections.toml (or recovered on a new laptop) runs
    a build: the sections stay, and their codes still open them."""
    root, _ = solo
    assert run("team", "init", "--name", "Robin", "--board", root).exit_code == 0
    (root / ".quietboard" / "sections.toml").unlink()
    result = run("build", "--board", root)
    assert result.exit_code == 0, result.output
    assert "no longer in board.toml" not in result.output
    circle = opened(root)["members"]["sections"]["circle"]
    assert not circle.get("retired") and [c["label"] for c in circle["codes"]] == ["Alex Example"]
    assert (root / ".quietboard" / "sections.toml").is_file()
    listed = run("access", "list", "circle", "--board", root)
    assert listed.exit_code == 0 and "Alex Example" in listed.output
