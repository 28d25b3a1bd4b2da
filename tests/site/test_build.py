"""Real Pelican builds of tiny boards: assert on the files written."""

from __future__ import annotations

import os
import re

import pytest
from pelican import Pelican
from pelican.settings import read_settings

from generator.board.config import read_board
from generator.errors import AuditError, BuildError
from generator.resources import theme_dir
from generator.site.build import audit_board, build_board
from generator.site.render import render_with_pelican
from generator.site.settings import pelican_settings
from tests.helpers.boards import BOARD_TOML, post_text

PARENT = post_text(
    "Weekends feel long", "Saturdays are the hardest.", pseudonym="Wren", date="2026-11-08"
)
REPLY = post_text(
    "Re: weekends",
    "Same here, a walk helps me.",
    reply_to="aaaaaaaa11",
    pseudonym="Moss",
    date="2026-11-09",
)
MEMBER = post_text(
    "Rehearsing a talk with my brother",
    "I practised what I would say on the phone before the call.",
    pseudonym="Kestrel",
)
EXPIRED = post_text(
    "An old worry from the summer",
    "This was about the heat and sleeping badly.",
    date="2026-08-01",
    expires="2026-10-30",
)


def build(root):
    return build_board(root, render_with_pelican)


def all_text(output):
    return "\n".join(p.read_text(errors="replace") for p in output.rglob("*") if p.is_file())


@pytest.fixture
def built(make_board, today):
    root = make_board(
        posts={
            "share/aaaaaaaa11.md": PARENT,
            "share/bbbbbbbb22.md": REPLY,
            "share/cccccccc33.md": EXPIRED,
            "circle/dddddddd44.md": MEMBER,
        }
    )
    report = build(root)
    return report, root / "output"


def test_posts_live_at_opaque_ids_and_replies_sit_under_their_post(built):
    report, output = built
    assert report.published == 2
    assert (output / "p" / "aaaaaaaa11" / "index.html").is_file()
    assert not (output / "p" / "bbbbbbbb22").exists(), "a reply has no page of its own"
    html = (output / "p" / "aaaaaaaa11" / "index.html").read_text()
    assert "Same here, a walk helps me." in html
    assert html.index("Saturdays are the hardest.") < html.index("Same here")
    assert not any("weekend" in p.name.lower() for p in output.rglob("*"))


def test_withheld_posts_leave_no_trace(built):
    report, output = built
    assert report.withheld == {"expired": 1, "members-only": 1}
    text = all_text(output)
    for secret in (
        "Rehearsing a talk",
        "practised what I would say",
        "Kestrel",
        "Inner circle of trust",
        "An old worry",
        "the heat and sleeping",
    ):
        assert secret not in text
    assert not (output / "p" / "dddddddd44").exists()
    assert not (output / "p" / "cccccccc33").exists()


def test_dates_are_days_and_nothing_names_the_software_or_an_author(built):
    _, output = built
    text = all_text(output)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)
    assert 'name="generator"' not in text and "Pelican" not in text
    assert 'name="author"' not in text
    html = (output / "p" / "aaaaaaaa11" / "index.html").read_text()
    assert '<time datetime="2026-11-08">8 November 2026</time>' in html


def test_file_times_never_date_a_post(make_board, today):
    root = make_board(posts={"share/aaaaaaaa11.md": PARENT})
    os.utime(root / "content/posts/share/aaaaaaaa11.md", (1_000_000_000, 1_000_000_000))
    build(root)
    page = (root / "output" / "p" / "aaaaaaaa11" / "index.html").read_text()
    assert '<time datetime="2026-11-08">8 November 2026</time>' in page  # its Date: line
    assert "2001" not in all_text(root / "output")  # the file's time (9 September 2001)


def test_host_files_and_no_unwanted_pages(built):
    _, output = built
    assert (output / "_headers").read_text().startswith("# Written by quietboard")
    assert "User-agent: GPTBot\nDisallow: /" in (output / "robots.txt").read_text()
    for unwanted in (
        "tags.html",
        "authors.html",
        "archives.html",
        "categories.html",
        "feeds",
        "sitemap.xml",
        "author",
        "tag",
        "drafts",
    ):
        assert not (output / unwanted).exists(), unwanted
    assert not list(output.rglob("*.md"))


