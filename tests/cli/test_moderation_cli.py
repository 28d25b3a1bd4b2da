"""approve, reject, takedown, post, watch, queue list/log and withdrawals, from the command line.

Each test imports real sealed submissions, acts as a moderator would, and
checks what lands in content/posts, what the queue holds afterwards, and
what a build publishes.
"""

from __future__ import annotations

import fcntl
import json
import subprocess

import pytest

from generator.board import vault
from generator.formats import submissions as fmt
from tests.helpers.cli import (
    POST,
    approve,
    assert_error,
    editor_writing,
    in_terminal,
    opened,
    post_files,
    queue_ids,
    queue_rows,
    run,
    sealed,
    submit,
)

CODE = "abcde-fghij-klmno-pqrs2"


@pytest.fixture
def board(keyed_board):
    return keyed_board


def test_approve_publishes_a_clean_post_dated_today_and_empties_the_queue(board):
    item = submit(board, body="I went outside\u200b every day,\u202e even when it rained.")
    result = approve(board, item, "--json")
    assert result.exit_code == 0, result.output
    done = json.loads(result.output)
    assert done["date"] == "2026-11-20" and done["expires"] == "2027-02-18"
    [path] = post_files(board)
    text = path.read_text()
    assert "I went outside every day, even when it rained." in text
    assert "\u200b" not in text and "\u202e" not in text
    assert "Title: Small steps this week" in text
    assert "CW: low mood" in text and "Pseudonym: Wren" in text
    assert f"Withdrawal: {fmt.withdrawal_verifier(CODE)}" in text
    assert queue_rows(board) == []
    assert opened(board)["log"] == {"2026-11-20": {"approved": 1}}

    built = run("build", "--board", board, env={"QUIETBOARD_TODAY": "2026-11-21"})
    assert built.exit_code == 0, built.output
    page = (board / "output" / "p" / path.stem / "index.html").read_text()
    assert "even when it rained" in page and "Wren" in page
    everything = "".join(p.read_text(errors="replace") for p in (board / "output").rglob("*.*"))
    assert fmt.withdrawal_verifier(CODE) not in everything


def test_a_post_without_a_pseudonym_gets_a_friendly_random_name(board):
    item = submit(board, pseudonym="", body="No name on this one, please.")
    result = approve(board, item, "--json")
    assert result.exit_code == 0, result.output
    name = json.loads(result.output)["pseudonym"]
    assert name and " " in name and name.istitle()


def test_week_precision_dates_a_post_to_its_monday(make_board, keyed_board):
    toml = (keyed_board / "board.toml").read_text()
    (keyed_board / "board.toml").write_text(
        toml.replace("[sections.share]", '[posts]\ndate_precision = "week"\n\n[sections.share]')
    )
    item = submit(keyed_board, body="Dated by the week only.")
    result = approve(keyed_board, item, "--json")
    assert json.loads(result.output)["date"] == "2026-11-16"  # 2026-11-20 is a Friday


def test_identifying_details_block_approval_until_redacted(board):
    toml = (board / "board.toml").read_text()
    (board / "board.toml").write_text(toml + '\n[moderation]\nregion = "GB"\n')
    body = "Text me on 07400 123456 or sarah\u200b@example.com, I'm at SW1A 1AA."
    item = submit(board, body=body)
    [row] = queue_rows(board)
    assert "pii" in row["flags"] and "invisible" in row["flags"]
    assert {hit["kind"] for hit in row["identifying"]} >= {"phone", "email", "postcode"}
    before = opened(board)
    result = approve(board, item)
    assert result.exit_code == 1
    assert "may identify someone" in result.output and "--redact" in result.output
    assert "Traceback" not in result.output
    assert opened(board) == before and post_files(board) == []

    result = approve(board, item, "--redact")
    assert result.exit_code == 0, result.output
    text = post_files(board)[0].read_text()
    assert "07400" not in text and "example.com" not in text and "SW1A" not in text
    assert text.count("[removed]") == 3


def test_keep_flagged_publishes_details_the_moderator_checked(board):
    item = submit(board, body="The helpline on 0800 068 4141 helped me a lot.")
    result = approve(board, item, "--keep-flagged")
    assert result.exit_code == 0, result.output
    assert "0800 068 4141" in post_files(board)[0].read_text()


