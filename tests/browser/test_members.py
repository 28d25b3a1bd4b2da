"""The members' area in Chromium: unlocking, reading, locking, and every refusal."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from generator.board.access import revoke_code
from generator.board.config import read_board
from generator.board.vault import open_vault
from generator.site.build import build_board
from generator.site.render import render_with_pelican
from tests.helpers.boards import BoardMaker, fast_vault, issue, post_text
from tests.helpers.browser import BROWSER_DAY, OPAQUE, open_members, serving, unlock

pytestmark = pytest.mark.browser

BUILT_ON = dt.date(2026, 11, 20)
MEMBER_POSTS = {
    "circle/k7d2xq9p4m.md": post_text(
        "Walking by the canal helped",
        "The water was calm and so was I, for a while at least.",
        cw="low mood",
    ),
    "circle/r4t8wz2n6b.md": post_text(
        "Re: canal",
        "Glad it helped. I walk there on Sunday mornings too.",
        date="2026-11-12",
        pseudonym="Heron",
        reply_to="k7d2xq9p4m",
    ),
    "circle/e3v5bn8c1j.md": post_text(
        "A note that leaves on the first of December",
        "Only here until the end of November.",
        expires="2026-12-01",
    ),
    "share/p2w6ym4k8s.md": post_text("Hello from the public side", "Anyone can read this one."),
}


def build(root: Path, passphrase: str) -> Path:
    return build_board(root, render_with_pelican, today=BUILT_ON, passphrase=lambda: passphrase)


@pytest.fixture(scope="module")
def members(tmp_path_factory):
    root = BoardMaker(tmp_path_factory.mktemp("members") / "board")(posts=MEMBER_POSTS)
    passphrase = fast_vault(root)
    codes = {
        "alex": issue(root, passphrase, "circle", "A."),
        "sam": issue(root, passphrase, "circle", "S.", expires=dt.date(2026, 12, 10)),
    }
    output = build(root, passphrase).output
    with serving(output) as base:
        yield {"base": base, "codes": codes, "root": root, "output": output}


def storage(page) -> dict[str, str]:
    """What the page keeps, besides the promise that PROMISED sets."""
    return page.evaluate(
        """() => {
          const session = Object.assign({}, sessionStorage);
          delete session["quietboard-promised"];
          return {local: JSON.stringify(localStorage), session: JSON.stringify(session)};
        }"""
    )


def test_a_code_typed_loosely_opens_the_section(members, watched):
    watch = open_members(watched, members["base"])
    page = watch.page
    typed = members["codes"]["alex"].replace("-", "  ").upper()
    unlock(page, typed)
    view = page.locator("#member-view")
    expect(view.get_by_role("heading", name="Inner circle of trust")).to_be_visible()
    expect(view.get_by_role("link", name="Walking by the canal helped")).to_be_visible()
    expect(view).to_contain_text("1 reply")
    expect(view).to_contain_text("Content warning: low mood")
    expect(page.get_by_label("Access code")).to_be_hidden()
    # The public post is not in the members' list; nothing from outside was fetched.
    expect(view).not_to_contain_text("Hello from the public side")
    view.get_by_role("link", name="Walking by the canal helped").click()
    expect(page.get_by_role("heading", name="Walking by the canal helped")).to_be_focused()
    warning = page.locator("details.cw").first
    expect(warning).not_to_have_attribute("open", "")
    expect(warning.locator(".text")).to_be_hidden()
    warning.locator("summary").click()
    expect(warning).to_contain_text("The water was calm")
    expect(page.locator("article.reply")).to_contain_text("Heron")
    expect(page.locator("article.reply")).to_contain_text("Sunday mornings")
    page.go_back()
    expect(view.get_by_role("link", name="Walking by the canal helped")).to_be_visible()
    watch.assert_clean()


def test_an_invite_link_opens_and_the_code_leaves_the_address_bar(members, watched):
    base = members["base"]
    watch = open_members(watched, base, path="/")
    page = watch.page
    page.goto(f"{base}/members/#code={members['codes']['alex']}")
    expect(page.locator("#member-view")).to_contain_text("Walking by the canal helped")
    assert page.url == f"{base}/members/"
    assert page.evaluate("location.hash") == ""
    page.goto(base + "/help/")
    page.go_back()
    assert "code" not in page.url
    expect(page.locator("#member-view")).to_contain_text("Walking by the canal helped")
    assert members["codes"]["alex"] not in json.dumps(storage(page))
    watch.assert_clean()


@pytest.mark.parametrize(
    "hint",
    ['data-salt="AAAAAAAAAAAAAAAAAAAAAA"', 'data-salt="not a salt"', ""],
    ids=["another salt", "a damaged one", "none"],
)
def test_the_keyrings_salt_decides_whatever_the_page_says(members, watched, hint):
    """The page carries the keyring's salt and count so the key derivation starts
    while the keyring downloads; a page that says otherwise (from another build,
    or damaged) costs a second derivation, never a member's way in."""
    keyring = json.loads((members["output"] / "members" / "keyring.json").read_text())
    page_html = (members["output"] / "members" / "index.html").read_text()
    carried = f'data-salt="{keyring["salt"]}" data-iterations="{keyring["iterations"]}"'
    assert carried in page_html
    changed = page_html.replace(f'data-salt="{keyring["salt"]}"', hint)
    base = members["base"]
    watch = open_members(watched, base, path="/")
    page = watch.page
    page.route(
        f"{base}/members/", lambda route: route.fulfill(body=changed, content_type="text/html")
    )
    page.goto(f"{base}/members/#code={members['codes']['alex']}")
    expect(page.locator("#member-view")).to_contain_text("Walking by the canal helped")
    watch.assert_clean()


