"""Crash a quietboard command at a chosen file operation, from the outside.

A command runs in a child Python that wraps os.replace, os.rename, os.unlink
and os.rmdir: at the Nth such call it SIGKILLs itself, before the operation
happens, as a power cut or `kill -9` would. Nothing in quietboard knows about
it. `count_operations` runs the command to the end and says how many such
calls it made, so a test can kill it at each one in turn.

`run_function` does the same for one library function called with string
arguments, and can count more kinds of operation: `also=("module:name",)`
wraps that module-level function too (the git sync's `_git` runner, so the
child dies before its Nth git process starts).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

OPERATIONS = ("replace", "rename", "unlink", "rmdir")

_PRELUDE = """
import atexit, importlib, os, signal, sys
target, count_file, also = int(sys.argv[1]), sys.argv[2], sys.argv[3]
seen = 0
def wrap(owner, name):
    real = getattr(owner, name)
    def operation(*args, **kwargs):
        global seen
        seen += 1
        if seen == target:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(owner, name, operation)
for name in OPERATIONS:
    wrap(os, name)
for spec in filter(None, also.split(",")):
    module, name = spec.split(":")
    wrap(importlib.import_module(module), name)
if count_file:
    atexit.register(lambda: open(count_file, "w").write(str(seen)))
""".replace("OPERATIONS", repr(OPERATIONS))

_CHILD = (
    _PRELUDE
    + """
sys.argv = ["quietboard", *sys.argv[4:]]
from generator.cli import main
main()
"""
)

_CALL = (
    _PRELUDE
    + """
module, name = sys.argv[4].split(":")
getattr(importlib.import_module(module), name)(*sys.argv[5:])
"""
)
# The child imports helpers from tests/ too (a function to call), from the checkout.
_CHECKOUT = Path(__file__).resolve().parents[2]


def _run(
    code: str,
    args: Sequence[str],
    *,
    kill_at: int,
    count_file: Path | None,
    also: Sequence[str],
    env: Mapping[str, str] | None,
    stdin: str,
    cwd: Path | None,
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    environment.pop("QUIETBOARD_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", code, str(kill_at), str(count_file or ""), ",".join(also), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        check=False,
        timeout=120,
    )


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
    return _run(
        _CHILD,
        [str(arg) for arg in args],
        kill_at=kill_at,
        count_file=count_file,
        also=(),
        env=env,
        stdin=stdin,
        cwd=cwd,
    )


def run_function(
    function: str,
    args: Sequence[str | os.PathLike[str]],
    *,
    also: Sequence[str] = (),
    kill_at: int = 0,
    count_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Call FUNCTION ("module:name") with ARGS in a child, killed at operation KILL_AT.

    Operations are the file operations above and each call of the functions
    ALSO names ("module:name"), counted together in the order they happen.
    """
    path = os.pathsep.join(filter(None, [str(_CHECKOUT), os.environ.get("PYTHONPATH", "")]))
    return _run(
        _CALL,
        [function, *map(str, args)],
        kill_at=kill_at,
        count_file=count_file,
        also=also,
        env={"PYTHONPATH": path, **(env or {})},
        stdin="",
        cwd=cwd,
    )


def count_operations(
    args: Sequence[str | os.PathLike[str]], tmp: Path, **kwargs
) -> tuple[int, subprocess.CompletedProcess[str]]:
    """Run the command to the end; the number of file operations it made, and its result."""
    count_file = tmp / "operations-count"
    result = run_command(args, count_file=count_file, **kwargs)
    return int(count_file.read_text()), result


def count_function_operations(
    function: str, args: Sequence[str | os.PathLike[str]], tmp: Path, **kwargs
) -> tuple[int, subprocess.CompletedProcess[str]]:
    """Call the function to the end; the number of operations it made, and its result."""
    count_file = tmp / "operations-count"
    result = run_function(function, args, count_file=count_file, **kwargs)
    return int(count_file.read_text()), result


def killed(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == -9


def crash_each_step(pristine, tmp_path, args, check, *, env, leftovers, rerun=None) -> int:
    """Kill `quietboard ARGS` at each file operation on a copy of PRISTINE, run again,
    then CHECK(copy, result, step); LEFTOVERS(copy) must then be empty.

    RERUN(copy) runs what a moderator would run next (default: ARGS again). Returns
    how many operations the command made."""
    import shutil

    counted = shutil.copytree(pristine, tmp_path / ("counted-" + "-".join(map(str, args[:2]))))
    total, result = count_operations([*args, "--board", counted], tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    check(counted, result, 0)  # run once without a kill, it does the job
    assert total > 0
    for step in range(1, total + 1):
        copy = shutil.copytree(pristine, tmp_path / f"kill-{args[0]}-{step}")
        assert killed(run_command([*args, "--board", copy], kill_at=step, env=env))
        again = rerun(copy) if rerun else run_command([*args, "--board", copy], env=env)
        check(copy, again, step)
        assert leftovers(copy) == [], f"killed at {step}"
        shutil.rmtree(copy)
    return total
