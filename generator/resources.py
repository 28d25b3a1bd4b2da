"""Where the theme, the plugins, the template board and the demo live.

An installed package carries them in generator/_data (see pyproject.toml);
a source checkout has them at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "_data"
_CHECKOUT = _PACKAGE.parent


def _find(installed: str, checkout: str) -> Path:
    path = _INSTALLED / installed
    return path if path.exists() else _CHECKOUT / checkout


def theme_dir() -> Path:
    return _find("theme", "theme")


def plugins_dir() -> Path:
    return _find("plugins", "plugins")


def template_board_toml() -> Path:
    return _find("template/board.toml", "board.toml")


def template_pages_dir() -> Path:
    return _find("template/content/pages", "content/pages")


def demo_dir() -> Path:
    return _find("demo", "demo")
