"""Three moderators run one board for a month, through a bare git remote.

Each simulated day (QUIETBOARD_TODAY) members send posts and replies, one
or two moderators import the form's export (sometimes the same export
twice, offline), moderators approve and reject (sometimes two of them the
same item, offline), a member withdraws a post, a moderator is removed,
posts expire and are pruned, and the host builds from a fresh clone with
the build key. A ledger kept beside the board says what every submission
became; at every host build and at the end the board must agree with it:
nothing lost, nothing published twice, nothing expired, rejected or
withdrawn readable from the remote by any identity, or in the host's site.
"""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from generator.formats import submissions as subfmt
from tests.helpers.team import Crew, identity, posts, readable_on_remote

START = dt.date(2026, 11, 1)
DAYS = 30


pytestmark = pytest.mark.usefixtures("plain_git")


class Ledger:
    """What each submission (named by its unique body) became, as the moderators decided."""

    def __init__(self) -> None:
        self.fate: dict[str, str] = {}  # body -> queued / approved / removed
        self.code: dict[str, str] = {}  # body -> withdrawal code
        self.expires: dict[str, dt.date] = {}

    def standing(self, today: dt.date) -> list[str]:
        return [b for b, f in self.fate.items() if f == "approved" and self.expires[b] > today]

    def gone(self, today: dt.date) -> list[str]:
        expired = [b for b, f in self.fate.items() if f == "approved" and self.expires[b] <= today]
        return [b for b, f in self.fate.items() if f == "removed"] + expired


def test_three_moderators_run_one_board_for_a_month(keyed_board, tmp_path):  # noqa: PLR0912 - a day of events, in order
    rng = random.Random(18)
    crew = Crew(keyed_board, tmp_path)
    crew.today = START.isoformat()
    crew.join("Sam")
    crew.join("Kim")
    made = crew.ok("Robin", "team", "build-key")
    build_key = re.search(r"^(AGE-SECRET-KEY-1\S+)$", made.output, re.MULTILINE)[1]
    crew.sync("Robin")
    for name in ("Sam", "Kim"):
        crew.sync(name)
    kim = identity(crew.boards["Kim"])
    active = ["Robin", "Sam", "Kim"]
    ledger = Ledger()
    counter = 0
    for offset in range(DAYS):
        today = START + dt.timedelta(days=offset)
        crew.today = today.isoformat()
        # Members send two or three posts.
        export_bodies = []
        texts = []
        for _ in range(rng.choice((2, 3))):
            counter += 1
            body = f"Day {offset} message {counter}: a walk, a call, a meal shared."
            code = "".join(
                "abcdefghijklmnopqrstuvwxyz234567"[(counter >> 5 * i) & 31] for i in range(20)
            )
            ledger.fate[body], ledger.code[body] = "queued", code
            texts.append(crew.envelopes(1, title=f"Post {counter}", body=body,
                                        verifier=subfmt.withdrawal_verifier(code)))  # fmt: skip
            export_bodies.append(body)
        export = tmp_path / f"day-{offset}.txt"
        export.write_text("\n".join(path.read_text() for path in texts))
        importers = rng.sample(active, 2) if offset % 6 == 0 else [rng.choice(active)]
        for name in importers:  # two of them import the same export, offline
            crew.ok(name, "inbox", "import", export)
        for name in importers:
            crew.sync(name)
        # A reviewer syncs and decides everything waiting; now and then a second
        # moderator decides the same item offline, after the first.
        reviewer = rng.choice(active)
        crew.sync(reviewer)
        queued = crew.queue(reviewer)
        by_body = {item["body"]: item["id"] for item in queued}
        assert set(by_body) == {b for b, f in ledger.fate.items() if f == "queued"}, offset
        second = rng.choice([n for n in active if n != reviewer]) if offset % 7 == 3 else None
        if second:
            crew.sync(second)
        for body, item in sorted(by_body.items()):
            verdict = rng.random() < 0.75
            days = rng.choice((3, 40))
            if verdict:
                crew.ok(reviewer, "approve", item, "--expires-days", str(days))
                ledger.fate[body] = "approved"
                ledger.expires[body] = today + dt.timedelta(days=days)
            else:
                crew.ok(reviewer, "reject", item)
                ledger.fate[body] = "removed"
            if second:  # the opposite decision, later: it must not stand
                if verdict:
                    crew.ok(second, "reject", item)
                else:
                    crew.ok(second, "approve", item)
        crew.sync(reviewer)
        if second:
            told = crew.sync(second)
            assert told.output.count("was not kept") == len(by_body), offset
        # A member withdraws one of their published posts.
        if offset == 10:
            body = ledger.standing(today)[0]
            withdraw = {"v": 1, "kind": "withdraw", "code": ledger.code[body], "body": ""}
            name = rng.choice(active)
            crew.sync(name)
            crew.ok(name, "inbox", "import", crew.envelopes(1, **withdraw))
            crew.sync(name)
            ledger.fate[body] = "removed"
        # Kim steps down.
        if offset == 15:
            crew.sync("Kim")
            crew.ok("Robin", "team", "remove", "Kim", "--yes")
            crew.sync("Robin")
            active.remove("Kim")
            assert readable_on_remote(crew.remote, [kim]) == []
        if offset in (20, 28):
            name = rng.choice(active)
            crew.sync(name)
            crew.ok(name, "prune", "--yes")
            crew.sync(name)
        if offset % 5 == 4:
            _check_host_build(crew, build_key, ledger, today)
    for name in active:
        crew.sync(name)
    final = START + dt.timedelta(days=DAYS - 1)
    crew.ok("Robin", "prune", "--yes")
    for name in (*active, "Robin"):
        crew.sync(name)
    _check_host_build(crew, build_key, ledger, final)
    held = posts(crew.boards["Sam"])
    for body in ledger.standing(final):
        assert sum(body in text for text in held.values()) == 1, body
    everyone = [identity(crew.boards[n]) for n in active] + [kim, build_key]
    readable = repr([r.value for r in readable_on_remote(crew.remote, everyone)])
    for body in ledger.gone(final):
        assert body not in readable, body
    assert crew.queue("Robin") == crew.queue("Sam") == []


def _check_host_build(crew, build_key, ledger, today) -> None:
    output = crew.host_build(build_key)
    pages = {path: path.read_text(encoding="utf-8") for path in output.rglob("*.html")}
    for body in ledger.standing(today):
        post_pages = [p for p, text in pages.items() if body in text and "/p/" in str(p)]
        assert len(post_pages) <= 1, body  # never two copies
        assert any(body in text for text in pages.values()), body
    for body in ledger.gone(today):
        assert not any(body in text for text in pages.values()), body
