"""The build's Markdown reader (one renderer for every file) reads as Pelican's own does."""

from __future__ import annotations

import json
from pathlib import Path

from pelican.readers import MarkdownReader
from pelican.settings import read_settings

from generator.board.config import parse_board
from generator.site.render import _markdown_reader
from generator.site.settings import pelican_settings
from tests.helpers.hostile import load_hostile_corpus

CORPUS = Path(__file__).parents[1] / "corpus"
# Footnotes and abbreviations are kept per text by the renderer: each such text is
# followed by one that uses the same names without defining them.
STATEFUL = [
    "A note[^1] here.\n\n[^1]: The note's own text.",
    "A second text that names [^1] but defines nothing.",
    "The HTML is fine.\n\n*[HTML]: Hyper Text Markup Language",
    "HTML again, with no abbreviation defined here.",
    "Title: not metadata, because the body starts after the header",
]


def _texts() -> list[str]:
    texts = [payload.markdown for payload in load_hostile_corpus()]
    texts += json.loads((CORPUS / "ordinary.json").read_text(encoding="utf-8"))
    return texts + STATEFUL


def test_every_file_reads_as_with_pelicans_reader(tmp_path):
    board = parse_board({"name": "B", "base_url": "https://board.example.org"}, root=None)
    (tmp_path / "content").mkdir()
    settings = read_settings(
        path=None, override=pelican_settings(board, tmp_path / "content", tmp_path / "out")
    )
    files = []
    for number, text in enumerate(_texts()):
        header = f"Title: Post {number}\nDate: 2026-11-0{1 + number % 9}\nCW: grief, loss\n"
        if number % 3:
            header += f"Pseudonym: Quiet Fox {number}\nReply-To: 10000000000{number % 7}\n"
        path = tmp_path / "content" / f"{number}.md"
        path.write_text(f"{header}\n{text}", encoding="utf-8")
        files.append(str(path))
    ours = _markdown_reader()(settings)
    for path in files:  # a new Pelican reader for each file, as Pelican itself renders it
        assert ours.read(path) == MarkdownReader(settings).read(path), path
    assert len(files) > 50
