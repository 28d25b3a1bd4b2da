"""Hostile Markdown through a real build: public posts, sealed member posts and pages.

Every payload of tests/corpus/hostile_markdown.json is published twice, once
in a public section and once in a members-only one (sealed, then opened here
with an access code as the browser would), and each rendered body must be
harmless. Ordinary text that looks like HTML must read exactly as typed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import markdown
import pytest

from generator.formats import members as memberformat
from generator.site.build import build_board
from generator.site.render import render_with_pelican
from generator.site.seal import open_sealed_section
from generator.text.sanitise import clean_html, markdown_to_html
from tests.helpers.boards import PAGE, BoardMaker, fast_vault, issue
from tests.helpers.hostile import (
    LINK_REL,
    body_problems,
    hostile_posts,
    load_hostile_corpus,
    post_id,
    visible_text,
)

PAYLOADS = load_hostile_corpus()
BUILT_ON = dt.date(2026, 11, 20)
COMBINING = "a combining mark after a link's start"
# Markdown -> what a reader must see, character for character.
BENIGN = {
    "heart": ("I love you all <3", "I love you all <3"),
    "comparison": ("a < b and b > c", "a < b and b > c"),
    "tags typed as text": ("<b>hi</b> and <i>bye</i>", "<b>hi</b> and <i>bye</i>"),
    "a comment typed as text": ("<!-- not hidden -->", "<!-- not hidden -->"),
    "ampersands": ("Tom & Jerry &amp; friends", "Tom & Jerry & friends"),
    "html block typed as text": ("<div>\nblock\n</div>", "<div>\nblock\n</div>"),
    "code span": ("Try `<script>alert(1)</script>` here", "Try <script>alert(1)</script> here"),
    "fenced code": ('```\n<p onclick="x()">hi</p>\n```', '<p onclick="x()">hi</p>\n'),
    # NFC after nh3 once merged ">" + U+0338 into "≯" and turned text into attributes.
    COMBINING: (
        "[\u0338 autofocus onfocus=x() y](https://example.org/)",
        "\u0338 autofocus onfocus=x() y",
    ),
}
PAGE_WITH_HTML = "Title: About us\n\nWe <3 you. <b>Bold?</b> <script>window.qbpage=1</script>\n"


def body_of(page: str) -> str:
    """The post's body on a post page: sanitised output holds no <div> of its own."""
    match = re.search(r'<div class="text">(.*?)</div>', page, re.DOTALL)
    assert match, "no post body on the page"
    return match.group(1)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, dict[str, str]]:
    """{"public"|"members"|"page": {key: rendered body}} from one real build."""
    bodies = [(p.marker, p.markdown) for p in PAYLOADS] + [(k, md) for k, (md, _) in BENIGN.items()]
    root = BoardMaker(tmp_path_factory.mktemp("hostile") / "board")(
        posts=hostile_posts([body for _, body in bodies]),
        pages={"guidelines": PAGE, "about": PAGE_WITH_HTML},
    )
    passphrase = fast_vault(root)
    code = issue(root, passphrase, "circle", "A.")
    output = build_board(
        root, render_with_pelican, today=BUILT_ON, passphrase=lambda: passphrase
    ).output
    keyring = json.loads((output / "members" / "keyring.json").read_text())
    grant = memberformat.open_keyring(keyring, code, BUILT_ON)
    section = open_sealed_section(output, grant.slot, grant.content_key)
    sealed_html = {post["id"]: post["html"] for post in section["posts"]}
    result: dict[str, dict[str, str]] = {"public": {}, "members": {}}
    for index, (key, _) in enumerate(bodies):
        page = (output / "p" / post_id(index, "pub") / "index.html").read_text(encoding="utf-8")
        result["public"][key] = body_of(page)
        result["members"][key] = sealed_html[post_id(index, "mem")]
    about = (output / "about" / "index.html").read_text(encoding="utf-8")
    result["page"] = {"about": about[about.index("<main") : about.index("</main>")]}
    return result


def test_the_corpus_covers_enough_attacks():
    assert len(PAYLOADS) >= 60
    assert all(payload.desc and payload.markdown for payload in PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p.marker for p in PAYLOADS])
