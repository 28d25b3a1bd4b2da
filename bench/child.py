"""One build in its own process, so that its CPU time and peak memory are its own.

Run by bench.runs, not by hand:
  python -m bench.child quietboard BOARD DAY   (the vault passphrase in QB_BENCH_PASSPHRASE)
  python -m bench.child pelican SITE           (SITE/content -> SITE/output)
  python -m bench.child profile BOARD DAY      (a quietboard build under pyinstrument)
  python -m bench.child cli ARGS...            (python -m generator ARGS)
Each prints its peak memory last.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import runpy
import sys
from pathlib import Path
from typing import Any

PASSPHRASE_VARIABLE = "QB_BENCH_PASSPHRASE"


def plain_pelican_settings(site: Path) -> dict[str, Any]:
    """Pelican's defaults (its own theme, no plugins) with feeds off.

    Two changes make the pages comparable with quietboard's: a post's page
    is named after its file (titles repeat, and Pelican would overwrite a
    page whose title it had seen), and lists are paged by 20 as quietboard's.
    """
    feeds = ("FEED_ALL_ATOM", "FEED_ALL_RSS", "FEED_ATOM", "FEED_RSS", "CATEGORY_FEED_ATOM",
             "CATEGORY_FEED_RSS", "AUTHOR_FEED_ATOM", "AUTHOR_FEED_RSS", "TAG_FEED_ATOM",
             "TAG_FEED_RSS", "TRANSLATION_FEED_ATOM", "TRANSLATION_FEED_RSS")  # fmt: skip
    return {
        **dict.fromkeys(feeds),
        "PATH": str(site / "content"),
        "OUTPUT_PATH": str(site / "output"),
        "SITENAME": "Bench",
        "SITEURL": "",
        "TIMEZONE": "UTC",
        "SLUGIFY_SOURCE": "basename",
        "DEFAULT_PAGINATION": 20,
    }


def build_with_quietboard(board: Path, day: dt.date) -> None:
    """A build as `quietboard build` runs it: a rebuild with nothing changed since the
    last build that day is recognised before the build's own modules are loaded."""
    from generator.site import stamp  # noqa: PLC0415
    from generator.site.render import render_with_pelican  # noqa: PLC0415

    if stamp.reusable_report(board, day, render_with_pelican):
        return
    from generator.site.build import build_board  # noqa: PLC0415

    passphrase = os.environ.get(PASSPHRASE_VARIABLE, "")
    build_board(board, render_with_pelican, today=day, passphrase=lambda: passphrase, full=True)


def build_with_pelican(site: Path) -> None:
    from pelican import Pelican  # noqa: PLC0415
    from pelican.settings import read_settings  # noqa: PLC0415

    Pelican(read_settings(path=None, override=plain_pelican_settings(site))).run()


def profile(board: Path, day: dt.date, top: int = 10) -> None:
    """A quietboard build under pyinstrument; prints the TOP frames by their own time."""
    from pyinstrument import Profiler  # noqa: PLC0415 (the bench extra)

    # Wall-clock sampling, pyinstrument's own: sampling by CPU time (its timer_func)
    # calls a timer on every Python call and doubled the build's time, skewing the
    # shares towards functions called often. So profile on a quiet machine: the
    # load average is printed with the result.
    profiler = Profiler(interval=0.005)
    profiler.start()
    build_with_quietboard(board, day)
    profiler.stop()
    session = profiler.last_session
    own: dict[tuple[str, str], float] = {}

    def walk(frame: Any, caller: str) -> None:
        where = frame.file_path_short or ""
        if where == "<built-in>":  # Pattern.search: say whose
            where = f"called by `{caller}`"
        elif where:
            where = f"{where}:{frame.line_no or 0}"
        key = (frame.function, where)
        own[key] = own.get(key, 0.0) + frame.total_self_time
        for child in frame.children:
            walk(child, frame.function)

    root = session.root_frame()
    walk(root, "")
    total = root.time
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{total:.1f} s (wall) sampled, {session.cpu_time:.1f} s CPU; load average {load}")
    print("| own time (wall) | share | function | where |\n| ---: | ---: | --- | --- |")
    ranked = sorted(own.items(), key=lambda item: -item[1])
    shown = 0
    for (function, where), seconds in ranked:
        if function.startswith("[") or not where:  # pyinstrument's own markers
            continue
        print(f"| {seconds:.2f} s | {seconds / total:.0%} | `{function}` | {where} |")
        shown += 1
        if shown == top:
            break


PEAK_MARK = "BENCH-PEAK-RSS"


def _print_peak() -> None:
    """This process's own peak memory (VmHWM: not the parent's, which ru_maxrss would count)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                print(f"\n{PEAK_MARK} {int(line.split()[1]) * 1024}", flush=True)


def main(argv: list[str]) -> None:
    atexit.register(_print_peak)
    kind = argv[0]
    if kind == "cli":  # a quietboard command, as `python -m generator ARGS` runs it
        sys.argv = ["quietboard", *argv[1:]]
        runpy.run_module("generator", run_name="__main__")
        return
    folder = Path(argv[1])
    if kind == "pelican":
        build_with_pelican(folder)
    elif kind == "quietboard":
        build_with_quietboard(folder, dt.date.fromisoformat(argv[2]))
    elif kind == "profile":
        profile(folder, dt.date.fromisoformat(argv[2]))
    else:
        raise SystemExit(f"unknown build {kind!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
