"""Figures for docs/benchmarks.md: members-only sections.

Run: python -m bench.member_section  (prints a Markdown table; times vary by machine)
     python -m bench.member_section --browser  (only the browser figures, 200 and 2,000 posts)

Needs the playwright package and Chromium (/usr/bin/chromium, or the path in
QUIETBOARD_CHROMIUM); `playwright install` is not used. Measures:
- unlocking a 200-post section in Chromium, from the click on Open to the
  list on screen, split into key derivation and the rest;
- the bytes of the member shell (HTML and our three modules);
- what 200 and 1,000 member posts add to a build, phase by phase, how many
  key derivations a build runs, and the sealed sizes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import nacl.pwhash

from generator.board.config import read_board
from generator.board.demo import prepare_demo
from generator.board.post import plan_publication, read_posts
from generator.formats import members as memberformat
from generator.site import build as build_module
from generator.site.build import build_board
from generator.site.render import render_with_pelican
from generator.site.seal import KEYRING_FILE, MEMBERS_DIR, section_document
from generator.site.serve import serving_in_background

from .public_board import MEMBERS_PAGE, page_assets

SECTION = "circle"
Row = tuple[str, str, str]
RUNS = 5
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TITLES = (
    "Small wins this week",
    "A hard Monday",
    "Notes after the circle",
    "Sleeping a little better",
    "Trying the breathing exercise",
    "What helped today",
    "Back at work, slowly",
    "Walking with my sister",
)
SENTENCES = (
    "I wanted to write this down while it is still fresh.",
    "The mornings are still the hardest part, but I got up and opened the curtains.",
    "Someone in the circle said that rest is not the same as giving up, and it stayed with me.",
    "I rang the surgery and asked for a review of my medication, which took courage.",
    "It rained all afternoon, so I made soup and listened to the radio.",
    "My neighbour waved on the stairs and for once I stopped to chat.",
    "I tried the five-things-I-can-see exercise on the bus and it helped a little.",
    "Some days the best I can do is a shower and a walk round the block.",
    "Thank you to everyone who replied last week; I read every word twice.",
    "I am learning to notice the thought before it runs away with me.",
    "Work was loud and busy, and I took my lunch outside on the bench.",
    "I wrote three things I was grateful for, even though it felt silly at first.",
)
CONTENT_WARNINGS = ("low mood", "family conflict", "work stress")
PSEUDONYMS = ("Kestrel", "Fern", "Harbour light", "Wren", "")

# Installed in the page before the click: records how long WebCrypto's
# deriveBits (PBKDF2, HKDF) and decrypt (AES-GCM) calls take in the real flow.
INSTRUMENT = """() => {
  const times = (window.__qbTimes = { PBKDF2: 0, HKDF: 0, decrypt: 0 });
  const proto = SubtleCrypto.prototype;
  const deriveBits = proto.deriveBits;
  const decrypt = proto.decrypt;
  proto.deriveBits = async function (params, ...rest) {
    const start = performance.now();
    try { return await deriveBits.call(this, params, ...rest); }
    finally { times[params.name] = (times[params.name] || 0) + performance.now() - start; }
  };
  proto.decrypt = async function (...args) {
    const start = performance.now();
    try { return await decrypt.apply(this, args); }
    finally { times.decrypt += performance.now() - start; }
  };
}"""

# Types the code, clicks Open and waits for the list: in the DOM, then drawn
# (the frame after the change). Resource timing gives the two fetches.
UNLOCK = """async (code) => {
  sessionStorage.setItem("quietboard-promised", "yes"); // the promise, agreed earlier in the tab
  const view = document.getElementById("member-view");
  document.getElementById("code").value = code;
  const inDom = new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (view.querySelector("h2")) { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(view, { childList: true, subtree: true });
    setTimeout(() => reject(new Error(
      "no list after 30 s: " + document.getElementById("unlock-status").textContent)), 30000);
  });
  const start = performance.now();
  document.getElementById("unlock-button").click();
  const listed = await inDom;
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const drawn = performance.now();
  const fetches = performance.getEntriesByType("resource")
    .filter((entry) => entry.name.includes("/members/") && entry.startTime >= start);
  return {
    inDom: listed - start,
    total: drawn - start,
    fetch: fetches.reduce((sum, entry) => sum + entry.duration, 0),
    fetches: fetches.length,
    posts: view.querySelectorAll("li.summary").length,
    ...window.__qbTimes,
  };
}"""

# deriveCodeKeys on its own, through the page's own module, as a cross-check.
DERIVE_ALONE = """async (code) => {
  const fmt = await import("/theme/js/formats/members.js");
  const keyring = await (await fetch("/members/keyring.json", { cache: "no-store" })).json();
  const salt = fmt.checkKeyring(keyring);
  const start = performance.now();
  await fmt.deriveCodeKeys(code, salt, keyring.iterations);
  return performance.now() - start;
}"""


def post_id(number: int) -> str:
    """A valid, repeatable post id: 10 hex digits, so no word of a title can be in it."""
    return hashlib.sha256(f"member {number}".encode()).hexdigest()[:10]


def member_board(root: Path, posts: int, today: dt.date) -> tuple[str, str]:
    """The demo with its members-only section holding exactly POSTS made-up posts.

    Returns the vault passphrase and an access code for the section.
    """
    passphrase, code = prepare_demo(root, today)
    folder = root / "content" / "posts" / SECTION
    shutil.rmtree(folder)
    folder.mkdir()
    rng = random.Random(posts)
    for i in range(posts):
        day = today - dt.timedelta(days=i % 30)
        lines = [
            f"Title: {TITLES[i % len(TITLES)]} ({i})",
            f"Date: {day.isoformat()}",
            f"Expires: {(day + dt.timedelta(days=60)).isoformat()}",
        ]
        if i % 5 == 0:
            lines.append(f"CW: {rng.choice(CONTENT_WARNINGS)}")
        if pseudonym := PSEUDONYMS[i % len(PSEUDONYMS)]:
            lines.append(f"Pseudonym: {pseudonym}")
        paragraphs = [
            " ".join(rng.sample(SENTENCES, rng.randint(2, 4))) for _ in range(rng.randint(1, 3))
        ]
        text = "\n".join(lines) + "\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / f"{post_id(i)}.md").write_text(text, encoding="utf-8")
    return passphrase, code


def sealed_bytes(output: Path) -> int:
    """Bytes of the section's sealed chunks, all together."""
    return sum(path.stat().st_size for path in (output / MEMBERS_DIR).glob("*.bin"))


