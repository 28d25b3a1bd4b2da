"""Seal the members-only sections into output/members/ at build time.

What is written, for every members-only section that has access codes:
- members/keyring.json: one entry per live code (plus decoys), each wrapping
  the section's content key and file name under a key only that code derives;
- members/<slot>.<n>.bin: the whole section as one padded stream (first its
  list: title, and each thread's title, day, byline and where its text is;
  then every current post with its replies, rendered and sanitised), cut
  into equal chunks, each sealed on its own.

A reader downloads the chunks that hold the list, then the one or two that
hold a post when it is opened. The chunks are cut from the stream without
regard to where posts begin, so neither the number of posts nor their sizes
show; the padding rounds the total (docs/formats/members.md). Each post
carries its expiry inside the sealed data, and the browser refuses to show it
after that day whatever the page around it says.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from generator.board import access
from generator.board.config import Board, Section
from generator.board.dates import day_label
from generator.board.post import Post, shown_as
from generator.board.threads import ThreadTree
from generator.errors import BuildError
from generator.formats import members as fmt
from generator.site.report import SealReport
from generator.site.translations import UNSIGNED, load_translations
from generator.text.sanitise import clean_html, markdown_to_html

MEMBERS_DIR = "members"
KEYRING_FILE = "keyring.json"
LIST_FIELDS = ("id", "title", "day", "day_label", "expires", "cw", "byline", "role_label")


def chunk_name(slot: bytes, number: int) -> str:
    return f"{fmt.b64(slot)}.{number}.bin"


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
        "v": fmt.SECTION_VERSION,
        "section": {
            "name": section.name,
            "title": section.title,
            "description": section.description,
        },
        "posts": ordered,
    }


def _json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def split_document(document: dict[str, Any]) -> tuple[bytes, bytes]:
    """A section document as format v2 lays it out: (list, posts), JSON bytes.

    The list holds what the list view shows of each thread, the expiry of each
    reply (to count the current ones) and where the thread's text is in the
    posts part: `at` and `len`, in bytes. Each thread's text is a JSON object
    of its own: id, expires_label, html and the replies in full.
    """
    listing, texts, at = [], [], 0
    for thread in document["posts"]:
        text = _json(
            {
                "id": thread["id"],
                "expires_label": thread["expires_label"],
                "html": thread["html"],
                "replies": thread["replies"],
            }
        )
        summary = {name: thread[name] for name in LIST_FIELDS}
        summary["replies"] = [reply["expires"] for reply in thread["replies"]]
        listing.append(dict(summary, at=at, len=len(text)))
        texts.append(text)
        at += len(text)
    head = {"v": fmt.SECTION_VERSION, "section": document["section"], "posts": listing}
    return _json(head), b"".join(texts)


def open_sealed_section(site: Path, slot: bytes, content_key: bytes) -> dict[str, Any]:
    """The section document sealed in SITE's members/ under SLOT, whole again:
    every thread with its html and replies, as `section_document` made it.
    (What a member's browser does a piece at a time; `Unopenable` if it fails.)"""
    folder, envelopes = site / MEMBERS_DIR, []
    while (path := folder / chunk_name(slot, len(envelopes))).is_file():
        envelopes.append(path.read_bytes())
    listing, texts = fmt.open_section(content_key, slot, envelopes)
    head = json.loads(listing)
    threads = []
    for summary in head["posts"]:
        text = json.loads(texts[summary["at"] : summary["at"] + summary["len"]])
        thread = {name: summary[name] for name in LIST_FIELDS}
        threads.append(dict(thread, **{k: v for k, v in text.items() if k != "id"}))
    return dict(head, posts=threads)


def keyring_hint(board: Board, vault_data: dict[str, Any]) -> dict[str, Any] | None:
    """The keyring's salt and PBKDF2 count for the members' page, or None without a keyring.

    They are public (in keyring.json) and never change once a code is issued;
    with them in the page, a browser starts the key derivation while the keyring
    downloads. The keyring's own values still decide (docs/formats/members.md).
    """
    if not access.section_grants(vault_data, board):
        return None
    salt, iterations = access.keyring_settings(vault_data, board)
    return {"salt": fmt.b64(salt), "iterations": iterations}


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
        listing, texts = split_document(section_document(board, section, section_posts))
        try:
            chunks = fmt.seal_section(grant.content_key, grant.slot, listing, texts)
        except ValueError:
            raise BuildError(
                f'members-only section "{grant.name}" is too large to seal (over 64 MiB); '
                "prune old posts or split it into two sections"
            ) from None
        for number, chunk in enumerate(chunks):
            (folder / chunk_name(grant.slot, number)).write_bytes(chunk)
        for keys, expires in grant.code_keys:
            entries.append((keys, fmt.Grant(grant.slot, grant.content_key, expires)))
        report.sections += 1
        report.posts += len(section_posts)
        report.codes += len(grant.code_keys)
    keyring = fmt.make_keyring(salt, iterations, entries)
    (folder / KEYRING_FILE).write_text(json.dumps(keyring, indent=0) + "\n", encoding="utf-8")
    return report
