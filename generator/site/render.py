"""Pelican, run on a settings dict: the only place the build calls it."""

from __future__ import annotations

import contextlib
import io
import logging
from typing import Any

from generator.errors import BuildError


class _CollectErrors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        first_line = record.getMessage().splitlines()[0] if record.getMessage() else ""
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(first_line)


def render_with_pelican(settings: dict[str, Any]) -> list[str]:
    """Run Pelican with SETTINGS; any error it logs fails the build.

    Pelican logs and skips what it cannot process; for us a skipped file could
    mean a wrong page, so an error is fatal. Its warnings are returned.
    """
    from pelican import Pelican  # noqa: PLC0415 - keep `quietboard --help` fast
    from pelican.settings import read_settings  # noqa: PLC0415

    collector = _CollectErrors()
    logger = logging.getLogger("pelican")
    logger.addHandler(collector)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            Pelican(read_settings(path=None, override=settings)).run()
    finally:
        logger.removeHandler(collector)
    if collector.errors:
        raise BuildError(
            f"Pelican could not build the site: {collector.errors[0]}; output/ was left as it was"
        )
    return collector.warnings
