"""Threads: replies are shown under the post they answer, never on their own."""

from __future__ import annotations

from typing import Any


def reply_to(item: Any) -> str:
    return item.metadata.get("reply-to", "")


def attach_replies(items: list[Any]) -> list[Any]:
    """Give every top-level item a `replies` list; return only the top-level items.

    A reply to a reply joins the thread of the post at its top. Replies are
    ordered by day, then by their random id, so arrival order never shows.
    """
    by_slug = {item.slug: item for item in items}
    top_level = [item for item in items if not reply_to(item)]
    for item in top_level:
        item.replies = []
    for item in items:
        if not reply_to(item):
            continue
        root = item
        while reply_to(root):
            root = by_slug[reply_to(root)]
        root.replies.append(item)
    for item in top_level:
        item.replies.sort(key=lambda reply: (reply.date, reply.slug))
    return top_level
