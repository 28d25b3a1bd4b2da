"""The one thread tree: which post a reply answers, and everything that follows from it.

A reply names the post it answers (`Reply-To:`); a reply to a reply joins the
thread of the post at its top. Everything that needs the shape of a thread
asks this tree: the plan (a reply leaves with its thread), take-down and
withdrawal (a post goes with every reply below it), prune, the sealed
members' sections and the Pelican plugin (replies shown under their thread).

The tree holds any items that have an id and name the id they answer: posts,
the headers of post files read leniently, or Pelican's articles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class ThreadError(Exception):
    """The Reply-To lines do not form a tree; ITEM is where it shows."""

    def __init__(self, item: Any) -> None:
        super().__init__(item)
        self.item = item


class MissingParent(ThreadError):
    """ITEM answers an id that no item has."""


class ReplyLoop(ThreadError):
    """Following Reply-To lines comes back to ITEM."""


class ThreadTree(Generic[T]):
    """ITEMS in threads: KEY gives an item's id, PARENT the id it answers ("" for none).

    Items keep the order they were given in. An id given twice (only lenient
    readers allow it) is one node for looking up, and every copy is below
    its parent.
    """

    def __init__(
        self,
        items: Iterable[T],
        *,
        key: Callable[[T], str] = attrgetter("id"),
        parent: Callable[[T], str] = attrgetter("reply_to"),
    ) -> None:
        self._key = key
        self._parent = parent
        self._items = list(items)
        self._by_id: dict[str, T] = {}
        self._replies: dict[str, list[T]] = {}
        for item in self._items:
            self._by_id.setdefault(key(item), item)
            if parent(item):
                self._replies.setdefault(parent(item), []).append(item)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def get(self, item_id: str) -> T | None:
        return self._by_id.get(item_id)

    def parent(self, item: T) -> T | None:
        """The item ITEM answers; None for the top of a thread.

        Raises MissingParent when ITEM answers an id the tree does not hold.
        """
        parent_id = self._parent(item)
        if not parent_id:
            return None
        found = self._by_id.get(parent_id)
        if found is None:
            raise MissingParent(item)
        return found

    def replies(self, item: T) -> list[T]:
        """The replies that answer ITEM itself (not those further down)."""
        return list(self._replies.get(self._key(item), []))

    def ancestors(self, item: T) -> list[T]:
        """The items ITEM answers, nearest first, up to the top of its thread.

        Raises MissingParent or ReplyLoop (naming the first item met twice).
        """
        chain: list[T] = []
        seen = {self._key(item)}
        while (item := self.parent(item)) is not None:
            if self._key(item) in seen:
                raise ReplyLoop(item)
            seen.add(self._key(item))
            chain.append(item)
        return chain

    def top(self, item: T) -> T:
        """The post at the top of ITEM's thread (ITEM itself when it answers nothing)."""
        chain = self.ancestors(item)
        return chain[-1] if chain else item

    def check(self) -> None:
        """Raise MissingParent or ReplyLoop for the first item whose thread is broken."""
        for item in self._items:
            self.ancestors(item)

    def with_replies(self, ids: Iterable[str]) -> list[T]:
        """The items IDS and every reply below them, at any depth, in the tree's order.

        What a take-down or a withdrawal removes: a reply must not outlive
        the post it answers. Safe on broken trees (loops, missing parents).
        """
        doomed = set(ids)
        waiting = list(doomed)
        while waiting:
            for reply in self._replies.get(waiting.pop(), []):
                if self._key(reply) not in doomed:
                    doomed.add(self._key(reply))
                    waiting.append(self._key(reply))
        return [item for item in self._items if self._key(item) in doomed]

    def visible_until(
        self, item: T, expires: Callable[[T], dt.date] = attrgetter("expires")
    ) -> dt.date:
        """The day ITEM leaves the board: its own expiry or its thread's, whichever is first.

        A reply is never shown longer than the post it answers (the thread's
        context is what makes a reply safe to read): in the build, in the
        sealed members' items and in the browser alike.
        """
        return min([expires(item), *(expires(above) for above in self.ancestors(item))])

    def threads(self, order: Callable[[T], Any] | None = None) -> list[tuple[T, list[T]]]:
        """Every thread: its top post and all the replies below it, at any depth.

        Tops keep the tree's order; replies are sorted by ORDER (the tree's
        order when None). Raises MissingParent or ReplyLoop on a broken tree.
        """
        below: dict[str, list[T]] = {}
        tops: list[T] = []
        for item in self._items:
            chain = self.ancestors(item)
            if chain:
                below.setdefault(self._key(chain[-1]), []).append(item)
            else:
                tops.append(item)
        threads = []
        for top in tops:
            replies = below.get(self._key(top), [])
            threads.append((top, sorted(replies, key=order) if order else replies))
        return threads
