"""Child processes measured on their own: CPU time (user + system) and peak memory."""

from __future__ import annotations

import math
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Run:
    cpu: float  # seconds, user + system, of the child alone
    wall: float  # seconds
    peak_rss: int  # bytes (the child's VmHWM, 0 where the system has none)


class ChildFailed(RuntimeError):
    pass


def run_child(args: list[str], env: dict[str, str] | None = None) -> Run:
    """Run `python ARGS` from the repository; its own rusage, from wait4."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    wall = time.perf_counter() - start
    if child.returncode:
        text = output.decode("utf-8", "replace")[-3000:]
        raise ChildFailed(f"python {' '.join(args)} failed ({child.returncode}):\n{text}")
    # ru_maxrss would count the bench's own memory, which the child shares until exec.
    peak = re.findall(rb"^BENCH-PEAK-RSS (\d+)$", output, re.MULTILINE)
    return Run(usage.ru_utime + usage.ru_stime, wall, int(peak[-1]) if peak else 0)


def median(values: list[float]) -> float:
    return statistics.median(values)


def ratio_of_pairs(ours: list[Run], theirs: list[Run]) -> float:
    """Median of the ratios of runs made side by side (ours[i] / theirs[i])."""
    return statistics.median(a.cpu / b.cpu for a, b in zip(ours, theirs, strict=True))


def growth_exponent(points: dict[int, float]) -> float | None:
    """The k of time ~ size**k, least squares over log-log points (None under 2 sizes)."""
    if len(points) < 2:
        return None
    xs = [math.log(size) for size in points]
    ys = [math.log(seconds) for seconds in points.values()]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
