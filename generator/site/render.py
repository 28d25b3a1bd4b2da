"""Pelican, run on a settings dict: the only place the build calls it."""

from __future__ import annotations

import contextlib
import functools
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
    settings = {**settings, "READERS": {"md": _markdown_reader()}}
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


@functools.cache
def _markdown_reader() -> type:
    """Pelican's Markdown reader, with one renderer for all the files it reads.

    Pelican makes a new Markdown object for every file, and loading its
    extensions costs about as much as rendering a short post. This reader
    makes one, resets it before each file (footnotes and abbreviations are per
    text, as in generator.text.sanitise.markdown_to_html) and puts back the
    metadata step that Pelican's reader takes out after reading a header.
    Everything else is Pelican's own reader.
    """
    from markdown import Markdown  # noqa: PLC0415
    from markdown.extensions.meta import MetaPreprocessor  # noqa: PLC0415
    from pelican.readers import MarkdownReader  # noqa: PLC0415
    from pelican.utils import pelican_open  # noqa: PLC0415

    class OneRendererMarkdownReader(MarkdownReader):
        _renderer: Markdown | None = None

        def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
            if self._renderer is None:
                self._renderer = Markdown(**self.settings["MARKDOWN"])
            else:
                self._renderer.reset()
                if "meta" not in self._renderer.preprocessors:
                    # The priority markdown.extensions.meta registers it with.
                    meta = MetaPreprocessor(self._renderer)
                    self._renderer.preprocessors.register(meta, "meta", 27)
            self._source_path = source_path
            self._md = self._renderer
            with pelican_open(source_path) as text:
                content = self._md.convert(text)
            metadata = self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
            return content, metadata

    return OneRendererMarkdownReader
