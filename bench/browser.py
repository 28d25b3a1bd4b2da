"""In Chromium: unlocking a members-only section, the simulated phone, page weights.

Boards come from bench.corpus (varied posts, no replies in the section, so
every post is one item of the list). The unlock is measured by
bench.member_section's script (click on Open to the list drawn, with
WebCrypto's own calls timed). The phone is simulated through the DevTools
protocol as issue 19 describes: CPU slowed 4x, 150 ms latency, 1.6 Mbps down.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.site.build import build_board
from generator.site.render import render_with_pelican
from generator.site.serve import serving_in_background

from .corpus import Shape, make_board
from .member_section import CHROMIUM_ARGS, unlock_runs
from .public_board import page_weight

PHONE_RUNS = 3
PHONE_NETWORK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
# Whether the element SELECTOR is on screen (laid out, not hidden).
SHOWN = """(selector) => {
  const element = document.querySelector(selector);
  return !!element && element.getClientRects().length > 0
    && getComputedStyle(element).visibility !== "hidden";
}"""
PAGE_TYPES = {
    "home": "index.html",
    "section (first page)": "s/share/index.html",
    "page (guidelines)": "guidelines/index.html",
    "help": "help/index.html",
    "privacy": "privacy/index.html",
    "members' page": "members/index.html",
    "share page": "share/index.html",
    "quick exit": "quick-exit/index.html",
}


def chromium() -> str | None:
    path = os.environ.get("QUIETBOARD_CHROMIUM") or "/usr/bin/chromium"
    if not Path(path).is_file():
        return None
    try:
        import playwright  # noqa: F401, PLC0415
    except ImportError:
        return None
    return path


@dataclass
class BrowserFigures:
    unlock: dict[int, list[dict[str, float]]] = field(default_factory=dict)
    phone_first_words: list[float] = field(default_factory=list)  # ms, 200 posts
    phone_share_ready: list[float] = field(default_factory=list)  # ms
    weights: dict[str, int] = field(default_factory=dict)  # bytes per page type
    sealed_bytes: dict[int, int] = field(default_factory=dict)


def built_section(tmp: Path, posts: int, today: dt.date):
    board = make_board(tmp / f"unlock{posts}", Shape(public=60, members=posts, replies=0), today)
    build_board(board.root, render_with_pelican, today=today, passphrase=lambda: board.passphrase)
    return board


def heaviest_post_page(output: Path) -> str:
    pages = sorted(p.relative_to(output).as_posix() for p in (output / "p").glob("*/index.html"))
    return max(pages, key=lambda page: page_weight(output, page))


def phone_runs(output: Path, code: str) -> tuple[list[float], list[float]]:
    """(ms from opening the invite link to the first post title, ms to a share page to type in)."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (optional dependency)

    first_words, share_ready = [], []
    with serving_in_background(output) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=CHROMIUM_ARGS
        )
        for _ in range(PHONE_RUNS):
            for target, selector, into in (
                (f"/members/#code={code}", "#member-view li.summary", first_words),
                ("/share/", "#body", share_ready),
            ):
                context = browser.new_context()
                # The promise was agreed earlier in the tab: the list shows at once.
                context.add_init_script(
                    'try { sessionStorage.setItem("quietboard-promised", "yes"); } catch {}'
                )
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                cdp.send("Network.emulateNetworkConditions", PHONE_NETWORK)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                start = time.perf_counter()
                page.goto(base + target, wait_until="commit")
                # Checked at every frame in the page: wait_for_selector polls at
                # growing intervals (up to 500 ms apart), which would round a
                # time up to its next poll.
                page.wait_for_function(SHOWN, arg=selector, polling="raf", timeout=60_000)
                into.append((time.perf_counter() - start) * 1000)
                context.close()
        browser.close()
    return first_words, share_ready


def browser_figures(tmp: Path, sizes: tuple[int, ...], today: dt.date) -> BrowserFigures:
    figures = BrowserFigures()
    for posts in sizes:
        board = built_section(tmp, posts, today)
        output = board.root / "output"
        figures.sealed_bytes[posts] = sum(
            p.stat().st_size for p in (output / "members").glob("*.bin")
        )
        figures.unlock[posts] = unlock_runs(output, board.code, posts)
        if posts == min(sizes):
            for name, page in PAGE_TYPES.items():
                figures.weights[name] = page_weight(output, page)
            figures.weights["heaviest post page"] = page_weight(output, heaviest_post_page(output))
            figures.phone_first_words, figures.phone_share_ready = phone_runs(output, board.code)
        shutil.rmtree(board.root)
    return figures


def derivation(run: dict[str, float]) -> float:
    return run["PBKDF2"] + run["HKDF"]


def after_derivation(run: dict[str, float]) -> float:
    return run["total"] - derivation(run)


def median_of(runs: list[dict[str, float]], figure) -> float:
    return statistics.median(figure(run) for run in runs)
