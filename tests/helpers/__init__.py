"""Every helper the tests share; fixtures stay in conftest.py.

boards   board.toml, post text, BoardMaker, a quick vault, issuing a code
cli      the CLI as a moderator drives it: run, sealed submissions, approve, the queue
faults   the crash harness: a command SIGKILLed at its Nth file operation (or git call)
fuzzing  the repeatable hypothesis profile and the one-line-error property
hostile  the hostile Markdown corpus and the check that a post body is harmless
sync     team boards synced through git: a bare repository as the remote, clones, what each holds
"""

from __future__ import annotations

import os


def unavailable(reason: str) -> None:
    """Skip a test this machine cannot run, with REASON; in CI (CI set) fail instead."""
    # Imported here: crash tests import helpers in a child process started
    # once per kill point, and pytest alone would double its start-up time.
    import pytest

    if os.environ.get("CI"):
        pytest.fail(f"{reason}; this test must run in CI", pytrace=False)
    pytest.skip(reason)  # never in CI: the line above fails instead
