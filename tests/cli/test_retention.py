"""Expiry and retention through the CLI: build, prune, status, the privacy page, headers."""

from __future__ import annotations

import json
import re

import pytest

from generator.board import vault
from generator.board.config import read_board
from generator.board.hosting import header_rules
from tests.helpers.boards import BOARD_TOML, EXPIRING_THREAD, post_text
from tests.helpers.cli import PASSPHRASE, assert_error, opened, queue_ids, run, submit

POSTS = EXPIRING_THREAD
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
    assert page.count('data-expires="2026-12-01"') == 4  # crumb, post, replies, reply

    after = run("build", "--board", public, env=on("2026-12-01"))
    assert after.exit_code == 0, after.output
    assert "1 post(s) published, withheld: 1 expired, 1 thread expired" in after.output
    assert not (public / "output" / "p" / "a1b2c3d4e5").exists()
    site = " ".join(p.read_text() for p in (public / "output").rglob("*.html"))
    assert "December" not in site and "until spring" not in site
    assert "Still here in January" in site


def test_prune_deletes_expired_posts_and_their_replies_only(public):
    assert run("prune", "--yes", "--board", public, env=on("2026-11-30")).output.startswith(
        "Nothing to prune"
    )
    dry = run("prune", "--dry-run", "--board", public, env=on("2026-12-01"))
    assert dry.exit_code == 0, dry.output
    assert "Would delete 2 expired post(s)" in dry.output
    assert "  share/a1b2c3d4e5  (left the board on 2026-12-01)" in dry.output
    assert "  share/f6g7h8j9k0  (left the board on 2026-12-01)" in dry.output
    assert len(list((public / "content" / "posts" / "share").iterdir())) == 3

    result = run("prune", "--yes", "--board", public, env=on("2026-12-01"))
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
        cli, ["build", "--prune", "--yes", "--board", str(keyed)], env=env, input=PASSPHRASE + "\n"
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
    result = run(
        "prune", "--yes", "--board", keyed, env={**on("2026-12-20"), "QUIETBOARD_PASSPHRASE": "no"}
    )
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
    assert run("build", "--prune", "--yes", "--board", public, env=on("2026-12-02")).exit_code == 0
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
    result = run("prune", "--yes", "--board", keyed, env=on("2026-11-24"))
    assert "Deleted" not in result.output and queue_ids(keyed)
    result = run("prune", "--yes", "--board", keyed, env=on("2026-11-25"))
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
        '\n[submissions]\nform = "none"\nsend_by_hand = "Email it to mods@example.org."\n'
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
    assert "Sharing: usually 90 days; members' sections: as long as each section sets." in text
    assert "never more than 365 days" in text
    assert "kept for 455 days" in text  # the withdrawal fingerprint: maximum + 90
    assert "Counsellor" in text
    assert "Every page asks web archives not to keep copies." in text
    assert "which content warnings you chose to hide: only for the tab" in text
    assert "on 2 November 2026" in text
    assert "Secret circle" not in page  # member sections are never named
    home = (board / "output" / "index.html").read_text()
    link = re.search(r'<a href="([^"]*)">Privacy</a>', home)
    assert link, "the home page links to the privacy page"
    linked = board / "output" / link.group(1) / "index.html"
    assert linked.resolve() == (board / "output" / "privacy" / "index.html").resolve()


def retention_text(board) -> str:
    page = (board / "output" / "privacy" / "index.html").read_text()
    part = page[page.index('id="retention"') : page.index('id="dates"')]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", part))


def test_adding_a_members_section_does_not_change_what_the_public_privacy_page_says(public):
    assert run("build", "--board", public, env=on("2026-11-20")).exit_code == 0
    before = retention_text(public)
    added = run("section", "add", "circle", "--members-only", "--expires-days", "200",
                "--board", public)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert run("build", "--board", public, env=on("2026-11-20")).exit_code == 0
    after = retention_text(public)
    # Outsiders learn nothing about the members' sections from it, not even their expiry.
    assert after == before
    assert "200" not in after
    # And every sentence is separated from the next.
    assert "Sharing: usually 90 days; members' sections: as long as each section sets. A " in after
    assert not re.search(r"\.[A-Z]", after)


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
        'host_policy_url = "https://tiny.example/privacy"\n\n[submissions]\nform = "none"\n'
    )
    assert run("build", "--board", board, env=on("2026-11-20")).exit_code == 0
    page = (board / "output" / "privacy" / "index.html").read_text()
    assert "hosted by Tiny Host" in page and 'href="https://tiny.example/privacy"' in page
    assert "You send the locked text to the moderators yourself." in page
    # Netlify Forms works only on Netlify: the board is told, not the reader misled.
    toml = board / "board.toml"
    toml.write_text(toml.read_text().replace('form = "none"', 'form = "netlify"'))
    assert_error(
        run("build", "--board", board),
        'board.toml: submissions.form = "netlify" needs the site on Netlify, but privacy.host is '
        '"other"; set form = "none" (members send the locked text themselves) or host the site '
        "on Netlify",
    )