@dataclass
class BuildTimes:
    """One real build: its wall time, the time of its phases, and its KDF runs."""

    total: float = 0.0
    phases: Counter = field(default_factory=Counter)
    calls: Counter = field(default_factory=Counter)


def _timed(times: BuildTimes, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    """REAL, unchanged, except that its calls and their seconds are added to TIMES."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            times.phases[name] += time.perf_counter() - start
            times.calls[name] += 1

    return wrapper


def timed_build(root: Path, passphrase: str, today: dt.date) -> BuildTimes:
    """A real build of ROOT, with its phases timed and its PBKDF2 and Argon2id runs counted."""
    times = BuildTimes()
    patches = [
        mock.patch("hashlib.pbkdf2_hmac", _timed(times, "pbkdf2", hashlib.pbkdf2_hmac)),
        mock.patch.object(
            nacl.pwhash.argon2id, "kdf", _timed(times, "argon2id", nacl.pwhash.argon2id.kdf)
        ),
    ]
    for phase in ("seal_member_sections", "withheld_needles", "audit_output"):
        real = getattr(build_module, phase)
        patches.append(mock.patch.object(build_module, phase, _timed(times, phase, real)))
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        start = time.perf_counter()
        build_board(
            root,
            _timed(times, "pelican", render_with_pelican),
            today=today,
            passphrase=lambda: passphrase,
        )
        times.total = time.perf_counter() - start
    return times


def section_json(root: Path, today: dt.date) -> dict[str, Any]:
    """The section's plaintext document, as the build seals it."""
    board = read_board(root)
    posts = plan_publication(board, read_posts(board), today).sealed
    return section_document(board, board.sections[SECTION], posts)


def plaintext_bytes(document: dict[str, Any]) -> int:
    """Bytes of the section's JSON document before padding and sealing."""
    return len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())


