"""The theme's scripts and styles, published without comments and spare whitespace.

The sources in theme/static stay as they are, readable and commented; a build
writes a smaller copy of each .js and .css file into the site, so a member on a
phone downloads less (docs/benchmarks.md, "Smaller pages"). rjsmin and rcssmin
only take out comments and whitespace: they never rename, reorder or rewrite
code, so the published modules are still our own code, readable once
reformatted, and the Content-Security-Policy (script-src 'self', no hashes)
needs no change.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import rcssmin
import rjsmin


def _js(source: str) -> str:
    return rjsmin.jsmin(source, keep_bang_comments=False)


def _css(source: str) -> str:
    return rcssmin.cssmin(source, keep_bang_comments=False)


MINIFIERS: dict[str, Callable[[str], str]] = {".js": _js, ".css": _css}


@functools.cache
def minified(suffix: str, source: bytes) -> bytes:
    """SOURCE (the bytes of a file ending in SUFFIX) as a build publishes it.

    Files other than scripts and styles are published as they are. Cached by
    content, so the audit computes each shipped file's published form once.
    """
    minify = MINIFIERS.get(suffix.lower())
    if minify is None:
        return source
    return minify(source.decode("utf-8")).encode("utf-8")


def minify_theme(theme: Path) -> None:
    """Replace every script and style under THEME (a built site's theme/) by its minified form."""
    for path in sorted(p for p in theme.rglob("*") if p.is_file()):
        if path.suffix.lower() in MINIFIERS:
            path.write_bytes(minified(path.suffix, path.read_bytes()))
