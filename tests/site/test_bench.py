"""The bench's generated boards: varied, valid, and built alike by quietboard and plain Pelican.

No timing here: speed is measured by `python -m bench` and written in docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from bench.corpus import MEMBER_SECTION, PUBLIC_SECTION, board_shape, make_board, pelican_site
from bench.runs import run_child
from generator.site.build import build_board
from generator.site.render import render_with_pelican

TODAY = dt.date(2026, 12, 7)
SENTENCE = re.compile(r"[^.!?\n]+[.!?]")


def _posts(root: Path, section: str) -> list[Path]:
    return sorted((root / "content" / "posts" / section).glob("*.md"))


def test_generated_text_is_varied(tmp_path: Path) -> None:
    board = make_board(tmp_path / "board", board_shape(150, 0.2), TODAY)
    texts = [p.read_text(encoding="utf-8") for p in _posts(board.root, PUBLIC_SECTION)]
    texts += [p.read_text(encoding="utf-8") for p in _posts(board.root, MEMBER_SECTION)]
    assert len(texts) == 150
    assert len(_posts(board.root, MEMBER_SECTION)) == 30
    bodies = [text.split("\n\n", 1)[1] for text in texts]
    sentences = [s.strip() for body in bodies for s in SENTENCE.findall(body)]
    # Not a dozen sentences over and over: nearly every sentence is new.
    assert len(set(sentences)) > 0.9 * len(sentences) > 500
    lengths = sorted(len(body) for body in bodies)
    assert lengths[-1] > 4 * lengths[len(lengths) // 2] > 4 * 100
    everything = "\n".join(texts)
    for markdown in ("\n- ", "*", "]("):  # lists, emphasis, links
        assert markdown in everything
    for header in ("Reply-To: ", "CW: ", "Pseudonym: "):
        assert header in everything


def test_quietboard_and_plain_pelican_build_a_page_per_post(tmp_path: Path) -> None:
    board = make_board(tmp_path / "board", board_shape(40, 0.2), TODAY)
    build_board(board.root, render_with_pelican, today=TODAY, passphrase=lambda: board.passphrase)
    public = [p.stem for p in _posts(board.root, PUBLIC_SECTION)]
    pages = board.root / "output" / "p"
    for path in _posts(board.root, PUBLIC_SECTION):
        parent = re.search(r"^Reply-To: (\w+)$", path.read_text(encoding="utf-8"), re.M)
        if parent:  # a reply is shown on its thread's page
            thread = (pages / parent.group(1) / "index.html").read_text(encoding="utf-8")
            assert path.stem in thread
        else:
            assert (pages / path.stem / "index.html").is_file()
    members = [p.stem for p in _posts(board.root, MEMBER_SECTION)]
    assert len(members) == 8
    for ident in members:  # sealed, never a page of their own
        assert not (board.root / "output" / "p" / ident).exists()
    assert list((board.root / "output" / "members").glob("*.bin"))

    site = tmp_path / "pelican"
    pelican_site(board, site)
    # In its own process, as the bench runs it: quietboard's Pelican plugins stay connected
    # to Pelican's signals in the process that built the board.
    run_child(["-m", "bench.child", "pelican", str(site)])
    for ident in public + members:
        assert (site / "output" / f"{ident}.html").is_file()
