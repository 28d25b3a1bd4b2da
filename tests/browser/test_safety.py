"""Safety features in Chromium: quick exit, the crisis bar, the confidentiality
promise, hiding content warnings, role notes, weight, print and the keyboard.

The exit site is never fetched from the internet: Playwright answers for it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from generator.board.config import read_board

pytestmark = pytest.mark.browser

NEUTRAL = "<!doctype html><title>Weather</title><h1>Today's weather</h1>"
# A page the reader had open before the board, so Back has somewhere to go.
BEFORE = "https://news.example.org/"
POST = "/p/m9k4sq1wv7/"  # CW: loneliness, low mood; three replies
ROLE_POST = "/p/h3v8q2nz5k/"  # Role: moderator
PUBLIC_PAGES = {
    "home": "/",
    "section": "/s/share/",
    "post": POST,
    "help": "/help/",
    "standard page": "/guidelines/",
    "quick exit page": "/quick-exit/",
}


@pytest.fixture(scope="module")
def exit_url(demo_board) -> str:
    return read_board(demo_board.root).safety.exit_url


def offline_sites(page, exit_url: str) -> None:
    """Answer for the exit site and BEFORE without the internet."""
    page.context.route(
        lambda url: url.startswith((exit_url, BEFORE)),
        lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL),
    )


def unlock(page, code: str, *, remember: bool = False) -> None:
    page.get_by_label("Access code").fill(code)
    if remember:
        page.get_by_label("Remember on this device").check()
    page.get_by_role("button", name="Open").click()


def press_shift(page, times: int) -> None:
    for _ in range(times):
        page.keyboard.press("Shift")


def kept(page) -> dict[str, str]:
    return page.evaluate(
        "({local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage)})"
    )


# Quick exit


def test_shift_three_times_leaves_and_back_does_not_return(demo_site, watched, exit_url):
    page = watched(demo_site).page
    offline_sites(page, exit_url)
    page.goto(BEFORE)
    page.goto(demo_site + POST)
    press_shift(page, 2)
    expect(page.locator("#exit-status")).to_have_text(
        "Shift pressed: press it 1 more time to leave this page."
    )
    expect(page).to_have_url(demo_site + POST)
    page.keyboard.press("Shift")
    page.wait_for_url(exit_url)
    expect(page.get_by_role("heading")).to_have_text("Today's weather")
    page.go_back()
    page.wait_for_url(BEFORE)
    page.go_forward()
    page.wait_for_url(exit_url)


def test_capital_letters_never_exit_but_shift_alone_does_even_while_typing(
    demo_site, watched, exit_url
):
    page = watched(demo_site).page
    offline_sites(page, exit_url)
    page.goto(demo_site + "/share/")
    title = page.get_by_label("Title")
    title.click()
    page.keyboard.type("I Am OK Now, Thank You All")
    page.keyboard.press("Shift+A")
    page.keyboard.press("Shift")
    page.keyboard.press("b")
    press_shift(page, 2)
    expect(title).to_have_value("I Am OK Now, Thank You AllAb")
    expect(page).to_have_url(demo_site + "/share/")
    page.keyboard.press("Shift")
    page.wait_for_url(exit_url)


def test_the_exit_button_leaves_no_history_entry_for_the_page(demo_site, watched, exit_url):
    page = watched(demo_site).page
    offline_sites(page, exit_url)
    page.goto(BEFORE)
    page.goto(demo_site + "/")
    page.get_by_role("link", name="Weekends are the hardest part").click()
    expect(page).to_have_url(demo_site + POST)
    # Until the page has loaded, exit.js may not be running yet and the button
    # is the plain link it is without JavaScript (which keeps the history entry).
    page.wait_for_load_state("load")
    button = page.get_by_role("link", name="Exit this page")
    expect(button).to_have_attribute("href", exit_url)
    button.click()
    page.wait_for_url(exit_url)
    # Back skips the page left from; the board page before it is still there
    # (the quick exit page says so).
    page.go_back()
    page.wait_for_url(demo_site + "/")
    page.go_back()
    page.wait_for_url(BEFORE)


def test_the_exit_link_works_without_javascript(demo_site, watched, exit_url):
    page = watched(demo_site, java_script_enabled=False).page
    offline_sites(page, exit_url)
    page.goto(demo_site + "/")
    link = page.get_by_role("link", name="Exit this page")
    expect(link).to_have_attribute("href", exit_url)
    assert "noreferrer" in link.get_attribute("rel").split()
    link.click()
    page.wait_for_url(exit_url)
    expect(page.get_by_role("heading")).to_have_text("Today's weather")


def test_quick_exit_forgets_the_member_keys_even_remembered_ones(demo_board, watched, exit_url):
    base = demo_board.base
    page = watched(base).page
    offline_sites(page, exit_url)
    page.goto(base + "/members/")
    unlock(page, demo_board.code, remember=True)
    page.get_by_role("button", name="I agree").click()
    expect(page.locator("#member-view")).to_contain_text("Rehearsing a talk with my brother")
    other = page.context.new_page()
    other.goto(base + "/members/")
    expect(other.get_by_role("button", name="I agree")).to_be_visible()
    assert "quietboard-members" in kept(page)["session"] + kept(page)["local"]
    press_shift(page, 3)
    page.wait_for_url(exit_url)
    # Back on the board in the same tab: nothing kept, the code is asked for.
    page.goto(base + "/members/")
    expect(page.get_by_label("Access code")).to_be_visible()
    assert kept(page) == {"local": "{}", "session": "{}"}
    # The other tab of the board lost the remembered key too, and locked.
    expect(other.get_by_label("Access code")).to_be_visible()
    fresh = page.context.new_page()
    fresh.goto(base + "/members/")
    expect(fresh.get_by_label("Access code")).to_be_visible()
    expect(fresh.locator("#member-view")).to_be_empty()


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_every_page_has_the_exit_button_and_the_crisis_bar_in_the_same_place(
    demo_site, watched, exit_url, path
):
    watch = watched(demo_site, viewport={"width": 360, "height": 640})
    page = watch.page
    page.goto(demo_site + path)
    button = page.get_by_role("link", name="Exit this page")
    expect(button).to_have_attribute("href", exit_url)
    box = button.bounding_box()
    assert box["y"] < 20 and box["height"] >= 44 and box["width"] >= 44
    crisis = page.get_by_role("complementary", name="Crisis help")
    expect(crisis).to_contain_text("Samaritans")
    expect(crisis).to_contain_text("This board is not a crisis service.")
    expect(crisis).to_contain_text(
        "Moderators are usually around most evenings, 6 to 10 pm UK time."
    )
    # The exit button stays on screen when the reader scrolls.
    page.mouse.wheel(0, 2000)
    page.keyboard.press("End")
    expect(button).to_be_in_viewport()
    watch.assert_clean()


def test_the_quick_exit_page_says_what_is_and_is_not_erased(demo_site, watched, exit_url):
    page = watched(demo_site).page
    page.goto(demo_site + "/")
    page.get_by_role("link", name="How quick exit works").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leaving quickly")
    text = page.locator("main")
    expect(text).to_contain_text(exit_url)
    expect(text).to_contain_text("Back does not bring it back")
    expect(text).to_contain_text("stay in its Back list and in your browser's history")
    expect(text).to_contain_text("private window")
    expect(page.get_by_role("link", name="How quick exit works")).to_have_attribute(
        "aria-current", "page"
    )


# The confidentiality promise


def test_the_promise_comes_before_the_members_area_once_per_tab(demo_board, watched):
    base = demo_board.base
    watch = watched(base)
    page = watch.page
    page.goto(base + "/members/")
    unlock(page, demo_board.code)
    promise = page.get_by_role("region", name="Before you read: our promise to each other")
    expect(promise).to_contain_text("I will not take screenshots")
    expect(page.get_by_role("heading", name="Before you read")).to_be_focused()
    # Nothing decrypted is on the page until the member agrees.
    expect(page.locator("#member-view")).to_be_empty()
    expect(page.locator("main")).not_to_contain_text("Rehearsing a talk")
    page.get_by_role("button", name="I agree").click()
    expect(page.locator("#member-view")).to_contain_text("Rehearsing a talk with my brother")
    expect(page.locator(".members-bar")).to_contain_text("what members share here stays here")
    # Another page and back in the same tab: not asked again.
    page.get_by_role("link", name="Get help now").click()
    page.get_by_role("link", name="Members' area").click()
    expect(page.locator("#member-view")).to_contain_text("Rehearsing a talk with my brother")
    expect(promise).to_be_hidden()
    watch.assert_clean()
    # A new browser asks again, and "Not now" locks and forgets the key.
    fresh = watched(base).page
    fresh.goto(base + "/members/")
    unlock(fresh, demo_board.code)
    fresh.get_by_role("button", name="Not now: lock it").click()
    expect(fresh.get_by_label("Access code")).to_be_focused()
    expect(fresh.locator("#member-view")).to_be_empty()
    assert kept(fresh) == {"local": "{}", "session": "{}"}


# Content warnings


def choose_hidden(page, *warnings: str) -> None:
    page.get_by_text("Hide posts by content warning").click()
    for warning in warnings:
        page.get_by_role("checkbox", name=warning, exact=True).check()


def test_chosen_warnings_hide_posts_for_the_tab_only(demo_site, watched):
    watch = watched(demo_site)
    page = watch.page
    page.goto(demo_site + "/")
    weekends = page.get_by_role("link", name="Weekends are the hardest part")
    expect(weekends).to_be_visible()
    choose_hidden(page, "low mood", "anxiety")
    expect(weekends).to_be_hidden()
    expect(page.get_by_role("link", name="Dreading the start of the week")).to_be_hidden()
    expect(page.get_by_role("link", name="Awake at odd hours again")).to_be_visible()
    expect(page.get_by_text("2 posts hidden by your settings.")).to_be_visible()
    # The choice follows the reader through the tab: the post itself is left out.
    page.goto(demo_site + POST)
    expect(page.locator("article.post")).to_be_hidden()
    expect(page.get_by_text("1 post hidden by your settings.")).to_be_visible()
    page.get_by_text("Hide posts by content warning").click()
    page.get_by_role("checkbox", name="low mood", exact=True).uncheck()
    expect(page.locator("article.post")).to_be_visible()
    expect(page.locator("#cw-hidden")).to_be_empty()
    assert "low mood" not in page.evaluate("JSON.stringify(sessionStorage)")
    assert page.evaluate("JSON.stringify(localStorage)") == "{}"
    watch.assert_clean()
    # A new browser hides nothing.
    fresh = watched(demo_site).page
    fresh.goto(demo_site + "/")
    expect(fresh.get_by_role("link", name="Dreading the start of the week")).to_be_visible()


def test_chosen_warnings_hide_members_posts_too(demo_board, watched):
    base = demo_board.base
    page = watched(base).page
    page.goto(base + "/members/")
    unlock(page, demo_board.code)
    page.get_by_role("button", name="I agree").click()
    view = page.locator("#member-view")
    expect(view).to_contain_text("Rehearsing a talk with my brother")
    choose_hidden(page, "family conflict")
    expect(view.get_by_role("link", name="Rehearsing a talk with my brother")).to_be_hidden()
    expect(view).to_contain_text("Trying the grounding exercise")
    expect(page.get_by_text("1 post hidden by your settings.")).to_be_visible()


def test_warnings_stay_collapsed_and_readable_without_javascript(demo_site, watched):
    page = watched(demo_site, java_script_enabled=False).page
    page.goto(demo_site + POST)
    expect(page.locator("#cw-settings")).to_be_hidden()
    warning = page.locator("article.post details.cw")
    expect(warning.locator("summary")).to_contain_text("Content warning: loneliness, low mood")
    expect(warning.locator(".text")).to_be_hidden()
    warning.locator("summary").click()
    expect(warning.locator(".text")).to_be_visible()


# Role badges


def test_a_role_badge_comes_with_a_not_medical_advice_note(demo_site, watched):
    page = watched(demo_site).page
    page.goto(demo_site + ROLE_POST)
    expect(page.locator("article.post .badge")).to_have_text("Moderator")
    expect(page.locator("article.post")).to_contain_text(
        "Moderators and professionals here share experience and information, not medical advice."
    )
    page.goto(demo_site + POST)
    expect(page.locator("article.post")).not_to_contain_text("not medical advice")


# Light and print


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_each_public_page_weighs_under_30_kb_with_no_images_or_web_fonts(demo_site, watched, path):
    watch = watched(demo_site)
    finished = []
    # Playwright needs a Python function here, not a bound builtin.
    watch.page.on("requestfinished", lambda request: finished.append(request))  # noqa: PLW0108
    watch.page.goto(demo_site + path, wait_until="networkidle")
    kinds = {request.resource_type for request in finished}
    assert {"document", "stylesheet", "script"} <= kinds
    assert not kinds & {"image", "font", "media"}, kinds
    expect(watch.page.locator("img")).to_have_count(0)
    assert sum(len(request.response().body()) for request in finished) < 30 * 1024
    assert "system-ui" in watch.page.evaluate("getComputedStyle(document.body).fontFamily")
    watch.assert_clean()


def test_printing_leaves_out_the_exit_and_crisis_bars_and_navigation(demo_site, watched):
    page = watched(demo_site).page
    page.goto(demo_site + POST)
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Exit this page")).to_be_hidden()
    expect(page.locator(".crisis")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Sections")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekends are the hardest part")
    page.emulate_media(media="screen")
    expect(page.get_by_role("link", name="Exit this page")).to_be_visible()


# The keyboard alone

# The focused element: does it show a focus ring, and can it be seen (not
# under the sticky exit bar, WCAG 2.4.11)?
FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getClientRects()[0];
  const sticky = document.querySelector(".exit-bar").getBoundingClientRect();
  const bar = el.closest(".exit-bar, .skip") ? 0 : sticky.bottom;
  let top = null;
  if (box) {
    const from = Math.max(box.top, bar, 0), to = Math.min(box.bottom, innerHeight);
    const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
    if (to > from) top = document.elementFromPoint(x, (from + to) / 2);
  }
  return {
    name: (el.id || el.textContent || el.tagName).trim().slice(0, 40),
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    seen: top !== null && (el.contains(top) || top.contains(el) || el.labels?.[0]?.contains(top)),
  };
}"""