def test_feeds_are_for_public_sections_only_and_carry_days(make_board, today):
    root = make_board(
        toml=BOARD_TOML + "[feeds]\nenabled = true\n",
        posts={"share/aaaaaaaa11.md": PARENT, "circle/dddddddd44.md": MEMBER},
    )
    build(root)
    feeds = sorted(p.name for p in (root / "output" / "feeds").iterdir())
    assert feeds == ["share.atom.xml"]
    feed = (root / "output" / "feeds" / "share.atom.xml").read_text()
    assert "Weekends feel long" in feed
    assert re.findall(r"T(\d\d:\d\d:\d\d)", feed) and set(
        re.findall(r"T(\d\d:\d\d:\d\d)", feed)
    ) == {"00:00:00"}


def test_sitemap_only_when_the_board_asks_to_be_indexed(make_board, today):
    root = make_board(
        toml=BOARD_TOML + "[indexing]\nsearch_engines = true\n",
        posts={"share/aaaaaaaa11.md": PARENT},
    )
    build(root)
    sitemap = (root / "output" / "sitemap.xml").read_text()
    assert "<loc>https://board.example.org/p/aaaaaaaa11/</loc>" in sitemap
    assert "members" not in sitemap and "lastmod" not in sitemap
    robots = (root / "output" / "robots.txt").read_text()
    assert "Sitemap: https://board.example.org/sitemap.xml" in robots


def test_hostile_markup_in_a_post_is_sanitised(make_board, today):
    hostile = post_text(
        "Hello",
        """
        <script>alert(1)</script>
        <img src="https://tracker.example.com/p.gif" onerror="alert(2)">
        [click](javascript:alert(3)) and [help](https://example.org/help)
        <p style="position:fixed" onclick="alert(4)">styled</p>
        ![pixel](https://tracker.example.com/q.gif)
    """,
    )
    root = make_board(posts={"share/aaaaaaaa11.md": hostile})
    build(root)
    html = (root / "output" / "p" / "aaaaaaaa11" / "index.html").read_text()
    body = html.split('class="text"', 1)[1]
    tags = " ".join(re.findall(r"<[^>]+>", body))
    assert "<script" not in tags and "<img" not in tags and "javascript:" not in tags
    assert " onerror=" not in tags and " style=" not in tags and 'src="' not in tags
    # Raw HTML is shown as the text the member typed, never run.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'href="https://example.org/help" rel="nofollow noreferrer noopener"' in body


def test_a_failed_audit_leaves_the_previous_output(make_board, today, tmp_path):
    root = make_board(posts={"share/aaaaaaaa11.md": PARENT})
    build(root)
    before = (root / "output" / "index.html").read_text()
    # A theme that adds a third-party font must fail the build.
    theme = tmp_path / "theme"
    import shutil

    from generator.resources import theme_dir

    shutil.copytree(theme_dir(), theme)
    base = theme / "templates" / "base.html"
    base.write_text(
        base.read_text().replace(
            "</head>", '<link rel="stylesheet" href="https://fonts.example.com/css"></head>'
        )
    )

    def render_with_bad_theme(settings):
        render_with_pelican({**settings, "THEME": str(theme)})

    with pytest.raises(AuditError) as error:
        build_board(root, render_with_bad_theme)
    assert "third-party" in str(error.value)
    assert (root / "output" / "index.html").read_text() == before
    assert not list(root.glob(".quietboard-build-*"))


def test_output_holding_foreign_files_is_not_replaced(make_board, today):
    root = make_board(posts={"share/aaaaaaaa11.md": PARENT})
    (root / "output").mkdir()
    (root / "output" / "notes.txt").write_text("mine")
    with pytest.raises(BuildError, match="holds files quietboard did not write"):
        build(root)
    assert (root / "output" / "notes.txt").read_text() == "mine"


def test_plugins_work_in_a_plain_pelican_run(make_board, tmp_path, today):
    """The plugins are ordinary Pelican plugins: a direct run writes the host files."""
    root = make_board(pages={"about": "Title: About\n\nAbout us.\n"})
    (root / "content" / "posts").mkdir(parents=True)
    out = tmp_path / "out"
    settings = read_settings(
        path=None, override=pelican_settings(read_board(root), root / "content", out)
    )
    Pelican(settings).run()
    assert (out / "_headers").is_file() and (out / "robots.txt").is_file()
    assert (out / "about" / "index.html").is_file()


