"""Approved posts on disk: read, validate, and decide what may be published.

A post is `content/posts/<section>/<id>.md` with Pelican-style metadata lines.
Validation is strict and happens before Pelican sees anything, because Pelican
logs and skips a post it cannot read, and quietly dates a post from its file's
mtime if told to: both are wrong for us.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.board.config import Board
from generator.board.threads import MissingParent, ReplyLoop, ThreadTree
from generator.errors import ContentError

POSTS_DIR = Path("content") / "posts"
PAGES_DIR = Path("content") / "pages"

POST_ID = re.compile(r"^[a-z0-9]{8,32}$")
# Pelican resolves these against files on disk; a post could reach outside
# the staged content with them.
PELICAN_LINK = re.compile(r"\{(static|attach|filename|category|tag|author|index)\}")
RESERVED_PAGES = frozenset(
    {"help", "members", "share", "quick-exit", "p", "s", "theme", "feeds", "404", "index"}
)
# Written from board.toml [privacy] on every build, so it cannot drift from the truth.
GENERATED_PAGES = frozenset({"privacy"})
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
META_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):\s?(.*)$")
# Withdrawal holds the verifier of the member's withdrawal code (never the code):
# it stays in content/ and is never published.
POST_KEYS = ("title", "date", "expires", "cw", "pseudonym", "reply-to", "role", "withdrawal")
PAGE_KEYS = ("title",)
KEY_NAMES = {"cw": "CW", "reply-to": "Reply-To"}


def new_post_id() -> str:
    """A fresh random post id: 10 lower-case hex characters (40 bits)."""
    return secrets.token_hex(5)


@dataclass(frozen=True)
class Post:
    id: str
    section: str
    source: Path  # relative to the board, for messages
    title: str
    date: dt.date
    expires: dt.date
    body: str
    cw: tuple[str, ...] = ()
    pseudonym: str = ""
    reply_to: str = ""
    role: str = ""
    withdrawal: str = ""


@dataclass(frozen=True)
class Page:
    slug: str
    source: Path
    title: str
    body: str


MEMBERS_ONLY = "members-only"


@dataclass
class Publication:
    """What a build publishes today, and what it withholds and why."""

    published: list[Post] = field(default_factory=list)
    withheld: list[tuple[Post, str]] = field(default_factory=list)
    # Every post the plan was made from, in threads (for the day each leaves).
    tree: ThreadTree[Post] = field(default_factory=lambda: ThreadTree([]))

    @property
    def sealed(self) -> list[Post]:
        """Posts of members-only sections that are current: sealed, not published."""
        return [post for post, why in self.withheld if why == MEMBERS_ONLY]

    def count(self, reason: str) -> int:
        return sum(1 for _, why in self.withheld if why == reason)


def parse_warnings(value: str) -> tuple[str, ...]:
    """The content warnings of a `CW:` line: comma-separated, blanks dropped."""
    return tuple(tag.strip() for tag in value.split(",") if tag.strip())


def byline(pseudonym: str, role_label: str, unsigned: str = "A member") -> str:
    """Who a post shows as: a role badge stands on its own; an unsigned post is UNSIGNED."""
    return pseudonym or ("" if role_label else unsigned)


def shown_as(board: Board, role: str, pseudonym: str, unsigned: str) -> tuple[str, str]:
    """(role badge, byline) of a post with ROLE and PSEUDONYM, on a page or in a sealed item."""
    role_label = board.roles.get(role, "")
    return role_label, byline(pseudonym, role_label, unsigned)


def render_post(post: Post, *, private: bool = True) -> str:
    """A post's file: metadata lines, a blank line, the Markdown.

    PRIVATE=False leaves out what stays in content/ and is never published
    (the withdrawal verifier), for the copy a build hands to Pelican.
    """
    lines = [f"Title: {post.title}", f"Date: {post.date}", f"Expires: {post.expires}"]
    if post.cw:
        lines.append(f"CW: {', '.join(post.cw)}")
    if post.pseudonym:
        lines.append(f"Pseudonym: {post.pseudonym}")
    if post.reply_to:
        lines.append(f"Reply-To: {post.reply_to}")
    if post.role:
        lines.append(f"Role: {post.role}")
    if post.withdrawal and private:
        lines.append(f"Withdrawal: {post.withdrawal}")
    return "\n".join(lines) + "\n\n" + post.body


def split_metadata(text: str, source: Path, allowed: Iterable[str]) -> tuple[dict[str, str], str]:
    """Split Pelican-style `Key: value` header lines from the Markdown body."""
    allowed = tuple(allowed)
    meta: dict[str, str] = {}
    lines = text.lstrip("\ufeff").splitlines()
    index = 0
    for index, line in enumerate(lines):
        if not line.strip():
            break
        match = META_LINE.match(line)
        if not match:
            raise ContentError(
                f"{source}: line {index + 1} is not a metadata line like 'Title: ...'; "
                "metadata comes first, then a blank line, then the text"
            )
        key = match.group(1).lower()
        if key not in allowed:
            raise ContentError(
                f"{source}: unknown metadata '{match.group(1)}'; allowed: "
                + ", ".join(KEY_NAMES.get(k, k.title()) for k in allowed)
            )
        if key in meta:
            raise ContentError(f"{source}: '{match.group(1)}' is given twice; keep one")
        meta[key] = match.group(2).strip()
    else:
        index = len(lines)
    return meta, "\n".join(lines[index + 1 :]).strip() + "\n"


def _day(meta: dict[str, str], key: str, source: Path) -> dt.date:
    label = key.title()
    value = meta.get(key, "")
    if not value:
        raise ContentError(
            f"{source}: no '{label}:' line; every post needs {label}: YYYY-MM-DD "
            "(posts are never dated from the file's time)"
        )
    if not DAY.match(value):
        raise ContentError(
            f"{source}: '{label}: {value}' must be a day written YYYY-MM-DD, like 2026-11-20 "
            "(no time of day)"
        )
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ContentError(f"{source}: '{label}: {value}' is not a real date") from None


def _read_text(path: Path, source: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError(f"{source}: not UTF-8 text; save it as UTF-8") from None


def _check_links(body: str, source: Path) -> None:
    match = PELICAN_LINK.search(body)
    if match:
        raise ContentError(
            f"{source}: '{match.group(0)}' links are not allowed; link to pages with "
            "ordinary relative addresses such as ../guidelines/"
        )


def read_post(path: Path, board: Board) -> Post:
    source = path.relative_to(board.root)
    section = path.parent.name
    post_id = path.stem
    if not POST_ID.fullmatch(post_id):
        raise ContentError(
            f"{source}: a post's file name is its public address, so it must be 8-32 "
            f"lower-case letters and digits that say nothing about the post; rename it to, "
            f"for example, {new_post_id()}.md"
        )
    meta, body = split_metadata(_read_text(path, source), source, POST_KEYS)
    _check_links(body, source)
    title = meta.get("title", "")
    if not title:
        raise ContentError(f"{source}: no 'Title:' line; every post needs a title")
    words_in_id = [w for w in re.findall(r"[a-z]{4,}", title.casefold()) if w in post_id]
    if words_in_id:
        raise ContentError(
            f"{source}: the file name (the post's public address) contains a word of its "
            f"title; rename it to a random id such as {new_post_id()}.md"
        )
    date = _day(meta, "date", source)
    expires = _day(meta, "expires", source)
    if expires <= date:
        raise ContentError(f"{source}: Expires ({expires}) must be after Date ({date})")
    if (expires - date).days > board.max_expires_days:
        raise ContentError(
            f"{source}: Expires is {(expires - date).days} days after Date, more than "
            f"posts.max_expires_days ({board.max_expires_days}) in board.toml; choose an "
            f"earlier Expires"
        )
    role = meta.get("role", "")
    if role and role not in board.roles:
        allowed = ", ".join(board.roles) or "none are set in board.toml [roles]"
        raise ContentError(
            f"{source}: Role '{role}' is not a role in board.toml (roles: {allowed})"
        )
    reply_to = meta.get("reply-to", "")
    if reply_to == post_id:
        raise ContentError(f"{source}: a post cannot reply to itself")
    return Post(
        id=post_id,
        section=section,
        source=source,
        title=title,
        date=date,
        expires=expires,
        body=body,
        cw=parse_warnings(meta.get("cw", "")),
        pseudonym=meta.get("pseudonym", ""),
        reply_to=reply_to,
        role=role,
        withdrawal=meta.get("withdrawal", ""),
    )


def read_posts(board: Board) -> list[Post]:
    """Read and validate every post under content/posts/."""
    top = board.root / POSTS_DIR
    if not top.is_dir():
        return []
    posts: dict[str, Post] = {}
    for entry in sorted(top.iterdir()):
        if entry.name.startswith("."):
            continue
        rel = entry.relative_to(board.root)
        if not entry.is_dir():
            raise ContentError(
                f"{rel}: posts go in content/posts/<section>/<id>.md; move it into a section folder"
            )
        if entry.name not in board.sections:
            count = sum(1 for path in entry.iterdir() if not path.name.startswith("."))
            if not count:
                continue  # a section's empty folder, left when it was removed
            # Never advise moving them: a members-only section's posts moved into
            # another section would be published to that section's readers.
            raise ContentError(
                f"{rel}: '{entry.name}' is not a section in board.toml, and its folder holds "
                f"{count} post(s); put [sections.{entry.name}] back (members_only = true if it "
                "was members-only), or delete the posts if they should go (moving them into "
                "another section publishes them there)"
            )
        for path in sorted(entry.iterdir()):
            if path.name.startswith("."):
                continue
            if path.suffix != ".md" or not path.is_file():
                raise ContentError(
                    f"{path.relative_to(board.root)}: only Markdown posts (.md) belong here"
                )
            post = read_post(path, board)
            if post.id in posts:
                raise ContentError(
                    f"{post.source}: the id '{post.id}' is also used by {posts[post.id].source}; "
                    "every post needs its own id"
                )
            posts[post.id] = post
    _check_replies(ThreadTree(posts.values()))
    return list(posts.values())


def _check_replies(tree: ThreadTree[Post]) -> None:
    for post in tree:
        try:
            parent = tree.parent(post)
        except MissingParent:
            raise ContentError(
                f"{post.source}: Reply-To '{post.reply_to}' is not a post in content/posts; "
                "fix the id or remove the line"
            ) from None
        if parent is None:
            continue
        if parent.section != post.section:
            raise ContentError(
                f"{post.source}: replies must be in the same section as the post they answer "
                f"({parent.source})"
            )
        try:
            tree.ancestors(post)
        except ReplyLoop as loop:
            raise ContentError(
                f"{loop.item.source}: Reply-To lines form a loop; break it"
            ) from None


@dataclass(frozen=True)
class PostFile:
    """A post file's header lines, read leniently (see read_post_files)."""

    path: Path
    meta: dict[str, str]

    @property
    def id(self) -> str:
        return self.path.stem

    @property
    def section(self) -> str:
        return self.path.parent.name

    @property
    def reply_to(self) -> str:
        return self.meta.get("reply-to", "")


