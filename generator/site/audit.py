"""Check a built output/ for leaks, third-party references and missing hardening.

Every rule returns findings rather than raising, so `quietboard audit` can list
them all; the build fails on the first run that has any. Each rule has a test
that makes it fire on a crafted output.
"""

from __future__ import annotations

import functools
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import ahocorasick
from selectolax.lexbor import LexborHTMLParser

from generator.board import hosting as hardening
from generator.board.config import Board
from generator.errors import printable
from generator.formats import members as memberformat
from generator.resources import theme_dir
from generator.site import images
from generator.site.minify import minified
from generator.text.sanitise import is_relative_url, url_authority, url_scheme

TEXT_SUFFIXES = {".html", ".xml", ".txt", ".css", ".js", ".mjs", ".json", ".svg", ".webmanifest"}
HOST_FILES = {"_headers", "_redirects"}
SOURCE_SUFFIXES = {".md", ".markdown", ".rst", ".toml", ".py", ".key", ".pem"}

# Attributes that make the browser fetch something.
FETCHING_ATTRIBUTES = {
    "src",
    "srcset",
    "poster",
    "data",
    "action",
    "formaction",
    "background",
    "ping",
    "manifest",
    "imagesrcset",
    "xlink:href",
}
# <link rel=...> values that do not fetch anything.
NON_FETCHING_LINK_RELS = {"canonical", "alternate", "author", "license", "next", "prev", "me"}
URL_ATTRIBUTES = FETCHING_ATTRIBUTES | {"href"}
OUTBOUND_REL = {"nofollow", "noreferrer", "noopener"}
DANGEROUS_SCHEMES = frozenset({"javascript", "vbscript", "data"})
DEFAULT_PORTS = {"http": "80", "https": "443"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)
CLOCK_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ](\d{2}):(\d{2})")
RFC822_TIME = re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4} (\d{2}):(\d{2})")
DAY_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Local names (without namespace): dc:date is "date", dc:creator is "creator".
DATE_ELEMENTS = frozenset({"updated", "published", "pubDate", "lastBuildDate", "lastmod", "date"})
AUTHOR_ELEMENTS = frozenset({"author", "creator", "managingEditor", "webMaster"})
# Atom elements whose text is HTML when their type says so (RSS: description).
HTML_TEXT_ELEMENTS = frozenset({"title", "subtitle", "summary", "content", "rights"})
HTML_TYPES = frozenset({"html", "text/html"})
# Elements whose text is always HTML: RSS <description> and <content:encoded>.
ALWAYS_HTML_ELEMENTS = frozenset({"description", "encoded"})
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass(frozen=True)
class Finding:
    path: str
    rule: str
    reason: str

    def __str__(self) -> str:
        # File names and attribute values come from output/: an escape sequence
        # in them must not drive the terminal (or forge a line such as "no findings").
        return printable(f"{self.path}: {self.reason} [{self.rule}]")


@dataclass(frozen=True)
class Needle:
    """Text that must not appear in the output, and the source it came from."""

    text: str
    source: str
    why: str
    part: str = "text"  # what of the source it is: "the title", "the name", "text"


def normalise(text: str) -> str:
    """Case- and space-insensitive form used on both sides of the leak search.

    Runs of white space (str.isspace, as re's \\s) become one space, and the ends lose theirs.
    """
    return " ".join(html.unescape(text).split()).casefold()


