"""The build stamp names the board's files as the modules that own them do."""

from __future__ import annotations

from pathlib import Path

from generator.board import vault
from generator.board.config import TEAM_ROSTER
from generator.site import stamp


def test_the_stamp_reads_the_vault_files_the_vault_module_writes():
    assert (Path(vault.VAULT_DIR) / vault.VAULT_FILE).as_posix() in stamp.BOARD_FILES
    assert (Path(vault.VAULT_DIR) / vault.HELD_FILE).as_posix() in stamp.BOARD_FILES
    assert stamp.STAMP.parent == Path(vault.VAULT_DIR)


def test_the_stamp_knows_a_team_board_as_the_config_does():
    assert stamp.TEAM_ROSTER == TEAM_ROSTER
