"""Fuzzing board.toml: any text gives a Board or one line naming what to fix.

read_board is what `quietboard build` (and every other command) calls first;
the CLI examples at the end check the whole path once, and that a bad
board.toml leaves a built output/ exactly as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from generator.board.config import parse_board, read_board
from generator.cli import cli
from generator.errors import ConfigError
from tests.helpers.fuzzing import FUZZ, assert_one_line, assert_one_line_error, mutated, scratch

# Every table and key board.toml knows, with a valid value.
FULL_TOML = """\
name = "Evening group"
language = "en-GB"
base_url = "https://evening.example.org"
description = "A quiet place."
members_label = "Members"

[posts]
max_expires_days = 365
date_precision = "week"

[sections.share]
title = "Sharing"
description = "Everyday ups and downs."
expires_days = 90

[sections.circle]
title = "Circle"
members_only = true
public_label = "Members' room"

[roles]
moderator = "Moderator"

[crisis]
country = "GB"
last_checked = 2026-11-01

[[crisis.resources]]
name = "Samaritans"
contact = "Call 116 123"
url = "tel:116123"
hours = "any time"

[indexing]
search_engines = false
archives = false
ai_crawlers = false

[feeds]
enabled = true

[members]
kdf_iterations = 600000

[submissions]
keys = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
pow_bits = 16
form = "netlify"
send_by_hand = "Email us."
netlify_site_id = "abc-123"

[moderation]
region = "GB"
escalation = "Call the on-call moderator."

[moderation.crisis_terms.en]
suicide = ["want to vanish"]

[privacy]
host = "netlify"
pending_days = 30
reviewed = 2026-11-01
review_days = 180
contact = "mods@example.org"

[safety]
exit_url = "https://www.bbc.co.uk/weather"
moderator_hours = "most evenings"
confidentiality = "Stays here."
"""
FULL = tomllib.loads(FULL_TOML)


def _leaves(data, path=()):
    """Every (path, value) in a parsed board.toml, tables and lists included."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _leaves(value, (*path, i))


PATHS = [path for path, _ in _leaves(FULL) if path]

# What TOML can hold, as tomllib gives it back.
toml_scalars = st.one_of(
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.text(max_size=30),
    st.text(max_size=2000),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.sampled_from(["", " ", "\n", "share", "other", "none", "https://a.example"]),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)  # fmt: skip


FOLDER = scratch("config-")


