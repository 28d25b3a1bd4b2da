"""The output audit: each rule fires on a crafted output, and a clean one passes."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.board import hosting as hardening
from generator.board.config import parse_board
from generator.site.audit import Needle, WholeWords, audit_output, normalise
from tests.helpers.fuzzing import FUZZ

BOARD = parse_board({"name": "B", "base_url": "https://board.example.org"}, root=None)


def page(body: str = "<p>Hello</p>", head: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{hardening.content_security_policy(meta=True)}">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="{hardening.robots_directives(BOARD)}">
<link rel="stylesheet" href="theme/css/board.css">{head}
</head><body>{body}</body></html>"""


@pytest.fixture
def site(tmp_path):
    (tmp_path / "_headers").write_text(hardening.headers_file(BOARD))
    (tmp_path / "robots.txt").write_text(hardening.robots_txt(BOARD))
    (tmp_path / "index.html").write_text(page())
    (tmp_path / "theme" / "css").mkdir(parents=True)
    (tmp_path / "theme" / "css" / "board.css").write_text("body { color: black; }")
    return tmp_path


def rules(site, needles=()):
    return sorted({finding.rule for finding in audit_output(site, BOARD, needles)})


def test_a_clean_output_has_no_findings(site):
    assert audit_output(site, BOARD) == []


@pytest.mark.parametrize(
    ("body", "head", "rule"),
    [
        ("<script>alert(1)</script>", "", "inline-script"),
        ('<script src="theme/js/x.js">alert(1)</script>', "", "inline-script"),
        ('<img src="x.png" onerror="alert(1)">', "", "event-handler"),
        ('<a href="javascript:alert(1)">x</a>', "", "script-url"),
        ('<img src="data:image/png;base64,AAAA">', "", "script-url"),
        ('<p style="color:red">x</p>', "", "inline-style"),
        ("<style>p{}</style>", "", "inline-style"),
        ('<img src="https://tracker.example.com/pixel.gif">', "", "third-party"),
        ('<img src="//tracker.example.com/pixel.gif">', "", "third-party"),
        ('<img srcset="a.png 1x, https://cdn.example.com/b.png 2x">', "", "third-party"),
        ('<form action="https://forms.example.com/"></form>', "", "third-party"),
        ("", '<link rel="stylesheet" href="https://fonts.example.com/css">', "third-party"),
        ("", '<link rel="preconnect" href="https://cdn.example.com">', "third-party"),
        ("", '<script src="https://cdn.example.com/lib.js"></script>', "third-party"),
        (
            "",
            '<meta http-equiv="refresh" content="0; url=https://elsewhere.example.com/">',
            "third-party",
        ),
        ('<a ping="https://t.example.com/" href="/x/">x</a>', "", "third-party"),
        ('<iframe src="/x/"></iframe>', "", "embedded-frame"),
        ('<form><textarea name="body"></textarea></form>', "", "named-field"),
        ('<input type="text" name="pseudonym">', "", "named-field"),
        ('<textarea name="envelope"></textarea>', "", "named-field"),
        ('<input type="text" name="envelope">', "", "named-field"),
        ('<a href="https://example.com/">out</a>', "", "outbound-rel"),
        ('<a href="https://example.com/" rel="noopener">out</a>', "", "outbound-rel"),
        ("", '<meta name="generator" content="Pelican">', "generator-meta"),
        ("", '<meta name="author" content="Sarah">', "author"),
        ('<a rel="author" href="/a/">me</a>', "", "author"),
        ('<time datetime="2026-11-20T14:32">today</time>', "", "time-of-day"),
        ('<time datetime="2026-11-20 14:32:00">today</time>', "", "time-of-day"),
        (
            "",
            '<meta property="article:published_time" content="2026-11-20T14:32:11+00:00">',
            "time-of-day",
        ),
    ],
)
def test_each_html_rule_fires(site, body, head, rule):
    (site / "p.html").write_text(page(body, head))
    assert rule in rules(site)


def test_links_to_the_board_itself_and_phone_links_are_fine(site):
    (site / "p.html").write_text(
        page(
            '<a href="https://board.example.org/p/x/">own</a> <a href="tel:116123">call</a>'
            ' <img src="HTTPS://Board.Example.org:443/i.png"> <img src="&#1;/images/a.png">'
            ' <img src="/images/a%01b.png">'
            ' <a href="https://example.com/" rel="nofollow noreferrer noopener">out</a>'
        )
    )
    assert rules(site) == []


