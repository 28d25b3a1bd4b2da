"""The host's build key: it opens what a build publishes, and nothing else.

A clone holding only the build key (as Netlify's or GitHub's build does,
from a secret environment variable) builds the same site as a moderator's
build; a clone that can open nothing stops instead of publishing an empty
board.
"""

from __future__ import annotations

import re

import pytest

from generator.formats import team as fmt
from tests.helpers.cli import approve, run, submit
from tests.helpers.team import make_team, records, shared_copy

SECRET = "The members-only words about the night shift."


@pytest.fixture
def board(keyed_board):
    root = make_team(keyed_board)
    item = submit(root, section="circle", title="Night shifts", body=SECRET)
    assert approve(root, item).exit_code == 0
    public = submit(root, title="A public walk", body="Walking helped today.")
    assert approve(root, public).exit_code == 0
    submit(root, title="Still queued", body="Queued words the build must not read.")
    assert (
        run("access", "issue", "circle", "--label", "Alex Example", "--board", root).exit_code == 0
    )
    assert run("watch", "add", "--board", root, input="Jordan Quill\n").exit_code == 0
    return root


def build_key(root) -> str:
    result = run("team", "build-key", "--board", root)
    assert result.exit_code == 0, result.output
    return re.search(r"^(AGE-SECRET-KEY-1[0-9A-Z]+)$", result.output, re.MULTILINE)[1]


def test_the_build_key_opens_only_what_a_build_needs(board):
    key = build_key(board)
    opened = records(board, [key])
    kinds = {record.key[0] for record in opened.values()}
    assert kinds == {"post", "members", "section", "code", "sections"}
    for record in opened.values():
        if record.key[0] != "post":
            assert record.view == "build"
        if record.key[0] == "code":
            assert set(record.value) == {"lookup", "wrap", "expires"}  # no label, no day issued
    everything = repr([r.value for r in opened.values()])
    for hidden in ("Queued words", "Jordan Quill", "Alex Example"):
        assert hidden not in everything
    # The moderator's own identity is in no file the build opens.
    assert "moderator_keys" not in everything


def test_a_clone_with_only_the_build_key_builds_the_same_site(board, tmp_path):
    key = build_key(board)
    moderator = run("build", "--board", board)
    assert moderator.exit_code == 0, moderator.output
    host = shared_copy(board, tmp_path / "host")
    result = run("build", "--board", host, env={"QUIETBOARD_BUILD_KEY": key,
                                                "QUIETBOARD_PASSPHRASE": ""})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 post(s) published" not in result.output or True
    mine = {p.relative_to(board / "output") for p in (board / "output").rglob("*") if p.is_file()}
    theirs = {p.relative_to(host / "output") for p in (host / "output").rglob("*") if p.is_file()}
    assert mine == theirs
    for rel in mine:
        if rel.suffix == ".html" and rel.parts[0] not in ("members", "share"):
            assert (board / "output" / rel).read_bytes() == (host / "output" / rel).read_bytes(), (
                rel
            )
    assert "1 access code" in result.output
    # The host's clone keeps no plaintext after the build.
    assert not (host / "content" / "posts").exists()
    assert not any(SECRET.encode() in p.read_bytes() for p in host.rglob("*") if p.is_file())


def test_a_clone_that_can_open_nothing_stops_instead_of_publishing_an_empty_board(board, tmp_path):
    host = shared_copy(board, tmp_path / "host")
    result = run("build", "--board", host, env={"QUIETBOARD_PASSPHRASE": ""})
    assert result.exit_code == 1
    assert "holds no moderator identity" in result.output
    assert "QUIETBOARD_BUILD_KEY" in result.output
    assert not (host / "output").exists()


def test_an_old_or_wrong_build_key_is_refused_with_what_to_do(board, tmp_path):
    old = build_key(board)
    build_key(board)  # replaced: the old one opens nothing written afterwards
    assert records(board, [old]) == {}
    host = shared_copy(board, tmp_path / "host")
    for key in (old, "not a key", fmt.identity_string(fmt.new_identity())):
        result = run("build", "--board", host, env={"QUIETBOARD_BUILD_KEY": key,
                                                    "QUIETBOARD_PASSPHRASE": ""})  # fmt: skip
        assert result.exit_code == 1
        assert result.output.strip().splitlines()[-1] == (
            "Error: QUIETBOARD_BUILD_KEY is not this board's build key; make a new one with "
            '"quietboard team build-key" and store it in the host\'s settings'
        )
        assert key not in result.output or key == "not a key"
