"""Sanitise rendered Markdown with nh3 against a small allow-list.

Two layers. First, Markdown itself never passes raw HTML through: a member's
"<3" or "<b>hi</b>" is shown as typed (RawHtmlAsText). Second, what Markdown
produces is cleaned by nh3 against a small allow-list, on every post and page,
so nothing a submitter (or a careless edit) writes can run script, load a
remote resource or style the page. Links are allowed but get
rel="nofollow noreferrer noopener"; only pages (written by moderators) may
show images, and only local ones.
"""

from __future__ import annotations

import re
import unicodedata

import markdown
import nh3
from markdown.extensions import Extension

# Every place quietboard renders Markdown uses these, in this order: Pelican
# (settings.py, plus "meta" for its header lines), the sealed member sections,
# and the leak search. RawHtmlAsText comes last, so that nothing loaded before
# it ("extra" brings md_in_html) can register a raw-HTML handler again.
MARKDOWN_EXTENSIONS = (
    "markdown.extensions.extra",
    "markdown.extensions.sane_lists",
    "generator.sanitise:RawHtmlAsText",
)

LINK_REL = "nofollow noreferrer noopener"

TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "s", "del",
    "ins", "sub", "sup", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "code", "pre",
    "kbd", "a", "abbr", "table", "thead", "tbody", "tr", "th", "td", "caption",
})  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set()}
IMAGE_ATTRIBUTES = {"img": {"src", "alt", "width", "height"}}
URL_SCHEMES = frozenset({"https", "http", "mailto", "tel"})

# A URL is same-origin only when it has no scheme and no authority: "//host"
# and "\\host" are read by browsers as another origin.
_OTHER_ORIGIN = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*:|[/\\]{2})")


class RawHtmlAsText(Extension):
    """Markdown that shows raw HTML as the literal text it is.

    Python-Markdown passes HTML blocks ("html_block", replaced by md_in_html
    when "extra" is loaded, together with its "markdown_block" processor) and
    inline tags, comments and processing instructions ("html") straight into
    its output. Without them, "<" is ordinary text that the serialiser
    escapes. Entities ("&lt;") and code spans behave as before.
    """

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        for registry, name in (
            (md.preprocessors, "html_block"),
            (md.parser.blockprocessors, "markdown_block"),
            (md.inlinePatterns, "html"),
        ):
            if name in registry:
                registry.deregister(name)


def strip_url_whitespace(url: str) -> str:
    """Browsers drop tabs and newlines anywhere in a URL ("java\tscript:")."""
    return re.sub(r"[\t\n\r]", "", url)


def is_relative_url(url: str) -> bool:
    return not _OTHER_ORIGIN.match(strip_url_whitespace(url))


def _only_local_images(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src" and not is_relative_url(value):
        return None
    return value


def clean_html(html: str, *, allow_images: bool = False) -> str:
    """Return HTML with only allow-listed tags and attributes, its text in NFC.

    Unicode composition happens before cleaning, never after, and never across
    the end of a tag: ">" followed by U+0338 composes to "≯", so a member
    who writes that mark at the start of a link's text would otherwise turn
    the text after it into attributes of the tag ("onfocus=..."). After nh3,
    only whole <img> tags are removed.
    """
    cleaned = _clean(
        unicodedata.normalize("NFC", html.replace(">\u0338", ">&#x338;")), allow_images
    )
    return _clean_text_nodes(cleaned)


_TAG = re.compile(r"(<[^>]*>)")


def _clean_text_nodes(html: str) -> str:
    """Remove invisible characters from the text between tags.

    nh3 decodes entities, so a zero-width space or a bidi override written as
    "&#8203;" only appears here, after cleaning. Each text node is cleaned on
    its own (nh3 escapes "<" and ">" in text and attribute values, so splitting
    at tags is exact); a node that starts with a combining mark gets it as an
    entity, so nothing can ever compose with the ">" before it.
    """
    from generator.scrub import clean_text  # noqa: PLC0415 - scrub loads lazily

    parts = _TAG.split(html)
    for index in range(0, len(parts), 2):
        text = clean_text(parts[index]).text if parts[index] else ""
        if text and unicodedata.combining(text[0]):
            text = f"&#x{ord(text[0]):x};" + text[1:]
        parts[index] = text
    return "".join(parts)


def _clean(html: str, allow_images: bool) -> str:
    tags = set(TAGS)
    attributes = {tag: set(attrs) for tag, attrs in ATTRIBUTES.items()}
    if allow_images:
        tags.add("img")
        attributes.update(IMAGE_ATTRIBUTES)
    cleaned = nh3.clean(
        html,
        tags=tags,
        clean_content_tags={"script", "style", "template", "svg", "math", "noscript"},
        attributes=attributes,
        attribute_filter=_only_local_images,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    # An <img> whose remote src was dropped is useless; remove the leftovers.
    # (nh3 quotes every attribute value and escapes "<", ">" and '"' inside it.)
    return re.sub(r"<img(?![^>]*\ssrc=\")[^>]*>", "", cleaned)


def markdown_to_html(text: str) -> str:
    """TEXT rendered as Pelican renders it, before sanitising."""
    return markdown.markdown(text, extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
