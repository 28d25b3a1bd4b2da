"""The demo board in Chromium: what a reader sees, and what the network carries."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from generator.site.build import build_board
from generator.site.render import render_with_pelican
from tests.helpers.boards import BoardMaker, post_text
from tests.helpers.browser import serving

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "section": "/s/share/",
    "post with replies": "/p/m9k4sq1wv7/",
    "guidelines": "/guidelines/",
    "privacy": "/privacy/",
    "staying safe": "/staying-safe/",
    "moderation": "/moderation/",
    "help": "/help/",
    "members": "/members/",
    "missing page": "/p/gone0000000/",
}


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_every_page_loads_cleanly_with_crisis_help(demo_site, watched, path):
    watch = watched(demo_site)
    missing = "gone" in path
    response = watch.page.goto(demo_site + path)
    assert response.status == (404 if missing else 200)
    crisis = watch.page.get_by_role("complementary", name="Crisis help")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("Samaritans")
    expect(watch.page.locator("link[rel=stylesheet]")).to_have_count(1)
    # The stylesheet really applied (system font stack, not the browser default).
    font = watch.page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "system-ui" in font
    if missing:
        # Chrome logs the document's own 404; every file it asked for must load.
        assert watch.failed_responses == [demo_site + path]
        watch.console_errors.remove(
            "Failed to load resource: the server responded with a status of 404 (Not Found)"
        )
    else:
        assert watch.failed_responses == []
    watch.assert_clean()


def test_the_host_headers_reach_the_browser(demo_site, watched):
    watch = watched(demo_site)
    headers = watch.page.goto(demo_site + "/").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-robots-tag"].startswith("noindex")
    assert headers["x-content-type-options"] == "nosniff"


def test_a_thread_reads_in_order_with_warnings_collapsed(demo_site, watched):
    watch = watched(demo_site)
    page = watch.page
    page.goto(demo_site + "/p/m9k4sq1wv7/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekends are the hardest part")
    warning = page.locator("article.post details.cw")
    expect(warning.locator("summary")).to_contain_text("Content warning: loneliness, low mood")
    body = warning.locator(".text")
    expect(body).to_be_hidden()
    warning.locator("summary").click()
    expect(body).to_be_visible()
    expect(page.get_by_role("heading", name="3 replies")).to_be_visible()
    expect(page.locator(".replies > ol > li")).to_have_count(3)
    watch.assert_clean()


def test_an_outbound_link_sends_no_referrer(demo_site, watched):
    watch = watched(demo_site)
    watch.page.goto(demo_site + "/p/t6w1rx9bm4/")
    link = watch.page.get_by_role("link", name="Mind website")
    expect(link).to_have_attribute("rel", "nofollow noreferrer noopener")


def test_reading_works_without_javascript(demo_site, watched):
    watch = watched(demo_site, java_script_enabled=False)
    page = watch.page
    page.goto(demo_site + "/")
    page.get_by_role("link", name="Weekends are the hardest part").click()
    expect(page).to_have_url(re.compile(r"/p/m9k4sq1wv7/$"))
    page.locator("details.cw summary").first.click()
    expect(page.locator("details.cw .text").first).to_be_visible()
    assert watch.foreign_requests() == []


def test_the_keyboard_reaches_the_skip_link_first_and_it_is_visible(demo_site, watched):
    watch = watched(demo_site)
    page = watch.page
    page.goto(demo_site + "/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to main content")
    expect(focused).to_be_in_viewport()


def test_hostile_posts_run_nothing_and_load_nothing(tmp_path, watched, monkeypatch):
    monkeypatch.setenv("QUIETBOARD_TODAY", "2026-11-20")
    payloads = [
        "<script>window.__pwned = 1</script>",
        '<img src=x onerror="window.__pwned = 2">',
        '<svg onload="window.__pwned = 3"><circle r="4"/></svg>',
        "[tap me](javascript:window.__pwned=4)",
        '<a href="jav&#x09;ascript:window.__pwned=5">tap</a>',
        "![pixel](https://tracker.example.com/p.gif)",
        '<iframe src="https://evil.example.com/"></iframe>',
        '<p style="background:url(https://tracker.example.com/bg.gif)">styled</p>',
        '<link rel="stylesheet" href="https://evil.example.com/x.css">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example.com/">',
        '<object data="https://evil.example.com/x.swf"></object>',
        '<form action="https://evil.example.com/"><button>send</button></form>',
    ]
    body = "Before.\n\n" + "\n\n".join(payloads) + "\n\nAfter."
    root = BoardMaker(tmp_path / "board")(posts={"share/aaaaaaaa11.md": post_text("Hi", body)})
    report = build_board(root, render_with_pelican)
    with serving(report.output) as base:
        watch = watched(base)
        page = watch.page
        page.goto(base + "/p/aaaaaaaa11/")
        expect(page.locator("article.post")).to_contain_text("After.")
        for link in page.locator("article.post .text a").all():
            link.click()
        assert page.evaluate("window.__pwned") is None
        assert page.url.startswith(base)
        watch.assert_clean()
    shutil.rmtree(root)