@pytest.mark.parametrize(
    "typed",
    ["wrong code entirely", "maple-orbit-candle-velvet-sprout-harbor"],
    ids=["nonsense", "well-formed but not issued"],
)
def test_a_wrong_code_gets_the_one_calm_message(members, watched, typed):
    watch = open_members(watched, members["base"])
    unlock(watch.page, typed)
    expect(watch.page.get_by_role("status")).to_contain_text(OPAQUE)
    expect(watch.page.locator("#member-view")).to_be_empty()
    assert storage(watch.page) == {"local": "{}", "session": "{}"}


def test_an_expired_code_opens_nothing_even_before_a_rebuild(members, watched):
    watch = open_members(watched, members["base"], day="2026-12-10T09:00:00")
    unlock(watch.page, members["codes"]["sam"])
    expect(watch.page.get_by_role("status")).to_contain_text(OPAQUE)
    watch = open_members(watched, members["base"], day="2026-12-09T09:00:00")
    unlock(watch.page, members["codes"]["sam"])
    expect(watch.page.locator("#member-view")).to_contain_text("Walking by the canal helped")


def test_a_post_past_its_expiry_is_not_shown_whatever_the_page_says(members, watched):
    watch = open_members(watched, members["base"])
    unlock(watch.page, members["codes"]["alex"])
    view = watch.page.locator("#member-view")
    expect(view).to_contain_text("A note that leaves on the first of December")
    later = open_members(watched, members["base"], day="2026-12-01T08:00:00")
    unlock(later.page, members["codes"]["alex"])
    view = later.page.locator("#member-view")
    expect(view).to_contain_text("Walking by the canal helped")
    expect(view).not_to_contain_text("A note that leaves on the first of December")
    later.page.goto(members["base"] + "/members/#p=e3v5bn8c1j")
    expect(view).to_contain_text("This post is no longer on the board.")


def test_the_key_stays_in_the_tab_unless_remembered(members, watched):
    watch = open_members(watched, members["base"])
    page = watch.page
    unlock(page, members["codes"]["alex"])
    expect(page.locator("#member-view")).to_contain_text("Walking by the canal helped")
    kept = storage(page)
    assert kept["local"] == "{}"
    assert "quietboard-members" in kept["session"]
    assert "canal" not in json.dumps(kept).lower()
    # Another page of the board and back: still open, no code typed.
    page.get_by_role("link", name="Get help now").click()
    page.get_by_role("link", name="Members' area").click()
    expect(page.locator("#member-view")).to_contain_text("Walking by the canal helped")
    # A new tab of the same browser asks again.
    other = page.context.new_page()
    other.goto(members["base"] + "/members/")
    expect(other.get_by_label("Access code")).to_be_visible()
    # A new browser (context) asks again.
    fresh = open_members(watched, members["base"])
    expect(fresh.page.get_by_label("Access code")).to_be_visible()
    expect(fresh.page.locator("#member-view")).to_be_empty()


def test_remember_keeps_the_key_and_lock_forgets_it(members, watched):
    watch = open_members(watched, members["base"])
    page = watch.page
    unlock(page, members["codes"]["alex"], remember=True)
    expect(page.locator("#member-view")).to_contain_text("Walking by the canal helped")
    kept = storage(page)
    assert "quietboard-members" in kept["local"]
    assert members["codes"]["alex"] not in json.dumps(kept)
    assert "canal" not in json.dumps(kept).lower()
    other = page.context.new_page()
    other.clock.set_fixed_time(BROWSER_DAY)
    other.goto(members["base"] + "/members/")
    expect(other.locator("#member-view")).to_contain_text("Walking by the canal helped")
    other.get_by_role("button", name="Lock").click()
    expect(other.get_by_role("status")).to_contain_text("Locked")
    expect(other.locator("#member-view")).to_be_empty()
    expect(other.get_by_label("Access code")).to_be_focused()
    assert storage(other) == {"local": "{}", "session": "{}"}
    other.reload()
    expect(other.get_by_label("Access code")).to_be_visible()
    expect(other.locator("#member-view")).to_be_empty()


