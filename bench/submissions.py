"""Figures for docs/benchmarks.md: sealed submissions.

Run: python -m bench.submissions  (prints a Markdown table; times vary by machine)
     python -m bench.submissions --crafted  (only the crafted-input rows, no browser)

Needs the playwright package and Chromium (/usr/bin/chromium, or the path in
QUIETBOARD_CHROMIUM); `playwright install` is not used. Measures:
- sealing a typical post (about 1,000 characters) in Chromium with
  formats/submissions.js, to 1 and to 3 moderator keys, without proof of work;
- the proof of work in Chromium at 16 bits (the default), 14 and 18 bits;
- importing 10,000 envelopes from a Netlify-shaped CSV in Python
  (`read_input` + `import_found`) and saving the vault that holds them;
- finding envelopes in text of 1.1 and 2.3 MB made of BEGIN markers with no
  END, as a pasted file and as one field of a CSV export;
- importing a text file of 18.5 and 55 MB made only of BEGIN markers, and a
  CSV export of a million rows each holding one, in a fresh process: time,
  peak memory (ru_maxrss) and the problem lines printed.
  `--crafted --code DIR` runs it against another checkout (the code before).
Every envelope the browser makes is opened in Python, which must find the same
(first) stamp, so the timings are of real, valid work.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nacl.pwhash

from generator.board import moderators
from generator.board.demo import prepare_demo
from generator.board.inbox import import_found, read_input
from generator.board.vault import create_vault, open_vault
from generator.formats import hpke
from generator.formats import submissions as submitformat
from generator.formats.armor import BEGIN, armor, find_armored
from generator.formats.primitives import b64, unb64
from generator.site.build import build_board
from generator.site.render import render_with_pelican
from generator.site.serve import serving_in_background

from .member_section import CHROMIUM_ARGS, SENTENCES

Row = tuple[str, str, str]
SEAL_RUNS = 30
POW_RUNS = {16: 20, 14: 10, 18: 10}  # bits: envelopes (each with its own body)
ENVELOPES = 10_000
IMPORT_BITS = 8  # the stamps' bits for the import: a real check, cheap to make
PASSPHRASE = "correct horse battery staple"
CSV_COLUMNS = ["envelope", "website", "created_at", "ip", "user_agent", "referrer", "id",
               "form_name"]  # fmt: skip


def typical_post(number: int) -> dict[str, Any]:
    """A post as the form sends it, with a body of about 1,000 characters."""
    body, i = "", number
    while len(body) < 1000:
        body += SENTENCES[i % len(SENTENCES)] + " "
        i += 5
    return {
        "v": 1,
        "kind": "post",
        "section": "share",
        "title": f"Notes after a long week ({number})",
        "body": body[:1000].strip(),
        "cw": ["low mood"],
        "pseudonym": "Wren",
        "verifier": submitformat.withdrawal_verifier(f"abcde-fghij-klmno-{number:05d}"),
    }


# seal() only, RUNS times after one warm-up, each timed inside the page.
SEAL = """async ({payload, keys, runs}) => {
  const fmt = await import("/theme/js/formats/submissions.js");
  await fmt.seal(payload, keys);
  const times = [];
  let size = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const body = await fmt.seal(payload, keys);
    times.push(performance.now() - start);
    size = body.length;
  }
  return { times, size };
}"""

# One envelope sealed (not timed), then its proof of work (timed).
POW = """async ({payload, keys, bits}) => {
  const fmt = await import("/theme/js/formats/submissions.js");
  const { armor } = await import("/theme/js/formats/armor.js");
  const body = await fmt.seal(payload, keys);
  const start = performance.now();
  const { envelope, stamp } = await fmt.proofOfWork(body, bits);
  const ms = performance.now() - start;
  return { ms, stamp, armored: armor(envelope) };
}"""

POW_BATCH = 256  # proofOfWork hashes stamps in batches of 256 (its default)


def hashes_done(stamp: int) -> int:
    """How many SHA-256 runs proofOfWork made to find STAMP (whole batches)."""
    return (stamp // POW_BATCH + 1) * POW_BATCH


def percentile(values: list[float], fraction: float) -> float:
    """The FRACTION percentile, interpolated (statistics.quantiles, inclusive)."""
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(fraction * 100) - 1]


def check_browser_envelope(armored: str, secret: bytes, public: bytes, bits: int) -> int:
    """Python opens what the browser sealed, and finds the same (first) stamp; returns it."""
    (inside,) = find_armored(armored)
    envelope = submitformat.parse_envelope(submitformat.unarmor(inside))
    if submitformat.find_stamp(envelope.body, bits) != envelope.stamp:
        raise RuntimeError(f"the browser's stamp is not the first with {bits} zero bits")
    submitformat.open_envelope(envelope, {submitformat.key_id(public): secret})
    return envelope.stamp


def browser_runs(output: Path) -> tuple[dict[int, dict[str, Any]], dict[int, list[dict]]]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (optional dependency)

    pairs = [hpke.generate_key_pair() for _ in range(3)]
    keys = [b64(public) for _secret, public in pairs]
    executable = os.environ.get("QUIETBOARD_CHROMIUM") or "/usr/bin/chromium"
    seals: dict[int, dict[str, Any]] = {}
    works: dict[int, list[dict]] = {}
    with serving_in_background(output) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_context().new_page()
        page.goto(base + "/")
        for count in (1, 3):
            seals[count] = page.evaluate(
                SEAL, {"payload": typical_post(0), "keys": keys[:count], "runs": SEAL_RUNS}
            )
        number = 1
        for bits, runs in POW_RUNS.items():
            works[bits] = []
            for _ in range(runs):
                run = page.evaluate(
                    POW, {"payload": typical_post(number), "keys": keys[:1], "bits": bits}
                )
                if check_browser_envelope(run.pop("armored"), *pairs[0], bits) != run["stamp"]:
                    raise RuntimeError("proofOfWork returned another stamp than it sealed")
                works[bits].append(run)
                number += 1
        browser.close()
    return seals, works


def seal_rows(seals: dict[int, dict[str, Any]]) -> list[Row]:
    rows = []
    for count, run in seals.items():
        times = run["times"]
        rows.append(
            (
                f"seal a post (1,000-character body) to {count} key{'s' * (count > 1)} "
                f"in Chromium, no proof of work, median (min–max) of {len(times)}",
                f"{statistics.median(times):.1f} ms ({min(times):.1f}–{max(times):.1f})",
                f"{run['size']:,}-byte body",
            )
        )
    return rows


def pow_rows(works: dict[int, list[dict]]) -> list[Row]:
    rows = []
    for bits, runs in works.items():
        seconds = [run["ms"] / 1000 for run in runs]
        rate = sum(hashes_done(run["stamp"]) for run in runs) / sum(seconds)
        mean_stamp = statistics.mean(run["stamp"] + 1 for run in runs)
        spread = f"{min(seconds):.2f}–{max(seconds):.2f} s"
        if len(runs) >= 20:
            spread = (
                f"min {min(seconds):.2f}, p10 {percentile(seconds, 0.1):.2f}, "
                f"p90 {percentile(seconds, 0.9):.2f}, max {max(seconds):.2f} s"
            )
        rows.append(
            (
                f"proof of work, {bits} bits, in Chromium: median ({spread}) of {len(runs)} "
                "envelopes; mean",
                f"{statistics.median(seconds):.2f} s; {statistics.mean(seconds):.2f} s",
                f"{rate / 1000:.0f} k hashes/s, so 2^{bits} hashes take "
                f"{2**bits / rate:.2f} s on average (these envelopes needed {mean_stamp:,.0f})",
            )
        )
    return rows


def python_pow_rate(bits: int = 16, envelopes: int = 20) -> Row:
    """The same proof of work in Python (hashlib), for comparison with the browser."""
    hashes, seconds = 0, 0.0
    for _ in range(envelopes):
        body = os.urandom(1369)
        start = time.perf_counter()
        hashes += submitformat.find_stamp(body, bits) + 1
        seconds += time.perf_counter() - start
    return (
        f"the same proof of work in Python (find_stamp, hashlib), {bits} bits, {envelopes} bodies",
        f"{hashes / seconds / 1000:.0f} k hashes/s",
        f"2^{bits} hashes in {2**bits * seconds / hashes:.2f} s on average",
    )


def demo_output(root: Path) -> Path:
    """The demo board, built: the pages and theme/js/ that a browser loads."""
    today = dt.date.today()
    passphrase, _code = prepare_demo(root, today)
    report = build_board(root, render_with_pelican, today=today, passphrase=lambda: passphrase)
    return report.output


def netlify_csv(envelopes: list[bytes]) -> bytes:
    """A CSV as Netlify exports a form: the sealed text plus the service's own columns."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for i, envelope in enumerate(envelopes):
        writer.writerow(
            [
                armor(envelope),
                "",
                f"2026-11-{1 + i % 28:02d}T12:{i % 60:02d}:00.000Z",
                f"203.0.113.{i % 250}",
                "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36",
                "https://board.example.org/submit/",
                f"{i:024x}",
                "quietboard",
            ]
        )
    return out.getvalue().encode("utf-8")