class _Text(HTMLParser):
    """The text of an HTML document as a browser's parser splits it from the tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.parts.append(data)  # not shown, but published all the same

    def unknown_decl(self, data: str) -> None:
        if data.startswith("CDATA["):  # text in XML
            self.parts.append(data.removeprefix("CDATA["))


def _html_text(markup: str) -> str:
    return " ".join(_parsed(markup).parts)


def _tokenized_text(markup: str) -> str:
    return " ".join(_tokenized(markup).parts)


def visible_text(markup: str) -> str:
    """Text of an HTML document with tags removed and entities decoded.

    Read by a real parser, so text such as "Me &lt;3 my dog" stays text
    whatever follows it ("-&gt;"), as it does on the page.
    """
    return normalise(_html_text(markup))


def _embeds_html(name: str, attrs: dict[str, str]) -> bool:
    """Whether the text of the feed element NAME is HTML (escaped once more for XML)."""
    # An untyped Atom content or summary is judged as HTML too: a reader may take it so.
    kind = attrs.get("type", "html" if name in {"content", "summary"} else "text")
    return name in ALWAYS_HTML_ELEMENTS or (
        name in HTML_TEXT_ELEMENTS and kind.strip().lower() in HTML_TYPES
    )


def _xml_text(markup: str) -> str:
    """Text of a feed, sitemap or SVG: the HTML a feed embeds as text is read as HTML.

    Read by Python's tokenizer, which reads XML's CDATA sections as text.
    """
    text = _tokenized_text(markup)  # every text node and comment, as written
    if re.search(r"<!DOCTYPE", markup, re.IGNORECASE):
        # Never parsed as XML (check_xml refuses it): read embedded HTML everywhere.
        return normalise(text + " " + _tokenized_text(text))
    try:
        root = ET.fromstring(markup)  # noqa: S314 - no DOCTYPE, so no entity can be declared
    except ET.ParseError:
        return normalise(text + " " + _tokenized_text(text))
    parts = [text]
    for element in root.iter():
        attrs = {_local(key).lower(): value for key, value in element.attrib.items()}
        if element.text and _embeds_html(_local(element.tag), attrs):
            parts.append(_tokenized_text(element.text))
            parts += (a or b for a, b in ATTRIBUTE_VALUE.findall(element.text))
    return normalise(" ".join(parts))


class _Page(_Text):
    """Collects what the HTML rules and the leak search need from one document."""

    def __init__(self) -> None:
        super().__init__()
        # Each tag's name and attributes, as the parser gave them (see _attributes).
        self.tags: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.inline_scripts = 0
        self.style_elements = 0
        self._in_script = False
        self._script_has_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        self.tags.append((tag, tuple(values.items())))
        if tag == "script":
            self._in_script = True
            self._script_has_src = "src" in values
            if not self._script_has_src and values.get("type", "") != "application/json":
                self.inline_scripts += 1
        elif tag == "style":
            self.style_elements += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        super().handle_data(data)
        if self._in_script and self._script_has_src and data.strip():
            self.inline_scripts += 1


# Browsers keep a <template>'s content out of the document tree, so a tree
# walk does not reach it: a page that holds one is read by Python's tokenizer.
_TEMPLATE = re.compile(r"<template", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _parsed(markup: str) -> _Page:
    """MARKUP parsed once: the page rules and the leak search read each file in a row.

    Read by an HTML5 parser (Lexbor), which builds the tree a browser builds:
    a tag the browser would drop (a <form> inside a form, a <frame> outside a
    frameset) is not there, and a second <body onload> lends its attributes to
    the body, as in the browser. It reads a page about ten times faster than
    Python's html.parser, which stays for <template> (see _TEMPLATE) and feeds.
    """
    if _TEMPLATE.search(markup):
        return _tokenized(markup)
    root = LexborHTMLParser(markup).root
    page = _Page()
    if _has_comment(markup):  # text node by text node, comments in their place
        nodes = root.traverse(include_text=True)
    else:
        page.parts.append(root.text(deep=True, separator=" "))
        nodes = root.traverse()
    tags = page.tags
    for node in nodes:
        tag = node.tag
        if tag == "-text":
            page.parts.append(node.text_content)
        elif tag == "-comment":
            page.parts.append(node.comment_content or "")  # not shown, but published all the same
        else:
            attributes = node.attributes
            tags.append((tag, tuple(attributes.items())))
            if tag == "script":
                if "src" in attributes:
                    page.inline_scripts += bool(node.text(deep=True).strip())
                elif (attributes.get("type") or "") != "application/json":
                    page.inline_scripts += 1
            elif tag == "style":
                page.style_elements += 1
    return page


def _tokenized(markup: str) -> _Page:
    """MARKUP read by Python's html.parser: every tag it meets, in order, templates' too."""
    page = _Page()
    page.feed(markup)
    page.close()
    return page


def _origin(url: str, scheme: str = "") -> tuple[str, str | None]:
    """(scheme, host[:port]) as a browser reads URL; SCHEME for a "//host" URL."""
    scheme = url_scheme(url) or scheme
    host = url_authority(url)
    if host is not None and host.endswith(f":{DEFAULT_PORTS.get(scheme, '')}"):
        host = host.rpartition(":")[0]
    return scheme, host


def _same_origin(url: str, base_url: str) -> bool:
    """Whether a browser would fetch URL from the board itself.

    URLs are read as the WHATWG URL standard says, not as urllib does:
    leading C0 controls and spaces are ignored ("\x01//host" names a host),
    "\\" is a "/" ("/\\host" too), and any slashes may follow "https:".
    """
    if is_relative_url(url):
        return True
    if not base_url:
        return False
    own = _origin(base_url)
    return _origin(url, own[0]) == own


def _is_script_url(url: str) -> bool:
    return url_scheme(url) in DANGEROUS_SCHEMES


def _is_outbound(url: str, base_url: str) -> bool:
    scheme = url_scheme(url)
    names_host = scheme in {"http", "https"} or (not scheme and url_authority(url) is not None)
    return names_host and not _same_origin(url, base_url)


def _has_comment(markup: str) -> bool:
    # quietboard writes no comments, and browsers and Python's parser
    # disagree about malformed ones such as <!--> (a way to hide markup).
    return "<!--" in markup or "--!>" in markup


def check_html(path: str, text: str, board: Board) -> Iterator[Finding]:
    if _has_comment(text):
        yield Finding(path, "html-comment", "HTML comment in the output")
    page = _parsed(text)
    if page.inline_scripts:
        yield Finding(path, "inline-script", "inline <script> (the CSP forbids it; use a file)")
    if page.style_elements:
        yield Finding(path, "inline-style", "<style> element (the CSP forbids it; use a file)")
    metas: dict[str, str] = {}
    csp_meta = None
    base_url = board.base_url
    for tag, items in page.tags:
        for rule, reason in _tag_findings(tag, items, base_url):
            yield Finding(path, rule, reason)
        if tag == "meta":
            csp_meta = _read_meta(_attributes(items), metas, csp_meta)
    if "generator" in metas:
        yield Finding(path, "generator-meta", '<meta name="generator"> names the software')
    if any("author" in name for name in metas):
        yield Finding(path, "author", "a <meta> names an author")
    robots = UNAVAILABLE_AFTER.sub("", metas.get("robots", ""))
    if robots != hardening.robots_directives(board):
        yield Finding(
            path,
            "robots-meta",
            f'<meta name="robots"> must be "{hardening.robots_directives(board)}"',
        )
    if metas.get("referrer") != "no-referrer":
        yield Finding(path, "referrer-meta", '<meta name="referrer" content="no-referrer"> missing')
    if csp_meta != hardening.content_security_policy(meta=True):
        yield Finding(
            path,
            "csp-meta",
            "the Content-Security-Policy <meta> fallback is missing "
            "or differs from the board's policy",
        )


def _read_meta(attrs: dict[str, str], metas: dict[str, str], csp: str | None) -> str | None:
    """Adds a <meta>'s name and content to METAS; returns the CSP fallback seen so far."""
    name = attrs.get("name") or attrs.get("property")
    if name:
        metas[name.lower()] = attrs.get("content", "")
    if attrs.get("http-equiv", "").lower() == "content-security-policy":
        return attrs.get("content", "")
    return csp