def time_aes(document: dict[str, Any]) -> float:
    """Seconds AES-256-GCM sealing of the whole section document takes (JSON included)."""
    key, slot = os.urandom(memberformat.KEY_BYTES), os.urandom(memberformat.SLOT_BYTES)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        memberformat.seal_item(key, slot, "section", document)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def unlock_runs(output: Path, code: str, posts: int) -> list[dict[str, float]]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (optional dependency)

    executable = os.environ.get("QUIETBOARD_CHROMIUM") or "/usr/bin/chromium"
    runs = []
    with serving_in_background(output) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        for _ in range(RUNS):
            # A fresh context each time: nothing remembered, no key in storage.
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "/members/")
            page.wait_for_selector("#unlock", state="visible")
            page.evaluate(INSTRUMENT)
            run = page.evaluate(UNLOCK, code)
            if run["posts"] != posts or run["fetches"] < 2:
                raise RuntimeError(f"unexpected unlock: {run}")
            run["derive alone"] = page.evaluate(DERIVE_ALONE, code)
            runs.append(run)
            context.close()
        browser.close()
    return runs


# A phone on mobile data, as Chrome's DevTools simulate one: the CPU four times
# slower, 150 ms added to every request, 1.6 Mbps down and 750 kbps up.
PHONE_CPU = 4
PHONE_NETWORK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}

# Before the page's own scripts: the promise was agreed earlier in the tab, and
# the moment the first post title (or the share form) is on screen is noted.
WATCH_FIRST_WORDS = """
sessionStorage.setItem("quietboard-promised", "yes");
new MutationObserver((changes, observer) => {
  const ready = document.querySelector("#member-view li.summary a, #compose:not([hidden])");
  if (ready && window.__qbFirst === undefined) {
    window.__qbFirst = -1;
    observer.disconnect();
    requestAnimationFrame(() => { window.__qbFirst = performance.now(); });
  }
}).observe(document, { childList: true, subtree: true, attributes: true });
"""

# Bytes the page moved over the network: the document and every resource.
TRANSFERRED = """() => performance.getEntriesByType("navigation")
  .concat(performance.getEntriesByType("resource"))
  .reduce((sum, entry) => sum + entry.transferSize, 0)"""

# Open the first post of the list and wait for its text: time and bytes.
OPEN_POST = """async () => {
  const moved = () =>
    performance.getEntriesByType("resource").reduce((s, e) => s + e.transferSize, 0);
  const bytesBefore = moved();
  const start = performance.now();
  document.querySelector("#member-view li.summary a").click();
  await new Promise((resolve, reject) => {
    const check = () => document.querySelector("#member-view article.post .text")
      ? resolve() : setTimeout(check, 5);
    setTimeout(() => reject(new Error("no post after 30 s")), 30000);
    check();
  });
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return { ms: performance.now() - start, bytes: moved() - bytesBefore };
}"""


def phone_runs(output: Path, code: str, runs: int = RUNS) -> dict[str, list[float]]:
    """On the simulated phone, in a fresh context each time: the invite link to the
    first post title on screen (and the bytes it took), opening a post, and the
    share page to its form ready to type."""
    from urllib.parse import quote  # noqa: PLC0415

    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (optional dependency)

    executable = os.environ.get("QUIETBOARD_CHROMIUM") or "/usr/bin/chromium"
    figures: dict[str, list[float]] = {"invite": [], "bytes": [], "post": [], "post bytes": []}
    figures["share"] = []
    with serving_in_background(output) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        for _ in range(runs):
            for target in ("invite", "share"):
                context = browser.new_context()
                context.add_init_script(WATCH_FIRST_WORDS)
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", PHONE_NETWORK)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": PHONE_CPU})
                if target == "invite":
                    page.goto(f"{base}/members/#code={quote(code)}", wait_until="commit")
                else:
                    page.goto(f"{base}/share/#section={SECTION}", wait_until="commit")
                page.wait_for_function("() => window.__qbFirst > 0", timeout=60_000, polling=50)
                figures[target].append(page.evaluate("window.__qbFirst"))
                if target == "invite":
                    figures["bytes"].append(page.evaluate(TRANSFERRED))
                    opened = page.evaluate(OPEN_POST)
                    figures["post"].append(opened["ms"])
                    figures["post bytes"].append(opened["bytes"])
                context.close()
        browser.close()
    return figures