def test_a_damaged_section_file_shows_the_calm_message_and_nothing_else(members, watched, tmp_path):
    damaged = tmp_path / "site"
    shutil.copytree(members["output"], damaged)
    sealed = next((damaged / "members").glob("*.bin"))
    data = bytearray(sealed.read_bytes())
    data[40] ^= 0x01
    sealed.write_bytes(bytes(data))
    with serving(damaged) as base:
        watch = open_members(watched, base)
        unlock(watch.page, members["codes"]["alex"])
        expect(watch.page.get_by_role("status")).to_contain_text(OPAQUE)
        expect(watch.page.locator("#member-view")).to_be_empty()
        assert storage(watch.page) == {"local": "{}", "session": "{}"}


def test_revoking_one_code_leaves_the_others_working(tmp_path, watched):
    root = BoardMaker(tmp_path / "board")(posts=MEMBER_POSTS)
    passphrase = fast_vault(root)
    keep, drop = issue(root, passphrase, "circle", "K."), issue(root, passphrase, "circle", "D.")
    output = build(root, passphrase).output
    # One server (one origin, so the same localStorage) across both builds.
    with serving(output) as base:
        remembered = open_members(watched, base)
        unlock(remembered.page, drop, remember=True)
        expect(remembered.page.locator("#member-view")).to_contain_text("canal")
        with open_vault(root, lambda: passphrase) as vault:
            assert revoke_code(vault.data, read_board(root), "circle", "D.") == 1
            vault.save()
        assert build(root, passphrase).output == output
        for_dropped = open_members(watched, base)
        unlock(for_dropped.page, drop)
        expect(for_dropped.page.get_by_role("status")).to_contain_text(OPAQUE)
        for_kept = open_members(watched, base)
        unlock(for_kept.page, keep)
        expect(for_kept.page.locator("#member-view")).to_contain_text("canal")
        # The device that remembered the revoked code's key holds a key that opens nothing now.
        page = remembered.page
        page.reload()
        expect(page.get_by_role("status")).to_contain_text("Please type your access code again")
        expect(page.locator("#member-view")).to_be_empty()
        assert storage(page)["local"] == "{}"


def test_without_javascript_the_page_explains_itself(members, watched):
    watch = open_members(watched, members["base"], java_script_enabled=False)
    notice = watch.page.get_by_text("Reading the members' area needs JavaScript")
    expect(notice).to_be_visible()
    expect(watch.page.get_by_label("Access code")).to_be_hidden()
    expect(watch.page.get_by_role("link", name="latest posts")).to_be_visible()
    with_script = open_members(watched, members["base"])
    expect(with_script.page.get_by_label("Access code")).to_be_visible()
    notice = with_script.page.get_by_text("Reading the members' area needs JavaScript")
    expect(notice).to_be_hidden()


def test_the_browser_passes_the_format_vectors(members, watched):
    vectors = json.loads(
        (Path(__file__).parents[1] / "vectors" / "members-v2.json").read_text(encoding="utf-8")
    )
    watch = open_members(watched, members["base"])
    failures = watch.page.evaluate(RUN_VECTORS, vectors)
    assert failures == []
    assert watch.page.evaluate("window.__vectorCount") == sum(
        len(vectors[k])
        for k in ("canonical", "derive", "keyrings", "items", "invalid_items", "invalid_chunks")
    ) + sum(len(case["chunks"]) for case in vectors["sections"])