def test_member_pages_are_never_stored_and_post_pages_are_cached_briefly(make_board):
    board = make_board(toml=BOARD_TOML)
    rules = dict(header_rules(read_board(board)))
    assert rules["/members/*"]["Cache-Control"] == "no-store"
    assert rules["/share/*"]["Cache-Control"] == "no-store"
    for path in ("/", "/s/*", "/p/*", "/theme/*"):
        assert rules[path]["Cache-Control"] == "no-cache"
    # Netlify and Cloudflare join the values of overlapping rules: only one
    # rule may set Cache-Control for any address, so "/*" sets none.
    assert "Cache-Control" not in rules["/*"]
    assert run("build", "--board", board, env=on("2026-11-20")).exit_code == 0
    headers = (board / "output" / "_headers").read_text()
    assert "/members/*\n  Cache-Control: no-store\n" in headers
    assert "/p/*\n  Cache-Control: no-cache\n" in headers
    # Another rule beside ours is caught: hosts join overlapping values.
    (board / "output" / "_headers").write_text(headers + "/p/*\n  Cache-Control: max-age=9999\n")
    audit = run("audit", "--board", board, env=on("2026-11-20"))
    assert audit.exit_code == 1
    assert "_headers: differs from what board.toml asks for (edited?)" in audit.output


def test_the_build_record_stays_out_of_output_and_git(public):
    assert run("build", "--board", public, env=on("2026-11-20")).exit_code == 0
    record = public / vault.VAULT_DIR / "build.json"
    assert json.loads(record.read_text())["built"] == "2026-11-20"
    assert oct(record.stat().st_mode & 0o777) == "0o600"
    assert not list((public / "output").rglob("build.json"))


def test_prune_ahead_of_the_computers_date_needs_yes(public):
    result = run("prune", "--board", public, env=on("2099-01-01"))
    assert_error(
        result,
        "QUIETBOARD_TODAY (2099-01-01) is after this computer's date, and prune deletes for "
        "good; unset QUIETBOARD_TODAY, or add --yes if you mean to prune as of that day",
    )
    assert len(list((public / "content" / "posts" / "share").iterdir())) == 3
    # A dry run is harmless, so it needs no --yes.
    assert (
        "Would delete 3 expired post(s)"
        in run("prune", "--dry-run", "--board", public, env=on("2099-01-01")).output
    )


def test_build_prune_still_builds_when_pruning_fails(keyed):
    # A public-only board builds without the vault, so a wrong passphrase stops only prune.
    toml = keyed / "board.toml"
    toml.write_text(toml.read_text().replace("members_only = true", "members_only = false"))
    env = {**on("2026-12-20"), "QUIETBOARD_PASSPHRASE": "not the passphrase"}
    result = run("build", "--prune", "--yes", "--board", keyed, env=env)
    assert result.exit_code == 1
    assert "Warning: nothing was pruned:" in result.output
    assert result.output.strip().splitlines()[-1] == (
        "Error: the site was built, but nothing was pruned (see the warning above); fix that "
        'and run "quietboard prune"'
    )
    assert (keyed / "output" / "p" / "m1n2p3q4r5").is_dir()
    assert not (keyed / "output" / "p" / "a1b2c3d4e5").exists()
    assert len(list((keyed / "content" / "posts" / "share").iterdir())) == 3


def test_status_and_prune_never_name_a_members_only_section(keyed):
    circle = keyed / "content" / "posts" / "circle" / "k7d2xq9p4m.md"
    circle.parent.mkdir(parents=True)
    circle.write_text(post_text("Walking by the canal", "Calm water.", expires="2026-11-27"))
    report = status(keyed, "2026-11-25")
    assert {"section": "members-only", "id": "k7d2xq9p4m", "until": "2026-11-27"} in report[
        "leaving_soon"
    ]
    text = run("status", "--board", keyed, env=on("2026-11-25")).output
    assert "k7d2xq9p4m (a members-only post)" in text and "circle" not in text
    pruned = run("prune", "--yes", "--board", keyed, env=on("2026-12-01")).output
    assert "k7d2xq9p4m (a members-only post)" in pruned and "circle" not in pruned


