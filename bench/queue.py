"""Figures for docs/benchmarks.md: `queue list` against `inbox import` of the same items.

The scrub report (invisible characters, identifying details, crisis language)
is worked out once, at import, and stored with each item, so listing a queue
of N items costs less than importing them. Run: python -m bench.queue
(prints a Markdown table; times vary by machine). Each figure is one run of
the command in this process, Argon2id at its smallest cost.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from generator.board.edit import add_moderator_key
from generator.board.moderators import create_key
from generator.board.vault import open_vault
from generator.cli import cli
from generator.formats import submissions as fmt
from generator.formats.armor import armor
from generator.formats.members import unb64
from tests.helpers.boards import BOARD_TOML, BoardMaker, fast_vault

SIZES = (3000,)
ENV = {"QUIETBOARD_PASSPHRASE": "correct horse battery staple", "QUIETBOARD_TODAY": "2026-11-20"}


def keyed_board(root: Path) -> Path:
    root = BoardMaker(root)(toml=BOARD_TOML + "\n[submissions]\npow_bits = 0\n")
    passphrase = fast_vault(root)
    with open_vault(root, lambda: passphrase) as vault:
        public = create_key(vault.data, dt.date(2026, 11, 20))
        vault.save()
    add_moderator_key(root, public)
    return root


def envelopes(public: bytes, count: int) -> str:
    return "\n".join(
        armor(fmt.seal({
            "v": 1, "kind": "post", "section": "share", "title": f"Week {n}",
            "body": f"Day {n}: call me on 07400 {n:06d}, I walked by the river. " * 4,
            "cw": [], "pseudonym": "Wren", "verifier": fmt.withdrawal_verifier("a" * 20),
        }, [public], 0))
        for n in range(count)
    )  # fmt: skip


def timed(*args: str) -> float:
    start = time.perf_counter()
    result = CliRunner().invoke(cli, list(args), env=ENV)
    if result.exit_code != 0:
        sys.exit(result.output)
    return time.perf_counter() - start


def main() -> None:
    rows = []
    for count in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            root = keyed_board(Path(folder) / "board")
            with open_vault(root, lambda: ENV["QUIETBOARD_PASSPHRASE"]) as vault:
                public = unb64(vault.data["moderator_keys"][-1]["public"], 32)
            (root / "in.txt").write_text(envelopes(public, count))
            imported = timed("inbox", "import", str(root / "in.txt"), "--board", str(root))
            listed = timed("queue", "list", "--board", str(root))
            rows.append((f"`inbox import` of {count} submissions", imported))
            rows.append((f"`queue list` of those {count} items", listed))
    print("| figure | value |\n| --- | --- |")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.1f} s |")


if __name__ == "__main__":
    main()