RUN_VECTORS = """
async (v) => {
  const f = await import("/theme/js/formats/members.js");
  const { canonicalCode } = await import("/theme/js/formats/codes.js");
  const { Unopenable } = await import("/theme/js/formats/primitives.js");
  const hex = (s) => Uint8Array.from(s.match(/../g) || [], (h) => parseInt(h, 16));
  const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const failures = [];
  let count = 0;
  const check = (desc, ok) => { count += 1; if (!ok) failures.push(desc); };
  for (const c of v.canonical) {
    check("canonical " + c.typed, canonicalCode(c.typed) === c.canonical);
  }
  for (const c of v.derive) {
    const k = await f.deriveCodeKeys(c.code, hex(c.salt), c.iterations);
    check("derive " + c.code, toHex(k.lookup) === c.lookup && toHex(k.wrap) === c.wrap);
  }
  for (const c of v.keyrings) {
    try {
      const g = await f.openKeyring(c.keyring, c.code, c.today);
      check("keyring " + c.desc, c.opens && toHex(g.slot) === c.slot &&
        toHex(g.contentKey) === c.content_key && g.expires === c.expires);
    } catch (e) {
      check("keyring " + c.desc, !c.opens && e instanceof Unopenable);
    }
  }
  for (const c of v.items) {
    const out = await f.openItem(hex(c.content_key), hex(c.slot), c.item_id, hex(c.envelope));
    check("item " + c.desc, toHex(out) === c.payload);
  }
  for (const c of v.invalid_items) {
    try {
      await f.openItem(hex(c.content_key), hex(c.slot), c.item_id, hex(c.envelope));
      check("invalid item " + c.desc, false);
    } catch (e) {
      check("invalid item " + c.desc, e instanceof Unopenable);
    }
  }
  const { unb64, unframe, concat } = await import("/theme/js/formats/primitives.js");
  for (const c of v.sections) {
    const opened = [];
    for (const [n, chunk] of c.chunks.entries()) {
      const out = await f.openChunk(hex(c.content_key), hex(c.slot), n, unb64(chunk));
      check("section " + c.desc + " chunk " + n,
        out.count === c.chunks.length && toHex(unb64(out.edition)) === c.edition);
      opened.push(out.piece);
    }
    const payload = unframe(concat(...opened));
    const listed = new DataView(payload.buffer).getUint32(0);
    const posts = payload.subarray(4 + listed);
    if (toHex(payload.subarray(4, 4 + listed)) !== c.listing || posts.length !== c.posts_repeat ||
        posts.some((b) => b !== parseInt(c.posts_byte, 16))) failures.push("section " + c.desc);
  }
  for (const c of v.invalid_chunks) {
    try {
      await f.openChunk(hex(c.content_key), hex(c.slot), c.number, hex(c.envelope));
      check("invalid chunk " + c.desc, false);
    } catch (e) {
      check("invalid chunk " + c.desc, e instanceof Unopenable);
    }
  }
  window.__vectorCount = count;
  return failures;
}
"""


# Enough text that the sealed section spans several 64 KiB chunks: the
# oldest post's text sits in the last one, the list in the first.
def _long_section() -> dict[str, str]:
    posts = {}
    for n in range(60):
        words = " ".join(f"word{n}x{i}" for i in range(500))
        day = (BUILT_ON - dt.timedelta(days=1 + n % 20)).isoformat()
        posts[f"circle/qx{n:04d}zzkq.md"] = post_text(f"Long post number {n}", words, date=day)
    posts["circle/qx9999zzkq.md"] = post_text(
        "The oldest post of all", "Its words are at the very end.", date="2026-10-01"
    )
    return posts


@pytest.fixture(scope="module")
def long_section(tmp_path_factory):
    root = BoardMaker(tmp_path_factory.mktemp("long") / "board")(posts=_long_section())
    passphrase = fast_vault(root)
    code = issue(root, passphrase, "circle", "A.")
    output = build(root, passphrase).output
    chunks = sorted((output / "members").glob("*.bin"), key=lambda p: int(p.name.split(".")[1]))
    assert len(chunks) >= 3
    return {"output": output, "code": code, "chunks": chunks}


def _fetched(watch, path: Path) -> bool:
    return any(url.endswith("/members/" + path.name) for url in watch.requests)


def test_a_member_gets_the_list_first_and_a_post_when_it_is_opened(long_section, watched):
    with serving(long_section["output"]) as base:
        watch = open_members(watched, base)
        unlock(watch.page, long_section["code"])
        titles = watch.page.locator("#member-view li.summary a")
        expect(titles).to_have_count(61)
        expect(titles.last).to_have_text("The oldest post of all")
        first, last = long_section["chunks"][0], long_section["chunks"][-1]
        assert _fetched(watch, first) and not _fetched(watch, last)
        titles.last.click()
        expect(watch.page.locator("article.post")).to_contain_text("Its words are at the very end.")
        assert _fetched(watch, last)
        watch.page.go_back()
        watch.page.get_by_role("link", name="Long post number 0", exact=True).click()
        expect(watch.page.locator("article.post")).to_contain_text("word0x499")
        watch.assert_clean()


def test_a_damaged_post_file_gives_the_one_calm_message(long_section, watched, tmp_path):
    damaged = tmp_path / "site"
    shutil.copytree(long_section["output"], damaged)
    last = damaged / "members" / long_section["chunks"][-1].name
    data = bytearray(last.read_bytes())
    data[40] ^= 0x01
    last.write_bytes(bytes(data))
    with serving(damaged) as base:
        watch = open_members(watched, base)
        unlock(watch.page, long_section["code"])
        expect(watch.page.locator("#member-view li.summary")).to_have_count(61)
        watch.page.get_by_role("link", name="The oldest post of all").click()
        expect(watch.page.get_by_role("status")).to_contain_text(OPAQUE)
        expect(watch.page.locator("#member-view")).to_be_empty()
        assert "Its words" not in watch.page.content()
        assert storage(watch.page) == {"local": "{}", "session": "{}"}
