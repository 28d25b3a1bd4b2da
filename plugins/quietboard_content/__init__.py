"""Pelican glue: sanitise every post and page, thread replies, label posts, date feeds.

The work is done by generator.text.sanitise, generator.board.post and
generator.board.threads (the one thread tree).
"""

import datetime as dt
import os

from pelican import signals
from pelican.contents import Article, Page
from pelican.urlwrappers import Category

from generator.board.post import parse_warnings, shown_as
from generator.board.threads import ThreadTree
from generator.errors import ContentError
from generator.site.translations import UNSIGNED, load_translations
from generator.text.sanitise import clean_html, unpublishable


def sanitise(content):
    if isinstance(content, Article | Page):
        content._content = clean_html(content._content, allow_images=isinstance(content, Page))
    if isinstance(content, Article):
        # Kept for the build's leak search, which reads published posts as
        # published instead of rendering each one a second time.
        published = content.settings.get("QUIETBOARD", {}).get("published_html")
        if published is not None:
            rel = os.path.relpath(content.source_path, content.settings["PATH"])
            published[rel.replace(os.sep, "/")] = content._content


def thread_and_label(generator):
    board = generator.settings["QUIETBOARD"]["board"]
    unsigned = load_translations(board.language).gettext(UNSIGNED)
    for article in generator.articles:
        meta = article.metadata
        article.day = article.date.date().isoformat()
        article.section = board.sections[article.category.slug]
        article.warnings = list(parse_warnings(meta.get("cw", "")))
        article.role_label, article.byline = shown_as(
            board, meta.get("role", ""), meta.get("pseudonym", ""), unsigned
        )
        article.expires_day = dt.date.fromisoformat(meta["expires"])
    generator.articles = attach_replies(generator.articles)


def attach_replies(articles):
    """Give every top-level article a `replies` list; return only the top-level ones.

    A reply to a reply joins the thread of the post at its top. Replies are
    ordered by day, then by their random id, so arrival order never shows.
    """
    tree = ThreadTree(
        articles,
        key=lambda article: article.slug,
        parent=lambda article: article.metadata.get("reply-to", ""),
    )
    threads = tree.threads(order=lambda reply: (reply.date, reply.slug))
    for top, replies in threads:
        top.replies = replies
    return [top for top, _ in threads]


def keep_empty_sections(generator):
    """Write a page for every public section, even one whose posts have all expired,
    so that its link in the navigation never leads nowhere."""
    board = generator.settings["QUIETBOARD"]["board"]
    present = {category.slug for category, _ in generator.categories}
    for section in board.public_sections:
        if section.name not in present:
            generator.categories.append((Category(section.name, generator.settings), []))


# Atom needs an <updated>; a feed with no post to date it would otherwise
# carry the build's clock. The epoch is a day no one takes for a real one.
NO_POST_DAY = dt.date(1970, 1, 1)


def date_empty_feed(context, feed):
    """Date a feed without entries (a section whose posts have all left) by the
    newest post on the board, at its day: never by the time of the build."""
    if feed.items:
        return
    days = [article.date.date() for article in context.get("articles", [])]
    newest = max(days, default=NO_POST_DAY)
    updated = dt.datetime.combine(newest, dt.time(), tzinfo=dt.UTC)
    feed.latest_post_date = lambda: updated


def refuse_unpublishable(generator):
    """Stop the build, naming the post, when one holds what a feed cannot carry.

    The feed writer would otherwise fail later on a whole feed, naming no post
    (a control character in a title, say). The message names the file, never
    its text.
    """
    items = getattr(generator, "articles", None)
    if items is None:
        items = getattr(generator, "pages", [])
    for item in items:
        texts = [item._content or "", getattr(item, "title", "")]
        texts += [value for value in item.metadata.values() if isinstance(value, str)]
        if not any(unpublishable(text) for text in texts):
            continue
        rel = os.path.relpath(item.source_path, generator.settings["PATH"]).replace(os.sep, "/")
        what = "edit it"
        if rel.startswith("posts/"):
            post_id = os.path.splitext(os.path.basename(rel))[0]
            what = f'edit it, or take the post down with "quietboard takedown {post_id}"'
        raise ContentError(
            f"content/{rel} holds a control character (in its title, text or header lines) "
            f"that feeds and pages cannot carry; {what}, then build again"
        )


def register():
    signals.content_object_init.connect(sanitise)
    signals.article_generator_pretaxonomy.connect(thread_and_label)
    signals.article_generator_finalized.connect(keep_empty_sections)
    signals.article_generator_finalized.connect(refuse_unpublishable)
    signals.page_generator_finalized.connect(refuse_unpublishable)
    signals.feed_generated.connect(date_empty_feed)