def test_crisis_language_sorts_first_and_suggests_a_content_warning(board):
    calm = submit(board, body="Had a calm week, walked the dog a lot.")
    urgent = submit(board, title="Tonight", body="I just want to kill myself tonight.")
    rows = queue_rows(board)
    assert [row["id"] for row in rows] == [urgent, calm]
    assert rows[0]["flags"][0] == "crisis" and rows[0]["suggested_cw"] == ["suicide"]
    listing = run("queue", "list", "--board", board).output.splitlines()
    assert listing[0].startswith("Warning: board.toml sets no region")
    assert listing[1].split() == ["id", "kind", "section", "imported", "flags", "title"]
    assert listing[2].startswith(urgent) and "crisis" in listing[2]

    assert approve(board, urgent).exit_code == 0
    assert "CW: low mood, suicide" in post_files(board)[0].read_text()
    assert approve(board, calm, "--cw", "pets").exit_code == 0
    assert any("CW: low mood, pets" in p.read_text() for p in post_files(board))


def test_watch_list_names_are_caught_whatever_the_accents(board):
    added = run("watch", "add", "--board", board, input="Zoë Müller\nSt Brigid's School\n")
    assert added.exit_code == 0 and "Added 2" in added.output
    item = submit(board, body="I told zoe muller about it at last, at st brigids school.")
    [row] = queue_rows(board)
    assert "watch-list" in row["flags"]
    assert [hit["text"] for hit in row["identifying"]] == ["zoe muller", "st brigids school"]
    assert approve(board, item).exit_code == 1
    listed = run("watch", "list", "--board", board)
    assert "Zoë Müller" in listed.output
    removed = run("watch", "remove", "--board", board, input="zoe muller\n")
    assert "Removed 1" in removed.output
    assert [hit["text"] for hit in queue_rows(board)[0]["identifying"]] == ["st brigids school"]
    assert "Zoë Müller" not in str(opened(board))


def test_submitted_markdown_keeps_no_images_and_no_pelican_links(board):
    item = submit(board, body="Look ![a cat](https://tracker.example/c.png) at {static}/x.")
    assert approve(board, item, "--keep-flagged").exit_code == 0
    text = post_files(board)[0].read_text()
    assert "tracker.example" not in text and "a cat" in text
    assert "{static}" not in text
    assert run("build", "--board", board).exit_code == 0


def test_a_reply_joins_its_post_and_section(board):
    parent = submit(board, body="The parent post, about sleep.")
    approve(board, parent)
    parent_id = post_files(board)[0].stem
    reply = submit(board, kind="reply", post=parent_id, title=None, body="Same here, hugs.")
    result = approve(board, reply, "--json")
    assert result.exit_code == 0, result.output
    done = json.loads(result.output)
    text = (board / done["file"]).read_text()
    assert f"Reply-To: {parent_id}" in text and "Title: Re: Small steps this week" in text

    orphan = submit(board, kind="reply", post="0000000000", title=None, body="Lost reply.")
    result = approve(board, orphan)
    assert_error(
        result,
        'this reply answers post "0000000000", which is no longer on the board (expired, '
        "withdrawn or taken down), so it cannot be published; reject it",
    )


def test_reports_and_notes_are_never_published_only_dismissed(board):
    report = submit(
        board,
        kind="report",
        post="0000000000",
        title=None,
        cw=None,
        pseudonym=None,
        verifier=None,
        body="This post names my neighbour.",
    )
    assert_error(
        approve(board, report),
        f"item {report} is a report, which is never published; read it in "
        f'"quietboard review" and remove it with "quietboard reject {report}"',
    )
    result = run("reject", report, "--board", board)
    assert result.exit_code == 0 and "Dismissed" in result.output
    assert queue_rows(board) == []
    assert opened(board)["log"]["2026-11-20"] == {"dismissed": 1}


def test_reject_deletes_the_item_and_counts_it(board):
    item = submit(board, body="Something we will not publish.")
    result = run("reject", item, "--board", board)
    assert result.exit_code == 0, result.output
    assert queue_rows(board) == []
    assert "Something we will not publish" not in json.dumps(opened(board))
    log = run("queue", "log", "--json", "--board", board)
    assert json.loads(log.output)["days"] == [
        {"day": "2026-11-20", "approved": 0, "edited": 0, "rejected": 1, "dismissed": 0,
         "withdrawn": 0, "expired": 0, "lapsed": 0}
    ]  # fmt: skip


@pytest.mark.parametrize("command", ["approve", "reject"])
def test_an_unknown_id_is_a_clear_error(board, command):
    submit(board, body="Waiting in the queue.")
    before = opened(board)
    assert_error(
        run(command, "zzzzzz", "--board", board),
        'there is no item "zzzzzz" in the queue; "quietboard queue list" shows the ids',
    )
    assert opened(board) == before