def _check(folder: Path, text: str) -> None:
    (folder / "board.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        board = read_board(folder)
    except ConfigError as error:
        assert_one_line(str(error))
    else:
        _names_are_whole(board)


def _names_are_whole(board) -> None:
    """What a pattern allowed is all the value: no newline slipped in after it.

    (A regular expression's "$" also matches before a final newline.)
    """
    for name in [*board.sections, *board.roles, *board.moderation.crisis_terms]:
        assert name.isprintable() and name.strip() == name, repr(name)
    for value in (board.language, board.base_url, board.crisis.country, board.safety.exit_url,
                  board.moderation.region, board.submissions.netlify_site_id,
                  board.privacy.host_policy_url):  # fmt: skip
        assert value.isprintable() and value.strip() == value, repr(value)


@FUZZ
@given(text=mutated(FULL_TOML))
@example(text='name = "B"\nx = ' + "[" * 3000 + "]" * 3000 + "\n")
@example(text='name = "B"\nx = ' + "{a=" * 1000 + "1" + "}" * 1000 + "\n")
@example(text='name = "B"\n[members]\nkdf_iterations = ' + "9" * 5000 + "\n")
@example(text='name = "B"\n[members]\nkdf_iterations = 0x' + "f" * 5000 + "\n")
@example(text="name = 0x" + "f" * 5000 + "\n")
@example(text='name = "B"\n[sections."a\\nb"]\ntitle = "T"\n')
@example(text='name = "B"\n[roles]\n"\\u001b[2J" = "x"\n')
@example(text='name = "B"\n"new\\nline" = 1\n')
@example(text='name = "B"\n[sections."share\\n"]\ntitle = "T"\n')
@example(text='name = "B"\nlanguage = "en\\n"\n')
@example(text='name = "B"\nbase_url = "https://b.example.org\\n"\n')
@example(text='name = "B"\n[moderation.crisis_terms."e\\rn"]\nx = ["ab"]\n')
def test_a_mutated_board_toml_is_read_or_refused_in_one_line(text):
    _check(FOLDER, text)


@FUZZ
@given(text=st.text(max_size=400))
def test_any_text_as_board_toml_is_read_or_refused_in_one_line(text):
    _check(FOLDER, text)


def _replace(data, path, value):
    data = copy.deepcopy(data)
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


@FUZZ.__class__(FUZZ, max_examples=500)
@given(path=st.sampled_from(PATHS), value=toml_values)
def test_a_wrong_type_or_value_for_any_key_is_refused_in_one_line(path, value):
    try:
        board = parse_board(_replace(FULL, path, value), Path("."))
    except ConfigError as error:
        assert_one_line(str(error))
    else:
        _names_are_whole(board)


@FUZZ
@given(
    key=st.text(min_size=1, max_size=20),
    where=st.sampled_from([(), ("sections",), ("roles",), ("moderation", "crisis_terms"),
                           ("moderation", "crisis_terms", "en")]),
)  # fmt: skip
def test_an_unknown_or_odd_key_name_is_refused_in_one_line(key, where):
    data = copy.deepcopy(FULL)
    table = data
    for step in where:
        table = table[step]
    table[key] = {"title": "T"} if where == ("sections",) else ["ab"]
    try:
        board = parse_board(data, Path("."))
    except ConfigError as error:
        assert_one_line(str(error))
    else:
        _names_are_whole(board)


def test_the_full_board_is_valid():
    """The fuzzer's starting point must itself pass, or it fuzzes only the first check."""
    board = parse_board(FULL, Path("."))
    assert board.crisis.last_checked == dt.date(2026, 11, 1)
    assert [s.name for s in board.sections.values()] == ["share", "circle"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'name = "B"\nx = ' + "[" * 3000 + "]" * 3000 + "\n",
            "board.toml is nested too deeply to read",
        ),
        (
            'name = "B"\n[members]\nkdf_iterations = ' + "9" * 5000 + "\n",
            "board.toml holds a number thousands of digits long",
        ),
        ('name = "B"\n[sections."a\\nb"]\ntitle = "T"\n', r'section name "a\nb" must be'),
        ('name = "B"\n"new\\nline" = 1\n', r'unknown key "new\nline"'),
        ('name = "B"\n[sections."share\\n"]\ntitle = "T"\n', r'section name "share\n" must be'),
        ('name = "B"\nlanguage = "en\\n"\n', '"language" must be a language tag'),
        (
            "name = 0x" + "f" * 5000 + "\n",
            '"name" must be the board\'s name, at most 80 characters, not a number that large',
        ),
    ],
)
def test_crashes_the_fuzzer_found_are_one_line_errors(tmp_path, toml, message):
    (tmp_path / "board.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_board(tmp_path)
    assert message in str(error.value)
    assert_one_line(str(error.value))


BAD_TOMLS = [
    'name = "B"\nx = ' + "[" * 3000 + "]" * 3000 + "\n",
    'name = "B"\n[posts]\nmax_expires_days = ' + "9" * 5000 + "\n",
    'name = "B"\n[sections."a\\nb"]\ntitle = "T"\n',
    '\x00name = "B"\n',
    "name = 1979-05-27T07:32:00Z\n",
    'name = "B"\n[sections.share]\ntitle = "Sharing"\nexpires_days = 1e999\n',
]


def test_build_with_a_bad_board_toml_says_so_in_one_line_and_keeps_output(make_board, today):
    root = make_board()
    runner = CliRunner()
    first = runner.invoke(cli, ["build", "--board", str(root)], prog_name="quietboard")
    assert first.exit_code == 0, first.output
    before = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    for toml in BAD_TOMLS:
        (root / "board.toml").write_text(toml, encoding="utf-8")
        result = runner.invoke(cli, ["build", "--board", str(root)], prog_name="quietboard")
        assert result.exit_code == 1, (toml, result.output)
        assert_one_line_error(result, allow_success=False)
        after = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
        assert after == before
