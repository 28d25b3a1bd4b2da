"""Sanitise rendered Markdown with nh3 against a small allow-list.

Runs after Markdown, on every post and page, so no HTML a submitter (or a
careless edit) writes can run script, load a remote resource or style the
page. Links are allowed but get rel="nofollow noreferrer noopener".
"""

from __future__ import annotations

import re
import unicodedata

import markdown
import nh3

# Every place quietboard renders Markdown uses these: Pelican (settings.py, plus
# "meta" for its header lines), the sealed member sections, and the leak search.
MARKDOWN_EXTENSIONS = ("extra", "sane_lists")

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
    """Return HTML with only allow-listed tags and attributes, in NFC."""
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
    cleaned = re.sub(r"<img(?![^>]*\ssrc=)[^>]*>", "", cleaned)
    return unicodedata.normalize("NFC", cleaned)


def markdown_to_html(text: str) -> str:
    """TEXT rendered as Pelican renders it, before sanitising."""
    return markdown.markdown(text, extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
