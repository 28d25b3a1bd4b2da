"""Pelican settings for a quietboard build (a plain dict: no Pelican import).

Everything Pelican would otherwise publish by default and that could identify
someone is switched off here: author, tag and archive pages, drafts, sources,
the content cache, dates from file times, feeds for anything but public
sections.
"""

from __future__ import annotations

import functools
import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.board import hosting as hardening
from generator.board.config import Board
from generator.board.dates import day_label
from generator.resources import plugins_dir, theme_dir
from generator.site.privacy import privacy_facts
from generator.site.translations import MEMBERS_LABEL, load_translations
from generator.text.sanitise import MARKDOWN_EXTENSIONS

PLUGINS = ("quietboard_i18n", "quietboard_content", "quietboard_hardening")

_SWITCHED_OFF = (
    "TAG_SAVE_AS", "TAGS_SAVE_AS", "AUTHOR_SAVE_AS", "AUTHORS_SAVE_AS", "CATEGORIES_SAVE_AS",
    "ARCHIVES_SAVE_AS", "YEAR_ARCHIVE_SAVE_AS", "MONTH_ARCHIVE_SAVE_AS", "DAY_ARCHIVE_SAVE_AS",
    "DRAFT_SAVE_AS", "DRAFT_LANG_SAVE_AS", "DRAFT_PAGE_SAVE_AS", "DRAFT_PAGE_LANG_SAVE_AS",
    "ARTICLE_LANG_SAVE_AS", "PAGE_LANG_SAVE_AS",
)  # fmt: skip
_NO_FEEDS = (
    "FEED_ALL_ATOM", "FEED_ALL_RSS", "FEED_ATOM", "FEED_RSS", "CATEGORY_FEED_ATOM",
    "CATEGORY_FEED_RSS", "AUTHOR_FEED_ATOM", "AUTHOR_FEED_RSS", "TAG_FEED_ATOM", "TAG_FEED_RSS",
    "TRANSLATION_FEED_ATOM", "TRANSLATION_FEED_RSS",
)  # fmt: skip


def newest_first(article: Any) -> tuple[int, str]:
    """Newest day first; within a day by random id, never by arrival."""
    return (-article.date.toordinal(), article.slug)


# Pelican needs a group called "what"; the empty lookahead fails at once.
NEVER_MATCHES = r"(?!)(?P<what>)"


# `import ... from "./x.js"` and `import "./x.js"`: the forms the theme's modules use.
_MODULE_IMPORT = re.compile(r"""\bimport\s*(?:[^"';]*?\bfrom\s*)?["'](\.{1,2}/[^"']+)["']""")


@functools.cache
def module_graph(entry: str) -> tuple[str, ...]:
    """ENTRY (a module under the theme's js/) and every module it imports, at any depth.

    Pages preload them all at once (`<link rel="modulepreload">`): on a phone
    each level of imports found one after the other costs a round trip.
    """
    scripts = theme_dir() / "static" / "js"
    found, pending = [], [entry]
    while pending:
        module = pending.pop(0)
        if module in found:
            continue
        found.append(module)
        source = (scripts / module).read_text(encoding="utf-8")
        for ref in _MODULE_IMPORT.findall(source):
            pending.append(posixpath.normpath(posixpath.join(posixpath.dirname(module), ref)))
    return tuple(found)


