"""Accessibility in Chromium: axe-core finds nothing on any kind of page.

axe-core comes inside the axe-playwright-python package (its axe.min.js is
evaluated in the page through the DevTools protocol), so nothing is fetched
at test time and the page's CSP needs no exception.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import violations

pytestmark = pytest.mark.browser

PUBLIC_PAGES = {
    "home": "/",
    "section": "/s/share/",
    "post": "/p/b5x3ln8gr2/",
    "thread": "/p/m9k4sq1wv7/",
    "share": "/share/",
    "reply": "/share/#reply=m9k4sq1wv7&section=share",
    "help": "/help/",
    "guidelines": "/guidelines/",
    "privacy": "/privacy/",
    "staying safe": "/staying-safe/",
    "moderation": "/moderation/",
    "quick exit": "/quick-exit/",
    "members, locked": "/members/",
    "missing page": "/p/gone0000000/",
}
SCHEMES = ["light", "dark"]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_axe_finds_nothing(demo_site, watched, path, scheme):
    watch = watched(demo_site, color_scheme=scheme)
    watch.page.goto(demo_site + path)
    expect(watch.page.get_by_role("heading", level=1)).to_be_visible()
    assert violations(watch.page) == ""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_nothing_in_the_unlocked_members_area(demo_board, watched, scheme):
    watch = watched(demo_board.base, color_scheme=scheme)
    page = watch.page
    page.goto(demo_board.base + "/members/")
    page.get_by_label("Access code").fill(demo_board.code)
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("button", name="I agree")).to_be_visible()
    assert violations(page) == ""  # the members' promise, asked first
    page.get_by_role("button", name="I agree").click()
    view = page.locator("#member-view")
    expect(view.get_by_role("link", name="Rehearsing a talk with my brother")).to_be_visible()
    assert violations(page) == ""
    view.get_by_role("link", name="Rehearsing a talk with my brother").click()
    expect(page.get_by_role("heading", name="Rehearsing a talk with my brother")).to_be_focused()
    expect(page.locator("article.reply")).to_have_count(1)
    assert violations(page) == ""
    watch.assert_clean()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_nothing_on_a_post_page_opened_after_its_expiry(demo_site, watched, scheme):
    watch = watched(demo_site, color_scheme=scheme)
    watch.page.clock.set_fixed_time("2031-01-01T10:00:00")
    watch.page.goto(demo_site + PUBLIC_PAGES["thread"])
    expect(watch.page.get_by_role("heading", name="This post has left the board")).to_be_visible()
    assert violations(watch.page) == ""


def test_the_checker_can_fail(demo_site, watched):
    """A page with a known fault is reported, so an empty report means something."""
    watch = watched(demo_site)
    watch.page.goto(demo_site + "/help/")
    watch.page.evaluate(
        """() => {
          const field = document.createElement("input");
          field.type = "text";
          document.querySelector("main").append(field, document.createElement("button"));
        }"""
    )
    report = violations(watch.page)
    assert "label" in report
    assert "button-name" in report


def test_after_sending_the_share_page_has_nothing_for_axe_to_find(demo_board, watched):
    watch = watched(demo_board.base)
    page = watch.page
    page.goto(demo_board.base + "/share/")
    page.get_by_label("Title").fill("A small win")
    page.get_by_label("Your post").fill("I went for a walk **today**.\n\n- slowly\n- kindly")
    page.get_by_label("Content warnings (optional)").fill("loss, sleep")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.get_by_role("heading", name="A small win")).to_be_visible()
    expect(page.get_by_text("Content warning: loss, sleep")).to_be_visible()
    assert violations(page) == ""
    page.get_by_role("button", name="Lock and send").click()
    expect(page.get_by_role("heading", name="Send the locked text yourself")).to_be_visible()
    expect(page.get_by_role("heading", name="Your withdrawal code")).to_be_visible()
    assert violations(page) == ""
    watch.assert_clean()


# Where the keyboard goes, it can be seen: each stop has a visible outline
# and its middle is on screen and not under a sticky or fixed bar.
FOCUS_STOP = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  // A link that wraps has one box per line: the middle of the part of any
  // of them that is on screen will do.
  let hit = null, reached = false, onScreen = false;
  for (const box of el.getClientRects()) {
    const left = Math.max(box.left, 0), right = Math.min(box.right, innerWidth);
    const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, innerHeight);
    if (right <= left || bottom <= top) continue;
    onScreen = true;
    hit = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
    reached = !!hit && (hit === el || el.contains(hit) || hit.control === el);
    if (reached) break;
  }
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
    || style.boxShadow !== "none";
  const name = (el.getAttribute("aria-label") || el.innerText || el.id || el.tagName).trim();
  return {
    name: name.slice(0, 60),
    tag: el.tagName,
    onScreen,
    reached,
    covering: reached || !hit ? "" : hit.tagName + "." + hit.className,
    ring,
  };
}"""
KEYBOARD_PAGES = ["/", "/p/m9k4sq1wv7/", "/share/", "/members/", "/help/", "/guidelines/"]
PHONE = {"width": 360, "height": 640}


