"""Shared fixtures: tiny boards written into temporary folders (helpers in tests/helpers/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.boards import BOARD_TOML, BoardMaker, fast_vault


@pytest.fixture
def make_board(tmp_path: Path) -> BoardMaker:
    return BoardMaker(tmp_path / "board")


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> str:
    """Pin the build's idea of today, the documented way."""
    monkeypatch.setenv("QUIETBOARD_TODAY", "2026-11-20")
    return "2026-11-20"


@pytest.fixture
def keyed_board(make_board) -> Path:
    """A board with a vault holding a moderator key, listed in board.toml; pow_bits = 4."""
    import datetime as dt

    from generator.board.edit import add_moderator_key
    from generator.board.moderators import create_key
    from generator.board.vault import open_vault

    root = make_board(toml=BOARD_TOML + "\n# Sealed submissions\n[submissions]\npow_bits = 4\n")
    passphrase = fast_vault(root)
    with open_vault(root, lambda: passphrase) as vault:
        public = create_key(vault.data, dt.date(2026, 11, 20))
        vault.save()
    add_moderator_key(root, public)
    return root