def test_titles_pseudonyms_and_warnings_are_escaped(make_board, today):
    sneaky = post_text(
        'Hi <!--><meta http-equiv="refresh" content="0;https://evil.example/x">-->',
        "Body text.",
        pseudonym='<meta http-equiv="refresh" content="0; URL=https://evil.example/y">',
        cw="<b>bold</b>",
    )
    root = make_board(posts={"share/aaaaaaaa11.md": sneaky})
    build(root)
    for page in ("index.html", "s/share/index.html", "p/aaaaaaaa11/index.html"):
        html = (root / "output" / page).read_text()
        assert 'http-equiv="refresh"' not in html and "<b>bold" not in html
        assert "&lt;meta http-equiv=" in html


def test_an_output_that_is_a_git_checkout_is_not_replaced(make_board, today):
    root = make_board(posts={"share/aaaaaaaa11.md": PARENT})
    build(root)
    (root / "output" / ".git").mkdir()
    with pytest.raises(BuildError, match=r"holds \.git, which a build would delete"):
        build(root)
    assert (root / "output" / ".git").is_dir()


def test_a_withheld_pseudonym_from_the_friendly_name_list_is_not_a_leak(make_board, today):
    # The share page publishes the word list, so "Otter" in a members-only post
    # must not make the audit think the sealed post leaked.
    from tests.helpers.boards import fast_vault, issue

    root = make_board(
        posts={
            "circle/cccccccc33.md": post_text("Tuesday notes", "Kept sealed.", pseudonym="Otter")
        }
    )
    issue(root, fast_vault(root), "circle", "R.")
    report = build_board(
        root, render_with_pelican, passphrase=lambda: "correct horse battery staple"
    )
    assert report.sealed.unopenable == []
    assert "Kept sealed." not in (root / "output" / "members" / "index.html").read_text()


@pytest.mark.parametrize("syntax", ["{attach}", "|attach|", "{static}", "|static|", "{attach|"])
def test_no_link_syntax_can_copy_a_file_into_the_output(make_board, today, syntax):
    secret = make_board.root.parent / "secret.txt"
    root = make_board()
    secret.write_text("the vault passphrase is hunter2", encoding="utf-8")
    climb = "../" * 30 + str(secret).lstrip("/")  # from wherever the build stages content
    body = f"[x]({syntax}{climb}) [y]({syntax}/{climb})"
    make_board.write("content/posts/share/dddddddd44.md", post_text("Links", body))
    try:
        build_board(root, render_with_pelican)
    except Exception as error:  # refusing the post is fine too
        assert "hunter2" not in str(error)
    copied = [p for p in (root / "output").rglob("*") if p.is_file() and "hunter2" in
              p.read_text(errors="replace")]  # fmt: skip
    assert copied == []


def test_invisible_characters_written_as_entities_are_not_published(make_board, today):
    body = "Hello&#8203;there &#x202E;gnirts &lrm;and&shy;more &#xE0041;tags, family 👨‍👩‍👧"
    root = make_board(posts={"share/eeeeeeee55.md": post_text("Entities", body)})
    build(root)
    page = (root / "output" / "p" / "eeeeeeee55" / "index.html").read_text()
    text = page.split('class="text"', 1)[1].split("</div>", 1)[0]
    for hidden in ("\u200b", "\u202e", "\u200e", "\u00ad", "\U000e0041", "&#"):
        assert hidden not in text
    assert "Hellothere" in text and "\u200d" in text  # the family emoji stays whole