def import_rows(tmp: Path) -> list[Row]:
    today = dt.date.today()
    data: dict[str, Any] = {}
    public = unb64(moderators.create_key(data, today), 32)
    start = time.perf_counter()
    envelopes = [
        submitformat.seal(typical_post(i), [public], IMPORT_BITS) for i in range(ENVELOPES)
    ]
    making = time.perf_counter() - start
    raw = netlify_csv(envelopes)

    start = time.perf_counter()
    found = read_input("export.csv", raw)
    reading = time.perf_counter() - start
    start = time.perf_counter()
    report = import_found(data, found, pow_bits=IMPORT_BITS, today=today)
    importing = time.perf_counter() - start
    if len(report.imported) != ENVELOPES or report.problems:
        raise RuntimeError(f"unexpected import: {report.summary()}")

    root = tmp / "vault-board"
    root.mkdir()
    create_vault(
        root,
        PASSPHRASE,
        opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
        memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN,
    )
    with open_vault(root, lambda: PASSPHRASE) as vault:
        vault.data.update(data)
        start = time.perf_counter()
        vault.save()
        saving = time.perf_counter() - start
    size = vault.path.stat().st_size

    total = reading + importing + saving
    n = f"{ENVELOPES:,}"
    return [
        (
            f"making {n} envelopes in Python ({IMPORT_BITS}-bit stamps; not part of the import)",
            f"{making:.1f} s",
            "",
        ),
        (f"Netlify-shaped CSV export of {n} envelopes", f"{len(raw) / 2**20:.1f} MiB", ""),
        (f"import {n}: read_input (decode, CSV, find the envelopes)", f"{reading:.2f} s", ""),
        (
            f"import {n}: import_found (decode, stamp, dedupe, HPKE open, AES-GCM, checks)",
            f"{importing:.2f} s ({ENVELOPES / importing:,.0f}/s)",
            "",
        ),
        (
            f"save the vault holding the {n} items (JSON, XSalsa20-Poly1305, write)",
            f"{saving:.2f} s ({size / 2**20:.1f} MiB file)",
            "",
        ),
        (
            f"import {n} end to end (read + import + save)",
            f"{total:.2f} s = {ENVELOPES / total:,.0f} envelopes/s",
            "at least 300/s",
        ),
    ]


