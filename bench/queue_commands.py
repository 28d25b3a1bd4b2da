"""The moderator's commands on a full queue, each in its own process, as a moderator runs them.

`inbox import` of a Netlify-shaped CSV of N sealed envelopes, then `queue list`
and `status` on the queue it made. Every command opens the vault with the
board's real Argon2id cost (about half a second here), as it does for a
moderator. The envelopes carry 8-bit stamps (the board asks for 8), so the
stamp check is real and making them takes seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.board.config import read_board
from generator.board.inbox import MAX_ENVELOPES_PER_INPUT
from generator.formats import submissions as submitformat
from generator.formats.primitives import unb64

from .corpus import Shape, make_board
from .runs import REPO, Run, run_child
from .submissions import netlify_csv, typical_post

STAMP_BITS = 8


@dataclass(frozen=True)
class QueueFigures:
    items: int
    imported: Run
    listed: Run
    status: Run

    @property
    def import_rate(self) -> float:
        return self.items / self.imported.cpu


def _with_pow_bits(root: Path, bits: int) -> None:
    board_file = root / "board.toml"
    text = board_file.read_text(encoding="utf-8")
    board_file.write_text(
        re.sub(r"^\[submissions\]\n", f"[submissions]\npow_bits = {bits}\n", text, flags=re.M),
        encoding="utf-8",
    )


def queue_figures(tmp: Path, items: int, today: dt.date) -> QueueFigures:
    """Import ITEMS envelopes into a new board's queue, then list it and ask its status."""
    board = make_board(tmp / f"queue{items}", Shape(public=40, members=10), today)
    _with_pow_bits(board.root, STAMP_BITS)
    keys = [unb64(key, 32) for key in read_board(board.root).submissions.keys]
    envelopes = [submitformat.seal(typical_post(i), keys, STAMP_BITS) for i in range(items)]
    # One export file holds at most MAX_ENVELOPES_PER_INPUT (the import reads no more of
    # one file): more items are several files, imported by one command, as Netlify's
    # exports of a busy form would be.
    exports = []
    for start in range(0, items, MAX_ENVELOPES_PER_INPUT):
        export = tmp / f"export{items}-{len(exports) + 1}.csv"
        export.write_bytes(netlify_csv(envelopes[start : start + MAX_ENVELOPES_PER_INPUT]))
        exports.append(str(export))
    env = {"QUIETBOARD_PASSPHRASE": board.passphrase}
    where = ["--board", str(board.root)]
    imported = run_child(["-m", "bench.child", "cli", "inbox", "import", *where, *exports], env)
    listed = run_child(["-m", "bench.child", "cli", "queue", "list", *where], env)
    status = run_child(["-m", "bench.child", "cli", "status", *where], env)
    _check_queue(board.root, items, env)
    return QueueFigures(items, imported, listed, status)


def _check_queue(root: Path, items: int, env: dict[str, str]) -> None:
    """The queue holds every envelope (so the timings are of the real work)."""
    import os  # noqa: PLC0415

    done = subprocess.run(
        [sys.executable, "-m", "generator", "queue", "list", "--json", "--board", str(root)],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    count = len(json.loads(done.stdout)["items"])
    if count != items:
        raise RuntimeError(f"the queue holds {count} items, not {items}")
