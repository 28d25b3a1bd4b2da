"""The theme's words in the board's language: catalogs, dates, a German build."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from generator.board.dates import day_label
from generator.site.build import build_board
from generator.site.render import render_with_pelican
from generator.site.translations import (
    catalog_languages,
    catalogs_dir,
    load_translations,
    missing_catalog,
)
from tests.helpers.boards import BOARD_TOML, post_text

REPO = Path(__file__).resolve().parents[2]
LANGUAGES = catalog_languages()


def extracted() -> set[str | tuple[str, str]]:
    """Every message in the templates and the Python side, as `pybabel extract` finds them."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    messages = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        REPO, method_map, options_map
    ):
        messages.add(message if isinstance(message, str) else tuple(message))
    assert len(messages) > 100  # the extraction really read the templates
    return messages


def catalog(path: Path):
    with path.open("rb") as source:
        return read_po(source, abort_invalid=True)


def ids(messages) -> set[str | tuple[str, str]]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in messages if m.id}


# What must come through a translation: every %(name)s and {name} placeholder
# (a name may be used more or fewer times), and the same HTML tags.
def _fixed_parts(text: str) -> tuple[set[str], list[str]]:
    return set(re.findall(r"%\(\w+\)s|\{\w+\}", text)), sorted(re.findall(r"</?[a-z]+", text))


def test_the_shipped_languages_include_german():
    assert "de" in LANGUAGES


def test_the_template_for_translators_is_up_to_date():
    """messages.pot holds exactly what the templates say (docs/translating.md regenerates it)."""
    assert ids(catalog(catalogs_dir() / "messages.pot")) == extracted()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_reviewed_translation(language):
    po = catalog(catalogs_dir() / language / "LC_MESSAGES" / "messages.po")
    by_id = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in po if m.id}
    missing = sorted(str(i) for i in extracted() - by_id.keys())
    assert missing == [], f"not in {language}/messages.po: run pybabel update (docs/translating.md)"
    untranslated = [
        str(i)
        for i, m in by_id.items()
        if m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert untranslated == []
    unused = sorted(str(i) for i in by_id.keys() - extracted())
    assert unused == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_markup(language):
    po = catalog(catalogs_dir() / language / "LC_MESSAGES" / "messages.po")
    wrong = []
    for m in po:
        if not m.id:
            continue
        sources = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        for text in strings:
            if _fixed_parts(text) != _fixed_parts(sources[-1]):
                wrong.append((sources[0], text))
    assert wrong == []


def test_german_words_and_plurals():
    german = load_translations("de")
    assert german.gettext("Share") == "Teilen"
    assert german.ngettext("%(count)s reply", "%(count)s replies", 1) == "%(count)s Antwort"
    assert german.ngettext("%(count)s reply", "%(count)s replies", 3) == "%(count)s Antworten"
    # A regional tag falls back to its language's catalog.
    assert load_translations("de-AT").gettext("Share") == "Teilen"


@pytest.mark.parametrize("language", ["en", "en-GB", "de", "de-CH"])
def test_languages_with_a_catalog_need_no_warning(language):
    assert missing_catalog(language) is None


def test_a_language_without_a_catalog_falls_back_to_english_with_a_warning():
    assert load_translations("fr").gettext("Share") == "Share"
    warning = missing_catalog("fr")
    assert warning is not None
    assert '"fr"' in warning
    assert "de" in warning
    assert "docs/translating.md" in warning


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("en", "8 November 2026"),
        ("de", "8. November 2026"),
        ("de-AT", "8. November 2026"),
        ("fr", "8 novembre 2026"),
        ("zz", "8 November 2026"),
    ],
)
def test_days_read_as_people_write_them(language, label):
    assert day_label(dt.date(2026, 11, 8), language) == label


GERMAN_TOML = BOARD_TOML.replace('language = "en"', 'language = "de"')


def test_a_german_board_builds_in_german(make_board, today):
    root = make_board(
        toml=GERMAN_TOML,
        posts={
            "share/b7x2kq9m4d.md": post_text("Ein guter Tag", "Heute war es leichter."),
            "share/c3v8np2w6z.md": post_text("Re", "Schön!", reply_to="b7x2kq9m4d"),
        },
    )
    report = build_board(root, render_with_pelican)
    assert not any("translation" in w for w in report.warnings)
    post = (report.output / "p" / "b7x2kq9m4d" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in post
    assert ">Teilen</a>" in post
    assert "Hilfe in der Krise" in post
    assert "1 Antwort" in post
    assert "10. November 2026" in post
    assert "Ein Mitglied" in post  # an unsigned post's byline
    assert "Share" not in post.replace("share", "")
    members = (report.output / "members" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Mitgliederbereich</h1>" in members


def test_a_board_in_a_language_without_a_catalog_builds_in_english_and_says_so(make_board, today):
    root = make_board(toml=BOARD_TOML.replace('language = "en"', 'language = "fr"'))
    report = build_board(root, render_with_pelican)
    assert any('"fr" translation' in w for w in report.warnings)
    home = (report.output / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in home
    assert ">Share</a>" in home


# Attributes a person reads or hears; data-* carry JavaScript's words.
_READ_ATTRIBUTES = {"aria-label", "aria-description", "title", "placeholder", "alt", "label"}
_JINJA = re.compile(
    r"\{#.*?#\}|\{%-?\s*trans\b.*?%\}.*?\{%-?\s*endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}", re.S
)


def untranslated_words(template: str) -> list[str]:
    """Words in TEMPLATE that a reader would see and that gettext never sees."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Reader(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if not value or not re.search(r"[A-Za-z]", value):
                    continue
                if name in _READ_ATTRIBUTES or (
                    name.startswith("data-") and re.search("[A-Z]", value)
                ):
                    found.append(f"{tag} {name}={value!r}")

        def handle_data(self, data):
            # A robots directive (article.html's meta block) is for crawlers, not people.
            data = data.replace("unavailable_after:", "")
            # A macro that writes an attribute (_post.html's cw_data) leaves its name bare.
            data = re.sub(r'\s*data-[a-z-]+=""', "", data)
            if re.search(r"[A-Za-z]", data):
                found.append(data.strip())

    Reader().feed(_JINJA.sub("", template))
    return found


@pytest.mark.parametrize(
    "template", sorted(p.name for p in (REPO / "theme" / "templates").glob("*.html"))
)
def test_every_word_in_the_templates_goes_through_gettext(template):
    text = (REPO / "theme" / "templates" / template).read_text(encoding="utf-8")
    assert untranslated_words(text) == []


def test_the_untranslated_word_check_finds_plain_words():
    assert untranslated_words('<p>{{ _("Fine") }} Plain</p>') == ["Plain"]
    assert untranslated_words(
        '<a aria-label="Menu" data-x="Hello">{% trans %}ok{% endtrans %}</a>'
    ) == [
        "a aria-label='Menu'",
        "a data-x='Hello'",
    ]
