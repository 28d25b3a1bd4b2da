"""Days as people read them. A published date is a day at most, never a time."""

from __future__ import annotations

import datetime as dt


def day_label(day: dt.date) -> str:
    """'8 November 2026' (no leading zero, on every platform)."""
    return f"{day.day} {day:%B %Y}"
