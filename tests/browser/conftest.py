"""Real Chromium through Playwright, against sites served on 127.0.0.1.

In CI (the CI variable set) a missing Chromium or Playwright fails the run;
elsewhere those tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.site.serve import serving_in_background
from tests.helpers import unavailable

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str:
    found = os.environ.get("QUIETBOARD_CHROMIUM") or shutil.which("chromium") or ""
    if not found:
        unavailable("Chromium is not installed (apt-get install -y chromium)")
    return found


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install '.[test]')")
    executable = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@dataclass
class Watched:
    """A page plus what it did: console errors, page errors, requests."""

    page: object
    origin: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.origin + "/")]

    def assert_clean(self) -> None:
        assert self.console_errors == []
        assert self.csp_violations() == []
        assert self.foreign_requests() == []


@pytest.fixture
def watched(browser):
    """Open a new context (no state shared between tests) and watch its page."""
    contexts = []

    def open_page(origin: str, **context_options) -> Watched:
        context = browser.new_context(**context_options)
        contexts.append(context)
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        page = context.new_page()
        watch = Watched(page=page, origin=origin)
        page.on("console", lambda m: m.type == "error" and watch.console_errors.append(m.text))
        page.on("pageerror", lambda e: watch.console_errors.append(str(e)))
        page.on("request", lambda r: watch.requests.append(r.url))
        page.on("response", lambda r: r.status >= 400 and watch.failed_responses.append(r.url))
        return watch

    yield open_page
    for context in contexts:
        context.close()


@dataclass(frozen=True)
class DemoBoard:
    base: str
    root: Path
    code: str
    passphrase: str


def _served_demo(root: Path, netlify: bool = False) -> Iterator[DemoBoard]:
    from generator.board.clock import today
    from generator.board.demo import prepare_demo
    from generator.site.build import build_board
    from generator.site.render import render_with_pelican

    passphrase, code = prepare_demo(root, today())
    if netlify:
        toml = root / "board.toml"
        toml.write_text(toml.read_text().replace('form = "none"', 'form = "netlify"\npow_bits = 8'))
    report = build_board(root, render_with_pelican, passphrase=lambda: passphrase)
    with serving_in_background(report.output) as base:
        yield DemoBoard(base=base, root=root, code=code, passphrase=passphrase)


@pytest.fixture(scope="session")
def demo_board(tmp_path_factory) -> Iterator[DemoBoard]:
    """The bundled demo board, built once and served for the session."""
    yield from _served_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def netlify_board(tmp_path_factory) -> Iterator[DemoBoard]:
    """The demo board, switched to Netlify Forms with a light proof of work."""
    yield from _served_demo(tmp_path_factory.mktemp("netlify"), netlify=True)


@pytest.fixture(scope="session")
def demo_site(demo_board) -> str:
    return demo_board.base


@pytest.fixture
def page(demo_site, watched):
    """A page of the built demo board (a secure context under the site's CSP)."""
    watch = watched(demo_site)
    watch.page.goto(demo_site + "/")
    yield watch.page
    watch.assert_clean()
