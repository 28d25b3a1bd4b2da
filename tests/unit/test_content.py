"""The post model: strict metadata, opaque ids, threads and what gets withheld."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.board.config import read_board
from generator.board.post import plan_publication, read_posts
from generator.errors import ContentError
from tests.helpers.boards import post_text

TODAY = dt.date(2026, 11, 20)


def posts_of(board_dir):
    board = read_board(board_dir)
    return board, read_posts(board)


def test_a_valid_post_is_read(make_board):
    root = make_board(
        posts={
            "share/k7q2m9x4tb.md": post_text(
                "Small wins", "Today was better.", cw="low mood, sleep", pseudonym="Wren"
            )
        }
    )
    _, [post] = posts_of(root)
    assert (post.id, post.section, post.cw, post.pseudonym) == (
        "k7q2m9x4tb",
        "share",
        ("low mood", "sleep"),
        "Wren",
    )
    assert post.date == dt.date(2026, 11, 10)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "share/k7q2m9x4tb.md",
            "Title: T\nExpires: 2027-01-01\n\nBody\n",
            "content/posts/share/k7q2m9x4tb.md: no 'Date:' line",
        ),
        (
            "share/k7q2m9x4tb.md",
            "Title: T\nDate: 2026-11-10\n\nBody\n",
            "content/posts/share/k7q2m9x4tb.md: no 'Expires:' line",
        ),
        (
            "share/k7q2m9x4tb.md",
            "Title: T\nDate: 2026-11-10 14:32\nExpires: 2027-01-01\n\nB\n",
            "must be a day written YYYY-MM-DD, like 2026-11-20 (no time of day)",
        ),
        (
            "share/k7q2m9x4tb.md",
            "Title: T\nDate: 2026-02-30\nExpires: 2027-01-01\n\nB\n",
            "is not a real date",
        ),
        ("share/k7q2m9x4tb.md", post_text("T", "B", expires="2026-11-01"), "must be after Date"),
        ("share/k7q2m9x4tb.md", post_text("T", "B", role="doctor"), "Role 'doctor' is not a role"),
        ("share/k7q2m9x4tb.md", post_text("T", "B", slug="my-story"), "unknown metadata 'Slug'"),
        ("share/k7q2m9x4tb.md", post_text("T", "B", author="Sarah"), "unknown metadata 'Author'"),
        (
            "share/my-sad-weekend.md",
            post_text("My sad weekend", "B"),
            "must be 8-32 lower-case letters and digits that say nothing about the post",
        ),
        (
            "share/k7q2m9x4tb.md",
            post_text("T", "B", reply_to="zzzzzzzzzz"),
            "Reply-To 'zzzzzzzzzz' is not a post",
        ),
        (
            "share/k7q2m9x4tb.md",
            post_text("T", "B", reply_to="k7q2m9x4tb"),
            "cannot reply to itself",
        ),
        ("share/k7q2m9x4tb.md", "Date: 2026-11-10\nExpires: 2027-01-01\n\nBody\n", "no 'Title:'"),
        (
            "share/k7q2m9x4tb.md",
            "Title: T\nthis is not metadata\n\nBody\n",
            "is not a metadata line",
        ),
        ("gossip/k7q2m9x4tb.md", post_text("T", "B"), "'gossip' is not a section in board.toml"),
        ("share/k7q2m9x4tb.txt", "x", "only Markdown posts (.md) belong here"),
        (
            "share/panicattheshops.md",
            post_text("Panic at the shops", "B"),
            "the file name (the post's public address) contains a word of its title",
        ),
        (
            "share/k7q2m9x4tb.md",
            post_text("T", "B", date="2026-11-10", expires="2027-11-20"),
            "Expires is 375 days after Date, more than posts.max_expires_days (365)",
        ),
        (
            "share/k7q2m9x4tb.md",
            post_text("T", "B", warning="x"),
            "allowed: Title, Date, Expires, CW, Pseudonym, Reply-To, Role",
        ),
        (
            "share/k7q2m9x4tb.md",
            post_text("T", "See [this]({static}/../../board.toml)"),
            "'{static}' links are not allowed",
        ),
    ],
)
def test_bad_posts_are_errors_naming_the_file(make_board, name, text, message):
    root = make_board(posts={name: text})
    with pytest.raises(ContentError) as error:
        posts_of(root)
    assert message in str(error.value)
    named = str(error.value).split(": ")[0]  # the file, or the folder that is no section
    assert named.startswith("content/posts/") and f"content/posts/{name}".startswith(named)


def test_a_post_directly_in_posts_is_an_error(make_board):
    root = make_board(posts={"k7q2m9x4tb.md": post_text("T", "B")})
    with pytest.raises(ContentError, match="move it into a section folder"):
        posts_of(root)


def test_reply_across_sections_is_an_error(make_board):
    root = make_board(
        posts={
            "share/aaaaaaaa11.md": post_text("Parent", "B"),
            "circle/bbbbbbbb22.md": post_text("Child", "B", reply_to="aaaaaaaa11"),
        }
    )
    with pytest.raises(ContentError, match="same section"):
        posts_of(root)


def test_reply_loop_is_an_error(make_board):
    root = make_board(
        posts={
            "share/aaaaaaaa11.md": post_text("A", "B", reply_to="bbbbbbbb22"),
            "share/bbbbbbbb22.md": post_text("B", "B", reply_to="aaaaaaaa11"),
        }
    )
    with pytest.raises(ContentError, match="loop"):
        posts_of(root)


def test_expired_member_and_orphaned_posts_are_withheld(make_board):
    root = make_board(
        posts={
            "share/aaaaaaaa11.md": post_text("Live", "B"),
            "share/bbbbbbbb22.md": post_text("Gone", "B", expires="2026-11-20"),
            "share/cccccccc33.md": post_text("Reply to gone", "B", reply_to="bbbbbbbb22"),
            "circle/dddddddd44.md": post_text("Members only", "B"),
        }
    )
    board, posts = posts_of(root)
    plan = plan_publication(board, posts, TODAY)
    assert [p.id for p in plan.published] == ["aaaaaaaa11"]
    assert {p.id: why for p, why in plan.withheld} == {
        "bbbbbbbb22": "expired",
        "cccccccc33": "thread expired",
        "dddddddd44": "members-only",
    }


def test_a_post_dated_after_today_is_an_error(make_board):
    root = make_board(
        posts={"share/aaaaaaaa11.md": post_text("T", "B", date="2027-11-01", expires="2027-12-01")}
    )
    board, posts = posts_of(root)
    with pytest.raises(ContentError, match=r"Date \(2027-11-01\) is after today \(2026-11-20\)"):
        plan_publication(board, posts, TODAY)


@pytest.mark.parametrize("name", ["help", "members", "theme", "share", "quick-exit"])
def test_pages_cannot_take_quietboards_own_names(make_board, name):
    from generator.board.post import read_pages

    root = make_board(pages={name: "Title: X\n\nY\n"})
    with pytest.raises(ContentError, match=f"'{name}' is a name quietboard uses"):
        read_pages(read_board(root))


def test_a_reply_under_an_expired_reply_is_withheld_too(make_board):
    root = make_board(
        posts={
            "share/aaaaaaaa11.md": post_text("Top", "B"),
            "share/bbbbbbbb22.md": post_text(
                "Middle", "B", reply_to="aaaaaaaa11", expires="2026-11-15"
            ),
            "share/cccccccc33.md": post_text("Bottom", "B", reply_to="bbbbbbbb22"),
        }
    )
    board, posts = posts_of(root)
    plan = plan_publication(board, posts, TODAY)
    assert [p.id for p in plan.published] == ["aaaaaaaa11"]
    assert {p.id: why for p, why in plan.withheld} == {
        "bbbbbbbb22": "expired",
        "cccccccc33": "thread expired",
    }