def phone_rows(figures: dict[str, list[float]], posts: int) -> list[Row]:
    def mid(name: str) -> float:
        return statistics.median(figures[name])

    return [
        (
            f"simulated phone (CPU x{PHONE_CPU}, 150 ms, 1.6 Mbps): invite link to the first "
            f"of {posts} post titles on screen, median of {len(figures['invite'])}",
            f"{mid('invite'):.0f} ms ({min(figures['invite']):.0f}–{max(figures['invite']):.0f})",
            "under 2 s",
        ),
        ("… bytes moved (page, styles, modules, keyring, sealed data)", f"{mid('bytes'):,.0f}", ""),
        (
            "… then opening the newest post: click to its text on screen",
            f"{mid('post'):.0f} ms ({mid('post bytes'):,.0f} bytes more)",
            "",
        ),
        (
            "simulated phone: share page to its form ready to type",
            f"{mid('share'):.0f} ms ({min(figures['share']):.0f}–{max(figures['share']):.0f})",
            "under 1 s",
        ),
    ]


def median(runs: list[dict[str, float]], figure: Callable[[dict[str, float]], float]) -> float:
    return statistics.median(figure(run) for run in runs)


def browser_rows(runs: list[dict[str, float]], iterations: int) -> list[Row]:
    def derivation(run: dict[str, float]) -> float:
        return run["PBKDF2"] + run["HKDF"]

    def after_derivation(run: dict[str, float]) -> float:
        return run["total"] - derivation(run)

    def build_list(run: dict[str, float]) -> float:
        return run["inDom"] - derivation(run) - run["fetch"] - run["decrypt"]

    def ms(figure: Callable[[dict[str, float]], float], digits: int = 0) -> str:
        return f"{median(runs, figure):.{digits}f} ms"

    return [
        (
            f"unlock 200 posts in Chromium: click on Open to list drawn, median of {RUNS}",
            ms(lambda r: r["total"]),
            "",
        ),
        (
            f"… key derivation (PBKDF2-SHA256, {iterations:,} iterations, + HKDF)",
            ms(derivation),
            "",
        ),
        ("… fetch + decrypt + render (everything after the derivation)", ms(after_derivation), ""),
        (
            "… decrypt + render (the same, less the two fetches)",
            ms(lambda r: after_derivation(r) - r["fetch"]),
            "under 100 ms",
        ),
        ("… … fetch of keyring and sealed section (local server)", ms(lambda r: r["fetch"], 1), ""),
        ("… … AES-GCM decrypt (keyring entry and section)", ms(lambda r: r["decrypt"], 1), ""),
        ("… … parse, build the list in the DOM, rest of the script", ms(build_list), ""),
        (
            "… … style, layout and draw (to the next frame)",
            ms(lambda r: r["total"] - r["inDom"]),
            "",
        ),
        (
            "deriveCodeKeys alone, called from the page (cross-check)",
            ms(lambda r: r["derive alone"]),
            "",
        ),
    ]


def size_rows(output: Path) -> list[Row]:
    scripts, _ = page_assets(output, MEMBERS_PAGE)
    js = b"".join(p.read_bytes() for p in sorted(scripts))
    html = (output / MEMBERS_PAGE).read_bytes()
    keyring = (output / MEMBERS_DIR / KEYRING_FILE).stat().st_size
    return [
        ("member page HTML (members/index.html)", f"{len(html):,} bytes", ""),
        (
            f"member JavaScript, {len(scripts)} modules, unminified (gzip -9)",
            f"{len(js):,} bytes = {len(js) / 1024:.1f} KiB ({len(gzip.compress(js, 9)):,})",
            "under 15 KB",
        ),
        ("member shell, HTML + JavaScript", f"{len(html) + len(js):,} bytes", ""),
        ("keyring.json, 1 code (padded to 8 entries)", f"{keyring:,} bytes", ""),
    ]


