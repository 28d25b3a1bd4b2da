"""The build's idea of today.

QUIETBOARD_TODAY=YYYY-MM-DD sets it for previews and tests; nothing else
fakes the clock.
"""

from __future__ import annotations

import datetime as dt
import os

from generator.errors import ConfigError


def today() -> dt.date:
    value = os.environ.get("QUIETBOARD_TODAY", "").strip()
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"QUIETBOARD_TODAY must be a day like 2026-11-20, not {value!r}; fix or unset it"
        ) from None


def ahead_of_system() -> bool:
    """Whether QUIETBOARD_TODAY names a day after this computer's own date.

    Deleting for good (prune) on such a day is refused unless confirmed: a
    preview's date left in the environment must not delete live posts.
    """
    return bool(os.environ.get("QUIETBOARD_TODAY", "").strip()) and today() > dt.date.today()
