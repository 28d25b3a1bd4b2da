"""Days as people read them. A published date is a day at most, never a time."""

from __future__ import annotations

import datetime as dt

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

# English boards have always shown '8 November 2026'; every other language
# gets its own long form ('8. November 2026', '8 de noviembre de 2026').
_PATTERNS = {"en": "d MMMM y"}


def day_label(day: dt.date, language: str = "en") -> str:
    """'8 November 2026' in English, '8. November 2026' in German (no leading zero)."""
    try:
        locale = Locale.parse(language, sep="-")
    except (ValueError, UnknownLocaleError):
        locale, language = Locale.parse("en"), "en"
    return format_date(day, _PATTERNS.get(language, "long"), locale=locale)
