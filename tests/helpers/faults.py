"""Crash a quietboard command at a chosen file operation, from the outside.

A command runs in a child Python that wraps os.replace, os.rename, os.unlink
and os.rmdir: at the Nth such call it SIGKILLs itself, before the operation
happens, as a power cut or `kill -9` would. Nothing in quietboard knows about
it. `count_operations` runs the command to the end and says how many such
calls it made, so a test can kill it at each one in turn.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

OPERATIONS = ("replace", "rename", "unlink", "rmdir")

_CHILD = """
import atexit, os, signal, sys
target, count_file = int(sys.argv[1]), sys.argv[2]
seen = 0
def wrap(name):
    real = getattr(os, name)
    def operation(*args, **kwargs):
        global seen
        seen += 1
        if seen == target:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(os, name, operation)
for name in OPERATIONS:
    wrap(name)
if count_file:
    atexit.register(lambda: open(count_file, "w").write(str(seen)))
sys.argv = ["quietboard", *sys.argv[3:]]
from generator.cli import main
main()
""".replace("OPERATIONS", repr(OPERATIONS))


def run_command(
    args: Sequence[str | os.PathLike[str]],
    *,
    kill_at: int = 0,
    count_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str = "",
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `quietboard ARGS`, killed at file operation KILL_AT (0: never)."""
    environment = {**os.environ, **(env or {})}
    environment.pop("QUIETBOARD_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", _CHILD, str(kill_at), str(count_file or ""), *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        check=False,
        timeout=120,
    )


def count_operations(
    args: Sequence[str | os.PathLike[str]], tmp: Path, **kwargs
) -> tuple[int, subprocess.CompletedProcess[str]]:
    """Run the command to the end; the number of file operations it made, and its result."""
    count_file = tmp / "operations-count"
    result = run_command(args, count_file=count_file, **kwargs)
    return int(count_file.read_text()), result


def killed(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == -9
