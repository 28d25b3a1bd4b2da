"""The theme's words in the board's language: gettext catalogs.

The catalogs are theme/translations/<lang>/LC_MESSAGES/messages.po, the one
source a translator edits; they are compiled in memory at build time (no .mo
file to forget to regenerate). English is the language the theme is written
in, so it needs no catalog. docs/translating.md explains the workflow.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from generator.resources import theme_dir

SOURCE_LANGUAGE = "en"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks a message for extraction (pybabel finds N_) without translating it here."""
    return message


# Words the Python side puts into pages; the templates' words are in the templates.
UNSIGNED = N_("A member")
MEMBERS_LABEL = N_("Members' area")


def catalogs_dir() -> Path:
    return theme_dir() / "translations"


def _candidates(language: str) -> list[str]:
    """'pt-BR' -> ['pt_BR', 'pt']: the most specific catalog first."""
    parts = language.split("-")
    return ["_".join(parts[:n]) for n in range(len(parts), 0, -1)]


def catalog_languages(directory: Path | None = None) -> list[str]:
    """The languages that have a catalog, as folder names ('de', 'pt_BR')."""
    root = directory or catalogs_dir()
    return sorted(p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def catalog_for(language: str, directory: Path | None = None) -> Path | None:
    """The .po file that translates the theme into LANGUAGE, or None (English, or no catalog)."""
    root = directory or catalogs_dir()
    for name in _candidates(language):
        if name == SOURCE_LANGUAGE:
            return None
        po = root / name / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            return po
    return None


def missing_catalog(language: str, directory: Path | None = None) -> str | None:
    """A warning when the theme cannot speak LANGUAGE (its words stay English), else None."""
    if _candidates(language)[-1] == SOURCE_LANGUAGE or catalog_for(language, directory):
        return None
    have = ", ".join([SOURCE_LANGUAGE, *catalog_languages(directory)])
    return (
        f'the theme has no "{language}" translation yet (it has: {have}), so buttons, menus '
        "and messages are in English while your pages stay as you wrote them; to add one, see "
        "docs/translating.md"
    )


@functools.cache
def _compiled(po: Path, mtime_ns: int) -> gettext.GNUTranslations:
    with po.open("rb") as source:
        catalog = read_po(source, abort_invalid=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy (unreviewed) entries are left out, as msgfmt does
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def load_translations(language: str, directory: Path | None = None) -> gettext.NullTranslations:
    """The theme's translations into LANGUAGE; English words where there is no catalog."""
    po = catalog_for(language, directory)
    if po is None:
        return gettext.NullTranslations()
    return _compiled(po, po.stat().st_mtime_ns)


def theme_messages(language: str, directory: Path | None = None) -> list[str]:
    """Every message the theme can show in LANGUAGE: the Python side's in English,
    and each translation of the catalog (English ones are the templates' own words)."""
    messages = [UNSIGNED, MEMBERS_LABEL]
    po = catalog_for(language, directory)
    if po is not None:
        with po.open("rb") as source:
            catalog = read_po(source)
        for message in catalog:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            messages += [string for string in strings if message.id and string]
    return messages
