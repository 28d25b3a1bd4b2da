"""The bundled demo board, with its posts' days moved so that none has expired."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import shutil
from pathlib import Path

from generator.board.access import issue_code
from generator.board.config import BOARD_FILE, read_board
from generator.board.edit import add_moderator_key
from generator.board.moderators import create_key
from generator.board.post import PAGES_DIR, POSTS_DIR
from generator.board.vault import VAULT_DIR, create_vault, open_vault
from generator.errors import BoardExistsError
from generator.resources import demo_dir, template_pages_dir

# The day the demo posts were written for; a demo built later moves every
# Date and Expires forward by the same number of days.
DEMO_WRITTEN_ON = dt.date(2026, 11, 20)
DEMO_MARK = ".quietboard-demo"
_DAY_LINE = re.compile(
    r"^(Date: |Expires: |last_checked = |reviewed = )(\d{4}-\d{2}-\d{2})$", re.MULTILINE
)


def shift_days(text: str, days: int) -> str:
    def move(match: re.Match[str]) -> str:
        day = dt.date.fromisoformat(match.group(2)) + dt.timedelta(days=days)
        return f"{match.group(1)}{day.isoformat()}"

    return _DAY_LINE.sub(move, text)


def prepare_demo(target: Path, today: dt.date) -> tuple[str, str]:
    """Write the demo board into TARGET (replacing an earlier demo there).

    Returns the passphrase of the demo's new vault and an access code that
    opens its members-only section; neither is written anywhere. The vault
    also gets a moderator key, so the demo's share page can seal to it.
    """
    target = Path(target)
    source = demo_dir()
    if target.exists() and any(target.iterdir()) and not (target / DEMO_MARK).is_file():
        raise BoardExistsError(
            f"{target} is not empty and holds no earlier demo; the demo replaces its folder's "
            "board.toml and content/, so choose an empty or new folder with --dir"
        )
    for old in (target / "content", target / BOARD_FILE, target / VAULT_DIR):
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    target.mkdir(parents=True, exist_ok=True)
    (target / DEMO_MARK).write_text("A demo board written by quietboard demo.\n", encoding="utf-8")
    offset = (today - DEMO_WRITTEN_ON).days
    # Its review dates move too, so the demo never warns that they are old.
    board_text = shift_days((source / BOARD_FILE).read_text(encoding="utf-8"), offset)
    (target / BOARD_FILE).write_text(board_text, encoding="utf-8")
    shutil.copytree(template_pages_dir(), target / PAGES_DIR)
    for post in sorted((source / "posts").rglob("*.md")):
        dest = target / POSTS_DIR / post.relative_to(source / "posts")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(shift_days(post.read_text(encoding="utf-8"), offset), encoding="utf-8")
    return _open_members(target, today)


def _open_members(target: Path, today: dt.date) -> tuple[str, str]:
    passphrase = secrets.token_urlsafe(24)
    board = read_board(target)
    create_vault(target, passphrase)
    with open_vault(target, lambda: passphrase) as vault:
        code = issue_code(
            vault.data, board, board.member_sections[0].name, "demo", expires=None, today=today
        )
        public = create_key(vault.data, today)
        vault.save()
    add_moderator_key(target, public)
    return passphrase, code