def _check_attributes(path: str, where: str, attrs: dict[str, str]) -> Iterator[Finding]:
    for name, value in attrs.items():
        if name.startswith("on"):
            yield Finding(path, "event-handler", f"{where} has an inline event handler ({name})")
        if name == "style":
            yield Finding(path, "inline-style", f"{where} has a style attribute")
        if name in URL_ATTRIBUTES and _is_script_url(value):
            yield Finding(path, "script-url", f"{where} {name} uses a {url_scheme(value)}: URL")
        if name in {"datetime", "content"} and CLOCK_TIME.search(value):
            yield Finding(path, "time-of-day", f"{where} {name} carries a time of day")
        if name == "datetime" and value and not DAY_ONLY.match(value):
            yield Finding(path, "time-of-day", f"{where} datetime must be a day (YYYY-MM-DD)")


def _fetched_urls(tag: str, attrs: dict[str, str]) -> Iterator[tuple[str, str]]:
    if "href" in attrs and tag not in {"a", "area", "link"}:
        yield "href", attrs["href"]
    for name in FETCHING_ATTRIBUTES & attrs.keys():
        if name.endswith("srcset"):
            for part in attrs[name].split(","):
                if part.strip():
                    yield name, part.split()[0]
        else:
            yield name, attrs[name]