def test_an_unknown_section_is_a_clear_error(board):
    item = submit(board, body="For a section that does not exist.")
    assert_error(
        approve(board, item, "--section", "nowhere"),
        '"nowhere" is not a section in board.toml (sections: share, circle); choose one '
        "with --section",
    )
    assert_error(
        approve(board, item, "--section", "shaer"),
        '"shaer" is not a section in board.toml (sections: share, circle); did you mean "share"?',
    )


def test_expiry_beyond_the_board_maximum_is_refused(board):
    item = submit(board, body="Asked to stay up for years.")
    assert_error(
        approve(board, item, "--expires-days", "400"),
        "--expires-days 400 is more than posts.max_expires_days (365) in board.toml; choose "
        "fewer days",
    )


def test_a_queue_locked_by_another_process_is_a_clear_error(board, monkeypatch):
    item = submit(board, body="Locked out for a moment.")
    monkeypatch.setattr(vault, "LOCK_WAIT_SECONDS", 0.2)
    with open(board / ".quietboard" / "lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = approve(board, item)
        fcntl.flock(handle, fcntl.LOCK_UN)
    assert_error(
        result,
        "another quietboard command is using this board's vault; wait for it to finish and "
        "try again",
    )
    assert post_files(board) == [] and queue_ids(board) == [item]


def test_a_withdrawal_removes_the_post_and_its_replies_at_the_next_import(board):
    approve(board, submit(board, body="A post I will regret."))
    [path] = post_files(board)
    other = fmt.withdrawal_verifier("b" * 20)
    reply = submit(board, kind="reply", post=path.stem, title=None, verifier=other, body="Reply!")
    approve(board, reply)
    pending = submit(board, body="Another one of mine, still waiting.")
    assert len(post_files(board)) == 2 and queue_ids(board) == [pending]

    withdraw = {"v": 1, "kind": "withdraw", "code": CODE.replace("-", ""), "body": ""}
    (board / "withdraw.txt").write_text(sealed(board, withdraw))
    result = run("inbox", "import", board / "withdraw.txt", "--board", board)
    assert result.exit_code == 0, result.output
    assert (
        "Withdrawn at the member's request: 1 published post(s), 1 reply(ies) below them and 1 "
        "waiting in the queue." in result.output
    )
    assert post_files(board) == []
    assert queue_rows(board) == []
    assert opened(board)["log"]["2026-11-20"]["withdrawn"] == 3

    # Sent again later (or imported from another copy): withdrawn at once.
    (board / "again.txt").write_text(sealed(board, {**POST, "body": "Sent twice."}))
    result = run("inbox", "import", board / "again.txt", "--board", board)
    assert (
        "Imported 1" in result.output and "0 reply(ies) below them and 1 waiting" in result.output
    )
    assert queue_rows(board) == []


def test_a_withdrawal_note_stays_for_the_moderators_to_read(board):
    withdraw = {"v": 1, "kind": "withdraw", "code": CODE.replace("-", ""),
                "body": "Please take it down, someone recognised me."}  # fmt: skip
    (board / "withdraw.txt").write_text(sealed(board, withdraw))
    run("inbox", "import", board / "withdraw.txt", "--board", board)
    [row] = queue_rows(board)
    assert row["kind"] == "withdraw" and "recognised me" in row["body"]
    assert CODE.replace("-", "") not in json.dumps(opened(board))


def test_takedown_removes_a_post_and_its_replies(board):
    approve(board, submit(board, body="A post someone reported."))
    [path] = post_files(board)
    approve(board, submit(board, kind="reply", post=path.stem, title=None, body="Reply!"))
    pasted = f"https://board.example.org/p/{path.stem}/"  # the address, as a moderator copies it
    result = run("takedown", pasted, "--yes", "--board", board)
    assert result.exit_code == 0, result.output
    assert post_files(board) == []
    assert_error(
        run("takedown", path.stem, "--yes", "--board", board),
        f'there is no post "{path.stem}" in content/posts; it may have expired or been taken '
        "down already",
    )


def test_post_publishes_under_a_role_badge_from_standard_input(board):
    text = "Title: Group is moving\nCW: \n\nFrom next week we meet on Thursdays.\u200b\n"
    result = run("post", "--section", "share", "--role", "moderator", "-", "--board", board,
                 input=text)  # fmt: skip
    assert result.exit_code == 0, result.output
    [path] = post_files(board)
    written = path.read_text()
    assert "Role: moderator" in written and "\u200b" not in written
    built = run("build", "--board", board)
    assert built.exit_code == 0, built.output
    page = (board / "output" / "p" / path.stem / "index.html").read_text()
    assert "Moderator" in page and "Thursdays" in page


def test_post_refuses_a_role_board_toml_does_not_have(board):
    result = run("post", "--section", "share", "--role", "doctor", "-", "--board", board,
                 input="Title: x\n\ny\n")  # fmt: skip
    assert_error(
        result,
        '"doctor" is not a role in board.toml [roles] (roles: moderator); choose one with '
        "--role, or add it to [roles]",
    )
    assert post_files(board) == []


def test_post_opens_the_editor_on_a_private_file_that_is_removed(board, tmp_path):
    seen = tmp_path / "seen.txt"
    editor = editor_writing(
        tmp_path, "Title: Written in my editor\n\nHello from the editor.\n", seen
    )
    result = in_terminal("post", "--section", "share", "--board", board, editor=editor)
    assert result.returncode == 0, result.stderr
    where, mode = seen.read_text().splitlines()
    assert mode == "(448, 384)"  # 0700 folder, 0600 file
    assert not (tmp_path / where).parent.exists()
    assert "Hello from the editor." in post_files(board)[0].read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--section", "shaer"],
            '"shaer" is not a section in board.toml (sections: share, circle)',
        ),
        (
            ["--section", "share", "--role", "doctor"],
            '"doctor" is not a role in board.toml [roles] (roles: moderator); choose one with '
            "--role, or add it to [roles]",
        ),
        (
            ["--section", "share", "--expires-days", "3000"],
            "--expires-days 3000 is more than posts.max_expires_days (365) in board.toml; "
            "choose fewer days",
        ),
    ],
)
def test_post_checks_what_it_can_before_the_editor_opens(board, tmp_path, args, message):
    seen = tmp_path / "seen.txt"
    editor = editor_writing(tmp_path, "Title: Typed for nothing\n\nA long careful post.\n", seen)
    result = in_terminal("post", *args, "--board", board, editor=editor)
    assert result.returncode == 1, result.stdout
    assert result.stderr.strip().splitlines() == [f"Error: {message}"]
    assert not seen.exists()  # the editor never opened
    assert post_files(board) == []


