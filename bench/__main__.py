"""The bench of issue 19: quietboard against plain Pelican, and every budget, in one table.

Run:  python -m bench            boards of 1,000, 5,000 and 10,000 posts, five rounds (long)
      python -m bench --quick    boards of 200 and 1,000 posts, three rounds (a few minutes)
      python -m bench --profile 5000   one quietboard build under pyinstrument, top ten frames

Each board is built in its own process, by quietboard (generator.site.build with
Pelican) and by plain Pelican (its own theme, no plugins, feeds off) from the
same Markdown, one after the other (who goes first alternates by round); a
build's figure is its CPU time (user + system, from wait4), so other work on
the machine slows both alike. A ratio is the median of the per-round ratios.
The table replaces the marked section of docs/benchmarks.md (--no-write: print only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.site.stamp import STAMP

from .corpus import Board, board_shape, extra_post, make_board, pelican_site, write_posts
from .runs import REPO, Run, growth_exponent, median, ratio_of_pairs, run_child

DOC = REPO / "docs" / "benchmarks.md"
START_MARK = "<!-- bench: start (written by python -m bench; edits here are replaced) -->"
END_MARK = "<!-- bench: end -->"
MEMBERS_SHARE = 0.2
KINDS = {"public": 0.0, "a fifth members-only": MEMBERS_SHARE}
SCENARIOS = ("fresh", "unchanged", "one post added")


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]
    rounds: int
    queue_sizes: tuple[int, ...]
    import_size: int
    unlock_sizes: tuple[int, ...] = (200, 2000)


FULL = Plan(sizes=(1000, 5000, 10000), rounds=5, queue_sizes=(3000, 20000), import_size=10000)
QUICK = Plan(sizes=(200, 1000), rounds=3, queue_sizes=(3000,), import_size=3000)


@dataclass
class Pairs:
    ours: list[Run] = field(default_factory=list)
    theirs: list[Run] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return ratio_of_pairs(self.ours, self.theirs)


@dataclass
class Subject:
    board: Board
    site: Path
    results: dict[str, Pairs] = field(default_factory=lambda: {s: Pairs() for s in SCENARIOS})


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _quietboard(subject: Subject, today: dt.date) -> Run:
    env = {"QB_BENCH_PASSPHRASE": subject.board.passphrase}
    args = ["-m", "bench.child", "quietboard", str(subject.board.root), today.isoformat()]
    return run_child(args, env)


def _pelican(subject: Subject) -> Run:
    return run_child(["-m", "bench.child", "pelican", str(subject.site)])


def _pair(subject: Subject, scenario: str, today: dt.date, ours_first: bool) -> None:
    ours: Callable[[], Run] = lambda: _quietboard(subject, today)  # noqa: E731
    theirs: Callable[[], Run] = lambda: _pelican(subject)  # noqa: E731
    if ours_first:
        first, second = ours(), theirs()
    else:
        second, first = theirs(), ours()
    pairs = subject.results[scenario]
    pairs.ours.append(first)
    pairs.theirs.append(second)


def build_bench(plan: Plan, tmp: Path, today: dt.date) -> dict[tuple[str, int], Subject]:
    subjects: dict[tuple[str, int], Subject] = {}
    for size in plan.sizes:
        for kind, share in KINDS.items():
            name = f"{'m' if share else 'p'}{size}"
            board = make_board(tmp / name, board_shape(size, share), today)
            subjects[kind, size] = Subject(board, site=tmp / f"pelican-{name}")
            pelican_site(board, subjects[kind, size].site)
    added = extra_post(today)
    for number in range(plan.rounds):
        for (kind, size), subject in subjects.items():
            say(f"round {number + 1}/{plan.rounds}: {size:,} posts, {kind}")
            ours_first = number % 2 == 0
            # A fresh build starts from nothing: no output/, and no stamp to reuse it by.
            for output in (subject.board.root / "output", subject.site / "output"):
                shutil.rmtree(output, ignore_errors=True)
            (subject.board.root / STAMP).unlink(missing_ok=True)
            _pair(subject, "fresh", today, ours_first)
            _pair(subject, "unchanged", today, ours_first)
            if KINDS[kind]:
                continue  # a members' board: fresh and unchanged only (time)
            folders = (subject.board.root / "content", subject.site / "content")
            for content in folders:
                write_posts([added], content)
            _pair(subject, "one post added", today, ours_first)
            for content in folders:
                (content / "posts" / added.section / f"{added.id}.md").unlink()
    return subjects


# --- the table ------------------------------------------------------------------------------


def _seconds(runs: list[Run]) -> str:
    return f"{median([run.cpu for run in runs]):.2f}"


def _mib(runs: list[Run]) -> str:
    return f"{max(run.peak_rss for run in runs) / 2**20:.0f}"


def build_rows(subjects: dict[tuple[str, int], Subject]) -> list[str]:
    rows = [
        "| board | build | quietboard CPU s | Pelican CPU s | ratio (median of pairs) "
        "| peak RSS MiB, ours / Pelican's |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for (kind, size), subject in sorted(
        subjects.items(), key=lambda item: (item[0][1], item[0][0])
    ):
        for scenario, pairs in subject.results.items():
            if not pairs.ours:
                continue
            rows.append(
                f"| {size:,} posts, {kind} | {scenario} | {_seconds(pairs.ours)} | "
                f"{_seconds(pairs.theirs)} | {pairs.ratio:.2f}x | "
                f"{_mib(pairs.ours)} / {_mib(pairs.theirs)} |"
            )
    return rows


def growth_rows(subjects: dict[tuple[str, int], Subject]) -> tuple[list[str], dict]:
    rows = [
        "| board | quietboard exponent | Pelican exponent | sizes |",
        "| --- | ---: | ---: | --- |",
    ]
    exponents = {}
    for kind in KINDS:
        ours = {s: median([r.cpu for r in x.results["fresh"].ours])
                for (k, s), x in subjects.items() if k == kind}  # fmt: skip
        theirs = {s: median([r.cpu for r in x.results["fresh"].theirs])
                  for (k, s), x in subjects.items() if k == kind}  # fmt: skip
        exponent, base = growth_exponent(ours), growth_exponent(theirs)
        if exponent is None or base is None:
            continue
        exponents[kind] = exponent
        sizes = " / ".join(f"{s:,}" for s in sorted(ours))
        rows.append(f"| {kind}, fresh build | {exponent:.2f} | {base:.2f} | {sizes} |")
    return rows, exponents


def verdict(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[met]


@dataclass
class Results:
    plan: Plan
    quick: bool
    subjects: dict[tuple[str, int], Subject]
    queue: dict[int, Any]  # queue_commands.QueueFigures by queued items
    browser: Any = None  # browser.BrowserFigures, None when skipped
    browser_note: str = ""


def budget_rows(results: Results, exponents: dict[str, float]) -> list[str]:
    subjects, queue, browser = results.subjects, results.queue, results.browser
    plan, quick = results.plan, results.quick
    rows = ["| budget (issue 19) | measured | verdict |", "| --- | --- | --- |"]

    def add(budget: str, measured: str, met: bool | None) -> None:
        rows.append(f"| {budget} | {measured} | {verdict(met)} |")

    for size, limit in ((1000, 1.3), (5000, 1.1), (10000, 1.1)):
        for kind in KINDS:
            subject = subjects.get((kind, size))
            name = f"full build, {size:,} posts, {kind}: within {limit}x Pelican"
            if subject is None:
                add(name, "not run (--quick)" if quick else "not run", None)
                continue
            ratio = subject.results["fresh"].ratio
            add(name, f"{ratio:.2f}x", ratio <= limit)
    for kind, exponent in exponents.items():
        sizes = " to ".join(f"{s:,}" for s in (min(plan.sizes), max(plan.sizes)))
        add(f"growth linear ({kind}; exponent at most 1.1)", f"{exponent:.2f} over {sizes}",
            exponent <= 1.1)  # fmt: skip
    for kind in KINDS:
        size = max(plan.sizes)
        subject = subjects.get((kind, size))
        if subject:
            unchanged = median([r.cpu for r in subject.results["unchanged"].ours])
            full = median([r.cpu for r in subject.results["fresh"].theirs])
            add(f"rebuild with nothing changed within 0.3x of Pelican's full build "
                f"({size:,} posts, {kind})", f"{unchanged / full:.2f}x",
                unchanged / full <= 0.3)  # fmt: skip
    if queue:
        first = queue[min(queue)]
        add(f"`queue list` at {first.items:,} items faster than importing them",
            f"{first.listed.cpu:.2f} s list, {first.imported.cpu:.2f} s import",
            first.listed.cpu < first.imported.cpu)  # fmt: skip
        imported = queue.get(plan.import_size) or first
        add("import at least 3,000 envelopes/s",
            f"{imported.import_rate:,.0f}/s ({imported.items:,}, end to end)",
            imported.import_rate >= 3000)  # fmt: skip
    if browser is None:
        for name in ("members' page under 30 KB in total",
                     "unlock of a 2,000-post section under 500 ms after the key derivation",
                     "phone: first words of a 200-post section within 2 s of the invite link",
                     "phone: share page ready to type within 1 s"):  # fmt: skip
            add(name, "Chromium not installed", None)
        return rows
    from .browser import after_derivation, median_of  # noqa: PLC0415

    members = browser.weights["members' page"]
    add("members' page under 30 KB in total", f"{members / 1000:.1f} KB", members < 30_000)
    largest = max(browser.unlock)
    after = median_of(browser.unlock[largest], after_derivation)
    add(f"unlock of a {largest:,}-post section under 500 ms after the key derivation",
        f"{after:.0f} ms", after < 500)  # fmt: skip
    words = median(browser.phone_first_words)
    add("phone: first words of a 200-post section within 2 s of the invite link",
        f"{words / 1000:.2f} s", words <= 2000)  # fmt: skip
    ready = median(browser.phone_share_ready)
    add("phone: share page ready to type within 1 s", f"{ready / 1000:.2f} s", ready <= 1000)
    return rows


def queue_rows(queue) -> list[str]:
    rows = ["| queued items | `inbox import` CPU s (envelopes/s) | `queue list` CPU s "
            "| `status` CPU s | peak RSS MiB (import / list) |",
            "| ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for items, q in sorted(queue.items()):
        rows.append(
            f"| {items:,} | {q.imported.cpu:.2f} ({q.import_rate:,.0f}/s) | {q.listed.cpu:.2f} | "
            f"{q.status.cpu:.2f} | {q.imported.peak_rss / 2**20:.0f} / "
            f"{q.listed.peak_rss / 2**20:.0f} |"
        )
    return rows


def browser_rows(browser) -> list[str]:
    from .browser import derivation, median_of  # noqa: PLC0415

    rows = ["| figure | median | runs |", "| --- | ---: | ---: |"]
    for posts, runs in sorted(browser.unlock.items()):
        n = len(runs)
        rows += [
            f"| unlock {posts:,} posts: click on Open to list drawn | "
            f"{median_of(runs, lambda r: r['total']):.0f} ms | {n} |",
            f"| … key derivation (PBKDF2 + HKDF) | {median_of(runs, derivation):.0f} ms | {n} |",
            f"| … fetch + decrypt + render (after the derivation) | "
            f"{median_of(runs, lambda r: r['total'] - derivation(r)):.0f} ms | {n} |",
            f"| … … of which fetching keyring and section (local server) | "
            f"{median_of(runs, lambda r: r['fetch']):.0f} ms | {n} |",
            f"| sealed section, {posts:,} posts, downloaded on every visit | "
            f"{browser.sealed_bytes[posts] / 1000:,.0f} KB | |",
        ]
    rows += [
        f"| phone (4x CPU, 150 ms, 1.6 Mbps): invite link to the first post title, 200 posts | "
        f"{median(browser.phone_first_words) / 1000:.2f} s | {len(browser.phone_first_words)} |",
        f"| phone: share page opened to its text box shown | "
        f"{median(browser.phone_share_ready) / 1000:.2f} s | {len(browser.phone_share_ready)} |",
    ]
    rows += [
        "",
        "| page type (HTML + CSS + icon + the scripts it loads) | bytes |",
        "| --- | ---: |",
    ]
    rows += [f"| {name} | {size:,} |" for name, size in browser.weights.items()]
    return rows


def machine() -> str:
    import pelican  # noqa: PLC0415

    return (
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"Pelican {pelican.__version__}, {platform.system()} {platform.release()}"
    )


def report(results: Results) -> str:
    plan, browser = results.plan, results.browser
    command = "python -m bench --quick" if results.quick else "python -m bench"
    growth, exponents = growth_rows(results.subjects)
    lines = [
        START_MARK,
        "",
        f"Measured {dt.date.today().isoformat()} with `{command}` on {machine()}. "
        f"CPU time of each build in its own process, {plan.rounds} rounds, quietboard and "
        "plain Pelican alternating; medians, and the median of the per-round ratios. Other "
        "engineers' work shared the machine, so the wall-clock times (not shown) were noisy; CPU "
        "times and ratios much less so.",
        "",
        "### Budgets",
        "",
        *budget_rows(results, exponents),
        "",
        "### Builds",
        "",
        *build_rows(results.subjects),
        "",
        *growth,
        "",
        "### Moderator commands (each in its own process, vault opened with Argon2id)",
        "",
        *queue_rows(results.queue),
        "",
        "### In Chromium",
        "",
        *(browser_rows(browser) if browser else [results.browser_note]),
        "",
        END_MARK,
    ]
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    if START_MARK in text and END_MARK in text:
        before, rest = text.split(START_MARK, 1)
        after = rest.split(END_MARK, 1)[1]
        text = before + section.rstrip("\n") + after
    else:
        text = text.rstrip("\n") + "\n\n## Issue 19: quietboard beside plain Pelican\n\n" + section
    DOC.write_text(text, encoding="utf-8")


def profile(size: int, members_share: float) -> None:
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="qb-profile-") as tmp:
        board = make_board(Path(tmp) / "board", board_shape(size, members_share), today)
        say(f"profiling one quietboard build of {size:,} posts "
            f"({round(size * members_share):,} members-only)")  # fmt: skip
        env = {"QB_BENCH_PASSPHRASE": board.passphrase, "PYTHONUNBUFFERED": "1"}
        args = ["-m", "bench.child", "profile", str(board.root), today.isoformat()]
        import subprocess  # noqa: PLC0415

        subprocess.run([sys.executable, *args], cwd=REPO, env={**os.environ, **env}, check=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 and 1,000 posts, 3 rounds")
    parser.add_argument("--profile", type=int, metavar="SIZE", help="profile one build of SIZE")
    parser.add_argument("--members-share", type=float, default=MEMBERS_SHARE,
                        help="with --profile: the members-only share (default 0.2)")  # fmt: skip
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    parser.add_argument("--no-write", action="store_true", help="print, leave the docs alone")
    options = parser.parse_args(argv)
    if options.profile:
        profile(options.profile, options.members_share)
        return
    plan = QUICK if options.quick else FULL
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="qb-bench-") as folder:
        tmp = Path(folder)
        subjects = build_bench(plan, tmp, today)
        for subject in subjects.values():
            shutil.rmtree(subject.board.root)
            shutil.rmtree(subject.site)
        from .queue_commands import queue_figures  # noqa: PLC0415

        queue = {}
        for items in sorted({*plan.queue_sizes, plan.import_size}):
            say(f"queue: {items:,} envelopes")
            queue[items] = queue_figures(tmp, items, today)
        from .browser import browser_figures, chromium  # noqa: PLC0415

        browser, note = None, ""
        if options.no_browser:
            note = "Skipped (`--no-browser`)."
        elif chromium() is None:
            note = "Skipped: Chromium (or the playwright package) is not installed."
        else:
            say("Chromium: unlock, phone, page weights")
            browser = browser_figures(tmp, plan.unlock_sizes, today)
    section = report(Results(plan, options.quick, subjects, queue, browser, note))
    print(section)
    if not options.no_write:
        write_doc(section)
        say(f"written into {DOC}")


if __name__ == "__main__":
    main()
