"""Team boards: the real git, with the person's own git configuration kept out.

Without git these tests are skipped, except in CI (the CI variable set), where
they fail.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.helpers import unavailable


@pytest.fixture(autouse=True)
def plain_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """git as installed: no ~/.gitconfig or /etc/gitconfig (signing, hooks, aliases)."""
    if shutil.which("git") is None:
        unavailable("git is not installed (apt-get install -y git)")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # Commits the tests make with plain git, as another tool would.
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "someone")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "someone@example.org")