def build_rows(builds: dict[int, BuildTimes]) -> list[Row]:
    counts = " / ".join(str(posts) for posts in builds)

    def each(figure: Callable[[BuildTimes], float], unit: str = "s") -> str:
        return " / ".join(f"{figure(b):.2f}" for b in builds.values()) + f" {unit}"

    def runs(name: str) -> str:
        return " / ".join(str(b.calls[name]) for b in builds.values())

    return [
        (f"build with {counts} member posts", each(lambda b: b.total), ""),
        ("… Pelican (public pages only)", each(lambda b: b.phases["pelican"]), ""),
        (
            "… sealing (Markdown, sanitise, JSON, AES-GCM, keyring)",
            each(lambda b: b.phases["seal_member_sections"]),
            "",
        ),
        (
            "… leak audit (needles, then search of every output file)",
            each(lambda b: b.phases["withheld_needles"] + b.phases["audit_output"]),
            "",
        ),
        ("… opening the vault (Argon2id)", each(lambda b: b.phases["argon2id"]), ""),
        (
            f"key derivations per build, {counts} member posts",
            f"PBKDF2 {runs('pbkdf2')}; Argon2id {runs('argon2id')}",
            "no PBKDF2 per post",
        ),
    ]


def browser_main(runs: int) -> None:
    """Only the browser figures: unlock of 200 and 2,000 posts, and the simulated phone."""
    today = dt.date.today()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for posts in (200, 2000):
            root = Path(tmp) / f"m{posts}"
            passphrase, code = member_board(root, posts, today)
            build_board(root, render_with_pelican, today=today, passphrase=lambda p=passphrase: p)
            output = root / "output"
            keyring = json.loads((output / MEMBERS_DIR / KEYRING_FILE).read_text(encoding="utf-8"))
            unlocked = browser_rows(unlock_runs(output, code, posts), keyring["iterations"])
            rows += [
                (figure.replace("200 posts", f"{posts} posts"), *rest)
                for figure, *rest in unlocked[:4]
            ]
            if posts == 200:
                rows += phone_rows(phone_runs(output, code, runs), posts)
                rows += size_rows(output)
    print("| figure | value | target |\n| --- | --- | --- |")
    for figure, value, target in rows:
        print(f"| {figure} | {value} | {target} |")


def main() -> None:
    if "--browser" in sys.argv[1:]:
        browser_main(RUNS)
        return
    today = dt.date.today()  # the browser hides posts by its own clock, so use the real day
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        boards: dict[int, tuple[Path, str, str]] = {}
        builds: dict[int, BuildTimes] = {}
        for posts in (0, 200, 1000):
            root = Path(tmp) / f"m{posts}"
            passphrase, code = member_board(root, posts, today)
            if not builds:
                timed_build(root, passphrase, today)  # warm-up: imports, Pelican's caches
            builds[posts] = timed_build(root, passphrase, today)
            boards[posts] = (root, passphrase, code)

        output = boards[200][0] / "output"
        keyring = json.loads((output / MEMBERS_DIR / KEYRING_FILE).read_text(encoding="utf-8"))
        rows += browser_rows(unlock_runs(output, boards[200][2], 200), keyring["iterations"])
        rows += phone_rows(phone_runs(output, boards[200][2]), 200)
        rows += size_rows(output)
        for posts in (200, 1000):
            root = boards[posts][0]
            document = section_json(root, today)
            size = sealed_bytes(root / "output")
            rows.append(
                (
                    f"sealed section chunks together, {posts} posts (v1 document JSON, unpadded)",
                    f"{size:,} bytes ({plaintext_bytes(document):,})",
                    "",
                )
            )
        rows += build_rows(builds)
        document = section_json(boards[1000][0], today)
        rows.append(
            (
                "JSON + AES-256-GCM of the 1000-post section alone, median of 3",
                f"{time_aes(document) * 1000:.0f} ms",
                "",
            )
        )

    print("| figure | value | target |\n| --- | --- | --- |")
    for figure, value, target in rows:
        print(f"| {figure} | {value} | {target} |")


if __name__ == "__main__":
    main()