@pytest.mark.parametrize(
    ("meta_line", "rule"),
    [
        ('<meta name="robots"', "robots-meta"),
        ('<meta name="referrer" content="no-referrer">', "referrer-meta"),
        ('<meta http-equiv="Content-Security-Policy"', "csp-meta"),
    ],
)
def test_missing_meta_fallbacks_are_found(site, meta_line, rule):
    text = page()
    start = text.index(meta_line)
    end = text.index(">", start) + 1
    (site / "index.html").write_text(text[:start] + text[end:])
    assert rule in rules(site)


def test_css_from_another_origin_is_found(site):
    (site / "theme" / "css" / "board.css").write_text(
        "@import 'https://fonts.example.com/font.css'; body { background: url(//x.example/a.png) }"
    )
    assert rules(site) == ["third-party"]


@pytest.mark.parametrize(
    ("xml", "rule"),
    [
        ("<feed><updated>2026-11-20T14:32:11+00:00</updated></feed>", "time-of-day"),
        ("<rss><pubDate>Fri, 20 Nov 2026 14:32:11 +0000</pubDate></rss>", "time-of-day"),
        ("<feed><entry><author><name>Sarah</name></author></entry></feed>", "author"),
        ("<rss><item><author>sarah@example.com (Sarah)</author></item></rss>", "author"),
        (
            '<feed><generator uri="https://getpelican.com/">Pelican</generator></feed>',
            "generator-meta",
        ),
        (
            "<feed><content>&lt;a href=&quot;javascript:alert(1)&quot;&gt;</content></feed>",
            "script-url",
        ),
    ],
)
def test_feed_rules_fire(site, xml, rule):
    (site / "feeds").mkdir()
    (site / "feeds" / "share.atom.xml").write_text(xml)
    assert rules(site) == [rule]


@pytest.mark.parametrize(
    ("xml", "rule"),
    [
        ('<feed><link rel="alternate" href=" javascript:alert(1)"/></feed>', "script-url"),
        (
            '<feed><entry><content type="html">&lt;img src="&amp;#1;//host.example/p.png"&gt;'
            "</content></entry></feed>",
            "third-party",
        ),
        (
            "<rss><channel><item><description>&lt;p onclick=&quot;x()&quot;&gt;hi&lt;/p&gt;"
            "</description></item></channel></rss>",
            "event-handler",
        ),
        ('<!DOCTYPE feed [<!ENTITY x "y">]><feed><title>&x;</title></feed>', "xml-doctype"),
        ("<feed><entry></feed>", "xml-invalid"),
    ],
)
def test_feeds_are_read_as_xml_with_their_embedded_html(site, xml, rule):
    (site / "feeds").mkdir()
    (site / "feeds" / "share.atom.xml").write_text(xml)
    assert rules(site) == [rule]


def test_markup_shown_as_code_in_a_feed_is_not_a_script_url(site):
    """Escaped once for the HTML and once for the XML: text, not an attribute."""
    (site / "feeds").mkdir()
    (site / "feeds" / "share.atom.xml").write_text(
        '<feed><entry><title type="html">never write &amp;lt;a href="javascript:x"&amp;gt;'
        '</title><content type="html">&lt;p&gt;never write &lt;code&gt;&amp;lt;a '
        'href="javascript:void(0)"&amp;gt;&lt;/code&gt; links&lt;/p&gt;</content></entry></feed>'
    )
    assert rules(site) == []


def test_midnight_dates_and_empty_authors_in_feeds_are_fine(site):
    (site / "feeds").mkdir()
    (site / "feeds" / "share.atom.xml").write_text(
        "<feed><updated>2026-11-20T00:00:00+00:00</updated>"
        "<entry><author><name></name></author></entry></feed>"
    )
    assert rules(site) == []


def test_missing_or_weakened_headers_file_is_found(site):
    (site / "_headers").write_text(
        hardening.headers_file(BOARD).replace(
            "Referrer-Policy: no-referrer", "Referrer-Policy: origin"
        )
    )
    assert rules(site) == ["headers-file"]
    (site / "_headers").unlink()
    assert rules(site) == ["headers-file"]


