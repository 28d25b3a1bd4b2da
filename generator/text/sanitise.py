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

import functools
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
    "generator.text.sanitise:RawHtmlAsText",
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


# What the WHATWG URL parser ignores before it reads a URL: leading and
# trailing C0 controls and spaces, and every tab and newline anywhere. A
# browser reads "\x01//host/p.png" as "//host/p.png" and "java\tscript:" as
# "javascript:", so every check looks at the URL the way a browser does.
C0_CONTROL_OR_SPACE = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# After the parser's stripping, what is left of these is percent-encoded by
# browsers (the C0 control percent-encode set); XML 1.0 forbids most of them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# In attribute text (a link's title): what XML 1.0 cannot hold, and DEL.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
URL_ATTRIBUTE_NAMES = frozenset({"href", "src"})


def strip_url_whitespace(url: str) -> str:
    """URL as the WHATWG URL parser starts reading it.

    Leading and trailing C0 controls and spaces go, then tabs and newlines
    anywhere (a tab inside "javascript:" hides nothing from a browser).
    """
    return _TAB_OR_NEWLINE.sub("", url.strip(C0_CONTROL_OR_SPACE))


def url_scheme(url: str) -> str:
    """The scheme a browser reads in URL, in lower case ("" when it has none)."""
    match = _SCHEME.match(strip_url_whitespace(url))
    return match.group(1).lower() if match else ""


def url_authority(url: str) -> str | None:
    """The host (and port) a browser would contact for URL, or None when it names none.

    None means the URL is relative to the page: a path, a query or a fragment.
    Browsers treat "\\" as "/" in http(s) URLs, so "\\host" and "/\\host" name
    a host just as "//host" does, and after "https:" any number of slashes
    may come before the host. The answer errs towards naming a host: a URL
    such as "https:path" (relative in some browsers) counts as one.
    """
    url = strip_url_whitespace(url)
    scheme = url_scheme(url)
    rest = url[len(scheme) + 1 :] if scheme else url
    if scheme:
        rest = rest.lstrip("/\\")
    elif re.match(r"^[/\\]{2}", rest):
        rest = rest[2:]
    else:
        return None
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0]
    return authority.rpartition("@")[2].lower()


def is_relative_url(url: str) -> bool:
    """Whether URL stays on the page's origin: no scheme and no host."""
    return not url_scheme(url) and url_authority(url) is None


def _browser_url(url: str) -> str:
    """URL with what browsers ignore removed and other controls percent-encoded."""
    return _CONTROL.sub(lambda match: f"%{ord(match.group(0)):02X}", strip_url_whitespace(url))


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    """Keep an attribute value only as a browser would read it, without controls.

    nh3 decodes entities, so "&#1;" reaches here as U+0001: in an href it
    would be invisible to a reader, refused by the feed writer (XML 1.0), and
    could hide a scheme or a host from a check that does not strip it.
    """
    if attr not in URL_ATTRIBUTE_NAMES:
        return _NOT_IN_XML.sub("", value)
    url = _browser_url(value)
    scheme = url_scheme(url)
    if scheme and scheme not in URL_SCHEMES:
        return None
    if tag == "img" and not is_relative_url(url):
        return None
    return url


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
    from generator.text.scrub import clean_text  # noqa: PLC0415 - scrub loads lazily

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
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    # An <img> whose remote src was dropped is useless; remove the leftovers.
    # (nh3 quotes every attribute value and escapes "<", ">" and '"' inside it.)
    return re.sub(r"<img(?![^>]*\ssrc=\")[^>]*>", "", cleaned)


def unpublishable(text: str) -> bool:
    """Whether TEXT holds a character that XML 1.0, and so a feed, cannot carry."""
    return _NOT_IN_XML.search(text) is not None


@functools.cache
def _renderer() -> markdown.Markdown:
    # Loading the extensions takes as long as rendering a short post: one renderer
    # serves every call, reset before each (footnotes and abbreviations are per text).
    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")


# A build renders a members-only post twice (to seal it, and to search the
# output for its sentences); a post's HTML depends on its text alone.
@functools.lru_cache(maxsize=8192)
def markdown_to_html(text: str) -> str:
    """TEXT rendered as Pelican renders it, before sanitising."""
    renderer = _renderer()
    renderer.reset()
    return renderer.convert(text)
