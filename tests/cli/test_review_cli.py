"""`quietboard review`, driven as a moderator at the keyboard would drive it."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from tests.helpers.cli import approve, opened, post_files, queue_rows, run, submit


@pytest.fixture
def board(keyed_board):
    return keyed_board


def review(root, keys: str, **env):
    return run("review", "--board", root, input=keys, env=env)


def test_crisis_first_then_redact_and_approve(board):
    toml = (board / "board.toml").read_text()
    (board / "board.toml").write_text(toml + '\n[moderation]\nregion = "GB"\n')
    calm = submit(board, body="Call me on 07400 123456 if you like.")
    urgent = submit(board, title="Tonight", body="I want to end it all tonight.")
    # urgent: skip. calm: approve (section, warnings), refuse to keep the number,
    # then redact, then approve.
    result = review(board, "s\na\n\n\nn\nr\na\n\n\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("Tonight") < out.index("07400 123456")
    assert "Possible risk" in out and "not a crisis service" in out
    assert "Find A Helpline" in out  # the board's crisis services
    assert "Suggested content warning: suicide" in out
    assert "phone number in the body: 07400 123456" in out
    assert 'not approved; choose "r" to redact or "e" to edit first' in out
    assert "Replaced 1 detail(s) with [removed]." in out
    assert "End of the queue; 1 item(s) settled this time." in out
    text = post_files(board)[0].read_text()
    assert "Call me on [removed] if you like." in text
    assert [row["id"] for row in queue_rows(board)] == [urgent]
    assert calm not in json.dumps(opened(board)["queue"])
    assert opened(board)["log"]["2026-11-20"] == {"approved": 1, "edited": 1}


def test_edit_in_the_editor_then_approve(board, tmp_path):
    submit(board, body="Original words with a typo in tehm.")
    editor = tmp_path / "editor.py"
    editor.write_text(textwrap.dedent("""\
        import pathlib, sys
        path = pathlib.Path(sys.argv[-1])
        path.write_text(path.read_text().replace("tehm", "them").replace("Wren", "Robin"))
        """))  # fmt: skip
    result = review(board, "e\na\n\n\n", EDITOR=f"{sys.executable} {editor}")
    assert result.exit_code == 0, result.output
    assert "Saved your edit." in result.output
    text = post_files(board)[0].read_text()
    assert "a typo in them." in text and "Pseudonym: Robin" in text


def test_reject_asks_first_and_quit_keeps_the_rest(board):
    first = submit(board, body="First item, to be rejected.")
    second = submit(board, body="Second item, left for later.")
    order = [row["id"] for row in queue_rows(board)]
    assert set(order) == {first, second}
    result = review(board, "x\nn\nx\ny\nq\n")
    assert result.exit_code == 0, result.output
    assert "Deleted from the queue." in result.output
    assert "Stopped; 1 item(s) settled this time." in result.output
    assert [row["id"] for row in queue_rows(board)] == order[1:]


def test_submitted_text_cannot_style_or_hide_itself_on_screen(board):
    submit(board, title="[bold red]Loud[/]", body="Plain \x1b[2Jclear screen [link=x]here[/link]")
    result = review(board, "q\n")
    assert result.exit_code == 0, result.output
    assert "[bold red]Loud[/]" in result.output
    assert "[link=x]here[/link]" in result.output
    assert "\x1b" not in result.output
    assert "1 invisible or control character(s) will be removed." in result.output


def test_a_report_shows_the_post_and_can_take_it_down(board):
    approve(board, submit(board, body="Meet me at the old mill on Friday."))
    [path] = post_files(board)
    submit(
        board, kind="report", section="share", post=path.stem, title=None, cw=None,
        pseudonym=None, verifier=None, body="This gives away where someone will be.",
    )  # fmt: skip
    result = review(board, "t\ny\n")
    assert result.exit_code == 0, result.output
    assert "Meet me at the old mill on Friday." in result.output
    assert "Withdrawal:" not in result.output  # readers' view, not the file's headers
    assert "Taken down." in result.output
    assert post_files(board) == [] and queue_rows(board) == []


def test_a_reply_is_shown_with_the_post_it_answers(board):
    approve(board, submit(board, title="Sleepless again", body="Awake at 4 every night."))
    [path] = post_files(board)
    submit(board, kind="reply", post=path.stem, title=None, body="Same, it gets better.")
    result = review(board, "q\n")
    assert f"It answers: {path.stem}" in result.output
    assert "Awake at 4 every night." in result.output


def test_a_broken_edit_can_be_opened_again(board, tmp_path):
    submit(board, body="Words to fix.")
    editor = tmp_path / "editor.py"
    editor.write_text(textwrap.dedent("""\
        import pathlib, sys
        path = pathlib.Path(sys.argv[-1])
        text = path.read_text()
        if "Title:" in text:  # first time: break the header by mistake
            path.write_text(text.replace("Title:", "Titel:"))
        else:  # second time: mend it
            path.write_text(text.replace("Titel:", "Title:").replace("fix", "keep"))
        """))  # fmt: skip
    result = review(board, "e\ny\nq\n", EDITOR=f"{sys.executable} {editor}")
    assert "Error:" in result.output and "Saved your edit." in result.output
    assert "Words to keep." in queue_rows(board)[0]["body"]


def test_an_empty_queue_says_so(board):
    result = review(board, "")
    assert result.exit_code == 0 and "The queue is empty." in result.output


def test_a_redacted_role_like_pseudonym_becomes_a_friendly_name(board):
    approve(board, submit(board, title="Sleepless again", body="Awake at 4 every night."))
    [path] = post_files(board)
    submit(board, kind="reply", post=path.stem, title=None, pseudonym="Moderator Kim",
           body="You must all do as I say.")  # fmt: skip
    result = review(board, "r\na\n\n")  # redact, then approve with the proposed warnings
    assert "The pseudonym is now " in result.output and "with [removed]" not in result.output
    assert result.exit_code == 0, result.output
    assert "End of the queue; 1 item(s) settled this time." in result.output
    [reply] = [p for p in post_files(board) if p != path]
    [signed] = [line for line in reply.read_text().splitlines() if line.startswith("Pseudonym:")]
    name = signed.removeprefix("Pseudonym:").strip()
    assert name and "[removed]" not in name and "Moderator" not in name and "Kim" not in name


def test_a_mistyped_section_is_asked_again_before_anything_else(board):
    item = submit(board, body="A post for the sharing section.")
    # a, then "shaer" (a typo), then the right name, then the warnings.
    result = review(board, "a\nshaer\nshare\n\n")
    assert result.exit_code == 0, result.output
    assert '"shaer" is not a section here (share, circle). Did you mean "share"?' in result.output
    assert "--section" not in result.output
    assert result.output.index("is not a section here") < result.output.index("Content warnings")
    assert [path.parent.name for path in post_files(board)] == ["share"]
    assert item not in json.dumps(opened(board)["queue"])