def read_post_files(board: Board) -> ThreadTree[PostFile]:
    """Every post file's header lines, in threads, read leniently: a take-down or a
    withdrawal must work even while some other post has a mistake in it."""
    files = []
    for path in sorted((board.root / POSTS_DIR).glob("*/*.md")):
        try:
            meta, _ = split_metadata(path.read_text(encoding="utf-8"), path, POST_KEYS)
        except (ContentError, UnicodeDecodeError, OSError):
            continue
        files.append(PostFile(path, meta))
    return ThreadTree(files)


def plan_publication(board: Board, posts: list[Post], today: dt.date) -> Publication:
    """Decide which posts a build on TODAY publishes.

    A post is withheld when it has expired, when any post above it in its
    thread has expired (a reply must not outlive the context that makes it
    safe to read), or when its section is members-only: member sections are
    never published as plain text, only sealed (generator.members).
    """
    plan = Publication(tree=ThreadTree(posts))
    for post in sorted(posts, key=lambda p: (p.section, p.date, p.id)):
        if post.date > today:
            raise ContentError(
                f"{post.source}: Date ({post.date}) is after today ({today}); Date is the day "
                "the post was approved"
            )
        if post.expires <= today:
            plan.withheld.append((post, "expired"))
        elif plan.tree.visible_until(post) <= today:
            plan.withheld.append((post, "thread expired"))
        elif board.sections[post.section].members_only:
            plan.withheld.append((post, MEMBERS_ONLY))
        else:
            plan.published.append(post)
    return plan


def read_pages(board: Board) -> list[Page]:
    top = board.root / PAGES_DIR
    pages = []
    if not top.is_dir():
        return pages
    for path in sorted(top.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        source = path.relative_to(board.root)
        if path.suffix != ".md":
            raise ContentError(f"{source}: only Markdown pages (.md) belong in content/pages")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", path.stem):
            raise ContentError(
                f"{source}: a page's file name is its address; use lower-case letters, digits "
                "and hyphens"
            )
        if path.stem in GENERATED_PAGES:
            raise ContentError(
                f"{source}: the {path.stem} page is now written from board.toml [privacy] on "
                "every build, so that it always says what the board really does; delete this "
                "file (put anything of your own in another page, such as content/pages/about.md)"
            )
        if path.stem in RESERVED_PAGES:
            raise ContentError(
                f"{source}: '{path.stem}' is a name quietboard uses for its own pages; rename "
                "the file"
            )
        meta, body = split_metadata(_read_text(path, source), source, PAGE_KEYS)
        _check_links(body, source)
        if not meta.get("title"):
            raise ContentError(f"{source}: no 'Title:' line; every page needs a title")
        pages.append(Page(slug=path.stem, source=source, title=meta["title"], body=body))
    return pages
