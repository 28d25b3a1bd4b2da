"""Every hostile payload in Chromium: as public post pages and in the unlocked members' area.

One board, one server, one page per test. Each check runs in the page after
every post is shown: no dialog, no console or page error, no CSP violation
(recorded by the init script of the `watched` fixture, which Playwright
injects outside the page's CSP), no payload marker set on `window`, no
request to anything but the board's own origin, and a post body that, as the
browser parsed it, holds only harmless elements and attributes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from generator.site.build import build_board
from generator.site.render import render_with_pelican
from tests.helpers.boards import BoardMaker, fast_vault, issue
from tests.helpers.browser import MARKERS, PAGE_STATE, PAYLOADS, Trap, check_post_pages, serving
from tests.helpers.hostile import hostile_posts, post_id

pytestmark = pytest.mark.browser

BUILT_ON = dt.date(2026, 11, 20)
# Members' posts open by fragment: the area fetches the post's sealed part if it has not
# yet, then shows it. This resolves once the post's title is on show (or gives up after
# 5 s, when a payload has broken the page, so that the test never hangs).
OPEN_MEMBER_POST = (
    "async ([id, markers, title]) => {"
    '  location.hash = "p=" + id;'
    "  const until = Date.now() + 5000;"
    '  while (document.querySelector("#post-title")?.textContent !== title'
    "         && Date.now() < until) {"
    "    await new Promise((resolve) => setTimeout(resolve, 20));"
    "  }"
    f"  return ({PAGE_STATE.strip()})(markers);"
    "}"
)


@pytest.fixture(scope="module")
def hostile_board(tmp_path_factory):
    root = BoardMaker(tmp_path_factory.mktemp("hostile") / "board")(
        posts=hostile_posts([payload.markdown for payload in PAYLOADS])
    )
    passphrase = fast_vault(root)
    code = issue(root, passphrase, "circle", "A.")
    report = build_board(root, render_with_pelican, today=BUILT_ON, passphrase=lambda: passphrase)
    with serving(report.output) as base:
        yield base, code


def test_hostile_public_posts_run_nothing_and_load_nothing(hostile_board, watched):
    base, _ = hostile_board
    slugs = [post_id(index, "pub") for index in range(len(PAYLOADS))]
    assert check_post_pages(Trap(watched, base), base, slugs) == []


def test_hostile_member_posts_run_nothing_and_load_nothing(hostile_board, watched):
    base, code = hostile_board
    trap = Trap(watched, base)
    page = trap.page
    page.goto(f"{base}/members/#code={code}")
    page.get_by_role("button", name="I agree").click()
    expect(page.get_by_role("link", name="Payload 0", exact=True)).to_be_visible()
    area = f"{base}/members/"
    findings = trap.check("members' list", lambda: page.evaluate(PAGE_STATE, MARKERS), url=area)
    for index, payload in enumerate(PAYLOADS):
        post = [post_id(index, "mem"), MARKERS, f"Payload {index}"]
        show = lambda post=post: page.evaluate(OPEN_MEMBER_POST, post)  # noqa: E731
        findings += trap.check(payload.marker, show, f"Payload {index}", area)
        if not page.url.startswith(area):
            findings.append(f"{payload.marker}: left the members' area; the rest is untested")
            break
    assert findings == []


def test_the_traps_catch_what_they_are_for(hostile_board, watched):
    """Each detector fires on a page that really does misbehave, so a pass means something."""
    base, _ = hostile_board
    trap = Trap(watched, base)
    url = f"{base}/p/{post_id(0, 'pub')}/"
    trap.page.goto(url)
    trap.page.evaluate(
        """() => {
          document.querySelector("article.post .text").insertAdjacentHTML("beforeend",
            '<img src="https://qbcontrol.attacker.invalid/p.gif">' +
            '<img src="/nothing.gif" onerror="window.qbscriptplain = 1">');
          window.qbsvgonload = 1;
          alert("control");
        }"""
    )
    trap.page.wait_for_function("window.__cspViolations.length >= 2")
    trap.page.evaluate("history.pushState(null, '', '/elsewhere/')")
    found = " | ".join(
        trap.check("control", lambda: trap.page.evaluate(PAGE_STATE, MARKERS), "Payload 0", url)
    )
    assert "dialog alert: control" in found
    assert "CSP img-src https://qbcontrol.attacker.invalid/p.gif" in found
    assert "CSP script-src-attr inline" in found
    assert "inline event handler" in found  # the console error that goes with it
    assert "marker qbsvgonload" in found
    assert "request https://qbcontrol.attacker.invalid/p.gif" in found
    assert "<img> is not allowed in a post" in found
    assert "<img onerror=...>" in found
    assert f"navigated to {base}/elsewhere/" in found