def pelican_settings(
    board: Board, content_dir: Path, output_dir: Path, kdf: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Pelican's settings for BOARD; KDF is the keyring's salt and count (seal.keyring_hint)."""
    words = load_translations(board.language)
    settings: dict[str, Any] = dict.fromkeys(_SWITCHED_OFF, "")
    settings.update(dict.fromkeys(_NO_FEEDS))
    if board.feeds:
        settings["CATEGORY_FEED_ATOM"] = "feeds/{slug}.atom.xml"
    settings.update(
        PATH=str(content_dir),
        OUTPUT_PATH=str(output_dir),
        THEME=str(theme_dir()),
        PLUGIN_PATHS=[str(plugins_dir())],
        PLUGINS=list(PLUGINS),
        SITENAME=board.name,
        SITEURL="",
        RELATIVE_URLS=True,
        FEED_DOMAIN=board.base_url,
        TIMEZONE="UTC",
        DEFAULT_LANG=board.language,
        DEFAULT_DATE=None,
        DEFAULT_DATE_FORMAT="%d %B %Y",
        ARTICLE_PATHS=["posts"],
        PAGE_PATHS=["pages"],
        STATIC_PATHS=[],
        # Pelican's "{attach}", "|static|" (and mixed) links copy files named by a
        # path into the output, even from outside the content folder. Nothing we
        # publish needs them, and a submission must never name a file: never match.
        INTRASITE_LINK_REGEX=NEVER_MATCHES,
        IGNORE_FILES=[".*"],
        USE_FOLDER_AS_CATEGORY=True,
        SLUGIFY_SOURCE="basename",
        ARTICLE_URL="p/{slug}/",
        ARTICLE_SAVE_AS="p/{slug}/index.html",
        PAGE_URL="{slug}/",
        PAGE_SAVE_AS="{slug}/index.html",
        CATEGORY_URL="s/{slug}/",
        CATEGORY_SAVE_AS="s/{slug}/index.html",
        DIRECT_TEMPLATES=["index", "help", "members", "share", "exit", "privacy", "404"],
        HELP_SAVE_AS="help/index.html",
        PRIVACY_SAVE_AS="privacy/index.html",
        MEMBERS_SAVE_AS="members/index.html",
        SHARE_SAVE_AS="share/index.html",
        EXIT_SAVE_AS="quick-exit/index.html",
        **{"404_SAVE_AS": "404.html"},
        PAGINATED_TEMPLATES={"category": None},
        DEFAULT_PAGINATION=20,
        PAGINATION_PATTERNS=[
            (1, "{url}", "{save_as}"),
            (2, "{base_name}/{number}/", "{base_name}/{number}/index.html"),
        ],
        ARTICLE_ORDER_BY=newest_first,
        PAGE_ORDER_BY="basename",
        CACHE_CONTENT=False,
        LOAD_CONTENT_CACHE=False,
        OUTPUT_SOURCES=False,
        DELETE_OUTPUT_DIRECTORY=False,
        TYPOGRIFY=False,
        MARKDOWN={
            "extension_configs": {
                **{name: {} for name in MARKDOWN_EXTENSIONS},
                "markdown.extensions.meta": {},
            },
            "output_format": "html",
        },
        THEME_STATIC_DIR="theme",
        THEME_STATIC_PATHS=["static"],
        JINJA_FILTERS={"day_label": functools.partial(day_label, language=board.language)},
        JINJA_ENVIRONMENT={
            "trim_blocks": True,
            "lstrip_blocks": True,
            # The theme's words go through gettext; the quietboard_i18n plugin
            # installs the board's language on every generator's environment.
            "extensions": ["jinja2.ext.i18n"],
            # Titles, pseudonyms and warnings come from members: escape everything;
            # only bodies, already sanitised by nh3, are marked safe in the templates.
            "autoescape": True,
        },
        QUIETBOARD={
            "board": board,
            "language": board.language,
            "members_label": board.members_label or words.gettext(MEMBERS_LABEL),
            "privacy": privacy_facts(board),
            "root": urlsplit(board.base_url).path.rstrip("/"),
            "csp": hardening.content_security_policy(meta=True),
            "robots": hardening.robots_directives(board),
            "headers_file": hardening.headers_file(board),
            "robots_txt": hardening.robots_txt(board),
            "kdf": kdf,
            "modules": {"members": module_graph("members.js"), "share": module_graph("submit.js")},
            # Filled by the content plugin: each post's sanitised HTML by its
            # path in the content folder ("posts/share/ID.md"), for the leak search.
            "published_html": {},
        },
    )
    return settings
