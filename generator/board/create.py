"""`quietboard init`: a new board from the template that ships with the package."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator import __version__
from generator.board.config import BOARD_FILE, read_board
from generator.board.hostbuild import BUILD_COMMAND, host_build_files
from generator.board.hosting import netlify_toml
from generator.board.post import PAGES_DIR, POSTS_DIR
from generator.errors import BoardExistsError
from generator.resources import template_board_toml, template_pages_dir

GITIGNORE = """\
# quietboard: never commit these.
# content/posts/ holds the published text of approved posts (and members-only
# posts); .quietboard/ is kept for the moderators' vault; output/ is built.
content/posts/
.quietboard/
.quietboard-build-*/
output/
"""


# What a new, otherwise empty git repository may already hold.
WELCOME_FILES = ("README", "LICENSE", "LICENCE", "COPYING")


def _check_place(target: Path) -> None:
    """Refuse a folder inside another board, or one already holding other things."""
    for parent in target.resolve().parents:
        if (parent / BOARD_FILE).is_file():
            raise BoardExistsError(
                f"{target} is inside the board in {parent}; choose a folder outside it"
            )
    if not target.is_dir():
        return
    others = [
        entry.name
        for entry in target.iterdir()
        if not entry.name.startswith(".") and not entry.name.upper().startswith(WELCOME_FILES)
    ]
    if others:
        raise BoardExistsError(
            f"{target} is not empty (it holds {len(others)} file(s) or folder(s), such as "
            f'"{sorted(others)[0]}"); choose an empty folder or a new name for a new board'
        )


def init_board(target: Path) -> list[Path]:
    """Create a board in TARGET; return the files written."""
    target = Path(target)
    # The host builds with exactly the quietboard that made the board.
    host_files = {target / path: text for path, text in host_build_files(__version__).items()}
    for existing in (target / BOARD_FILE, target / "content", target / "netlify.toml", *host_files):
        if existing.exists():
            raise BoardExistsError(
                f"{existing} already exists; choose an empty folder for a new board"
            )
    _check_place(target)
    target.mkdir(parents=True, exist_ok=True)
    written = [target / BOARD_FILE, target / ".gitignore", target / "netlify.toml"]
    shutil.copyfile(template_board_toml(), target / BOARD_FILE)
    gitignore = target / ".gitignore"
    existing_rules = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    gitignore.write_text(
        existing_rules + ("\n" if existing_rules else "") + GITIGNORE, encoding="utf-8"
    )
    shutil.copytree(template_pages_dir(), target / PAGES_DIR)
    written += sorted((target / PAGES_DIR).iterdir())
    (target / POSTS_DIR).mkdir(parents=True)
    board = read_board(target)
    (target / "netlify.toml").write_text(netlify_toml(board, BUILD_COMMAND), encoding="utf-8")
    for path, text in host_files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return written + list(host_files)
