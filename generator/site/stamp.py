"""The build stamp: a rebuild with nothing changed leaves output/ as it is.

After a successful build, `.quietboard/build-stamp.json` records three things:

- one SHA-256 over everything the build's output depends on (its *inputs*):
  quietboard's version and the bytes of its code, theme and plugins; the
  name and version of every installed library (Pelican and the rest); the renderer;
  board.toml and netlify.toml; every file under content/, path and bytes;
  the vault file as it is on disk (ciphertext: every save changes it) and
  the count of sections it holds; and the day of the build;
- the SHA-256 of every file in output/, and its folders;
- the build's report (counts and warnings), to say again.

The next build computes the inputs' digest before it reads anything else. If
it is the stamp's, and output/ holds exactly the files recorded (every file
read and hashed: one edited, added or removed means a full build), the build
returns the recorded report without opening the vault: no passphrase is
asked, no key derived, Pelican is not run.

The stamp holds nothing secret: no passphrase, no key, no text of any post,
and no digest of one post on its own (a short post's digest could be
confirmed by guessing its text): the inputs are one digest over everything.
output/ is published, so digests of its files say nothing the host does not
see. The report names members-only sections as board.toml does.

A new day always builds in full: expiry, access codes and retention depend on
the day. A team board never uses the stamp (its posts are opened only with a
moderator's identity or the host's build key, and its shared state moves with
every sync). Anything that links outside the board (a symbolic link among the
inputs or in output/) means a full build too: the stamp only vouches for
bytes it has read.

A crash cannot make a wrong stamp count. The stamp is written last, after the
swap and the build record; one left from an earlier build names other inputs
or another output/, and so is not used. A build writes a stamp only if its
inputs at the end are what they were at the start, so a build whose settling
changed the vault (an access code expired, a withdrawal carried out), or
during which someone edited a post, leaves the next build to run in full.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import generator
from generator.board.files import write_atomically
from generator.resources import plugins_dir, theme_dir
from generator.site.report import BuildReport, SealReport

STAMP = Path(".quietboard") / "build-stamp.json"
STAMP_VERSION = 1
OUTPUT_DIR = "output"
# The board's files a build reads besides content/. The vault's are named as in
# board/vault.py (VAULT_DIR, VAULT_FILE, HELD_FILE) and the roster as in
# board/config.py (TEAM_ROSTER); spelt out here because importing those modules
# loads libsodium, which a build that changes nothing never needs
# (tests/unit/test_stamp.py checks that the names agree).
BOARD_FILES = ("board.toml", "netlify.toml", ".quietboard/vault.json", ".quietboard/sections-held")
TEAM_ROSTER = Path("team") / "recipients.toml"
# How an installed distribution names itself on the import path ("pelican-4.12.0.dist-info").
DISTRIBUTION_SUFFIXES = (".dist-info", ".egg-info")
# What could change how the libraries write dates or text.
ENVIRONMENT = ("LANG", "LC_ALL", "LC_TIME", "LC_CTYPE", "TZ")


class _Uncacheable(Exception):
    """Something the stamp cannot vouch for (a symbolic link, an unreadable file)."""


def input_digest(board_dir: Path, today: dt.date, render: Callable[..., Any]) -> str | None:
    """One SHA-256 over everything a build of BOARD_DIR on TODAY with RENDER depends on.

    None when the board holds something the stamp cannot vouch for.
    """
    root = Path(board_dir)
    digest = hashlib.sha256(b"quietboard build inputs v1")

    def add(label: str, data: bytes) -> None:
        for part in (os.fsencode(label), data):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)

    add("quietboard", generator.__version__.encode())
    add("python", sys.version.encode())
    add("day", today.isoformat().encode())
    add("render", f"{render.__module__}.{render.__qualname__}".encode())
    for name in _library_versions():
        add("library", name.encode())
    for name in ENVIRONMENT:
        add(f"environment {name}", os.environ.get(name, "").encode())
    try:
        for label, base in _code_folders():
            for rel, path in _listing(base, skip=("__pycache__",)):
                add(f"{label}/{rel}", b"" if path is None else _read(path))
        for name in BOARD_FILES:
            path = root / name
            if path.is_symlink():
                raise _Uncacheable(name)
            add(name, _read(path) if path.exists() else b"(none)")
        for rel, path in _listing(root / "content"):
            add(f"content/{rel}", b"" if path is None else _read(path))
    except (_Uncacheable, OSError):
        return None
    return digest.hexdigest()


def output_manifest(output: Path) -> dict[str, str] | None:
    """Every file of OUTPUT with its SHA-256 ("" for a folder); None if it has a link."""
    if output.is_symlink() or not output.is_dir():
        return None
    try:
        return {
            rel: "" if path is None else hashlib.sha256(_read(path)).hexdigest()
            for rel, path in _listing(output)
        }
    except (_Uncacheable, OSError):
        return None


def reusable_report(
    board_dir: Path, today: dt.date, render: Callable[..., Any]
) -> BuildReport | None:
    """The last build's report if nothing changed since (kept_report), for the inputs now.

    Quick when there is nothing to reuse: without a stamp of TODAY nothing is hashed.
    """
    recorded = _read_stamp(Path(board_dir))
    if recorded is None or recorded.get("built") != today.isoformat():
        return None
    return kept_report(board_dir, input_digest(board_dir, today, render))


def kept_report(board_dir: Path, inputs: str | None) -> BuildReport | None:
    """The last build's report if its stamp names INPUTS and output/ is exactly as it left it."""
    root = Path(board_dir)
    if inputs is None or (root / TEAM_ROSTER).exists():
        return None
    stamp = _read_stamp(root)
    if stamp is None or stamp.get("inputs") != inputs:
        return None
    if stamp.get("output") != output_manifest(root / OUTPUT_DIR):
        return None
    try:
        kept = stamp["report"]
        return BuildReport(
            output=root / OUTPUT_DIR,
            published=int(kept["published"]),
            withheld={str(why): int(count) for why, count in kept["withheld"].items()},
            files=int(kept["files"]),
            warnings=[str(warning) for warning in kept["warnings"]],
            sealed=SealReport(**kept["sealed"]),
            unchanged=True,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def write_stamp(
    board_dir: Path,
    inputs: str | None,
    *,
    today: dt.date,
    render: Callable[..., Any],
    output: dict[str, str] | None,
    report: BuildReport,
) -> list[str]:
    """Record a successful build; returns a warning if the stamp could not be written.

    INPUTS is the digest taken when the build began, OUTPUT the manifest of
    the site it put in output/ (taken before the swap). Nothing is written
    if the inputs changed while the build ran: the next build runs in full.
    """
    root = Path(board_dir)
    if inputs is None or output is None or input_digest(root, today, render) != inputs:
        return []
    stamp = {
        "version": STAMP_VERSION,
        "built": today.isoformat(),
        "inputs": inputs,
        "files": sum(1 for digest in output.values() if digest),
        "output": output,
        "report": {
            "published": report.published,
            "withheld": report.withheld,
            "files": report.files,
            "warnings": report.warnings,
            "sealed": {
                "sections": report.sealed.sections,
                "posts": report.sealed.posts,
                "codes": report.sealed.codes,
                "unopenable": report.sealed.unopenable,
            },
        },
    }
    path = root / STAMP
    try:
        # A build killed while writing the stamp leaves its temporary file: the next one goes.
        for left in path.parent.glob(f".{path.name}-*"):
            left.unlink(missing_ok=True)
        write_atomically(path, json.dumps(stamp, indent=0).encode(), 0o600)
    except OSError as exc:
        return [
            f"the build stamp ({STAMP}) could not be written ({exc.strerror or exc}); "
            "the next build will build everything again"
        ]
    return []


def _read_stamp(root: Path) -> dict[str, Any] | None:
    try:
        stamp = json.loads((root / STAMP).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("version") != STAMP_VERSION:
        return None
    return stamp


def _read(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _listing(base: Path, skip: tuple[str, ...] = ()) -> list[tuple[str, Path | None]]:
    """Every file (with its path) and folder (None) under BASE, by relative path, sorted.

    Raises _Uncacheable on a symbolic link, or anything neither file nor folder.
    """
    if base.is_symlink():
        raise _Uncacheable(str(base))
    if not base.is_dir():
        return []
    found: list[tuple[str, Path | None]] = []
    pending = [""]
    while pending:
        rel = pending.pop()
        with os.scandir(base / rel) as entries:
            for entry in entries:
                if entry.name in skip:
                    continue
                path = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_symlink():
                    raise _Uncacheable(str(base / path))
                if entry.is_dir():
                    found.append((path + "/", None))
                    pending.append(path)
                elif entry.is_file():
                    found.append((path, Path(entry.path)))
                else:
                    raise _Uncacheable(str(base / path))
    return sorted(found, key=lambda item: item[0])


def _code_folders() -> list[tuple[str, Path]]:
    """quietboard's package, theme and plugins (an installed theme is inside the package)."""
    package = Path(generator.__file__).resolve().parent
    folders = [("package", package)]
    for label, folder in (("theme", theme_dir()), ("plugins", plugins_dir())):
        if not folder.resolve().is_relative_to(package):
            folders.append((label, folder))
    return folders


@functools.cache  # those loaded stay loaded: a build that outlives an upgrade ran the old ones
def _library_versions() -> list[str]:
    """Every distribution installed where Python finds modules, with its version.

    Read from the names of their metadata folders ("pelican-4.12.0.dist-info"),
    a listing per folder of the import path: installing, upgrading or removing
    any library (Pelican, Markdown, nh3, Jinja2, Pillow, what they require, or
    anything else) counts as a change. Reading each library's own metadata
    instead cost a tenth of a second, a third of a 1,000-post build's budget.
    """
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # not a folder (a zip file), or gone
            continue
        found += [name for name in names if name.endswith(DISTRIBUTION_SUFFIXES)]
    return sorted(found)