def _check_requests(path: str, tag: str, attrs: dict[str, str], base_url: str) -> Iterator[Finding]:
    for name, url in _fetched_urls(tag, attrs):
        if not _same_origin(url, base_url):
            yield Finding(path, "third-party", f"<{tag}> {name} loads from another origin")
    rels = set(attrs.get("rel", "").lower().split())
    if (
        tag == "link"
        and "href" in attrs
        and rels - NON_FETCHING_LINK_RELS
        and not _same_origin(attrs["href"], base_url)
    ):
        yield Finding(path, "third-party", "<link> loads from another origin")
    if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
        # quietboard never writes one; its URL syntax is too loose to judge safely.
        yield Finding(path, "third-party", "<meta http-equiv=refresh> can send readers elsewhere")
    if tag in {"iframe", "frame", "object", "embed", "base", "portal"}:
        yield Finding(path, "embedded-frame", f"<{tag}> is not allowed in the output")


def _check_links(path: str, tag: str, attrs: dict[str, str], base_url: str) -> Iterator[Finding]:
    rels = set(attrs.get("rel", "").lower().split())
    if tag in {"a", "link"} and "author" in rels:
        yield Finding(path, "author", f'<{tag} rel="author"> names an author')
    if tag in {"a", "area"} and _is_outbound(attrs.get("href", ""), base_url):
        missing = OUTBOUND_REL - rels
        if missing:
            yield Finding(
                path, "outbound-rel", f"outbound link lacks rel {' '.join(sorted(missing))}"
            )


# The only form fields that may be submitted: the share page's locked
# envelope and Netlify's form name (hidden inputs) and the honeypot. A named
# field anywhere else could send what a member typed in the clear.
SUBMITTED_FIELDS = {"form-name": "hidden", "envelope": "hidden", "website": "text"}
# Radio buttons are grouped by name (so arrow keys move between them); their
# values are fixed words written by the template, never anything typed.
RADIO_GROUPS = {"name-choice"}
FORM_CONTROLS = {"input", "textarea", "select", "button"}


def _check_tag(path: str, tag: str, attrs: dict[str, str], board: Board) -> Iterator[Finding]:
    for rule, reason in _tag_findings(tag, tuple(attrs.items()), board.base_url):
        yield Finding(path, rule, reason)


