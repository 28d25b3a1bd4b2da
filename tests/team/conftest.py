"""Fixtures for the team tests: git as installed, and two moderators on one remote."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.helpers import unavailable
from tests.helpers.team import Crew


@pytest.fixture
def plain_git(monkeypatch):
    """git as installed, without the person's own settings (signing, hooks, aliases).

    Without git these tests are skipped, except in CI, where they fail.
    """
    if shutil.which("git") is None:
        unavailable("git is not installed (apt-get install -y git)")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def crew(plain_git, keyed_board, tmp_path):
    """Robin's board made a team board on a bare remote, and Sam on the team."""
    crew = Crew(keyed_board, tmp_path)
    crew.join("Sam")
    return crew
