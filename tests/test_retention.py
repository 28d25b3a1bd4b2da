"""Expiry and retention through the CLI: build, prune, status, the privacy page, headers."""

from __future__ import annotations

import json
import re

import pytest

from generator import vault
from generator.config import read_board
from generator.hardening import header_rules

from .conftest import BOARD_TOML, post_text
from .test_inbox_cli import PASSPHRASE, assert_error, opened, run
from .test_moderation_cli import queue_ids, submit

# A thread that leaves on 2026-12-01 (its reply is set to stay longer, and
# must not), and a post that stays into 2027.
POSTS = {
    "share/a1b2c3d4e5.md": post_text(
        "A thread that leaves in December", "The first of December is its last day.",
        expires="2026-12-01",
    ),
    "share/f6g7h8j9k0.md": post_text(
        "Re: December", "A reply that asked to stay until spring.",
        reply_to="a1b2c3d4e5", expires="2027-03-01",
    ),
    "share/m1n2p3q4r5.md": post_text("Still here in January", "Nothing to see yet."),
}  # fmt: skip
PUBLIC_BOARD = """\
name = "Test board"
base_url = "https://board.example.org"

[sections.share]
title = "Sharing"
expires_days = 90
"""


def on(day: str) -> dict[str, str]:
    return {"QUIETBOARD_TODAY": day}


def status(board, day: str, *args: str) -> dict:
    result = run("status", "--json", *args, "--board", board, env=on(day))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def public(make_board):
    return make_board(toml=PUBLIC_BOARD, posts=POSTS)


@pytest.fixture
def keyed(keyed_board):
    for rel, text in POSTS.items():
        path = keyed_board / "content" / "posts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return keyed_board


def test_a_build_after_the_expiry_leaves_the_thread_out_and_says_so(public):
    before = run("build", "--board", public, env=on("2026-11-30"))
    assert before.exit_code == 0, before.output
    assert "3 post(s) published" in before.output
    page = (public / "output" / "p" / "a1b2c3d4e5" / "index.html").read_text()
    assert "A reply that asked to stay until spring" in page
    # The reply is shown only as long as its thread: the robots rule and the browser say so.
    assert (
        'content="noindex, nofollow, noarchive, nosnippet, noimageindex, noai, noimageai, '
        'unavailable_after: 2026-12-01"' in page
    )
    assert page.count('data-expires="2026-12-01"') == 3  # post, replies section, reply

    after = run("build", "--board", public, env=on("2026-12-01"))
    assert after.exit_code == 0, after.output
    assert "1 post(s) published, withheld: 1 expired, 1 thread expired" in after.output
    assert not (public / "output" / "p" / "a1b2c3d4e5").exists()
    site = " ".join(p.read_text() for p in (public / "output").rglob("*.html"))
    assert "December" not in site and "until spring" not in site
    assert "Still here in January" in site


def test_prune_deletes_expired_posts_and_their_replies_only(public):
    assert run("prune", "--board", public, env=on("2026-11-30")).output.startswith(
        "Nothing to prune"
    )
    dry = run("prune", "--dry-run", "--board", public, env=on("2026-12-01"))
    assert dry.exit_code == 0, dry.output
    assert "Would delete 2 expired post(s)" in dry.output
    assert "  share/a1b2c3d4e5  (left the board on 2026-12-01)" in dry.output
    assert "  share/f6g7h8j9k0  (left the board on 2026-12-01)" in dry.output
    assert len(list((public / "content" / "posts" / "share").iterdir())) == 3

    result = run("prune", "--board", public, env=on("2026-12-01"))
    assert result.exit_code == 0, result.output
    assert "Deleted 2 expired post(s)" in result.output
    assert "Build and deploy now" in result.output
    left = sorted(p.name for p in (public / "content" / "posts" / "share").iterdir())
    assert left == ["m1n2p3q4r5.md"]


def test_build_prune_does_both_and_asks_for_the_passphrase_once(keyed):
    submit(keyed, body="Waiting for a moderator since November.")
    env = {**on("2026-12-20"), "QUIETBOARD_PASSPHRASE": ""}
    del env["QUIETBOARD_PASSPHRASE"]
    from click.testing import CliRunner

    from generator.cli import cli

    result = CliRunner().invoke(
        cli, ["build", "--prune", "--board", str(keyed)], env=env, input=PASSPHRASE + "\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Vault passphrase") == 1
    assert "Deleted 2 expired post(s)" in result.output
    # Imported on 2026-11-20: 30 days later it lapses, unreviewed.
    assert "Deleted 1 queue item(s) that waited 30 days or more without review." in result.output
    assert "1 post(s) published" in result.output
    assert queue_ids(keyed) == []
    log = opened(keyed)["log"]["2026-12-20"]
    assert log == {"expired": 2, "lapsed": 1}
    assert "Waiting for a moderator" not in json.dumps(opened(keyed))