CRAFTED_MARKERS = (30_000, 60_000)  # about 1.1 and 2.3 MB of BEGIN markers, no END


def crafted_rows() -> list[Row]:
    """Text full of BEGIN markers and no END: a pasted file, and a CSV field.

    One such field in an export once held up every import; both must take
    time in proportion to their size.
    """
    rows: list[Row] = []
    for markers in CRAFTED_MARKERS:
        text = (BEGIN + "\n") * markers
        size = f"{len(text) / 1e6:.1f} MB, {markers:,} BEGIN markers, no END"
        start = time.perf_counter()
        blocks = sum(1 for _ in find_armored(text))
        scanning = time.perf_counter() - start
        rows.append((f"find_armored over {size}", f"{scanning:.3f} s", f"{blocks:,} blocks"))
        raw = netlify_csv([]) + b'"' + text.encode() + b'",,,,,,,quietboard\n'
        start = time.perf_counter()
        found = read_input("export.csv", raw)
        report = import_found(_keyed(), found, pow_bits=0, today=dt.date.today())
        reading = time.perf_counter() - start
        rows.append(
            (f"import a CSV whose one envelope field is {size}", f"{reading:.3f} s",
             report.summary()),
        )  # fmt: skip
    return rows


# The reviewer's file: BEGIN markers back to back, 18.5 MB, and three times
# that; then a CSV export of a million rows with one BEGIN marker each.
BEGIN_FILES = (("txt", 500_000), ("txt", 1_500_000), ("csv", 1_000_000))

