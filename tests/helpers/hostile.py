"""The hostile Markdown corpus, and a check that a rendered post body is harmless.

tests/corpus/hostile_markdown.json is a list of {"desc", "markdown", "marker"}.
Each marker is a lower-case word that the payload would set as a property of
`window` (`window.qbscriptplain=1`) or load from a host of that name
(`https://qbiframe.attacker.invalid/`) if it worked, so a browser test can
look for both. Used by the build, browser and (later) the submission tests.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from tests.helpers.boards import post_text

CORPUS = Path(__file__).parents[1] / "corpus" / "hostile_markdown.json"
LINK_REL = "nofollow noreferrer noopener"

# What a post body may hold, restated here rather than imported from the
# sanitiser, so that a change to its allow-list is a change a test notices.
POST_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "s", "del",
    "ins", "sub", "sup", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "code", "pre", "kbd",
    "a", "abbr", "table", "thead", "tbody", "tr", "th", "td", "caption",
})  # fmt: skip
POST_ATTRIBUTES = {"a": {"href", "title", "rel"}, "abbr": {"title"}, "th": {"scope"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Raw "<" only ever starts a tag in sanitised output (text has "&lt;").
NEVER_IN_MARKUP = re.compile(
    r"<\s*/?\s*(script|img|svg|iframe|style|object|embed|math|frame|base|meta|link|form)\b",
    re.IGNORECASE,
)
# As browsers read a URL: leading C0 controls and spaces go, tabs and newlines anywhere.
_URL_IGNORED = re.compile(r"^[\x00-\x20]+|[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclass(frozen=True)
class Payload:
    desc: str
    markdown: str
    marker: str


def load_hostile_corpus(path: Path = CORPUS) -> list[Payload]:
    """Every payload of the corpus; refuses a corpus whose markers are not unique."""
    payloads = [Payload(**case) for case in json.loads(path.read_text(encoding="utf-8"))]
    markers = [payload.marker for payload in payloads]
    if len(set(markers)) != len(markers):
        raise ValueError(f"{path}: markers must be unique")
    for payload in payloads:
        if not re.fullmatch(r"qb[a-z0-9]+", payload.marker):
            raise ValueError(f"{path}: marker {payload.marker!r} is not a lower-case word")
    return payloads


def url_scheme(url: str) -> str:
    """The scheme a browser would see in URL ("" for a relative URL), lower case."""
    match = _SCHEME.match(_URL_IGNORED.sub("", url))
    return match.group(1).lower() if match else ""


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def body_problems(body: str) -> list[str]:
    """What is wrong with a sanitised post body; [] when it is harmless."""
    problems = [f"raw {match.group(0)!r}" for match in NEVER_IN_MARKUP.finditer(body)]
    parser = _Collect()
    parser.feed(body)
    parser.close()
    for tag, attrs in parser.tags:
        if tag not in POST_TAGS:
            problems.append(f"<{tag}> is not allowed in a post")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                problems.append(f"<{tag} {name}=...>")
            elif name not in POST_ATTRIBUTES.get(tag, set()):
                problems.append(f"<{tag}> has attribute {name!r}")
            elif name == "href" and url_scheme(value) not in LINK_SCHEMES | {""}:
                problems.append(f"<a href={value!r}>: scheme {url_scheme(value)!r}")
        if tag == "a" and "href" in attrs and attrs.get("rel") != LINK_REL:
            problems.append(f"<a href={attrs['href']!r}> has rel={attrs.get('rel')!r}")
    return problems


def visible_text(body: str) -> str:
    """The text a reader sees in BODY (tags removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]*>", "", body))


def post_id(index: int, where: str) -> str:
    """An id for the INDEXth body of a hostile board, WHERE being "pub" or "mem"."""
    return f"x{index:03d}{where}zz"


def hostile_posts(bodies: list[str]) -> dict[str, str]:
    """Each body as a public post ("share") and a members-only post ("circle") of the
    test board in tests/helpers/boards.py, titled "Payload N", for a BoardMaker."""
    posts = {}
    for index, body in enumerate(bodies):
        posts[f"share/{post_id(index, 'pub')}.md"] = post_text(f"Payload {index}", body)
        posts[f"circle/{post_id(index, 'mem')}.md"] = post_text(f"Payload {index}", body)
    return posts
