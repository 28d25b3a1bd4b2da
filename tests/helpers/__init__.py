"""Every helper the tests share; fixtures stay in conftest.py.

boards   board.toml, post text, BoardMaker, a quick vault, issuing a code
cli      the CLI as a moderator drives it: run, sealed submissions, approve, the queue
faults   the crash harness: a command SIGKILLed at its Nth file operation
fuzzing  the repeatable hypothesis profile and the one-line-error property
hostile  the hostile Markdown corpus and the check that a post body is harmless
"""

from __future__ import annotations

import os

import pytest


def unavailable(reason: str) -> None:
    """Skip a test this machine cannot run, with REASON; in CI (CI set) fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; this test must run in CI", pytrace=False)
    pytest.skip(reason)  # never in CI: the line above fails instead
