"""Fuzzing the vault file's header: a damaged .quietboard/vault.json opens
(if the damage missed everything that counts) or stops with one line saying
what to do, and opening it never changes it.

Constrained for now: Argon2id parameters are kept small (opslimit up to 4,
memlimit up to 1 MiB), because a header asking for huge ones still makes
the command work for a long time (a limit is being added on another branch).
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import assume, example, given
from hypothesis import strategies as st

from generator.board.vault import UNOPENED_MESSAGE, open_vault, vault_path
from generator.cli import cli
from generator.errors import VaultError
from tests.helpers.boards import BOARD_TOML, BoardMaker, fast_vault
from tests.helpers.fuzzing import (
    FUZZ,
    assert_one_line,
    assert_one_line_error,
    mutated_bytes,
    scratch,
)

PASSPHRASE = "correct horse battery staple"
SMALL_OPS, SMALL_MEM = 4, 1024 * 1024

TEMPLATE = scratch("vault-")
BoardMaker(TEMPLATE)(toml=BOARD_TOML)
fast_vault(TEMPLATE, PASSPHRASE)
ORIGINAL = vault_path(TEMPLATE).read_bytes()
HEADER = json.loads(ORIGINAL)
OPENED = scratch("vault-")
shutil.copytree(TEMPLATE / ".quietboard", OPENED / ".quietboard")


def _small_enough(raw: bytes) -> bool:
    """False for a header whose Argon2id cost would take long (see the module note)."""
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return True
    if not isinstance(document, dict):
        return True
    for key, high in (("opslimit", SMALL_OPS), ("memlimit", SMALL_MEM)):
        value = document.get(key)
        if isinstance(value, int) and value > high and value <= 2**42:
            return False
    return True


def _open(raw: bytes) -> None:
    vault_path(OPENED).write_bytes(raw)
    try:
        with open_vault(OPENED, lambda: PASSPHRASE) as vault:
            assert vault.data == {}
    except VaultError as error:
        assert_one_line(str(error))
    assert vault_path(OPENED).read_bytes() == raw


def test_the_template_vault_opens():
    _open(ORIGINAL)


@FUZZ
@given(raw=mutated_bytes(ORIGINAL))
@example(raw=b"[" * 100_000)
@example(raw=b'{"kind": ' + b"[" * 5000 + b"]" * 5000 + b"}")
@example(raw=ORIGINAL.replace(b'"v": 1', b'"v": "2\\n\\u001b[2J"'))
def test_a_damaged_vault_file_opens_or_is_refused_in_one_line(raw):
    assume(_small_enough(raw))
    _open(raw)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64).filter(lambda n: n <= SMALL_MEM or n > 2**42)
    | st.floats()
    | st.text(max_size=40)
    | st.sampled_from([HEADER["salt"][:-2], HEADER["salt"] + "00", HEADER["box"][:-2], "zz"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=6,
)  # fmt: skip


@FUZZ.__class__(FUZZ, max_examples=400)
@given(key=st.sampled_from([*HEADER, "extra"]), value=json_values, drop=st.booleans())
def test_any_header_field_with_any_value_is_refused_in_one_line(key, value, drop):
    document = dict(HEADER)
    if drop:
        document.pop(key, None)
    else:
        document[key] = value
    raw = json.dumps(document).encode()
    assume(_small_enough(raw))
    _open(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[" * 100_000, UNOPENED_MESSAGE),
        (b'{"kind": ' + b"[" * 5000 + b"]" * 5000 + b"}", UNOPENED_MESSAGE),
    ],
)
def test_a_deeply_nested_vault_file_is_refused_as_damaged(tmp_path, raw, message):
    root = tmp_path
    shutil.copytree(TEMPLATE / ".quietboard", root / ".quietboard")
    vault_path(root).write_bytes(raw)
    with pytest.raises(VaultError) as error, open_vault(root, lambda: PASSPHRASE):
        pass
    assert str(error.value) == message


CLI_HEADERS = [
    b"",
    b"\xff\xfe\x00",
    b"[" * 100_000,
    b"null",
    ORIGINAL.replace(b'"v": 1', b'"v": 2'),
    ORIGINAL.replace(b'"v": 1', b'"v": "2\\n\\u001b[2J"'),
    ORIGINAL.replace(b'"opslimit": 1', b'"opslimit": 0'),
    ORIGINAL.replace(b'"memlimit": 8192', b'"memlimit": ' + b"9" * 40),
    ORIGINAL.replace(b'"kdf": "argon2id"', b'"kdf": "scrypt"'),
    ORIGINAL[: len(ORIGINAL) // 2],
]


@pytest.mark.parametrize("raw", CLI_HEADERS)
def test_a_command_on_a_damaged_vault_says_so_in_one_line_and_keeps_it(make_board, raw):
    root = make_board()
    fast_vault(root, PASSPHRASE)
    vault_path(root).write_bytes(raw)
    result = CliRunner().invoke(
        cli,
        ["keys", "show", "--board", str(root)],
        prog_name="quietboard",
        env={"QUIETBOARD_PASSPHRASE": PASSPHRASE},
    )
    assert result.exit_code == 1
    assert_one_line_error(result, allow_success=False)
    assert vault_path(root).read_bytes() == raw


CLI_BOARD = scratch("vault-cli-")
BoardMaker(CLI_BOARD)(toml=BOARD_TOML)
fast_vault(CLI_BOARD, PASSPHRASE)


@FUZZ.__class__(FUZZ, max_examples=40)
@given(raw=mutated_bytes(ORIGINAL))
def test_keys_show_on_any_damaged_vault_is_one_line_and_keeps_it(raw):
    assume(_small_enough(raw))
    vault_path(CLI_BOARD).write_bytes(raw)
    result = CliRunner().invoke(
        cli,
        ["keys", "show", "--board", str(CLI_BOARD)],
        prog_name="quietboard",
        env={"QUIETBOARD_PASSPHRASE": PASSPHRASE},
    )
    # The vault holds no key yet, so even one the damage missed ends in an error.
    assert_one_line_error(result, allow_success=False)
    assert vault_path(CLI_BOARD).read_bytes() == raw
