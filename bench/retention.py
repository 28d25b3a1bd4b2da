"""Figures for docs/benchmarks.md: status and prune on a large board, expiry.js weight.

Run: python -m bench.retention  (prints a Markdown table; times vary by machine)
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from generator.board.config import read_board
from generator.board.retention import board_status, prune
from generator.resources import theme_dir
from tests.helpers.boards import BoardMaker, post_text

TODAY = dt.date(2026, 11, 20)
SIZES = (200, 2000)
RUNS = 5


def board_with(root: Path, count: int) -> Path:
    """COUNT public posts, a tenth of them replies, expiring over the next 90 days
    (and a tenth already past expiry)."""
    posts = {}
    for n in range(count):
        expires = TODAY + dt.timedelta(days=(n % 100) - 9)
        reply = {"reply_to": f"p{n - 1:09d}"} if n % 10 == 1 else {}
        body = "Some words. " * 40
        posts[f"share/p{n:09d}.md"] = post_text(
            f"Post {n}", body, date="2026-08-01", expires=expires.isoformat(), **reply
        )
    toml = 'name = "Bench"\n[posts]\nmax_expires_days = 365\n[sections.share]\ntitle = "S"\n'
    return BoardMaker(root)(toml=toml, posts=posts)


def median_seconds(action) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rows = []
    for count in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            board = read_board(board_with(Path(folder) / "board", count))
            status = median_seconds(lambda board=board: board_status(board, TODAY, None))
            dry = median_seconds(lambda board=board: prune(board, TODAY, None, dry_run=True))
            rows.append((f"`status` with {count} posts (no vault), median of {RUNS}", status))
            rows.append((f"`prune --dry-run` with {count} posts, median of {RUNS}", dry))
    script = (theme_dir() / "static" / "js" / "expiry.js").read_bytes()
    print("| figure | value |\n| --- | --- |")
    for label, seconds in rows:
        print(f"| {label} | {seconds * 1000:.0f} ms |")
    print(f"| expiry.js, as served (not minified) | {len(script) / 1024:.1f} KiB |")


if __name__ == "__main__":
    main()
