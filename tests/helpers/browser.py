"""What the browser tests share: a server, axe, the share page's network, the hostile traps.

Fixtures (Chromium, watched pages, the demo board) stay in tests/browser/conftest.py.
"""

from __future__ import annotations

import csv
import io
import json

from axe_playwright_python.sync_playwright import Axe
from click.testing import CliRunner
from playwright.sync_api import Error as PlaywrightError

from generator.cli import cli
from generator.site.serve import serving_in_background
from tests.helpers.hostile import body_problems, load_hostile_corpus

serving = serving_in_background

# Every WCAG 2.0, 2.1 and 2.2 rule at levels A and AA, and axe's best practices.
RULES = {
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice",
        ],
    },
    "resultTypes": ["violations"],
}  # fmt: skip

_axe = Axe()


def violations(page) -> str:
    """axe's report of every violation on the page as it is now ('' when none)."""
    results = _axe.run(page, options=RULES)
    return results.generate_report() if results.violations_count else ""


# A phone's submission as Netlify's export records it (test_share.py checks none of it
# reaches the vault).
IP, AGENT, REFERRER = "198.51.100.23", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1)", "https://t.co/x"
CREATED = "2026-11-21T02:13:44.512Z"


def capture_posts(page, status=200):
    """Answer POSTs to the share page as Netlify would; keep what was sent.

    STATUS may be a list: the answer to each POST in turn.
    """
    sent = []
    answers = status if isinstance(status, list) else [status] * 100

    def handle(route):
        if route.request.method != "POST":
            route.continue_()
            return
        sent.append(route.request.post_data)
        code = answers[len(sent) - 1]
        route.fulfill(status=code, body="<p>Thank you</p>", content_type="text/html")

    page.route("**/share/", handle)
    return sent


def netlify_export(envelopes):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["envelope", "website", "created_at", "ip", "user_agent", "referrer", "id"])
    for number, envelope in enumerate(envelopes):
        writer.writerow([envelope, "", CREATED, IP, AGENT, REFERRER, f"673ef{number:019d}"])
    return out.getvalue()


def import_and_list(board, tmp_path, envelopes):
    export = tmp_path / "netlify-export.csv"
    export.write_text(netlify_export(envelopes), encoding="utf-8")
    env = {"QUIETBOARD_PASSPHRASE": board.passphrase}
    runner = CliRunner()
    imported = runner.invoke(cli, ["inbox", "import", str(export), "--board", str(board.root)],
                             env=env)  # fmt: skip
    assert imported.exit_code == 0, imported.output
    listed = runner.invoke(cli, ["queue", "list", "--json", "--board", str(board.root)], env=env)
    assert listed.exit_code == 0, listed.output
    return imported.output, json.loads(listed.output)["items"]


# The hostile corpus in the browser (test_hostile_markdown.py, test_hostile_submissions.py).
PAYLOADS = load_hostile_corpus()
MARKERS = [payload.marker for payload in PAYLOADS]
BROWSER_DAY = "2026-11-21T10:00:00"
# What a page shows and did, read in one round trip.
PAGE_STATE = """
(markers) => ({
  title: document.querySelector("#post-title")?.textContent ?? null,
  body: document.querySelector("article.post .text")?.innerHTML ?? null,
  markers: markers.filter((marker) => marker in window),
  csp: (window.__cspViolations || []).splice(0),
})
"""


class Trap:
    """A watched page that also records dialogs and navigations, and refuses other origins."""

    def __init__(self, watched, base: str) -> None:
        self.watch = watched(base)
        self.page = self.watch.page
        self.dialogs: list[str] = []
        self.navigations: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("framenavigated", self._navigated)
        # Nothing may leave; the listener of `watched` has already recorded the URL.
        self.page.route(lambda url: not url.startswith(base + "/"), lambda route: route.abort())
        self.page.clock.set_fixed_time(BROWSER_DAY)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _navigated(self, frame) -> None:
        self.navigations.append(frame.url if frame == self.page.main_frame else "a frame")

    def check(self, where: str, show, title: str | None = None, url: str = "") -> list[str]:
        """What went wrong while SHOW() shows a page and returns its PAGE_STATE; [] if nothing.

        TITLE is the post that must be on show, URL the only address the page may go to.
        """
        try:
            state = show()
        except PlaywrightError as error:  # a payload navigated the page away under us
            state = {"title": None, "body": None, "markers": [], "csp": []}
            found = [f"{where}: {error.message.splitlines()[0]}"]
        else:
            found = []
        found += [f"{where}: dialog {d}" for d in self.dialogs]
        found += [f"{where}: console {e}" for e in self.watch.console_errors]
        found += [f"{where}: CSP {v}" for v in state["csp"]]
        found += [f"{where}: marker {m}" for m in state["markers"]]
        found += [f"{where}: request {u}" for u in self.watch.foreign_requests()]
        found += [f"{where}: navigated to {u}" for u in self.navigations if not u.startswith(url)]
        if title is not None:
            if state["title"] != title or state["body"] is None:
                found.append(f"{where}: the post was not shown (title {state['title']!r})")
            found += [f"{where}: {problem}" for problem in body_problems(state["body"] or "")]
        self.dialogs.clear()
        self.navigations.clear()
        self.watch.console_errors.clear()
        self.watch.requests.clear()
        return found


def check_post_pages(trap: Trap, base: str, slugs: list[str]) -> list[str]:
    """Open the page of each payload's post (SLUGS in corpus order); what went wrong."""
    findings = []
    for index, (payload, slug) in enumerate(zip(PAYLOADS, slugs, strict=True)):
        url = f"{base}/p/{slug}/"

        def show(url=url):
            trap.page.goto(url)
            return trap.page.evaluate(PAGE_STATE, MARKERS)

        findings += trap.check(payload.marker, show, f"Payload {index}", url)
    return findings


# --- the members' area ---------------------------------------------------------------

OPAQUE = "That code did not open anything here."

# The confidentiality promise (tested in test_safety.py) as already confirmed
# in every tab, so these tests reach the section straight after unlocking.
PROMISED = "sessionStorage.setItem('quietboard-promised', 'yes')"


def open_members(
    watched,
    base: str,
    *,
    day: str = BROWSER_DAY,
    path: str = "/members/",
    promised: bool = True,
    **opts,
):
    watch = watched(base, **opts)
    if promised:
        watch.page.context.add_init_script(PROMISED)
    watch.page.clock.set_fixed_time(day)
    watch.page.goto(base + path)
    return watch


def unlock(page, code: str, *, remember: bool = False) -> None:
    page.get_by_label("Access code").fill(code)
    if remember:
        page.get_by_label("Remember on this device").check()
    page.get_by_role("button", name="Open").click()