def test_robots_txt_must_refuse_ai_crawlers(site):
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    assert rules(site) == ["robots-txt"]
    (site / "robots.txt").unlink()
    assert rules(site) == ["robots-txt"]


@pytest.mark.parametrize("name", ["board.toml", "p/post.md", ".env"])
def test_source_and_hidden_files_are_found(site, name):
    target = site / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("x")
    assert rules(site) == ["source-file"]


def test_withheld_text_is_found_in_content_and_in_file_names(site):
    needle = Needle(
        "rehearsing a talk with my brother", "content/posts/circle/x.md", "members-only"
    )
    (site / "p.html").write_text(page("<p>Rehearsing a <em>talk</em>\n with my brother</p>"))
    [finding] = audit_output(site, BOARD, [needle])
    assert finding.rule == "leak"
    assert "content/posts/circle/x.md" in str(finding)
    assert "brother" not in str(finding), "a finding names the source, never the text"
    (site / "p.html").unlink()
    (site / "rehearsing-a-talk-with-my-brother").mkdir()
    (site / "rehearsing-a-talk-with-my-brother" / "index.html").write_text(page())
    assert rules(site, [needle]) == ["leak"]


def test_withheld_text_inside_a_longer_word_is_not_a_leak(site):
    (site / "p.html").write_text(page("<p>Moss and mossy stones</p>"))
    assert rules(site, [Needle("mos", "x.md", "expired")]) == []


@pytest.mark.parametrize(
    ("body", "head", "rule"),
    [
        ('<!--><img src="x.png" onerror="alert(1)">-->', "", "html-comment"),
        ('<!-- x --!><iframe src="https://evil.example/">', "", "html-comment"),
        ("", '<meta http-equiv="refresh" content="0; URL=https://evil.example/">', "third-party"),
        ("", '<meta http-equiv="Refresh" content="0;https://evil.example/">', "third-party"),
        ('<a href="java&#9;script:alert(1)">x</a>', "", "script-url"),
        ('<svg><image href="https://evil.example/p.png"></image></svg>', "", "third-party"),
        ("", '<meta property="article:author" content="Sarah">', "author"),
        ('<img src="&#1;//host.example/p.png">', "", "third-party"),
        ('<img src="\x01\x1f //host.example/p.png">', "", "third-party"),
        ('<img src="&#1;/\\host.example/p.png">', "", "third-party"),
        ('<img src="&#1;https:\\\\host.example/p.png">', "", "third-party"),
        ('<img src="https://board.example.org@host.example/p.png">', "", "third-party"),
        ('<a href="&#1;javascript:alert(1)">x</a>', "", "script-url"),
        ('<a href="\x01\x1f javascript:alert(1)">x</a>', "", "script-url"),
        ('<a href="&#1;\\\\host.example/">out</a>', "", "outbound-rel"),
    ],
)
def test_rules_that_were_once_bypassed(site, body, head, rule):
    (site / "p.html").write_text(page(body, head))
    assert rule in rules(site)


def test_the_theme_code_as_shipped_is_not_searched_but_a_changed_copy_is(site):
    from generator.resources import theme_dir

    shipped = (theme_dir() / "static" / "js" / "submit.js").read_text()
    assert "broken" in shipped.casefold()
    (site / "theme" / "js").mkdir()
    script = site / "theme" / "js" / "submit.js"
    script.write_text(shipped)
    broken = Needle("broken", "content/posts/circle/x.md", "members-only", "the title")
    assert rules(site, [broken]) == []
    script.write_text(shipped + "\n// Broken\n")
    assert rules(site, [broken]) == ["leak"]


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        # A word only a comment carried: minifying the edited copy would take it out.
        ("js/submit.js", lambda text: "/* Broken */" + text),
        ("js/submit.js", lambda text: text.replace('"sending"', '"Sending"', 1)),
        ("css/board.css", lambda text: "/* broken */" + text),
    ],
)
def test_a_published_minified_theme_file_is_not_searched_but_an_edited_one_is(site, name, edit):
    from generator.resources import theme_dir
    from generator.site.minify import minified

    source = theme_dir() / "static" / name
    published = minified(source.suffix, source.read_bytes()).decode()
    assert published != source.read_text()  # the build really publishes another text
    path = site / "theme" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(published)
    broken = Needle("broken", "content/posts/circle/x.md", "members-only", "the title")
    assert rules(site, [broken]) == []
    edited = edit(published)
    assert edited != published
    path.write_text(edited)
    assert rules(site, [broken]) == ["leak"]


