"""The hostile corpus sent as members' submissions: sealed, imported, approved, built, opened.

The same payloads as test_hostile_markdown.py, but along the path a real
attacker's text takes: sealed to the moderator key, imported from a form
export, approved with `quietboard approve`, built, and shown in Chromium,
where nothing may run, load from elsewhere, or break the page's CSP.
"""

from __future__ import annotations

import json

import pytest

from generator.formats import submissions as fmt
from generator.formats.armor import armor
from tests.helpers.browser import Trap, check_post_pages, serving
from tests.helpers.cli import POST, netlify_csv, public_key, run
from tests.helpers.hostile import load_hostile_corpus

pytestmark = pytest.mark.browser

PAYLOADS = load_hostile_corpus()


@pytest.fixture(scope="module")
def approved_board(tmp_path_factory):
    from tests.helpers.boards import BOARD_TOML, BoardMaker, fast_vault

    root = BoardMaker(tmp_path_factory.mktemp("submitted") / "board")(
        toml=BOARD_TOML + "\n[submissions]\npow_bits = 4\n"
    )
    fast_vault(root)
    assert run("keys", "init", "--board", root).exit_code == 0
    key = public_key(root)
    rows = [
        {"envelope": armor(fmt.seal({**POST, "title": f"Payload {i}", "body": p.markdown},
                                        [key], 4))}
        for i, p in enumerate(PAYLOADS)
    ]  # fmt: skip
    (root / "export.csv").write_text(netlify_csv(rows))
    imported = run("inbox", "import", root / "export.csv", "--board", root)
    assert f"Imported {len(PAYLOADS)}, duplicates 0" in imported.output, imported.output
    listed = json.loads(run("queue", "list", "--json", "--board", root).output)["items"]
    post_ids = {}
    for item in listed:
        done = run("approve", item["id"], "--keep-flagged", "--json", "--board", root)
        assert done.exit_code == 0, done.output
        post_ids[item["title"]] = json.loads(done.output)["post"]
    built = run("build", "--board", root, env={"QUIETBOARD_TODAY": "2026-11-20"})
    assert built.exit_code == 0, built.output
    with serving(root / "output") as base:
        yield base, post_ids


def test_every_approved_hostile_submission_runs_nothing_and_loads_nothing(approved_board, watched):
    base, post_ids = approved_board
    slugs = [post_ids[f"Payload {index}"] for index in range(len(PAYLOADS))]
    assert check_post_pages(Trap(watched, base), base, slugs) == []