def test_a_wrong_passphrase_prunes_nothing(keyed):
    result = run("prune", "--board", keyed, env={**on("2026-12-20"), "QUIETBOARD_PASSPHRASE": "no"})
    assert result.exit_code == 1
    assert len(list((keyed / "content" / "posts" / "share").iterdir())) == 3


def test_status_lists_what_leaves_soon_by_id_never_by_title(public):
    report = status(public, "2026-11-25")
    assert report["leaving_soon"] == [
        {"section": "share", "id": "a1b2c3d4e5", "until": "2026-12-01"},
        {"section": "share", "id": "f6g7h8j9k0", "until": "2026-12-01"},
    ]
    text = run("status", "--board", public, env=on("2026-11-25")).output
    assert "Posts leaving in the next 7 days: 2\n  2026-12-01  share/a1b2c3d4e5\n" in text
    assert "December" not in text and "reply" not in text.lower()
    assert "Last build: none recorded" in text
    assert 'Warning: no build recorded yet: run "quietboard build"' in text


def test_status_says_when_output_holds_posts_past_their_expiry(public):
    assert run("build", "--board", public, env=on("2026-11-20")).exit_code == 0
    fresh = status(public, "2026-11-30")
    assert fresh["last_build"] == "2026-11-20" and fresh["days_since_build"] == 10
    assert fresh["stale_in_output"] == []
    stale = status(public, "2026-12-02")
    assert [item["id"] for item in stale["stale_in_output"]] == ["a1b2c3d4e5", "f6g7h8j9k0"]
    assert stale["expired_files"] == 2
    assert any("output/ still holds 2 post(s) past their expiry" in w for w in stale["warnings"])
    text = run("status", "--board", public, env=on("2026-12-02")).output
    assert "Expired posts still in output/: 2" in text
    assert 'Expired post files in content/posts: 2 ("quietboard prune" deletes them)' in text
    # Rebuilt and pruned: nothing stale, nothing left to prune.
    assert run("build", "--prune", "--board", public, env=on("2026-12-02")).exit_code == 0
    clean = status(public, "2026-12-02")
    assert clean["stale_in_output"] == [] and clean["expired_files"] == 0


def test_status_warns_before_the_queue_deletes_unreviewed_items(keyed):
    submit(keyed, body="Imported on the twentieth.")
    early = status(keyed, "2026-12-10")
    assert early["queue"] == {"waiting": 1, "oldest_days": 20, "lapsing_soon": 0, "lapsed": 0}
    soon = status(keyed, "2026-12-14")
    assert soon["queue"]["lapsing_soon"] == 1
    assert any("1 queue item(s) will be deleted unreviewed within 7 days" in w
               for w in soon["warnings"])  # fmt: skip
    due = status(keyed, "2026-12-20")
    assert due["queue"]["lapsed"] == 1
    assert any('next "quietboard prune" deletes them unreviewed' in w for w in due["warnings"])
    # Status never deletes: the item is still there.
    assert len(queue_ids(keyed)) == 1
    skipped = status(keyed, "2026-12-20", "--skip-queue")
    assert skipped["queue"] is None


def test_pending_days_is_the_boards_choice(keyed):
    toml = keyed / "board.toml"
    toml.write_text(toml.read_text() + "\n[privacy]\npending_days = 5\n")
    submit(keyed, body="A short wait.")
    assert status(keyed, "2026-11-25")["queue"]["lapsed"] == 1
    result = run("prune", "--board", keyed, env=on("2026-11-24"))
    assert "Deleted" not in result.output and queue_ids(keyed)
    result = run("prune", "--board", keyed, env=on("2026-11-25"))
    assert "Deleted 1 queue item(s) that waited 5 days or more without review." in result.output


def test_review_dates_warn_in_status_and_build(public):
    toml = public / "board.toml"
    base = toml.read_text()
    never = run("build", "--board", public, env=on("2026-11-20"))
    assert "Warning: the privacy page has never been reviewed" in never.output
    toml.write_text(
        base + '\n[privacy]\nreviewed = 2026-05-01\n\n[crisis]\ncountry = "GB"\n'
        "last_checked = 2026-05-01\n"
    )
    report = status(public, "2026-11-20")
    assert report["privacy_reviewed"] == "2026-05-01"
    assert any("privacy page was last reviewed 203 days ago" in w for w in report["warnings"])
    assert any("crisis services were last checked 203 days ago" in w for w in report["warnings"])
    built = run("build", "--board", public, env=on("2026-11-20"))
    assert "Warning: the privacy page was last reviewed 203 days ago" in built.output
    toml.write_text(base + "\n[privacy]\nreviewed = 2026-11-01\nreview_days = 30\n")
    assert not any("privacy" in w for w in status(public, "2026-11-20")["warnings"])
    assert any("privacy" in w for w in status(public, "2026-12-02")["warnings"])