EVIL_COMMENT = "&lt;!--&gt;&lt;img src=&quot;https://evil.example/x.png&quot;&gt;--&gt;"


@pytest.mark.parametrize(
    ("name", "xml", "rule"),
    [
        (
            "feeds/share.atom.xml",
            f'<feed><entry><content type="html">{EVIL_COMMENT}</content></entry></feed>',
            "html-comment",
        ),
        (
            "feeds/share.rss.xml",
            f"<rss><channel><item><description>{EVIL_COMMENT}</description></item></channel></rss>",
            "html-comment",
        ),
        (
            "feeds/share.atom.xml",
            '<feed><entry><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            "<script>alert(1)</script></div></content></entry></feed>",
            "inline-script",
        ),
        (
            "feeds/share.atom.xml",
            '<feed><entry><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            "<style>p {}</style></div></content></entry></feed>",
            "inline-style",
        ),
        (
            "theme/favicon.svg",
            '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "inline-script",
        ),
        (
            "feeds/share.rss.xml",
            '<rss xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><item>'
            '<content:encoded>&lt;img src="https://evil.example/x.png"&gt;</content:encoded>'
            "</item></channel></rss>",
            "third-party",
        ),
        (
            "feeds/share.atom.xml",
            '<feed><entry><content type="text/html">&lt;img src="https://evil.example/x.png"&gt;'
            "</content></entry></feed>",
            "third-party",
        ),
        (
            "feeds/share.atom.xml",
            '<feed xml:base="https://evil.example/"><entry><content type="html">'
            "&lt;img src=&quot;x.png&quot;&gt;</content></entry></feed>",
            "third-party",
        ),
        (
            "feeds/share.atom.xml",
            '<feed><entry xml:base="javascript:alert(1)//"><link href="x"/></entry></feed>',
            "script-url",
        ),
    ],
)
def test_feeds_are_judged_as_pages_are(site, name, xml, rule):
    """Comments, scripts and styles, every HTML container, and xml:base (review item 5)."""
    (site / name).parent.mkdir(parents=True, exist_ok=True)
    (site / name).write_text(xml)
    assert rules(site) == [rule]


def test_an_xml_base_on_the_board_itself_is_fine(site):
    (site / "feeds").mkdir()
    (site / "feeds" / "share.atom.xml").write_text(
        '<feed xml:base="https://board.example.org/"><entry xml:base="p/x/">'
        '<content type="html">&lt;p&gt;hi&lt;/p&gt;</content></entry></feed>'
    )
    assert rules(site) == []


DOG = Needle("me <3 my dog", "content/posts/circle/x.md", "members-only", "the title")


def test_a_title_with_a_less_than_sign_is_found_whatever_follows_it(site):
    """Text is read as a parser reads it: "&gt;" later on the page hides nothing (item 9)."""
    (site / "p.html").write_text(page("<p>Me &lt;3 my dog</p><p>then -&gt; now</p>"))
    assert rules(site, [DOG]) == ["leak"]


def test_a_title_with_a_less_than_sign_is_found_in_the_html_a_feed_embeds(site):
    (site / "feeds").mkdir()
    feed = site / "feeds" / "share.atom.xml"
    feed.write_text(
        '<feed><entry><title type="html">Me &amp;lt;3 my dog</title><content type="html">'
        "&lt;p&gt;then -&amp;gt; now&lt;/p&gt;</content></entry></feed>"
    )
    assert rules(site, [DOG]) == ["leak"]
    feed.write_text(
        '<feed><entry><title type="text">Me &lt;3 my dog</title><content type="html">'
        "&lt;p&gt;then -&amp;gt; now&lt;/p&gt;</content></entry></feed>"
    )
    assert rules(site, [DOG]) == ["leak"]


