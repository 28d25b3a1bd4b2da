"""The one thread tree: replies to replies, missing parents, loops, and when a reply leaves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.board.config import read_board
from generator.board.moderation import take_down
from generator.board.post import Post, plan_publication, read_post_files, read_posts
from generator.board.threads import MissingParent, ReplyLoop, ThreadTree
from generator.errors import ContentError
from tests.helpers.boards import post_text

TODAY = dt.date(2026, 11, 20)


def post(post_id: str, reply_to: str = "", expires: str = "2027-02-08", day: int = 10) -> Post:
    return Post(
        id=post_id,
        section="share",
        source=Path("content/posts/share") / f"{post_id}.md",
        title=post_id,
        date=dt.date(2026, 11, day),
        expires=dt.date.fromisoformat(expires),
        body="B\n",
        reply_to=reply_to,
    )


TOP = post("top")
MIDDLE = post("middle", reply_to="top", day=11)
BOTTOM = post("bottom", reply_to="middle", day=12)
OTHER = post("other")
OTHER_REPLY = post("otherreply", reply_to="other", day=11)
TREE = ThreadTree([BOTTOM, TOP, OTHER_REPLY, MIDDLE, OTHER])


def test_a_reply_to_a_reply_joins_the_thread_at_its_top():
    assert TREE.ancestors(BOTTOM) == [MIDDLE, TOP]
    assert TREE.top(BOTTOM) is TOP
    assert TREE.top(TOP) is TOP
    assert TREE.parent(MIDDLE) is TOP and TREE.parent(TOP) is None
    assert TREE.replies(TOP) == [MIDDLE]
    assert TREE.threads(order=lambda p: (p.date, p.id)) == [
        (TOP, [MIDDLE, BOTTOM]),
        (OTHER, [OTHER_REPLY]),
    ]


def test_taking_a_post_down_takes_every_reply_below_it_and_nothing_else():
    assert TREE.with_replies({"top"}) == [BOTTOM, TOP, MIDDLE]
    assert TREE.with_replies({"middle"}) == [BOTTOM, MIDDLE]
    assert TREE.with_replies({"bottom", "other"}) == [BOTTOM, OTHER_REPLY, OTHER]
    assert TREE.with_replies(set()) == []


def test_a_missing_parent_is_named():
    orphan = post("orphan", reply_to="gone")
    tree = ThreadTree([TOP, orphan])
    with pytest.raises(MissingParent) as missing:
        tree.ancestors(orphan)
    assert missing.value.item is orphan
    with pytest.raises(MissingParent):
        tree.check()
    # Removing by id still works on such a tree: the orphan goes with nothing.
    assert tree.with_replies({"top"}) == [TOP]


def test_a_loop_in_reply_to_is_found_and_never_hangs():
    first, second = post("first", reply_to="second"), post("second", reply_to="first")
    third = post("third", reply_to="second")
    tree = ThreadTree([first, second, third])
    with pytest.raises(ReplyLoop) as loop:
        tree.ancestors(third)
    assert loop.value.item is second  # the first post met twice
    with pytest.raises(ReplyLoop):
        tree.threads()
    assert tree.with_replies({"first"}) == [first, second, third]


def test_a_reply_never_outlives_the_post_it_answers():
    top = post("top", expires="2026-12-01")
    reply = post("reply", reply_to="top", expires="2027-03-01")
    deeper = post("deeper", reply_to="reply", expires="2026-12-20")
    tree = ThreadTree([top, reply, deeper])
    assert tree.visible_until(reply) == dt.date(2026, 12, 1)
    assert tree.visible_until(deeper) == dt.date(2026, 12, 1)
    early = post("early", reply_to="top", expires="2026-11-25")
    assert ThreadTree([top, early]).visible_until(early) == dt.date(2026, 11, 25)


def test_a_reply_that_expires_after_its_parent_is_withheld_with_it(make_board):
    root = make_board(
        posts={
            "share/aaaaaaaa11.md": post_text("Top", "B", expires="2026-11-20"),
            "share/bbbbbbbb22.md": post_text("Reply", "B", reply_to="aaaaaaaa11"),
        }
    )
    board = read_board(root)
    plan = plan_publication(board, read_posts(board), TODAY)
    assert plan.published == []
    assert {p.id: why for p, why in plan.withheld} == {
        "aaaaaaaa11": "expired",
        "bbbbbbbb22": "thread expired",
    }
    the_day = plan.tree.visible_until(plan.tree.get("bbbbbbbb22"))
    assert the_day == dt.date(2026, 11, 20)


def test_a_loop_in_post_files_is_an_error_naming_a_file(make_board):
    root = make_board(
        posts={
            "share/aaaaaaaa11.md": post_text("A", "B", reply_to="cccccccc33"),
            "share/bbbbbbbb22.md": post_text("B", "B", reply_to="aaaaaaaa11"),
            "share/cccccccc33.md": post_text("C", "B", reply_to="bbbbbbbb22"),
        }
    )
    with pytest.raises(ContentError) as error:
        read_posts(read_board(root))
    assert (
        str(error.value)
        == "content/posts/share/aaaaaaaa11.md: Reply-To lines form a loop; break it"
    )


def test_take_down_works_while_another_post_is_broken(make_board):
    root = make_board(
        posts={
            "share/aaaaaaaa11.md": post_text("Top", "B"),
            "share/bbbbbbbb22.md": post_text("Reply", "B", reply_to="aaaaaaaa11"),
            "share/cccccccc33.md": post_text("Reply to reply", "B", reply_to="bbbbbbbb22"),
            "share/dddddddd44.md": "not a post at all\n",
            "share/eeeeeeee55.md": post_text("Orphan", "B", reply_to="ffffffff66"),
        }
    )
    board = read_board(root)
    with pytest.raises(ContentError):
        read_posts(board)
    assert [file.id for file in read_post_files(board)] == [
        "aaaaaaaa11",
        "bbbbbbbb22",
        "cccccccc33",
        "eeeeeeee55",
    ]
    removed = take_down(board, "https://example.org/p/bbbbbbbb22/")
    assert [path.name for path in removed] == ["bbbbbbbb22.md", "cccccccc33.md"]
