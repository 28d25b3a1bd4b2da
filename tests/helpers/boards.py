"""Tiny boards for tests: board.toml, post text, a board maker, a quick vault, a code.

Plain helpers, not fixtures: tests/conftest.py wraps BoardMaker as `make_board`,
and module-scoped fixtures and benchmarks call these directly.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

BOARD_TOML = """\
name = "Test board"
language = "en"
base_url = "https://board.example.org"

[sections.share]
title = "Sharing"
expires_days = 90

[sections.circle]
title = "Inner circle of trust"
members_only = true

[roles]
moderator = "Moderator"
"""

PAGE = "Title: Community guidelines\n\nBe kind to each other, and keep everyone anonymous.\n"


def post_text(
    title: str, body: str, date: str = "2026-11-10", expires: str = "2027-02-08", **extra: str
) -> str:
    lines = [f"Title: {title}", f"Date: {date}", f"Expires: {expires}"]
    lines += [f"{key.replace('_', '-').title()}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n\n" + textwrap.dedent(body).strip() + "\n"


# A thread that leaves on 2026-12-01 (its reply asks to stay longer, and must
# not), and a post that stays into 2027.
EXPIRING_THREAD = {
    "share/a1b2c3d4e5.md": post_text(
        "A thread that leaves in December", "The first of December is its last day.",
        expires="2026-12-01",
    ),
    "share/f6g7h8j9k0.md": post_text(
        "Re: December", "A reply that asked to stay until spring.",
        reply_to="a1b2c3d4e5", expires="2027-03-01",
    ),
    "share/m1n2p3q4r5.md": post_text("Still here in January", "A post that stays a while."),
}  # fmt: skip


class BoardMaker:
    """Writes a board folder: board.toml, a page, and the posts given."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(
        self,
        toml: str = BOARD_TOML,
        posts: dict[str, str] | None = None,
        pages: dict[str, str] | None = None,
    ) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "board.toml").write_text(toml, encoding="utf-8")
        for name, text in (pages if pages is not None else {"guidelines": PAGE}).items():
            self.write(f"content/pages/{name}.md", text)
        for rel, text in (posts or {}).items():
            self.write(f"content/posts/{rel}", text)
        return self.root

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


def fast_vault(root: Path, passphrase: str = "correct horse battery staple") -> str:
    """A vault with libsodium's smallest Argon2id cost, so tests stay quick."""
    import nacl.pwhash

    from generator.board.vault import create_vault

    create_vault(
        root,
        passphrase,
        opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
        memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN,
    )
    return passphrase


def issue(root: Path, passphrase: str, section: str, label: str, **when) -> str:
    """Issue an access code through the library, as `access issue` does."""
    import datetime as dt

    from generator.board.access import issue_code
    from generator.board.config import read_board
    from generator.board.vault import open_vault

    with open_vault(root, lambda: passphrase) as vault:
        code = issue_code(
            vault.data,
            read_board(root),
            section,
            label,
            expires=when.get("expires"),
            today=when.get("today", dt.date(2026, 11, 20)),
        )
        vault.save()
    return code