def _attributes(items: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """A tag's attributes by lower-case name ("" for one without a value)."""
    return {name.lower(): (value or "") for name, value in items}


@functools.lru_cache(maxsize=8192)
def _tag_findings(
    tag: str, items: tuple[tuple[str, str | None], ...], base_url: str
) -> tuple[tuple[str, str], ...]:
    """The (rule, reason) of each finding for one tag, worked out once per tag and attributes.

    Most tags of a site are the theme's, the same on every page.
    """
    rules = _tag_rules("", tag, _attributes(items), base_url)
    return tuple((finding.rule, finding.reason) for finding in rules)


def _tag_rules(path: str, tag: str, attrs: dict[str, str], base_url: str) -> Iterator[Finding]:
    is_radio = tag == "input" and attrs.get("type") == "radio"
    if (
        tag in FORM_CONTROLS
        and "name" in attrs
        and not (is_radio and attrs["name"] in RADIO_GROUPS)
    ):
        allowed = SUBMITTED_FIELDS.get(attrs["name"])
        if tag != "input" or allowed is None or attrs.get("type", "text") != allowed:
            yield Finding(
                path,
                "named-field",
                f'<{tag} name="{attrs["name"]}">: only the locked envelope may be submitted',
            )
    yield from _check_attributes(path, f"<{tag}>", attrs)
    yield from _check_requests(path, tag, attrs, base_url)
    yield from _check_links(path, tag, attrs, base_url)


def check_css(path: str, text: str, board: Board) -> Iterator[Finding]:
    for match in CSS_URL.finditer(text):
        url = match.group(1) or match.group(2)
        if _is_script_url(url) or not _same_origin(url, board.base_url):
            yield Finding(path, "third-party", "CSS url()/@import loads from another origin")


def check_xml(path: str, text: str, board: Board) -> Iterator[Finding]:
    """Feeds, the sitemap and SVG files, read as XML and not as text.

    Only real attributes and the HTML a feed really embeds are judged, the
    latter as pages are: markup a post shows as code is text, however it looks.
    """
    if re.search(r"<!DOCTYPE", text, re.IGNORECASE):
        # quietboard writes none; a DTD can declare entities that expand when read.
        yield Finding(path, "xml-doctype", "a DOCTYPE in an XML file (quietboard writes none)")
        return
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DOCTYPE, so no entity can be declared
    except ET.ParseError as error:
        yield Finding(path, "xml-invalid", f"is not well-formed XML ({error})")
        return
    for element in root.iter():
        name = _local(element.tag)
        attrs = {_local(key).lower(): value for key, value in element.attrib.items()}
        value = "".join(element.itertext()).strip()
        if name in DATE_ELEMENTS:
            clock = CLOCK_TIME.search(value) or RFC822_TIME.search(value)
            if clock and (clock.group(1), clock.group(2)) != ("00", "00"):
                yield Finding(path, "time-of-day", f"<{name}> carries a time of day")
        # Pelican's Atom writer leaves an empty <author><name></name></author>.
        if name in AUTHOR_ELEMENTS and value:
            yield Finding(path, "author", f"<{name}> names an author")
        if name == "generator" or (name == "meta" and attrs.get("name") == "generator"):
            yield Finding(path, "generator-meta", "the feed names the software that made it")
        yield from _check_tag(path, name, attrs, board)
        # XHTML in a feed and SVG run scripts and styles as pages do; quietboard writes none.
        if name == "script":
            yield Finding(path, "inline-script", "<script> in an XML file")
        elif name == "style":
            yield Finding(path, "inline-style", "<style> element in an XML file")
        if XML_BASE in element.attrib:
            yield from _check_xml_base(path, element.attrib[XML_BASE], board)
        if element.text and _embeds_html(name, attrs):
            yield from _check_embedded_html(path, f"HTML in <{name}>", element.text, board)


def _local(name: str) -> str:
    """An XML name without its namespace: "{http://www.w3.org/2005/Atom}link" is "link"."""
    return name.rpartition("}")[2] if isinstance(name, str) else ""


def _check_xml_base(path: str, base: str, board: Board) -> Iterator[Finding]:
    """xml:base makes a feed reader resolve relative links against it: the board only."""
    if _is_script_url(base):
        yield Finding(path, "script-url", f"xml:base uses a {url_scheme(base)}: URL")
    elif not _same_origin(base, board.base_url):
        yield Finding(path, "third-party", "xml:base points to another origin")


def _check_embedded_html(path: str, where: str, markup: str, board: Board) -> Iterator[Finding]:
    if _has_comment(markup):
        yield Finding(path, "html-comment", f"{where} holds an HTML comment")
    page = _tokenized(markup)
    if page.inline_scripts:
        yield Finding(path, "inline-script", f"{where} holds a <script>")
    if page.style_elements:
        yield Finding(path, "inline-style", f"{where} holds a <style> element")
    for tag, items in page.tags:
        for rule, reason in _tag_findings(tag, items, board.base_url):
            yield Finding(path, rule, reason)


def check_host_files(output: Path, board: Board) -> Iterator[Finding]:
    headers = output / "_headers"
    if not headers.is_file():
        yield Finding("_headers", "headers-file", "missing; Netlify and Cloudflare Pages need it")
    else:
        text = headers.read_text(encoding="utf-8")
        if text != hardening.headers_file(board):
            # Any other rule could weaken one of ours: hosts join the values of
            # overlapping rules (a cache lifetime beside no-store, say).
            yield Finding(
                "_headers", "headers-file", "differs from what board.toml asks for (edited?)"
            )
    robots = output / "robots.txt"
    if not robots.is_file():
        yield Finding("robots.txt", "robots-txt", "missing")
    elif not board.indexing.ai_crawlers:
        text = robots.read_text(encoding="utf-8")
        for agent in hardening.AI_CRAWLERS:
            if f"User-agent: {agent}\nDisallow: /\n" not in text:
                yield Finding("robots.txt", "robots-txt", f"does not refuse {agent}")


# A post page adds the day it leaves the board to the board's robots rules.
UNAVAILABLE_AFTER = re.compile(r", unavailable_after: \d{4}-\d{2}-\d{2}$")
ATTRIBUTE_VALUE = re.compile(r"""=\s*(?:"([^"]*)"|'([^']*)')""")
MARKUP_SUFFIXES = {".html", ".xml", ".svg"}


def leak_haystack(rel: str, text: str) -> str:
    """What a reader or crawler gets from a file: its text and attribute values.

    Tag names are left out so that a member section called "circle" does not
    match an SVG <circle>.
    """
    suffix = Path(rel).suffix.lower()
    if suffix not in MARKUP_SUFFIXES:
        return normalise(text)
    values = " ".join(a or b for a, b in ATTRIBUTE_VALUE.findall(text))
    words = visible_text(text) if suffix == ".html" else _xml_text(text)
    return words + " " + normalise(values)


_WORD_CHARACTER = re.compile(r"\w")


class WholeWords:
    r"""Which of many texts occur in a string as whole words, found in one pass.

    For each text the same test as re.search(rf"(?<!\w){re.escape(text)}(?!\w)",
    string), made for all of them at once with an Aho-Corasick automaton, so
    the cost grows with the string and not with the number of texts times its
    length (one regex per text over every file made large boards quadratic).
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for text in texts:
            if text:  # withheld_needles never makes an empty needle (it needs a word)
                self._automaton.add_word(text, text)
        if len(self._automaton):
            self._automaton.make_automaton()

    def __bool__(self) -> bool:
        return len(self._automaton) > 0

    def found_in(self, string: str) -> set[str]:
        found: set[str] = set()
        if not self:
            return found
        for end, text in self._automaton.iter(string):
            if text in found:
                continue
            start = end - len(text) + 1
            if not (start and _WORD_CHARACTER.match(string, start - 1)) and not (
                _WORD_CHARACTER.match(string, end + 1)
            ):
                found.add(text)
        return found


class LeakSearch:
    """The needles, searched for in every file at once."""

    def __init__(self, needles: Iterable[Needle]) -> None:
        self.needles = list(needles)
        self.words = WholeWords(needle.text for needle in self.needles)

    def __bool__(self) -> bool:
        return bool(self.words)


def check_leaks(rel: str, text: str, needles: Iterable[Needle] | LeakSearch) -> Iterator[Finding]:
    search = needles if isinstance(needles, LeakSearch) else LeakSearch(needles)
    if not search:
        return  # nothing withheld: the file need not even be read for words
    found = search.words.found_in(leak_haystack(rel, text))
    found |= search.words.found_in(normalise(re.sub(r"[-_/.]+", " ", rel)))
    for needle in search.needles if found else ():
        if needle.text in found:
            of = "from" if needle.part == "text" else "of"
            yield Finding(
                rel, "leak", f"holds {needle.part} {of} {needle.source}, which is {needle.why}"
            )


MEMBERS_PREFIX = "members/"
SEALED_NAME = re.compile(r"^members/[A-Za-z0-9_-]{22}\.[0-9]{1,4}\.bin$")
MEMBER_FILES = {"members/index.html", "members/keyring.json"}
# In sealed bytes only long needles are searched: a short one (a two-letter
# section name) would turn up by chance in random bytes.
MIN_SEALED_NEEDLE = 12


def check_member_file(
    rel: str, data: bytes, needles: Iterable[Needle] | LeakSearch
) -> Iterator[Finding]:
    """members/ holds the shell page, the keyring and sealed items, and nothing else.

    NEEDLES are searched for in sealed items; those shorter than MIN_SEALED_NEEDLE
    are left out there (pass them already filtered as a LeakSearch to search once).
    """
    if rel == "members/keyring.json":
        yield from _check_keyring(rel, data)
    elif SEALED_NAME.match(rel):
        if (
            not data
            or data[0] != memberformat.VERSION
            or not memberformat.is_envelope_size(len(data))
        ):
            yield Finding(rel, "member-file", "is not a sealed item of format v1")
        if not isinstance(needles, LeakSearch):
            needles = _sealed_search(needles)
        yield from check_leaks(rel, data.decode("latin-1"), needles)
    elif rel not in MEMBER_FILES:
        yield Finding(
            rel, "member-file", "members/ may only hold the page, keyring and sealed items"
        )


def _sealed_search(needles: Iterable[Needle]) -> LeakSearch:
    return LeakSearch(n for n in needles if len(n.text) >= MIN_SEALED_NEEDLE)


def _check_keyring(rel: str, data: bytes) -> Iterator[Finding]:
    try:
        keyring = json.loads(data)
        ok = (
            set(keyring) == {"kind", "v", "kdf", "iterations", "salt", "epoch", "entries"}
            and keyring["v"] == memberformat.VERSION
            and keyring["iterations"] >= memberformat.MIN_ITERATIONS
            and len(keyring["entries"]) % memberformat.ENTRY_GROUP == 0
            and all(
                set(entry) == {"id", "box"}
                and len(memberformat.unb64(entry["id"])) == memberformat.LOOKUP_BYTES
                and len(memberformat.unb64(entry["box"])) == memberformat.ENTRY_BOX_BYTES
                for entry in keyring["entries"]
            )
        )
    except (ValueError, TypeError, KeyError, memberformat.Unopenable):
        ok = False
    if not ok:
        yield Finding(rel, "member-file", "is not a keyring of format v1 (only ids and boxes)")


THEME_PREFIX = "theme/"


def check_image(rel: str, data: bytes) -> Iterator[Finding]:
    """Images are published only as quietboard re-encodes them: no metadata at all."""
    suffix = Path(rel).suffix.lower()
    if suffix in images.PUBLISHED_SUFFIXES:
        found = images.metadata_found(data, rel)
        if found:
            yield Finding(
                rel,
                "image-metadata",
                f"image carries {', '.join(found)}; put it in content/images and build again",
            )
    elif suffix in images.FOREIGN_SUFFIXES and not rel.startswith(THEME_PREFIX):
        # The theme's own icon is an SVG we wrote; anything else was not re-encoded.
        yield Finding(
            rel,
            "image-type",
            f"{suffix} images are never written by a build; export it as PNG or JPEG "
            "into content/images",
        )


def audit_output(output: Path, board: Board, needles: Iterable[Needle] = ()) -> list[Finding]:
    """Every finding for the output directory OUTPUT, in file order."""
    output = Path(output)
    search = LeakSearch(needles)
    sealed_search = _sealed_search(search.needles)
    findings = list(check_host_files(output, board))
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        rel = path.relative_to(output).as_posix()
        if path.suffix.lower() in SOURCE_SUFFIXES or path.name.startswith("."):
            findings.append(Finding(rel, "source-file", "source or hidden file in the output"))
            continue
        findings.extend(check_image(rel, path.read_bytes()))
        if rel.startswith(MEMBERS_PREFIX):
            findings.extend(check_member_file(rel, path.read_bytes(), sealed_search))
            if path.suffix != ".html":
                continue
        if path.suffix.lower() not in TEXT_SUFFIXES and path.name not in HOST_FILES:
            findings.extend(check_leaks(rel, "", search))
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        suffix = path.suffix.lower()
        if suffix == ".html":
            findings.extend(check_html(rel, text, board))
        elif suffix == ".css":
            findings.extend(check_css(rel, text, board))
        elif suffix in {".xml", ".svg"}:
            findings.extend(check_xml(rel, text, board))
        if not _shipped_with_theme(rel, path):
            findings.extend(check_leaks(rel, text, search))
    return findings


def _shipped_with_theme(rel: str, path: Path) -> bool:
    """Whether REL is one of the theme's static files exactly as quietboard ships it.

    As shipped means byte for byte as in theme/static, or as a build publishes
    it (minified, for scripts and styles).

    Such a file holds nothing of the board, so its code (identifiers such as
    "broken", comments) is not searched for withheld words; only the words the
    theme shows count as public, and a members-only title "Broken" stays searched.
    """
    if not rel.startswith(THEME_PREFIX):
        return False
    shipped = theme_dir() / "static" / rel.removeprefix(THEME_PREFIX)
    if not shipped.is_file():
        return False
    # A build publishes scripts and styles minified (generator/site/minify.py):
    # the published file must be exactly the shipped one or exactly its
    # minified form. Minifying the published file instead would hide an edit
    # made in a comment, which minifying takes out.
    source, published = shipped.read_bytes(), path.read_bytes()
    return published in (source, minified(shipped.suffix, source))