def test_every_page_leads_to_the_boards_exit_site_and_says_when_moderators_are_around(
    make_board, today
):
    toml = BOARD_TOML + (
        '\n[safety]\nexit_url = "https://weather.example.com/today"\n'
        'moderator_hours = "on weekday evenings"\n'
    )
    root = make_board(toml=toml, posts={"share/aaaaaaaa11.md": PARENT})
    build(root)
    output = root / "output"
    pages = [p for p in output.rglob("*.html") if not p.is_relative_to(output / "members")]
    assert {"quick-exit/index.html", "help/index.html", "index.html"} <= {
        p.relative_to(output).as_posix() for p in pages
    }
    for page in pages:
        html = page.read_text()
        assert (
            '<a id="exit" class="exit" href="https://weather.example.com/today" '
            'rel="nofollow noreferrer noopener">Exit this page</a>'
        ) in html, page
        assert "Moderators are usually around on weekday evenings." in html, page
        assert "This board is not a crisis service." in html, page
    explained = (output / "quick-exit" / "index.html").read_text()
    assert "https://weather.example.com/today" in explained


FEEDS_TOML = BOARD_TOML + "[feeds]\nenabled = true\n"


def test_a_control_character_in_a_link_does_not_stop_a_board_with_feeds(make_board, today):
    """A U+0001 written as an entity once reached an href, and the feed writer refused it."""
    body = "See [the help page](&#1;/help/) or [this](/a&#1;b&#x7f;c) and a&#2;b."
    root = make_board(toml=FEEDS_TOML, posts={"share/aaaaaaaa11.md": post_text("Help", body)})
    build(root)
    page = (root / "output" / "p" / "aaaaaaaa11" / "index.html").read_text()
    feed = (root / "output" / "feeds" / "share.atom.xml").read_text()
    assert 'href="/help/"' in page and 'href="/a%01b%7Fc"' in page
    for text in (page, feed):
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)


def test_a_post_that_cannot_be_published_is_named_and_its_text_is_not(make_board, today):
    from click.testing import CliRunner

    from generator.cli import cli

    broken = post_text("Hello\x01 from a private worry", "Plain words.")
    root = make_board(
        toml=FEEDS_TOML,
        posts={"share/aaaaaaaa11.md": PARENT, "share/bbbbbbbb22.md": broken},
    )
    result = CliRunner().invoke(cli, ["build", "--board", str(root)])
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith("Error: content/posts/share/bbbbbbbb22.md ")
    assert 'quietboard takedown bbbbbbbb22"' in line
    assert "private worry" not in line and "unexpected" not in line
    assert not (root / "output").exists()


def test_markup_shown_as_code_passes_the_feed_audit(make_board, today):
    body = 'never write `<a href="javascript:void(0)">` links'
    root = make_board(toml=FEEDS_TOML, posts={"share/aaaaaaaa11.md": post_text("Tip", body)})
    build(root)
    feed = (root / "output" / "feeds" / "share.atom.xml").read_text()
    assert "&amp;lt;a href=" in feed  # the code, escaped for HTML and then for XML


SHORT_TITLES_TOML = BOARD_TOML + (
    '\n[sections.tg]\ntitle = "Trans"\nmembers_only = true\n'
    '\n[safety]\nconfidentiality = "What Trans members share stays here."\n'
)


def test_a_short_members_only_title_in_public_text_fails_the_build(make_board, today):
    root = make_board(toml=SHORT_TITLES_TOML, posts={"share/aaaaaaaa11.md": PARENT})
    with pytest.raises(AuditError) as error:
        build(root)
    leaks = [f for f in error.value.findings if f.rule == "leak"]
    assert [str(f) for f in leaks] == [
        "members/index.html: holds the title of board.toml [sections.tg], "
        "which is members-only [leak]"
    ]
    assert "Trans" not in str(error.value)
    assert not (root / "output").exists()


def test_a_short_withheld_post_title_is_searched_with_word_boundaries(make_board, today):
    toml = BOARD_TOML + '\n[safety]\nconfidentiality = "Whatever Mum says stays here."\n'
    member = post_text("Mum", "A members-only post about home.")
    posts = {"share/aaaaaaaa11.md": PARENT, "circle/dddddddd44.md": member}
    root = make_board(toml=toml, posts=posts)
    with pytest.raises(
        AuditError, match=r"index\.html: holds the title of .*circle/dddddddd44\.md"
    ):
        build(root)
    # "Mummy" is another word, and a title that public posts also use is not a leak.
    make_board(toml=toml.replace("Mum says", "Mummy says"), posts=posts)
    build(root)
    make_board(toml=toml, posts={**posts, "share/bbbbbbbb22.md": post_text("Hi", "Mum rang.")})
    build(root)