def test_status_changes_nothing_and_strict_fails_when_something_needs_attention(keyed):
    post = keyed / "content" / "posts" / "share" / "m1n2p3q4r5.md"
    post.write_text(
        post.read_text().replace("Title:", "Withdrawal: aaaaaaaaaaaaaaaaaaaaaa\nTitle:")
    )
    before = json.dumps(opened(keyed), sort_keys=True)
    quiet = run("status", "--strict", "--board", keyed, env=on("2026-11-20"))
    assert quiet.exit_code == 1  # never reviewed: the privacy page warning
    assert quiet.output.strip().splitlines()[-1] == (
        "Error: 2 thing(s) need attention (the warnings above)"
    )
    assert json.dumps(opened(keyed), sort_keys=True) == before
    assert post.exists()
    toml = keyed / "board.toml"
    toml.write_text(toml.read_text() + "\n[privacy]\nreviewed = 2026-11-20\n")
    assert run("build", "--board", keyed, env=on("2026-11-20")).exit_code == 0
    assert run("status", "--strict", "--board", keyed, env=on("2026-11-21")).exit_code == 0
    late = run("status", "--strict", "--board", keyed, env=on("2026-11-23"))
    assert late.exit_code == 1
    assert "Warning: the last build was 3 days ago: build and deploy every day" in late.output


def test_a_damaged_import_day_is_a_clear_error_and_prunes_nothing(keyed):
    item = submit(keyed, body="A post with a damaged day.")
    with vault.open_vault(keyed, lambda: PASSPHRASE) as v:
        v.data["queue"]["items"][item]["imported"] = "yesterday"
        v.save()
    for command in (("status",), ("prune", "--yes")):
        result = run(*command, "--board", keyed, env=on("2026-12-20"))
        assert_error(
            result,
            f'queue item "{item}" has no readable import day, so nobody can tell how long it has '
            f'waited; review it now, or delete it with "quietboard reject {item}"',
        )
    assert len(list((keyed / "content" / "posts" / "share").iterdir())) == 3


def test_prune_names_how_many_crisis_flagged_items_went_unreviewed(keyed):
    submit(keyed, body="I keep thinking about ending my life.")
    submit(keyed, body="A quiet week, nothing much.")
    result = run("prune", "--yes", "--board", keyed, env=on("2026-12-20"))
    assert (
        "Deleted 2 queue item(s) that waited 30 days or more without review, 1 of them flagged "
        "for crisis language." in result.output
    )


def test_a_section_whose_posts_have_all_left_still_has_its_page(public):
    result = run("build", "--board", public, env=on("2027-06-01"))
    assert result.exit_code == 0, result.output
    page = (public / "output" / "s" / "share" / "index.html").read_text()
    assert "Nothing here right now." in page
    assert "Still here in January" not in page


def test_prune_deletes_drafts_kept_longer_than_pending_days_and_status_counts_them(
    make_board, tmp_path
):
    from tests.helpers.cli import editor_writing, in_terminal

    root = make_board()
    toml = root / "board.toml"
    toml.write_text(toml.read_text() + "\n[privacy]\npending_days = 5\n")
    typed = "Title:\n\nOur meeting moves to Thursday.\n"  # no title: kept as a draft
    result = in_terminal("post", "--section", "share", editor=editor_writing(tmp_path, typed),
                         cwd=root)  # fmt: skip
    assert result.returncode == 1, result.stdout
    [draft] = (root / ".quietboard" / "drafts").glob("*.md")
    assert status(root, "2026-11-21")["drafts"] == 1
    text = run("status", "--board", root, env=on("2026-11-21")).output
    assert (
        "Drafts of your own posts in .quietboard/drafts/: 1 (plain text; prune deletes them "
        "after 5 days)"
    ) in text
    kept = run("prune", "--yes", "--board", root, env=on("2026-11-24"))
    assert kept.exit_code == 0, kept.output
    assert draft.exists()
    dry = run("prune", "--dry-run", "--board", root, env=on("2026-11-25"))
    assert "Would delete 1 draft(s) of your own posts kept 5 days or more" in dry.output
    assert draft.exists()
    pruned = run("prune", "--yes", "--board", root, env=on("2026-11-25"))
    assert "Deleted 1 draft(s) of your own posts kept 5 days or more" in pruned.output
    assert not draft.exists()
    assert status(root, "2026-11-25")["drafts"] == 0