def test_post_without_a_terminal_says_how_to_give_the_text(board, tmp_path):
    seen = tmp_path / "seen.txt"
    result = run("post", "--section", "share", "--board", board,
                 env={"EDITOR": editor_writing(tmp_path, "Title: x\n\ny\n", seen)})  # fmt: skip
    assert_error(
        result,
        'there is no terminal here to open your editor in; give the post as FILE, or "-" to '
        "read it from standard input",
    )
    assert not seen.exists()


def test_a_post_that_cannot_be_written_keeps_what_was_typed(board, tmp_path, monkeypatch):
    typed = "Title:\n\nWe meet upstairs from next week on.\n"  # the title forgotten
    result = in_terminal("post", "--section", "share", editor=editor_writing(tmp_path, typed),
                         cwd=board)  # fmt: skip
    assert result.returncode == 1, result.stdout
    [line] = result.stderr.strip().splitlines()
    assert line.startswith('Error: a post needs a "Title: ..." line'), line
    [draft] = (board / ".quietboard" / "drafts").glob("*.md")
    where = draft.relative_to(board)
    assert f"What you typed is kept in {where} (only you can read it)" in line
    assert draft.read_text() == typed
    assert oct(draft.stat().st_mode & 0o777) == "0o600"
    assert oct(draft.parent.stat().st_mode & 0o777) == "0o700"
    assert post_files(board) == []
    # Mended, it is posted with the command the message gives, and the draft goes.
    draft.write_text(typed.replace("Title:", "Title: Our new meeting room"))
    again = line.split(' run "quietboard ')[1].rstrip('"').split()
    monkeypatch.chdir(board)
    result = run(*again)
    assert result.exit_code == 0, result.output
    assert "We meet upstairs" in post_files(board)[0].read_text()
    assert not draft.exists()


def test_every_new_post_file_passes_the_build_checks(board):
    for number in range(5):
        approve(
            board, submit(board, title=f"dead tired cafe face {number}", body=f"Post {number}.")
        )
    assert len(post_files(board)) == 5
    result = run("build", "--board", board)
    assert result.exit_code == 0, result.output