@pytest.mark.parametrize("where", ["public", "members"])
def test_a_hostile_post_renders_harmless(rendered, where, payload):
    body = rendered[where][payload.marker]
    assert body_problems(body) == [], payload.desc


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p.marker for p in PAYLOADS])
def test_nh3_alone_would_stop_every_payload(payload):
    """The second layer, on its own: Markdown as it is without RawHtmlAsText."""
    unguarded = markdown.markdown(
        payload.markdown, extensions=["extra", "sane_lists"], output_format="html"
    )
    assert body_problems(clean_html(unguarded)) == [], payload.desc


@pytest.mark.parametrize("case", BENIGN, ids=list(BENIGN))
@pytest.mark.parametrize("where", ["public", "members"])
def test_text_that_looks_like_html_reads_as_typed(rendered, where, case):
    body = rendered[where][case]
    assert BENIGN[case][1] in visible_text(body)
    assert body_problems(body) == []


def test_code_keeps_markup_literal_inside_code_elements(rendered):
    for where in ("public", "members"):
        assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in rendered[where]["code span"]
        assert "<b>" not in rendered[where]["tags typed as text"]


def test_a_link_keeps_its_address_and_gets_the_rel(rendered):
    for where in ("public", "members"):
        body = rendered[where]["qbautolink"]
        assert f'href="https://qbautolink.attacker.invalid/" rel="{LINK_REL}"' in body


def test_posts_show_no_image_but_nothing_else_is_lost(rendered):
    for where in ("public", "members"):
        for marker in ("qbmdimage", "qbrefimage", "qbimgrelative", "qbimagelink"):
            assert "<img" not in rendered[where][marker]
        assert 'href="https://example.org/"' in rendered[where]["qbimagelink"]


def test_raw_html_in_a_page_is_shown_as_text(rendered):
    main = rendered["page"]["about"]
    assert "We &lt;3 you. &lt;b&gt;Bold?&lt;/b&gt;" in main
    assert "<script" not in main
    assert "<b>" not in main


def test_the_leak_search_renders_raw_html_as_text_too():
    assert markdown_to_html("<b>hi</b> <3") == "<p>&lt;b&gt;hi&lt;/b&gt; &lt;3</p>"
    md_in_html = markdown_to_html('<div markdown="1">\n*x*\n</div>')
    assert "<div" not in md_in_html
    assert "&lt;div markdown=" in md_in_html


def test_a_combining_mark_after_a_tag_stays_text(rendered):
    """The link's text reads exactly as typed, on the public page and in the sealed item."""
    for where in ("public", "members"):
        body = rendered[where][COMBINING]
        assert body_problems(body) == []
        link = re.fullmatch(
            r'\s*<p><a href="https://example.org/"[^>]*>(.*)</a></p>\s*', body, re.S
        )
        assert link, body
        assert visible_text(link.group(1)) == BENIGN[COMBINING][1]


def test_the_corpus_file_is_plain_ascii_json():
    """Invisible characters in payloads are written as \\u escapes, so a reviewer sees them."""
    raw = (Path(__file__).parents[1] / "corpus" / "hostile_markdown.json").read_bytes()
    assert raw.isascii()


@pytest.mark.parametrize(
    "markdown_text",
    [
        "![pix](&#1;//host.example/p.png)",
        "![pix](\x01\x1f//host.example/p.png)",
        "![pix](&#1;/\\host.example/p.png)",
        "![pix](&#1;https:host.example/p.png)",
    ],
)
def test_a_page_image_from_another_origin_behind_a_control_is_dropped(markdown_text):
    assert "<img" not in clean_html(markdown_to_html(markdown_text), allow_images=True)


def test_attributes_carry_no_control_characters():
    """Browsers strip them around a URL; XML 1.0 (the feeds) refuses most of them."""
    cleaned = clean_html(
        markdown_to_html(
            '[help](&#1;/help/ "a&#1;b") [x](java&#1;script:alert(1)) [y](&#1;javascript:x())'
            " ![pix](&#2;/images/a.png)"
        ),
        allow_images=True,
    )
    assert not re.search(r"[\x00-\x1f\x7f]", cleaned)
    assert '<a href="/help/" title="ab"' in cleaned
    assert 'href="java%01script:alert(1)"' in cleaned  # a relative path, as browsers read it
    assert 'src="/images/a.png"' in cleaned
    assert body_problems(cleaned.replace('<img alt="pix" src="/images/a.png">', "")) == []
