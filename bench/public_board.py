"""Figures for docs/benchmarks.md: page weights of the demo and build times.

Run: python -m bench.public_board  (prints a Markdown table; times vary by machine)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import statistics
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from generator.board.demo import prepare_demo
from generator.site.build import build_board
from generator.site.render import render_with_pelican

TODAY = dt.date(2026, 11, 20)
MEMBERS_PAGE = "members/index.html"
# Only the forms a module of ours uses: `import ... from "./x.js"`, `import "./x.js"`.
MODULE_IMPORT = re.compile(r"""\bimport\s*(?:[^"';]*?\bfrom\s*)?["']([^"']+)["']""")
ORIGIN = "http://board.invalid/"


class _Assets(HTMLParser):
    """The same-origin scripts, stylesheets and icons an HTML page asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.others: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "script" and attr.get("src"):
            self.scripts.append(attr["src"])
        rel = attr.get("rel", "").lower().split()
        if tag == "link" and attr.get("href") and ({"stylesheet", "icon"} & set(rel)):
            self.others.append(attr["href"])


def _local(output: Path, base: str, ref: str) -> Path | None:
    """The output file REF (relative to the page or module at BASE) stands for."""
    url = urljoin(base, ref)
    if not url.startswith(ORIGIN):
        return None  # another origin: quietboard pages load none, and we could not weigh it
    return output / urlsplit(url).path.lstrip("/")


def page_assets(output: Path, page: str) -> tuple[set[Path], set[Path]]:
    """(scripts, other assets) PAGE loads: its <script src>, their module imports, CSS, icon."""
    parser = _Assets()
    parser.feed((output / page).read_text(encoding="utf-8"))
    page_url = ORIGIN + page
    others = {p for ref in parser.others if (p := _local(output, page_url, ref))}
    pending = [p for ref in parser.scripts if (p := _local(output, page_url, ref))]
    scripts: set[Path] = set()
    while pending:
        script = pending.pop()
        if script in scripts or not script.is_file():
            continue
        scripts.add(script)
        script_url = ORIGIN + script.relative_to(output).as_posix()
        for ref in MODULE_IMPORT.findall(script.read_text(encoding="utf-8")):
            if (found := _local(output, script_url, ref)) is not None:
                pending.append(found)
    return scripts, others


def page_weight(output: Path, page: str) -> int:
    """Bytes of HTML plus every stylesheet, script and icon the page loads."""
    scripts, others = page_assets(output, page)
    total = (output / page).stat().st_size
    return total + sum(p.stat().st_size for p in scripts | others if p.is_file())


def timed_build(root: Path, passphrase: str) -> float:
    start = time.perf_counter()
    build_board(root, render_with_pelican, today=TODAY, passphrase=lambda: passphrase)
    return time.perf_counter() - start


def post_id(kind: str, number: int) -> str:
    """A valid, repeatable post id: 10 hex digits, so no word of a title can be in it."""
    return hashlib.sha256(f"{kind} {number}".encode()).hexdigest()[:10]


def synthetic_board(root: Path, posts: int) -> tuple[Path, str]:
    """The demo plus POSTS public posts; returns the board and its vault passphrase."""
    passphrase, _code = prepare_demo(root, TODAY)
    share = root / "content" / "posts" / "share"
    body = "A day that started slowly and ended a little better. " * 12
    for i in range(posts):
        day = f"2026-11-{1 + i % 19:02d}"
        (share / f"{post_id('public', i)}.md").write_text(
            f"Title: Bench post {i}\nDate: {day}\nExpires: 2027-02-01\n\n{body}\n"
        )
    return root, passphrase


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        passphrase, _code = prepare_demo(demo, TODAY)
        times = [timed_build(demo, passphrase) for _ in range(3)]
        output = demo / "output"
        pages = [p.relative_to(output).as_posix() for p in output.rglob("index.html")]
        heaviest = max(pages, key=lambda page: page_weight(output, page))
        public_js: set[Path] = set()
        for page in pages:
            if page != MEMBERS_PAGE:
                public_js |= page_assets(output, page)[0]
        print("| figure | value |\n| --- | --- |")
        print(
            f"| heaviest demo page ({heaviest}), HTML + CSS + icon + JS | "
            f"{page_weight(output, heaviest) / 1024:.1f} KiB |"
        )
        print(
            f"| demo home page, HTML + CSS + icon + JS | "
            f"{page_weight(output, 'index.html') / 1024:.1f} KiB |"
        )
        print(f"| JavaScript on public pages | {sum(p.stat().st_size for p in public_js)} bytes |")
        print(f"| demo build (13 posts), median of 3 | {statistics.median(times):.2f} s |")
        for count in (200, 1000):
            board, secret = synthetic_board(Path(tmp) / f"b{count}", count)
            print(f"| build with {count} extra public posts | {timed_build(board, secret):.2f} s |")


if __name__ == "__main__":
    main()