@pytest.mark.parametrize("title", ["Members", "Help", "Share", "Text", "Home", "Exit", "Hi"])
def test_members_only_titles_that_the_theme_also_shows_are_not_leaks(make_board, today, title):
    member = post_text(title, "A members-only post.")
    root = make_board(posts={"share/aaaaaaaa11.md": PARENT, "circle/dddddddd44.md": member})
    build(root)


@pytest.mark.parametrize("title", ["Children", "Broken", "Escape", "Secret"])
def test_a_members_only_title_only_the_theme_code_uses_is_still_searched(make_board, today, title):
    """Words in the theme's scripts and styles (identifiers, comments) are not words
    the theme shows: a members-only post with such a title builds, and the audit
    still finds its title pasted into a public page."""
    member = post_text(title, "A members-only post.")
    root = make_board(posts={"share/aaaaaaaa11.md": PARENT, "circle/dddddddd44.md": member})
    build(root)
    assert audit_board(root) == []
    index = root / "output" / "index.html"
    index.write_text(index.read_text().replace("</main>", f"<p>{title}</p></main>"))
    assert [str(f) for f in audit_board(root)] == [
        "index.html: holds the title of content/posts/circle/dddddddd44.md, "
        "which is members-only [leak]"
    ]


def test_the_theme_is_published_minified_and_an_edited_copy_is_still_searched(make_board, today):
    """Scripts and styles reach members smaller (no comments, no spare whitespace),
    the sources stay as they are, and a published copy changed after the build
    (here a comment naming a members-only post) is searched like any other file."""
    member = post_text("Broken", "A members-only post.")
    root = make_board(posts={"share/aaaaaaaa11.md": PARENT, "circle/dddddddd44.md": member})
    build(root)
    theme = theme_dir() / "static"
    for name in ("js/members.js", "js/submit.js", "js/formats/primitives.js", "css/board.css"):
        source = (theme / name).read_text()
        published = (root / "output" / "theme" / name).read_text()
        assert len(published) < 0.85 * len(source), name
        first_comment = re.search(r"^(?://|/\*)(.+)$", source, re.MULTILINE).group(1).strip()
        assert first_comment in source and first_comment not in published, name
    assert audit_board(root) == []
    script = root / "output" / "theme" / "js" / "members.js"
    script.write_text("// Broken\n" + script.read_text())
    assert [str(f) for f in audit_board(root)] == [
        "theme/js/members.js: holds the title of content/posts/circle/dddddddd44.md, "
        "which is members-only [leak]"
    ]


def test_a_members_only_title_with_a_less_than_sign_is_found_in_a_public_page(make_board, today):
    member = post_text("Me <3 my dog", "A members-only post.")
    root = make_board(posts={"share/aaaaaaaa11.md": PARENT, "circle/dddddddd44.md": member})
    build(root)
    index = root / "output" / "index.html"
    planted = "<p>Me &lt;3 my dog</p><p>then -&gt; now</p>"
    index.write_text(index.read_text().replace("</main>", f"{planted}</main>"))
    assert [f.rule for f in audit_board(root)] == ["leak"]


def test_an_empty_public_section_keeps_a_feed_dated_by_a_day(make_board, today):
    """A section whose posts have all left keeps its feed (subscribers see no new
    posts, not an error), dated by the newest post on the board, never the clock."""
    toml = FEEDS_TOML + '\n[sections.quiet]\ntitle = "Quiet corner"\n'
    root = make_board(toml=toml, posts={"share/aaaaaaaa11.md": PARENT})
    build(root)
    feed = (root / "output" / "feeds" / "quiet.atom.xml").read_text()
    assert "<entry>" not in feed
    assert "<updated>2026-11-08T00:00:00+00:00</updated>" in feed
    # With no public post at all, nothing dates the feed but a day it cannot mean.
    (root / "content" / "posts" / "share" / "aaaaaaaa11.md").unlink()
    build(root)
    feed = (root / "output" / "feeds" / "quiet.atom.xml").read_text()
    assert "<updated>1970-01-01T00:00:00+00:00</updated>" in feed
