"""A board with language = "de" in Chromium: the theme, and JavaScript's words, in German."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from generator.board.edit import add_moderator_key
from generator.board.moderators import create_key
from generator.board.vault import open_vault
from generator.site.build import build_board
from generator.site.render import render_with_pelican
from tests.helpers.boards import BOARD_TOML, BoardMaker, fast_vault, issue, post_text
from tests.helpers.browser import serving, violations

pytestmark = pytest.mark.browser

BUILT_ON = dt.date(2026, 11, 20)
BROWSER_DAY = "2026-11-21T10:00:00"
POSTS = {
    "share/p2w6ym4k8s.md": post_text("Ein kleiner Erfolg", "Heute bin ich spazieren gegangen."),
    "circle/k7d2xq9p4m.md": post_text(
        "Am Kanal", "Das Wasser war ruhig, und ich auch.", cw="Traurigkeit"
    ),
    "circle/r4t8wz2n6b.md": post_text(
        "Re: Kanal", "Schön, dass es geholfen hat.", pseudonym="Reiher", reply_to="k7d2xq9p4m"
    ),
}


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    root = BoardMaker(tmp_path_factory.mktemp("german") / "board")(
        toml=BOARD_TOML.replace('language = "en"', 'language = "de"'), posts=POSTS
    )
    passphrase = fast_vault(root)
    with open_vault(root, lambda: passphrase) as vault:
        public = create_key(vault.data, BUILT_ON)
        vault.save()
    add_moderator_key(root, public)
    code = issue(root, passphrase, "circle", "A.")
    report = build_board(root, render_with_pelican, today=BUILT_ON, passphrase=lambda: passphrase)
    with serving(report.output) as base:
        yield {"base": base, "code": code}


def test_the_public_pages_speak_german(german, watched):
    watch = watched(german["base"])
    page = watch.page
    page.goto(german["base"] + "/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    crisis = page.get_by_role("complementary", name="Hilfe in der Krise")
    expect(crisis).to_contain_text("Bist du gerade in Gefahr?")
    expect(crisis.get_by_role("link", name="Mehr Hilfe")).to_be_visible()
    nav = page.get_by_role("navigation", name="Bereiche")
    expect(nav.get_by_role("link", name="Teilen")).to_be_visible()
    expect(nav.get_by_role("link", name="Mitgliederbereich")).to_be_visible()
    expect(page.get_by_role("heading", name="Neueste Beiträge")).to_be_visible()
    page.get_by_role("link", name="Ein kleiner Erfolg").click()
    expect(page.locator("article.post .byline")).to_contain_text("Ein Mitglied · 10. November 2026")
    expect(page.locator("article.post")).to_contain_text(
        "Dieser Beitrag wird am 8. Februar 2027 vom Board entfernt."
    )
    expect(page.get_by_role("heading", name="Noch keine Antworten")).to_be_visible()
    assert violations(page) == ""
    page.get_by_role("navigation", name="Über dieses Board").get_by_role(
        "link", name="Datenschutz"
    ).click()
    expect(page.get_by_role("heading", name="Datenschutz", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Kurz gesagt")).to_be_visible()
    assert violations(page) == ""
    watch.assert_clean()


def test_the_share_page_speaks_german(german, watched):
    watch = watched(german["base"])
    page = watch.page
    page.goto(german["base"] + "/share/")
    expect(page.get_by_role("heading", name="Mit der Gruppe teilen")).to_be_visible()
    expect(page.get_by_label("Was möchtest du senden?")).to_be_visible()
    page.get_by_label("Titel").fill("Hallo")
    page.get_by_label("Dein Beitrag").fill("")
    page.get_by_role("button", name="Verschließen und senden").click()
    # Said by submit.js, from the template's German words.
    expect(page.get_by_role("status")).to_have_text("Bitte schreib zuerst etwas.")
    expect(page.locator("#random-name")).to_contain_text("Du erscheinst als")
    page.get_by_label("Dein Beitrag").fill("Heute war ein guter Tag.")
    page.get_by_label("Inhaltswarnungen (freiwillig)").fill("Verlust")
    page.get_by_role("button", name="Vorschau").click()
    expect(page.get_by_role("heading", name="Hallo")).to_be_visible()
    expect(page.get_by_text("Inhaltswarnung: Verlust")).to_be_visible()
    page.get_by_label("Was möchtest du senden?").select_option("feedback")
    expect(page.locator("#body-label")).to_have_text("Deine Nachricht an die Moderation")
    assert violations(page) == ""
    watch.assert_clean()


def test_the_members_area_speaks_german(german, watched):
    watch = watched(german["base"])
    page = watch.page
    page.clock.set_fixed_time(BROWSER_DAY)
    page.goto(german["base"] + "/members/")
    page.get_by_label("Zugangscode").fill("falscher code")
    page.get_by_role("button", name="Öffnen").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Mit diesem Code ließ sich hier nichts öffnen."
    )
    page.get_by_label("Zugangscode").fill(german["code"])
    page.get_by_role("button", name="Öffnen").click()
    expect(
        page.get_by_role("heading", name="Bevor du liest: unser Versprechen untereinander")
    ).to_be_visible()
    page.get_by_role("button", name="Ich stimme zu").click()
    view = page.locator("#member-view")
    expect(view.get_by_role("link", name="Am Kanal")).to_be_visible()
    expect(view).to_contain_text("Ein Mitglied · 10. November 2026 · 1 Antwort")
    expect(view).to_contain_text("Inhaltswarnung: Traurigkeit")
    expect(view.get_by_role("link", name="In diesem Bereich etwas teilen")).to_be_visible()
    assert violations(page) == ""
    view.get_by_role("link", name="Am Kanal").click()
    expect(page.get_by_role("heading", name="Am Kanal")).to_be_focused()
    expect(view.get_by_role("region", name="Antworten")).to_contain_text("1 Antwort")
    expect(view.get_by_role("article", name="Antwort von Reiher")).to_be_visible()
    expect(view.locator(".expiry")).to_have_text(
        "Dieser Beitrag wird am 8. Februar 2027 vom Board entfernt."
    )
    expect(view.locator("details.cw summary")).to_contain_text(
        "Inhaltswarnung: Traurigkeit. Anzeigen"
    )
    page.get_by_role("button", name="Sperren").click()
    expect(page.get_by_role("status")).to_have_text(
        "Gesperrt. Dieser Browser hat den Schlüssel nicht mehr."
    )
    watch.assert_clean()
