"""Fuzzing post and page files: read as a post, or one line saying what to fix.

read_posts and read_pages are what `quietboard build` calls before Pelican
sees anything; a post that passes is written back by render_post for the
build, so it must read back as the same post. A few whole builds check the
CLI path and that a bad post leaves output/ as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, example, given
from hypothesis import strategies as st

from generator.board.config import read_board
from generator.board.post import read_pages, read_posts, render_post
from generator.cli import cli
from generator.errors import ContentError
from tests.helpers.boards import BOARD_TOML, BoardMaker, post_text
from tests.helpers.fuzzing import FUZZ, assert_one_line, assert_one_line_error, mutated, scratch

POST = post_text(
    "A small good thing",
    "I went for a walk today.\n\n*It helped* a little, [see](../guidelines/).",
    cw="low mood, sleep",
    pseudonym="Wren",
    role="moderator",
    withdrawal="Ab3-_" * 8 + "Ab3",
)
PAGE = "Title: About us\n\nWe are a small group.\n"


def _board() -> Path:
    root = scratch("content-")
    BoardMaker(root)(toml=BOARD_TOML, pages={})
    return root


def _read_back(root: Path, name: str, text: str) -> None:
    folder = root / "content" / "posts" / "share"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    board = read_board(root)
    try:
        (post,) = read_posts(board)
    except ContentError as error:
        assert_one_line(str(error))
        return
    finally:
        path.unlink()
    # The build stages render_post's text; it must say exactly the same again.
    path.write_text(render_post(post), encoding="utf-8")
    assert read_posts(board) == [post]
    path.unlink()


POSTS, PAGES = _board(), _board()


def test_the_valid_post_reads():
    root = _board()
    (root / "content/posts/share").mkdir(parents=True)
    (root / "content/posts/share/k3v9q2x7mz.md").write_text(POST)
    (post,) = read_posts(read_board(root))
    assert (post.role, post.cw) == ("moderator", ("low mood", "sleep"))


@FUZZ
@given(text=mutated(POST))
@example(text=POST.replace("Date: 2026-11-10", "Date: \x1b]0;owned\x07"))
@example(text=POST.replace("Role: moderator", "Role: x\x1b[2Jy"))
@example(text=POST.replace("Expires: 2027-02-08", "Expires: 2027-02-08\x00"))
def test_a_mutated_post_is_read_or_refused_in_one_line(text):
    _read_back(POSTS, "k3v9q2x7mz.md", text)


@FUZZ
@given(text=st.text(max_size=300))
def test_any_text_as_a_post_is_read_or_refused_in_one_line(text):
    _read_back(POSTS, "k3v9q2x7mz.md", text)


@FUZZ
@given(stem=st.text(min_size=1, max_size=40))
@example(stem="k3v9q2x7mz\n")
@example(stem="k3v9q2x7mz\x1b")
def test_any_file_name_is_read_or_refused_in_one_line(stem):
    assume("/" not in stem and "\x00" not in stem and stem not in (".", ".."))
    assume(not stem.startswith("."))
    try:
        name = (stem + ".md").encode("utf-8")
    except UnicodeEncodeError:
        assume(False)
    assume(len(name) < 250)
    _read_back(POSTS, stem + ".md", POST)


@FUZZ
@given(text=mutated(PAGE))
def test_a_mutated_page_is_read_or_refused_in_one_line(text):
    root = PAGES
    (root / "content" / "pages").mkdir(parents=True, exist_ok=True)
    (root / "content" / "pages" / "about.md").write_text(
        text, encoding="utf-8", errors="surrogatepass"
    )
    try:
        read_pages(read_board(root))
    except ContentError as error:
        assert_one_line(str(error))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "k3v9q2x7mz.md",
            POST.replace("Date: 2026-11-10", "Date: \x1b]0;owned\x07"),
            r"'Date: \x1b]0;owned\x07' must be a day",
        ),
        (
            "k3v9q2x7mz.md",
            POST.replace("Role: moderator", "Role: x\x1b[2Jy"),
            r"Role 'x\x1b[2Jy' is not a role",
        ),
        ("k3v9q2x7mz\n.md", POST, "must be 8-32 lower-case letters and digits"),
    ],
)
def test_what_the_fuzzer_found_in_posts_is_one_printable_line(name, text, message):
    root = _board()
    folder = root / "content" / "posts" / "share"
    folder.mkdir(parents=True)
    (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as error:
        read_posts(read_board(root))
    assert message in str(error.value)
    assert_one_line(str(error.value))


BAD_POSTS = [
    POST.replace("Date: 2026-11-10", "Date: 2026-11-10\x1b[2J"),
    POST.replace("Title: A small good thing\n", ""),
    POST.replace("Expires: 2027-02-08", "Expires: 9999-99-99"),
    "\ufeff\x00" + POST,
    POST.replace("Role: moderator", "Role: " + "r" * 5000),
]


def test_build_with_a_bad_post_says_so_in_one_line_and_keeps_output(make_board, today):
    root = make_board()
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "--board", str(root)]).exit_code == 0
    before = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    post = root / "content" / "posts" / "share" / "k3v9q2x7mz.md"
    post.parent.mkdir(parents=True)
    for text in BAD_POSTS:
        post.write_text(text, encoding="utf-8")
        result = runner.invoke(cli, ["build", "--board", str(root)], prog_name="quietboard")
        assert_one_line_error(result, allow_success=False)
        after = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
        assert after == before


ODD_TITLES = ["Nul\x00in the title", "Escape \x1b[2J title", "Bidi \u202eelttit", "<b>&amp;</b>"]


def test_build_with_odd_characters_in_a_post_succeeds_or_says_so(make_board, today):
    posts = {f"share/k3v9q2x7m{i}.md": post_text(t, "Body.") for i, t in enumerate(ODD_TITLES)}
    root = make_board(posts=posts)
    result = CliRunner().invoke(cli, ["build", "--board", str(root)], prog_name="quietboard")
    assert_one_line_error(result)


def test_a_page_name_with_a_trailing_newline_is_refused(tmp_path):
    root = BoardMaker(tmp_path)(toml=BOARD_TOML, pages={"about\n": PAGE})
    with pytest.raises(ContentError) as error:
        read_pages(read_board(root))
    assert r"content/pages/about\n.md: a page's file name is its address" in str(error.value)
