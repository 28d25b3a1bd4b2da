"""Seal the members-only sections into output/members/ at build time.

What is written, for every members-only section that has access codes:
- members/keyring.json: one entry per live code (plus decoys), each wrapping
  the section's content key and file name under a key only that code derives;
- members/<slot>.bin: the whole section (its title and every current post
  with its replies, rendered and sanitised) as one sealed, padded item.

One item per section, not one per post, so that neither the number of posts
nor their sizes show; the padding rounds the total (docs/formats/members.md). Each
post carries its expiry inside the sealed item, and the browser refuses to
show it after that day whatever the page around it says.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.board import access
from generator.board.config import Board, Section
from generator.board.dates import day_label
from generator.board.post import Post, shown_as
from generator.board.threads import ThreadTree
from generator.errors import BuildError
from generator.formats import members as fmt
from generator.site.translations import UNSIGNED, load_translations
from generator.text.sanitise import clean_html, markdown_to_html

MEMBERS_DIR = "members"
KEYRING_FILE = "keyring.json"
SECTION_ITEM = "section"


@dataclass
class SealReport:
    sections: int = 0
    posts: int = 0
    codes: int = 0
    unopenable: list[str] = field(default_factory=list)  # member sections without codes


def render_body(post: Post) -> str:
    """A post's body as published: Markdown, then the same nh3 allow-list as Pelican's."""
    return clean_html(markdown_to_html(post.body))


def _item(board: Board, post: Post, visible_until: dt.date) -> dict[str, Any]:
    role_label, signed = shown_as(
        board, post.role, post.pseudonym, load_translations(board.language).gettext(UNSIGNED)
    )
    return {
        "id": post.id,
        "title": post.title,
        "day": post.date.isoformat(),
        "day_label": day_label(post.date, board.language),
        "expires": visible_until.isoformat(),
        "expires_label": day_label(visible_until, board.language),
        "cw": list(post.cw),
        "byline": signed,
        "role_label": role_label,
        "html": render_body(post),
    }


def section_document(board: Board, section: Section, posts: list[Post]) -> dict[str, Any]:
    """The plaintext of a section's sealed item: threads, newest first.

    A reply's expiry is the earliest of its own and its thread's, so that the
    browser hides it together with the post it answers.
    """
    tree = ThreadTree(posts)
    threads = [
        dict(
            _item(board, top, tree.visible_until(top)),
            replies=[_item(board, reply, tree.visible_until(reply)) for reply in replies],
        )
        for top, replies in tree.threads(order=lambda reply: (reply.date, reply.id))
    ]
    ordered = sorted(threads, key=lambda t: (t["day"], t["id"]), reverse=True)
    return {
        "v": fmt.VERSION,
        "section": {
            "name": section.name,
            "title": section.title,
            "description": section.description,
        },
        "posts": ordered,
    }


def seal_member_sections(
    board: Board, vault_data: dict[str, Any], posts: list[Post], site: Path
) -> SealReport:
    """Write members/keyring.json and one sealed item per openable section into SITE."""
    report = SealReport()
    grants = access.section_grants(vault_data, board)
    openable = {grant.name for grant in grants}
    report.unopenable = [s.name for s in board.member_sections if s.name not in openable]
    if not grants:
        return report
    salt, iterations = access.keyring_settings(vault_data, board)
    folder = site / MEMBERS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for grant in grants:
        section = board.sections[grant.name]
        section_posts = [post for post in posts if post.section == grant.name]
        document = section_document(board, section, section_posts)
        try:
            sealed = fmt.seal_item(grant.content_key, grant.slot, SECTION_ITEM, document)
        except ValueError:
            raise BuildError(
                f'members-only section "{grant.name}" is too large to seal (over 64 MiB); '
                "prune old posts or split it into two sections"
            ) from None
        (folder / f"{fmt.b64(grant.slot)}.bin").write_bytes(sealed)
        for keys, expires in grant.code_keys:
            entries.append((keys, fmt.Grant(grant.slot, grant.content_key, expires)))
        report.sections += 1
        report.posts += len(section_posts)
        report.codes += len(grant.code_keys)
    keyring = fmt.make_keyring(salt, iterations, entries)
    (folder / KEYRING_FILE).write_text(json.dumps(keyring, indent=0) + "\n", encoding="utf-8")
    return report