def test_a_tag_shown_as_text_in_a_feed_title_is_text(site):
    """Only HTML a feed embeds is read as HTML a second time: a text title keeps "<b>"."""
    (site / "feeds").mkdir()
    (site / "feeds" / "share.atom.xml").write_text(
        '<feed><entry><title type="text">use &lt;b&gt; for bold</title></entry></feed>'
    )
    bold = Needle("use <b> for bold", "content/posts/circle/x.md", "members-only", "the title")
    assert rules(site, [bold]) == ["leak"]


@pytest.mark.parametrize(
    "content",
    [
        '<content type="html"><![CDATA[<p>Me &lt;3 my dog</p>]]></content>',
        '<content type="html">&lt;img alt="Me &amp;lt;3 my dog" src="a.png"&gt;</content>',
    ],
)
def test_withheld_text_in_cdata_or_embedded_attributes_of_a_feed_is_found(site, content):
    (site / "feeds").mkdir()
    (site / "feeds" / "share.atom.xml").write_text(f"<feed><entry>{content}</entry></feed>")
    assert rules(site, [DOG]) == ["leak"]


# The leak search looks for every needle at once; it must find exactly what one
# regex per needle finds, word boundaries included, whatever the alphabet.
WORDY = "ab _-é1\U0001f600\u0301 .\n"


@FUZZ
@given(
    texts=st.lists(st.text(alphabet=WORDY, min_size=1, max_size=4), max_size=8),
    string=st.text(alphabet=WORDY, max_size=40),
)
def test_all_needles_at_once_find_what_one_regex_each_finds(texts, string):
    expected = {text for text in texts if re.search(rf"(?<!\w){re.escape(text)}(?!\w)", string)}
    assert WholeWords(texts).found_in(string) == expected


def test_every_withheld_text_in_a_file_is_reported_in_the_needles_order(site):
    needles = [Needle(f"secret number {n}", f"x{n}.md", "members-only") for n in range(300)]
    (site / "p.html").write_text(page("<p>secret number 7; Secret Number 42, secret number 4</p>"))
    sources = [
        str(finding).split(" from ")[1].split(",")[0]
        for finding in audit_output(site, BOARD, needles)
    ]
    assert sources == ["x4.md", "x7.md", "x42.md"]


SECRET = Needle("rehearsing a talk with my brother", "x.md", "members-only")


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        # A browser keeps a template's content out of the page, but a script could
        # put it back: it is read all the same.
        ('<template><img src="https://evil.example/p.png"></template>', "third-party"),
        ("<template><p>Rehearsing a talk with my brother</p></template>", "leak"),
        # Without scripts a browser shows <noscript>'s content and loads its images.
        ('<noscript><img src="https://evil.example/p.png"></noscript>', "third-party"),
        ("<noscript><p>Rehearsing a talk with my brother</p></noscript>", "leak"),
        # A second <body> lends its handler to the page's body, in the browser as here.
        ('<p>x</p><body onload="alert(1)">', "event-handler"),
        ('<table><tr><td>x</td></tr><img src="https://evil.example/p.png"></table>', "third-party"),
        ("<textarea>Rehearsing a talk with my brother</textarea>", "leak"),
        ('<svg><a href="javascript:alert(1)"><text>x</text></a></svg>', "script-url"),
        ('<img src="x.png" src="https://evil.example/p.png" onerror="x">', "event-handler"),
    ],
)
def test_pages_are_read_as_a_browser_builds_them(site, body, rule):
    (site / "p.html").write_text(page(body))
    assert rule in rules(site, [SECRET])


def test_a_tag_the_browser_drops_is_not_a_finding_but_the_same_tag_where_it_counts_is(site):
    """A <form> inside a form is dropped by every browser: it submits nothing."""
    nested = '<form action="/s/"><form action="https://forms.example.com/"></form></form>'
    (site / "p.html").write_text(page(nested))
    assert rules(site) == []
    (site / "p.html").write_text(page('<form action="https://forms.example.com/"></form>'))
    assert rules(site) == ["third-party"]


@FUZZ
@given(text=st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u3000a&;#xA0Éß", max_size=30))
def test_normalising_collapses_every_white_space_as_a_regex_would(text):
    """The leak search's normal form, made with str.split, is the one re's \\s made."""
    expected = re.sub(r"\s+", " ", html.unescape(text)).strip().casefold()
    assert normalise(text) == expected
