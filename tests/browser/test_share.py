"""The share page in Chromium: what leaves the browser, and the way into the queue.

The network is watched: the only request a submission makes carries the
locked envelope, the form name and the honeypot, and none of the typed
words. The envelope then goes through a CSV shaped like Netlify's export
(with the IP address, browser and times Netlify records) into the queue,
and none of those columns reaches the vault.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.parse

import pytest
from playwright.sync_api import expect

from generator.board.vault import open_vault
from generator.site.settings import module_graph
from tests.helpers.browser import (
    AGENT,
    CREATED,
    IP,
    REFERRER,
    capture_posts,
    import_and_list,
    violations,
)

pytestmark = pytest.mark.browser

TITLE = "Three good things today"
BODY = "The **sun** came out.\n\n- tea with my sister\n- a walk\n\nThat is all, and it was enough."
PSEUDONYM = "Kestrel"
WARNING = "family worries"
ALLOWED_FIELDS = {"form-name", "envelope", "website"}


def fill_post(page):
    page.fill("#title", TITLE)
    page.fill("#body", BODY)
    page.fill("#cw", WARNING)
    page.fill("#pseudonym", PSEUDONYM)


def test_a_post_leaves_the_browser_locked_and_reaches_the_queue_without_metadata(
    netlify_board, watched, tmp_path
):
    watch = watched(netlify_board.base)
    page = watch.page
    sent = capture_posts(page)
    page.goto(f"{netlify_board.base}/share/")
    expect(page.locator("#compose")).to_be_visible()
    assert page.locator("#needs-script").is_hidden()
    assert page.locator("#compose [name]:not(input[type=radio][name=name-choice])").count() == 0
    fill_post(page)
    page.click("#preview-button")
    expect(page.locator("#preview-text strong")).to_have_text("sun")
    expect(page.locator("#preview-text li")).to_have_text(["tea with my sister", "a walk"])
    page.click("#send")
    expect(page.locator("#sent")).to_be_visible(timeout=60_000)
    code = page.locator("#code-text").inner_text()
    assert re.fullmatch(r"[a-z2-7]{5}(-[a-z2-7]{5}){3}", code)
    assert page.locator("#title").input_value() == ""
    assert page.locator("#body").input_value() == ""

    (body,) = sent
    fields = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
    assert set(fields) == ALLOWED_FIELDS
    assert fields["form-name"] == "quietboard"
    assert fields["website"] == ""
    assert fields["envelope"].startswith("-----BEGIN QUIETBOARD SUBMISSION-----\n")
    for typed in (TITLE, "sun came out", "tea with my sister", PSEUDONYM, WARNING, "Kestrel"):
        assert typed not in body
        assert urllib.parse.quote_plus(typed) not in body
    watch.assert_clean()

    imported, items = import_and_list(netlify_board, tmp_path, [fields["envelope"]])
    assert "Imported 1, duplicates 0, spam 0, unreadable 0." in imported
    (item,) = items
    assert (item["kind"], item["section"], item["title"]) == ("post", "share", TITLE)
    assert item["body"] == BODY.strip()
    assert (item["pseudonym"], item["cw"]) == (PSEUDONYM, [WARNING])
    with open_vault(netlify_board.root, lambda: netlify_board.passphrase) as vault:
        everything = json.dumps(vault.data)
    for trace in (IP, AGENT, REFERRER, CREATED, "673ef", "iPhone", "2026-11-21T"):
        assert trace not in everything
    for path in (netlify_board.root / ".quietboard").rglob("*"):
        if path.is_file():
            assert IP.encode() not in path.read_bytes()


def test_a_reply_keeps_its_post_out_of_the_address_bar_and_a_failed_send_loses_nothing(
    netlify_board, watched, tmp_path
):
    watch = watched(netlify_board.base)
    page = watch.page
    sent = capture_posts(page, status=[500, 200])
    page.goto(f"{netlify_board.base}/s/share/")
    page.locator("main a.title").first.click()
    slug = page.url.rstrip("/").rsplit("/", 1)[1]
    page.get_by_role("link", name="Reply").click()
    expect(page.locator("#context")).to_have_text("You are replying to a post.")
    assert "#" not in page.url
    assert page.locator("#kind-choice").is_hidden()
    assert page.locator("#title").is_hidden()
    page.fill("#body", "I know that feeling. Sending warmth.")
    page.click("#send")
    expect(page.locator("#fallback")).to_be_visible(timeout=60_000)
    expect(page.locator("#fallback-why")).to_contain_text("the form service refused it")
    sealed = page.locator("#sealed").input_value()
    assert sealed.startswith("-----BEGIN QUIETBOARD SUBMISSION-----")
    assert len(sent) == 1
    with page.expect_download() as download:
        page.click("#download")
    saved = tmp_path / "saved.txt"
    download.value.save_as(saved)
    assert saved.read_text() == sealed
    page.click("#retry")
    expect(page.locator("#sent")).to_be_visible()
    assert page.locator("#fallback").is_hidden()
    assert len(sent) == 2
    assert sent[0] == sent[1]

    _, items = import_and_list(netlify_board, tmp_path, [sealed])
    reply = next(item for item in items if item["kind"] == "reply")
    assert (reply["post"], reply["section"]) == (slug, "share")
    assert reply["body"] == "I know that feeling. Sending warmth."


def test_a_board_without_a_form_service_hands_over_the_locked_text(demo_board, watched):
    watch = watched(demo_board.base)
    page = watch.page
    page.goto(f"{demo_board.base}/share/")
    page.select_option("#kind", "feedback")
    assert page.locator("#title").is_hidden()
    page.fill("#body", "Thank you for running this board.")
    page.click("#send")
    expect(page.locator("#fallback")).to_be_visible(timeout=60_000)
    expect(page.locator("#fallback-why")).to_have_text(
        "This board has no form service, so please send the locked text yourself."
    )
    assert page.locator("#withdrawal-code").is_hidden()
    assert "Thank you for running" not in page.locator("#sealed").input_value()
    assert [url for url in watch.requests if url.endswith("/share/")] == [
        f"{demo_board.base}/share/"
    ]
    watch.assert_clean()


def test_a_member_can_type_before_the_sealing_code_arrives_but_not_send(netlify_board, watched):
    """The form is there with the page; the send button waits for the sealing
    code (held back here), and what was typed meanwhile is kept and sent sealed."""
    watch = watched(netlify_board.base)
    page = watch.page
    sent = capture_posts(page)
    held = []
    # A lambda: Playwright cannot take a built-in method as a handler.
    page.route("**/theme/js/formats/hpke.js", lambda route: held.append(route))  # noqa: PLW0108
    with page.expect_request("**/theme/js/formats/hpke.js"):
        page.goto(f"{netlify_board.base}/share/", wait_until="commit")
    expect(page.locator("#body")).to_be_editable()
    fill_post(page)
    page.locator("#title").press("Enter")  # no implicit submission either
    expect(page.locator("#send")).to_be_disabled()
    assert len(held) == 1
    assert sent == []
    held[0].continue_()
    expect(page.locator("#send")).to_be_enabled()
    assert page.locator("#needs-script").is_hidden()
    assert page.locator("#body").input_value() == BODY
    assert page.locator("#title").input_value() == TITLE
    page.click("#send")
    expect(page.locator("#sent")).to_be_visible(timeout=60_000)
    (body,) = sent
    fields = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
    assert set(fields) == ALLOWED_FIELDS
    assert "sun came out" not in body and TITLE not in urllib.parse.unquote_plus(body)
    watch.assert_clean()


@pytest.mark.parametrize(("path", "entry"), [("/share/", "submit.js"), ("/members/", "members.js")])
def test_a_page_asks_for_every_module_it_imports_at_once(demo_board, watched, path, entry):
    """On a phone each level of imports found one after another costs a round
    trip: with every script held back, the page has still asked for all of them."""
    page = watched(demo_board.base).page
    held, released = [], []

    def hold(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/theme/js/**", hold)
    modules = [f"{demo_board.base}/theme/js/{name}" for name in module_graph(entry)]
    assert len(modules) >= 4  # the page's module, primitives.js and the formats
    with contextlib.ExitStack() as stack:
        for url in modules:
            stack.enter_context(page.expect_request(url, timeout=10_000))
        page.goto(demo_board.base + path, wait_until="commit")
    released.append(True)
    for route in held:
        route.continue_()
    expect(page.locator("#needs-script")).to_be_hidden()


def test_without_javascript_nothing_can_be_sent(demo_board, watched):
    page = watched(demo_board.base, java_script_enabled=False).page
    page.goto(f"{demo_board.base}/share/")
    expect(page.locator("#needs-script")).to_be_visible()
    expect(page.locator("#needs-script")).to_contain_text("Nothing you type on this page is ever")
    assert page.locator("#compose").is_hidden()
    assert page.locator("#carrier").is_hidden()


def test_missing_or_too_many_words_are_asked_for_and_enter_never_sends(netlify_board, watched):
    page = watched(netlify_board.base).page
    sent = capture_posts(page)
    page.goto(f"{netlify_board.base}/share/")
    page.fill("#body", "Something without a title")
    page.click("#send")
    expect(page.locator("#compose-status")).to_have_text("Please give your post a title.")
    page.fill("#title", "A title")
    page.press("#title", "Enter")
    page.fill("#cw", ", ".join(f"topic {n}" for n in range(9)))
    page.click("#send")
    expect(page.locator("#compose-status")).to_have_text(
        "Please use at most 8 content warnings, each shorter than 40 characters."
    )
    page.select_option("#kind", "withdraw")
    page.fill("#withdrawal", "abcde-fghij")
    page.click("#send")
    expect(page.locator("#compose-status")).to_have_text(
        "Please type the 20-letter withdrawal code."
    )
    assert sent == []


def test_a_member_replies_in_a_members_section_without_its_name_in_any_public_page(
    demo_board, watched, tmp_path
):
    page = watched(demo_board.base).page
    page.goto(f"{demo_board.base}/members/")
    page.fill("#code", demo_board.code)
    page.click("#unlock-button")
    page.get_by_role("button", name="I agree").click()
    page.locator("#member-view a.title").first.click()
    post_id = page.evaluate("location.hash").removeprefix("#p=")
    page.get_by_role("link", name="Reply").click()
    expect(page.locator("#context")).to_have_text(
        "You are replying to a post in a members' section."
    )
    assert "#" not in page.url
    page.fill("#body", "See you on Tuesday.")
    page.click("#send")
    expect(page.locator("#fallback")).to_be_visible(timeout=60_000)
    sealed = page.locator("#sealed").input_value()
    _, items = import_and_list(demo_board, tmp_path, [sealed])
    reply = next(item for item in items if item["body"] == "See you on Tuesday.")
    assert (reply["kind"], reply["section"], reply["post"]) == ("reply", "circle", post_id)
    share_page = (demo_board.root / "output" / "share" / "index.html").read_text()
    assert 'value="circle"' not in share_page
    assert "Tuesday evening circle" not in share_page


def test_the_preview_shows_the_title_the_warnings_and_the_body_as_typed(demo_board, watched):
    watch = watched(demo_board.base)
    page = watch.page
    page.goto(f"{demo_board.base}/share/")
    page.fill("#title", "A <b>bold</b> day & <img src=x>")
    page.fill("#body", BODY)
    page.fill("#cw", f"{WARNING}, sleep, , {WARNING}")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview.get_by_role("heading", name="A <b>bold</b> day & <img src=x>")).to_be_visible()
    expect(preview.get_by_text(f"Content warning: {WARNING}, sleep")).to_be_visible()
    expect(preview.locator("strong")).to_have_text(["sun"])
    expect(preview.locator("li")).to_have_text(["tea with my sister", "a walk"])
    assert preview.locator("b, img").count() == 0
    # Emptied fields leave nothing behind.
    page.fill("#cw", "")
    page.fill("#title", "")
    page.get_by_role("button", name="Preview").click()
    expect(preview.get_by_role("heading", level=3)).to_have_count(0)
    expect(preview.get_by_text("Content warning")).to_be_hidden()
    expect(preview.locator("strong")).to_have_text(["sun"])
    watch.assert_clean()


def test_sending_from_a_local_preview_says_why_nothing_was_sent_and_what_to_do(
    netlify_board, watched
):
    # No form service answers here: the preview server quietboard serves
    # the board with (as `quietboard serve` and `quietboard demo` do) gets the post.
    page = watched(netlify_board.base).page
    page.goto(f"{netlify_board.base}/share/")
    fill_post(page)
    with page.expect_response(f"{netlify_board.base}/share/") as answer:
        page.click("#send")
    assert answer.value.request.method == "POST"
    expect(page.locator("#fallback")).to_be_visible(timeout=60_000)
    expect(page.locator("#fallback-why")).to_have_text(
        "This preview copy of the board has no form service, so nothing was sent. "
        "Copy or download the locked text below and send it to the moderators another way."
    )
    expect(page.locator("#fallback")).not_to_contain_text("Sending did not work")
    assert page.locator("#retry").is_hidden()
    assert page.locator("#sealed").input_value().startswith("-----BEGIN QUIETBOARD SUBMISSION")
    assert violations(page) == ""


def test_a_network_failure_on_the_real_site_says_to_try_again_or_send_it_yourself(
    netlify_board, watched
):
    page = watched(netlify_board.base).page
    page.route("**/share/", lambda route: route.abort() if route.request.method == "POST"
               else route.continue_())  # fmt: skip
    page.goto(f"{netlify_board.base}/share/")
    fill_post(page)
    page.click("#send")
    expect(page.locator("#fallback")).to_be_visible(timeout=60_000)
    expect(page.locator("#fallback-why")).to_have_text(
        "Sending did not work (the board could not be reached). Nothing was lost: "
        "send the locked text below yourself, or try again later."
    )
    expect(page.locator("#retry")).to_be_visible()
