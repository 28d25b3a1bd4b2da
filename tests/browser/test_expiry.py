"""Expiry in Chromium: a page built before a post's day hides it when opened after.

The browser's clock is set (Playwright's page.clock), never the page: the
site is built once, as a host would serve it between builds.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from generator.site.build import build_board
from generator.site.render import render_with_pelican
from tests.helpers.boards import EXPIRING_THREAD, BoardMaker, fast_vault, issue, post_text
from tests.helpers.browser import OPAQUE, open_members, serving, unlock

pytestmark = pytest.mark.browser

BUILT_ON = dt.date(2026, 11, 20)
POSTS = {
    **EXPIRING_THREAD,
    "share/s5t6u7v8w9.md": post_text(
        "Re: January", "A short reply that leaves in November.",
        reply_to="m1n2p3q4r5", expires="2026-11-25",
    ),
    "circle/k7d2xq9p4m.md": post_text("Walking by the canal helped", "The water was calm."),
}  # fmt: skip


def _served(tmp_path_factory):
    root = BoardMaker(tmp_path_factory.mktemp("expiry") / "board")(posts=POSTS)
    passphrase = fast_vault(root)
    codes = {
        "alex": issue(root, passphrase, "circle", "A."),
        "sam": issue(root, passphrase, "circle", "S.", expires=dt.date(2026, 12, 10)),
    }
    output = build_board(root, render_with_pelican, today=BUILT_ON, passphrase=lambda: passphrase)
    with serving(output.output) as base:
        yield {"base": base, "root": root, "passphrase": passphrase, "codes": codes}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from _served(tmp_path_factory)


@pytest.fixture
def rebuilt_later(tmp_path_factory):
    """A site of its own, since the test builds it again."""
    yield from _served(tmp_path_factory)


def opened_on(watched, base: str, day: str, path: str):
    watch = watched(base)
    watch.page.clock.set_fixed_time(day)
    watch.page.goto(base + path)
    return watch


def test_before_its_day_the_thread_and_its_replies_are_shown(site, watched):
    watch = opened_on(watched, site["base"], "2026-11-24T23:30:00", "/p/a1b2c3d4e5/")
    page = watch.page
    expect(page.get_by_role("heading", name="A thread that leaves in December")).to_be_visible()
    expect(page.locator("article.reply")).to_contain_text("until spring")
    page.goto(site["base"] + "/p/m1n2p3q4r5/")
    expect(page.locator("article.reply")).to_contain_text("leaves in November")
    watch.assert_clean()


def test_on_its_day_a_post_page_shows_only_that_the_post_has_left(site, watched):
    watch = opened_on(watched, site["base"], "2026-12-01T07:00:00", "/p/a1b2c3d4e5/")
    page = watch.page
    expect(page.get_by_role("heading", name="This post has left the board")).to_be_visible()
    expect(page).to_have_title("This post has left the board")
    # Gone from the document, not just hidden: nothing to select, search or read aloud.
    html = page.content()
    assert "The first of December is its last day" not in html
    assert "until spring" not in html  # the reply leaves with its thread
    expect(page.get_by_role("link", name="Back to Sharing")).to_be_visible()
    watch.assert_clean()


def test_lists_drop_an_expired_post_and_a_thread_drops_an_expired_reply(site, watched):
    watch = opened_on(watched, site["base"], "2026-12-01T07:00:00", "/")
    page = watch.page
    latest = page.locator("ol.posts")
    expect(latest.get_by_role("link", name="Still here in January")).to_be_visible()
    expect(latest).not_to_contain_text("A thread that leaves in December")
    page.goto(site["base"] + "/s/share/")
    expect(page.locator("ol.posts")).to_contain_text("Still here in January")
    expect(page.locator("ol.posts")).not_to_contain_text("A thread that leaves in December")
    page.goto(site["base"] + "/p/m1n2p3q4r5/")
    expect(page.get_by_role("heading", name="Still here in January")).to_be_visible()
    expect(page.locator("section.replies")).not_to_contain_text("leaves in November")
    watch.assert_clean()


def test_the_readers_own_day_counts_not_the_build_day(site, watched):
    # The day before, late in the evening: still there.
    watch = opened_on(watched, site["base"], "2026-11-30T23:59:00", "/p/a1b2c3d4e5/")
    expect(
        watch.page.get_by_role("heading", name="A thread that leaves in December")
    ).to_be_visible()
    expect(watch.page.get_by_role("heading", name="This post has left the board")).to_be_hidden()


def test_an_expired_access_code_stops_opening_the_section_after_a_rebuild(rebuilt_later, watched):
    site = rebuilt_later
    base, codes = site["base"], site["codes"]
    # Before its day, with "remember on this device": the section opens.
    watch = open_members(watched, base, day="2026-12-05T10:00:00")
    unlock(watch.page, codes["sam"], remember=True)
    expect(watch.page.locator("#member-view")).to_contain_text("Walking by the canal helped")

    report = build_board(
        site["root"],
        render_with_pelican,
        today=dt.date(2026, 12, 10),
        passphrase=lambda: site["passphrase"],
    )
    assert any('"S." for "circle" has expired and was removed' in w for w in report.warnings)

    # The browser's clock is set back before the code's expiry, so only the
    # rebuilt keyring can be what refuses it now.
    fresh = open_members(watched, base, day="2026-12-05T10:00:00")
    unlock(fresh.page, codes["sam"])
    expect(fresh.page.get_by_role("status")).to_contain_text(OPAQUE)
    expect(fresh.page.locator("#member-view")).to_be_empty()
    # The key the browser remembered opens nothing either: the section has a new key.
    watch.page.reload()
    expect(watch.page.get_by_label("Access code")).to_be_visible()
    expect(watch.page.locator("#member-view")).not_to_contain_text("Walking by the canal")
    # Every other code opens the new key.
    other = open_members(watched, base, day="2026-12-10T10:00:00")
    unlock(other.page, codes["alex"])
    expect(other.page.locator("#member-view")).to_contain_text("Walking by the canal helped")
