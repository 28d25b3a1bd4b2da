"""Moderators sharing one board through real git: a bare repository on disk as the
remote, each moderator on their own clone, everything through the CLI."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.helpers.team import build_key, identity, published, readable_on_remote

pytestmark = pytest.mark.usefixtures("plain_git")


def test_a_new_moderator_joins_through_the_remote_and_opens_everything(crew):
    assert len(crew.keys()) == 2
    listed = crew.ok("Sam", "team", "list").output
    assert "moderator  Robin" in listed and "moderator  Sam" in listed
    export = crew.envelopes(2)
    crew.ok("Sam", "inbox", "import", export)
    crew.sync("Sam")
    crew.sync("Robin")
    assert len(crew.queue("Robin")) == 2


def test_two_imports_and_two_decisions_offline_end_as_one_publication(crew):
    export = crew.envelopes(3, title="Small steps", body="I went outside every day this week.")
    # Both import the same export, offline.
    crew.ok("Robin", "inbox", "import", export)
    crew.ok("Sam", "inbox", "import", export)
    crew.sync("Robin")
    crew.sync("Sam")
    crew.sync("Robin")
    items = crew.queue("Robin")
    assert len(items) == 3
    assert [i["id"] for i in crew.queue("Sam")] == [i["id"] for i in items]
    # Both decide the first one, offline: Robin approves first, Sam rejects later.
    item = items[0]["id"]
    crew.ok("Robin", "approve", item)
    crew.ok("Sam", "reject", item)
    crew.sync("Robin")
    told = crew.sync("Sam")
    assert (
        f"Item {item}: your decision (removed) was not kept; Robin had approved it" in told.output
    )
    crew.sync("Robin")
    key = build_key(crew)
    output = crew.host_build(key)
    assert published(output, "I went outside every day this week.") == 1
    assert item not in [i["id"] for i in crew.queue("Robin")]
    assert item not in [i["id"] for i in crew.queue("Sam")]
    # The approval reached the team first and stands; the overruled rejection left with
    # Sam's sync, so the remote holds one decision on the item.
    everyone = [identity(crew.boards["Robin"]), identity(crew.boards["Sam"]), key]
    decisions = [
        r for r in readable_on_remote(crew.remote, everyone)
        if r.key == ("decision", item)
    ]  # fmt: skip
    assert len(decisions) == 1


def test_pruned_rejected_and_withdrawn_items_leave_the_remote_for_every_identity(crew):
    from generator.formats import submissions as subfmt

    code = "q" * 20
    verifier = subfmt.withdrawal_verifier(code)
    crew.ok("Robin", "inbox", "import", crew.envelopes(1, title="Rejected", body="Rejected words."))
    crew.ok("Robin", "inbox", "import", crew.envelopes(1, title="Withdrawn",
                                                       body="Withdrawn words.",
                                                       verifier=verifier))  # fmt: skip
    crew.ok("Robin", "inbox", "import", crew.envelopes(1, title="Lapsed", body="Lapsed words."))
    items = {i["title"]: i["id"] for i in crew.queue("Robin")}
    crew.ok("Robin", "reject", items["Rejected"])
    crew.ok("Robin", "approve", items["Withdrawn"])
    crew.sync("Robin")
    crew.sync("Sam")
    key = build_key(crew, "Sam")
    # The member withdraws their post; Sam imports the request.
    withdraw = {"v": 1, "kind": "withdraw", "code": code, "body": ""}
    crew.ok("Sam", "inbox", "import", crew.envelopes(1, **withdraw))
    crew.sync("Sam")
    # Months later the unreviewed item lapses and is pruned.
    crew.today = "2027-03-01"
    crew.ok("Robin", "prune", "--yes")
    crew.ok("Robin", "sync", "--yes")  # as of that later day
    crew.ok("Sam", "sync", "--yes")
    everyone = [identity(crew.boards["Robin"]), identity(crew.boards["Sam"]), key]
    readable = repr([r.value for r in readable_on_remote(crew.remote, everyone)])
    for gone in ("Rejected words.", "Withdrawn words.", "Lapsed words."):
        assert gone not in readable


def test_a_removed_moderator_opens_nothing_written_afterwards(crew):
    crew.ok("Robin", "access", "issue", "circle", "--label", "Alex")
    crew.ok("Robin", "inbox", "import", crew.envelopes(2))
    crew.sync("Robin")
    crew.sync("Sam")
    sam = identity(crew.boards["Sam"])
    assert readable_on_remote(crew.remote, [sam])
    removed = crew.ok("Robin", "team", "remove", "Sam", "--yes")
    assert "What Sam may have kept" in removed.output
    crew.sync("Robin")
    assert readable_on_remote(crew.remote, [sam]) == []
    # Sam's own sync says plainly what happened, and loses nothing of Robin's.
    result = crew.run("Sam", "sync")
    assert result.exit_code == 1
    assert "the remote's team does not include you" in result.output
    assert len(crew.queue("Robin")) == 2


def test_a_code_revoked_offline_stays_revoked_when_another_moderator_resealed_it(crew):
    """Sam adds Kim, which seals every file again, while Robin, offline, revokes a code:
    the copy Sam sealed again must not bring the code, or the old section key, back."""

    from generator.board.gitsync import clone
    from tests.helpers.boards import fast_vault
    from tests.helpers.cli import opened
    from tests.helpers.sync import git

    crew.ok("Robin", "access", "issue", "circle", "--label", "Alex")
    crew.ok("Robin", "access", "issue", "circle", "--label", "Blake")
    crew.sync("Robin")
    kim = clone(str(crew.remote), crew.tmp / "kim")
    git(kim, "remote", "set-url", "origin", os.path.relpath(crew.remote, kim))
    crew.boards["Kim"] = kim
    fast_vault(kim)
    asked = crew.ok("Kim", "team", "join", "Kim")
    crew.sync("Kim")
    crew.sync("Sam")
    crew.sync("Robin")
    crew.ok("Robin", "access", "revoke", "circle", "Alex")  # offline
    rotated = opened(crew.boards["Robin"])["members"]["sections"]["circle"]["key"]
    fingerprint = re.search(r"Your fingerprint: (\S+)", asked.output)[1]
    crew.ok("Sam", "team", "add", "Kim", "--fingerprint", fingerprint)  # seals all again
    crew.sync("Sam")
    crew.sync("Robin")
    crew.sync("Sam")
    crew.sync("Kim")
    for name in ("Robin", "Sam", "Kim"):
        listed = crew.ok(name, "access", "list", "circle").output
        assert "Blake" in listed and "Alex" not in listed, name
        assert opened(crew.boards[name])["members"]["sections"]["circle"]["key"] == rotated


def test_a_moderator_recovers_the_board_on_a_new_computer_from_the_remote(crew, tmp_path):
    from tests.helpers.cli import run

    crew.ok("Robin", "inbox", "import", crew.envelopes(2))
    crew.sync("Robin")
    saved = tmp_path / "safe" / "robin-identity"
    saved.parent.mkdir()
    shutil.copy2(crew.boards["Robin"] / ".quietboard" / "vault.json", saved)
    shutil.rmtree(crew.boards["Robin"])  # the laptop is lost
    new = tmp_path / "new-laptop"
    result = run("team", "recover", crew.remote, new, "--identity", saved)
    assert result.exit_code == 0, result.output
    assert 'you are "Robin" on its team' in result.output
    crew.boards["Robin"] = new
    assert len(crew.queue("Robin")) == 2
    crew.sync("Robin")


def test_recover_with_the_wrong_passphrase_or_a_stranger_s_identity_installs_nothing(
    crew, tmp_path
):
    from tests.helpers.boards import fast_vault
    from tests.helpers.cli import run

    saved = tmp_path / "robin-identity"
    shutil.copy2(crew.boards["Robin"] / ".quietboard" / "vault.json", saved)
    wrong = run("team", "recover", crew.remote, tmp_path / "a", "--identity", saved,
                env={"QUIETBOARD_PASSPHRASE": "not the passphrase at all"})  # fmt: skip
    assert wrong.exit_code == 1
    assert "does not open" in wrong.output
    assert not (tmp_path / "a").exists()  # nothing left half done: run it again as it was
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    fast_vault(stranger)
    from generator.board.moderators import create_key
    from generator.board.vault import open_vault
    from tests.helpers.cli import PASSPHRASE

    with open_vault(stranger, lambda: PASSPHRASE) as vault:
        create_key(vault.data, __import__("datetime").date(2026, 11, 20))
        vault.save()
    result = run("team", "recover", crew.remote, tmp_path / "b", "--identity",
                 stranger / ".quietboard" / "vault.json")  # fmt: skip
    assert result.exit_code == 1
    assert "this identity is not on the board's team" in result.output
    assert not (tmp_path / "b").exists()


def test_an_empty_clone_says_the_remote_holds_no_board_yet(plain_git, tmp_path):
    from tests.helpers.cli import run
    from tests.helpers.sync import bare_remote, git

    remote = bare_remote(tmp_path / "remote.git")
    git(tmp_path, "clone", "-q", str(remote), "empty")
    result = run("team", "join", "Sam", "--board", tmp_path / "empty")
    assert result.exit_code == 1
    assert "the remote holds no board yet" in result.output
    assert "quietboard init" not in result.output


def test_removing_a_moderator_asks_first_and_never_removes_yourself(crew):
    without = crew.run("Robin", "team", "remove", "Sam")
    assert without.exit_code == 1
    assert 'removing "Sam" needs a yes: run it in a terminal, or add --yes' in without.output
    assert "moderator  Sam" in crew.ok("Robin", "team", "list").output
    yourself = crew.run("Robin", "team", "remove", "robin", "--yes")
    assert yourself.exit_code == 1
    assert "you cannot remove yourself" in yourself.output