def tab_to(page, target, *, limit: int = 60) -> list[str]:
    """Press Tab until `target` has focus; every stop must show its focus, uncovered."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS)
        stops.append(state["name"])
        assert state["ring"] and state["seen"], (state, stops)
        if target.evaluate("el => el === document.activeElement"):
            return stops
    raise AssertionError(f"Tab never reached {target}: {stops}")


def test_keyboard_only_unlock_promise_and_reading(demo_board, watched):
    base = demo_board.base
    watch = watched(base, viewport={"width": 390, "height": 700})
    page = watch.page
    page.goto(base + "/members/")
    stops = tab_to(page, page.get_by_label("Access code"))
    assert stops[:2] == ["Skip to main content", "exit"]
    page.keyboard.type(demo_board.code)
    tab_to(page, page.get_by_role("button", name="Open"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Before you read")).to_be_focused()
    tab_to(page, page.get_by_role("button", name="I agree"))
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="Tuesday evening circle")).to_be_focused()
    link = page.get_by_role("link", name="Rehearsing a talk with my brother")
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Rehearsing a talk with my brother")).to_be_focused()
    warning = page.locator("article.post summary")
    tab_to(page, warning)
    page.keyboard.press("Enter")
    expect(page.locator("article.post details.cw .text")).to_be_visible()
    watch.assert_clean()


def test_keyboard_only_share(demo_board, watched):
    base = demo_board.base
    watch = watched(base, viewport={"width": 390, "height": 700})
    page = watch.page
    page.goto(base + "/share/")
    tab_to(page, page.get_by_label("Title"))
    page.keyboard.type("A calmer evening")
    tab_to(page, page.get_by_label("Your post"))
    page.keyboard.type("I made tea and sat by the window for a while.")
    tab_to(page, page.get_by_label("Content warnings (optional)"))
    page.keyboard.type("low mood")
    tab_to(page, page.get_by_role("radio", name="No name"))
    page.keyboard.press("ArrowDown")  # arrows move within the radio group
    expect(page.get_by_role("radio", name="A name I choose")).to_be_checked()
    tab_to(page, page.get_by_label("The name to show"))
    page.keyboard.type("Lantern")
    tab_to(page, page.get_by_role("button", name="Lock and send"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Send the locked text yourself")).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_role("textbox", name="Locked text")).not_to_have_value("")
    copy = page.get_by_role("button", name="Copy")
    tab_to(page, copy)
    watch.assert_clean()