def test_a_build_withdraws_a_post_that_came_back_from_a_backup(board):
    approve(board, submit(board, body="Withdrawn, then restored by mistake."))
    [path] = post_files(board)
    saved = path.read_text()
    withdraw = {"v": 1, "kind": "withdraw", "code": CODE.replace("-", ""), "body": ""}
    (board / "withdraw.txt").write_text(sealed(board, withdraw))
    run("inbox", "import", board / "withdraw.txt", "--board", board)
    assert not path.exists()
    path.write_text(saved)  # e.g. content/ restored from last week's backup
    result = run("build", "--board", board)
    assert result.exit_code == 0, result.output
    assert "1 post(s) were withdrawn at their writers' request" in result.output
    assert not path.exists()
    assert not (board / "output" / "p" / path.stem).exists()


def test_a_pseudonym_that_looks_like_a_role_is_not_published(board):
    item = submit(board, pseudonym="The Moderator", body="Everyone must do as I say.")
    [row] = queue_rows(board)
    assert "role-name" in row["flags"]
    assert "may identify someone (a name that looks like a role in the pseudonym)" in (
        approve(board, item).output
    )
    result = approve(board, item, "--redact", "--json")
    assert result.exit_code == 0, result.output
    name = json.loads(result.output)["pseudonym"]
    assert "Moderator" not in name and "[removed]" not in name


def test_warnings_are_split_on_commas_and_kept_short(board):
    item = submit(board, cw=["a,b,c,d,e,f,g,h,i,j", "x" * 40], body="Many warnings at once.")
    result = approve(board, item, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["cw"] == list("abcdefgh")
    assert run("build", "--board", board).exit_code == 0


def test_a_title_of_only_invisible_characters_is_refused_clearly(board):
    item = submit(board, title="\u200b\u200b", body="A post with an invisible title.")
    assert_error(
        approve(board, item),
        f"item {item} has no title left once invisible characters are removed; give it one "
        'with "e" (edit) in "quietboard review"',
    )


@pytest.mark.parametrize(
    "body",
    [
        "Ring me, 074*00* 123456, any time.",
        "Ring me on 07400&#32;123456 any time.",
        "Ring me on 07400\n123456 any time.",
        "Write to sarah@exa**mple**.com please.",
    ],
)
def test_details_split_by_formatting_are_found_in_the_text_as_shown(board, body):
    toml = (board / "board.toml").read_text()
    (board / "board.toml").write_text(toml + '\n[moderation]\nregion = "GB"\n')
    item = submit(board, body=body)
    [row] = queue_rows(board)
    assert "pii" in row["flags"]
    assert any(hit["field"] == "text as shown" for hit in row["identifying"])
    result = approve(board, item, "--redact")
    assert result.exit_code == 1 and "hidden by formatting" in result.output
    assert post_files(board) == []


@pytest.mark.filterwarnings("error::DeprecationWarning")
def test_commands_reading_standard_input_use_no_deprecated_click_helpers(board):
    # Click 8.5 deprecates get_text_stream and get_binary_stream (gone in 9.0).
    added = run("watch", "add", "--board", board, input="Robin Example\n")
    assert added.exit_code == 0, added.output
    posted = run("post", "--section", "share", "-", "--board", board,
                 input="Title: Notice\n\nThe group is on as usual.\n")  # fmt: skip
    assert posted.exit_code == 0, posted.output
    pasted = run("inbox", "import", "-", "--board", board, input=sealed(board, POST))
    assert pasted.exit_code == 0, pasted.output


def test_a_draft_on_a_board_without_a_vault_stays_out_of_git(make_board, tmp_path):
    root = make_board()  # no vault, and no .gitignore of its own
    typed = "Title:\n\nThe room changes next week.\n"
    result = in_terminal("post", "--section", "share", editor=editor_writing(tmp_path, typed),
                         cwd=root)  # fmt: skip
    assert result.returncode == 1, result.stdout
    [draft] = (root / ".quietboard" / "drafts").glob("*.md")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    tracked = subprocess.run(["git", "-C", str(root), "ls-files"], check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
    assert "board.toml" in tracked
    assert draft.relative_to(root).as_posix() not in tracked
    assert ".quietboard" not in tracked


def test_redact_counts_details_in_the_text_and_says_when_the_pseudonym_was_replaced(board):
    toml = (board / "board.toml").read_text()
    (board / "board.toml").write_text(toml + '\n[moderation]\nregion = "GB"\n')
    item = submit(board, body="Text me on 07400 123456 any time.", pseudonym="jo@example.org")
    result = approve(board, item, "--redact")
    assert result.exit_code == 0, result.output
    assert "Replaced 1 identifying detail(s) with [removed]." in result.output
    assert "The pseudonym looked identifying, so it shows a random friendly name." in result.output
    [path] = post_files(board)
    text = path.read_text()
    assert "Text me on [removed] any time." in text
    assert "jo@example.org" not in text and "[removed]" not in text.split("\n\n")[0]