# Run in a fresh process, so ru_maxrss is this import's peak and nothing else's:
# read the file, open what it holds, print the problems as the CLI does.
IMPORT_IN_A_PROCESS = """
import datetime as dt, itertools, json, resource, sys, time
from generator.board import moderators
from generator.board.inbox import import_found, read_input
data = {}
moderators.create_key(data, dt.date.today())
start = time.perf_counter()
with open(sys.argv[1], "rb") as file:
    found = read_input(sys.argv[1], file.read())
report = import_found(data, found, pow_bits=0, today=dt.date.today())
more = getattr(report, "more_problems", 0)
lines = printed = 0
shown = (f"  {problem}" for problem in report.problems)
for line in itertools.chain(shown, [f"  ... and {more} more"] * (more > 0)):
    lines, printed = lines + 1, printed + len(line) + 1
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak": peak, "lines": lines, "printed": printed,
                  "summary": report.summary()}))
"""


def begin_file_rows(tmp: Path, code: Path | None = None) -> list[Row]:
    """Import files of BEGIN markers only (the reviewer's and a CSV), each in a new process."""
    rows: list[Row] = []
    env = dict(os.environ)
    if code is not None:  # ahead of the installed package (the process runs in TMP)
        env["PYTHONPATH"] = str(code)
    for shape, markers in BEGIN_FILES:
        path = tmp / f"begins-{markers}.{shape}"
        if shape == "csv":
            path.write_text("envelope,website\n" + f"{BEGIN}x,\n" * markers)
        else:
            path.write_text(BEGIN * markers)
        done = subprocess.run(
            [sys.executable, "-c", IMPORT_IN_A_PROCESS, str(path)],
            env=env, cwd=tmp, capture_output=True, text=True, check=True,
        )  # fmt: skip
        run = json.loads(done.stdout)
        rows.append(
            (
                f"import a {path.stat().st_size / 1e6:.1f} MB "
                + (
                    "CSV export, one BEGIN marker in each of "
                    if shape == "csv"
                    else "text file of "
                )
                + f"{markers:,} "
                + ("rows" if shape == "csv" else "BEGIN markers")
                + " (new process)",
                f"{run['seconds']:.2f} s, peak {run['peak'] / 2**20:,.0f} MiB",
                f"{run['lines']:,} problem lines ({run['printed'] / 1e6:.1f} MB); "
                + run["summary"],
            )
        )
        path.unlink()
    return rows


def _keyed() -> dict[str, Any]:
    data: dict[str, Any] = {}
    moderators.create_key(data, dt.date.today())
    return data


def main() -> None:
    if "--crafted" in sys.argv[1:]:  # only these rows: no browser needed
        code = Path(sys.argv[sys.argv.index("--code") + 1]) if "--code" in sys.argv else None
        with tempfile.TemporaryDirectory() as tmp:
            rows = begin_file_rows(Path(tmp), code)
        if code is None:
            rows = crafted_rows() + rows
        print("| figure | value | note |\n| --- | --- | --- |")
        for figure, value, note in rows:
            print(f"| {figure} | {value} | {note} |")
        return
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        seals, works = browser_runs(demo_output(Path(tmp) / "demo"))
        rows += seal_rows(seals) + pow_rows(works)
        rows.append(python_pow_rate())
        rows += import_rows(Path(tmp))
        rows += crafted_rows() + begin_file_rows(Path(tmp))
    print("| figure | value | note |\n| --- | --- | --- |")
    for figure, value, note in rows:
        print(f"| {figure} | {value} | {note} |")


if __name__ == "__main__":
    main()