def test_the_privacy_page_is_written_from_board_toml(make_board):
    toml = PUBLIC_BOARD + (
        '\n[sections.circle]\ntitle = "Secret circle"\nmembers_only = true\nexpires_days = 45\n'
        '\n[privacy]\nhost = "cloudflare"\npending_days = 14\nreviewed = 2026-11-02\n'
        '\n[roles]\ncounsellor = "Counsellor"\n'
    )
    board = make_board(toml=toml)
    result = run("build", "--board", board, env=on("2026-11-20"))
    assert result.exit_code == 0, result.output
    page = (board / "output" / "privacy" / "index.html").read_text()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "hosted by Cloudflare" in text
    assert 'href="https://www.cloudflare.com/privacypolicy/"' in page
    assert "not reviewed within 14 days is deleted unread" in text
    assert "Sharing: 90 days; members' sections: at most 45 days" in text
    assert "never a longer one than 365 days" in text
    assert "kept for 455 days" in text  # the withdrawal fingerprint: maximum + 90
    assert "Counsellor" in text
    assert "on 2 November 2026" in text
    assert "Secret circle" not in page  # member sections are never named
    home = (board / "output" / "index.html").read_text()
    assert 'href="../privacy/"' in home or 'href="./privacy/"' in home or "/privacy/" in home


def test_a_hand_written_privacy_page_is_refused_with_what_to_do(make_board):
    board = make_board(toml=PUBLIC_BOARD, pages={"privacy": "Title: Privacy\n\nOld words.\n"})
    result = run("build", "--board", board, env=on("2026-11-20"))
    assert_error(
        result,
        "content/pages/privacy.md: the privacy page is now written from board.toml [privacy] on "
        "every build, so that it always says what the board really does; delete this file (put "
        "anything of your own in another page, such as content/pages/about.md)",
    )


@pytest.mark.parametrize(
    ("privacy", "message"),
    [
        ('host = "geocities"',
         'board.toml: "privacy.host" must be one of "netlify", "cloudflare", "github", "other", '
         "not 'geocities'"),
        ('host = "other"',
         'board.toml: host = "other" needs "privacy.host_name" (the privacy page names the host '
         "and links to its privacy policy)"),
        ('host_name = "Mine"',
         'board.toml: "privacy.host_name" and "privacy.host_policy_url" are only for host = '
         '"other"; netlify is already known'),
        ("pending_days = 0",
         'board.toml: "privacy.pending_days" must be a whole number from 1 to 365, not 0'),
        ('reviewed = "last week"',
         'board.toml: "privacy.reviewed" must be a date written like 2026-11-01 (no quotes, no '
         "time), not 'last week'"),
        ("retention = 3",
         'board.toml: unknown key "privacy.retention" in [privacy]; allowed keys here: host, '
         "host_name, host_policy_url, pending_days, reviewed, review_days, contact"),
    ],
)  # fmt: skip
def test_bad_privacy_settings_name_the_key(make_board, privacy, message):
    board = make_board(toml=PUBLIC_BOARD + f"\n[privacy]\n{privacy}\n")
    assert_error(run("build", "--board", board), message)


def test_an_other_host_is_named_with_its_policy(make_board):
    board = make_board(
        toml=PUBLIC_BOARD + '\n[privacy]\nhost = "other"\nhost_name = "Tiny Host"\n'
        'host_policy_url = "https://tiny.example/privacy"\n'
    )
    assert run("build", "--board", board, env=on("2026-11-20")).exit_code == 0
    page = (board / "output" / "privacy" / "index.html").read_text()
    assert "hosted by Tiny Host" in page and 'href="https://tiny.example/privacy"' in page


def test_member_pages_are_never_stored_and_post_pages_are_cached_briefly(make_board):
    board = make_board(toml=BOARD_TOML)
    rules = dict(header_rules(read_board(board)))
    assert rules["/members/*"]["Cache-Control"] == "no-store"
    assert rules["/share/*"]["Cache-Control"] == "no-store"
    for path in ("/", "/s/*", "/p/*", "/theme/*"):
        assert rules[path]["Cache-Control"] == "public, max-age=300, must-revalidate"
    # Netlify and Cloudflare join the values of overlapping rules: only one
    # rule may set Cache-Control for any address, so "/*" sets none.
    assert "Cache-Control" not in rules["/*"]
    assert run("build", "--board", board, env=on("2026-11-20")).exit_code == 0
    headers = (board / "output" / "_headers").read_text()
    assert "/members/*\n  Cache-Control: no-store\n" in headers
    assert "/p/*\n  Cache-Control: public, max-age=300, must-revalidate\n" in headers


def test_the_build_record_stays_out_of_output_and_git(public):
    assert run("build", "--board", public, env=on("2026-11-20")).exit_code == 0
    record = public / vault.VAULT_DIR / "build.json"
    assert json.loads(record.read_text())["built"] == "2026-11-20"
    assert oct(record.stat().st_mode & 0o777) == "0o600"
    assert not list((public / "output").rglob("build.json"))
