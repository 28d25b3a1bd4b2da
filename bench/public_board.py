"""Figures for docs/benchmarks.md: page weights of the demo and build times.

Run: python -m bench.public_board  (prints a Markdown table; times vary by machine)
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from generator.build import build_board
from generator.cli import render_with_pelican
from generator.demo import prepare_demo

TODAY = dt.date(2026, 11, 20)


def page_weight(output: Path, page: str) -> int:
    """Bytes of HTML plus every stylesheet, script and icon the page loads."""
    html = (output / page).read_text()
    total = len(html.encode())
    for asset in ("theme/css/board.css", "theme/favicon.svg"):
        total += (output / asset).stat().st_size
    total += sum(p.stat().st_size for p in (output / "theme").rglob("*.js"))
    return total


def timed_build(root: Path) -> float:
    start = time.perf_counter()
    build_board(root, render_with_pelican, today=TODAY)
    return time.perf_counter() - start


def synthetic_board(root: Path, posts: int) -> Path:
    prepare_demo(root, TODAY)
    share = root / "content" / "posts" / "share"
    body = "A day that started slowly and ended a little better. " * 12
    for i in range(posts):
        day = f"2026-11-{1 + i % 19:02d}"
        (share / f"bench{i:06d}.md").write_text(
            f"Title: Bench post {i}\nDate: {day}\nExpires: 2027-02-01\n\n{body}\n"
        )
    return root


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        demo = prepare_demo(Path(tmp) / "demo", TODAY)
        times = [timed_build(demo) for _ in range(3)]
        output = demo / "output"
        pages = sorted(output.rglob("index.html"), key=lambda p: p.stat().st_size)
        heaviest = pages[-1].relative_to(output).as_posix()
        print("| figure | value |\n| --- | --- |")
        print(
            f"| heaviest demo page ({heaviest}), HTML + CSS + icon + JS | "
            f"{page_weight(output, heaviest) / 1024:.1f} KiB |"
        )
        print(
            f"| demo home page, HTML + CSS + icon + JS | "
            f"{page_weight(output, 'index.html') / 1024:.1f} KiB |"
        )
        print(
            f"| JavaScript on public pages | "
            f"{sum(p.stat().st_size for p in output.rglob('*.js'))} bytes |"
        )
        print(f"| demo build (13 posts), median of 3 | {statistics.median(times):.2f} s |")
        for count in (200, 1000):
            board = synthetic_board(Path(tmp) / f"b{count}", count)
            print(f"| build with {count} extra public posts | {timed_build(board):.2f} s |")


if __name__ == "__main__":
    main()