def focus_stops(page, key: str = "Tab", limit: int = 120) -> list[dict]:
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        stop = page.evaluate(FOCUS_STOP)
        if stop is None or (stops and stop == stops[0]):
            break
        stops.append(stop)
    return stops


@pytest.mark.parametrize("size", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "desktop"])
@pytest.mark.parametrize("path", KEYBOARD_PAGES)
def test_every_keyboard_stop_is_visible_and_not_hidden_under_a_bar(demo_site, watched, path, size):
    watch = watched(demo_site, viewport=size)
    watch.page.goto(demo_site + path)
    forward = focus_stops(watch.page)
    assert len(forward) >= 5
    assert forward[0]["name"] == "Skip to main content"
    # Backwards, the browser scrolls each stop to the top edge, where a sticky bar is.
    backward = focus_stops(watch.page, "Shift+Tab")
    assert len(backward) == len(forward)
    stops = forward + backward
    hidden = [s for s in stops if not (s["onScreen"] and s["reached"] and s["ring"])]
    assert hidden == []


def test_the_members_area_works_with_the_keyboard_alone(demo_board, watched):
    watch = watched(demo_board.base, viewport=PHONE)
    page = watch.page
    page.goto(demo_board.base + "/members/")
    code = page.get_by_label("Access code")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "code":
            break
    expect(code).to_be_focused()
    page.keyboard.type(demo_board.code)
    page.keyboard.press("Enter")
    agree = page.get_by_role("button", name="I agree")
    expect(agree).to_be_visible()
    agree.focus()
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name="Rehearsing a talk with my brother")
    expect(link).to_be_visible()
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Rehearsing a talk with my brother")).to_be_focused()
    warning = page.locator("article.post details.cw")
    warning.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(warning.locator(".text")).to_be_visible()
    page.get_by_role("button", name="Lock").focus()
    page.keyboard.press("Enter")
    expect(code).to_be_focused()
    watch.assert_clean()


def test_the_access_code_field_takes_a_paste_and_a_password_manager(demo_board, watched):
    watch = watched(demo_board.base, permissions=["clipboard-read", "clipboard-write"])
    page = watch.page
    page.goto(demo_board.base + "/members/")
    code = page.get_by_label("Access code")
    # A password manager finds a password field for the current password,
    # with a username beside it in the same form, and may fill it.
    expect(code).to_have_attribute("type", "password")
    expect(code).to_have_attribute("autocomplete", "current-password")
    expect(code).not_to_have_attribute("readonly", "")
    assert code.evaluate("f => f.maxLength") == -1
    username = page.locator("form#unlock input[autocomplete=username]")
    expect(username).to_have_count(1)
    # Paste is never blocked.
    page.evaluate("text => navigator.clipboard.writeText(text)", demo_board.code)
    code.focus()
    page.keyboard.press("ControlOrMeta+V")
    expect(code).to_have_value(demo_board.code)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="I agree").click()
    expect(page.locator("#member-view")).to_contain_text("Rehearsing a talk with my brother")
    watch.assert_clean()
