"""Private folders for text a moderator edits, and what a killed command left of them.

A submission opened in $EDITOR is plaintext, so it goes in a new folder only
this user can read, in memory (/dev/shm) where the system offers it, and is
deleted when the editor returns, when the terminal is closed (SIGHUP) or when
the command is stopped (SIGTERM). Only SIGKILL or a power cut can skip that:
the folder's name carries the process id, and the next quietboard command
that takes a board's lock deletes folders whose process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

# Memory, not disk, where the system offers it.
MEMORY_DIRS = ("/dev/shm",)  # noqa: S108 - a private directory is made inside it
PREFIX = "quietboard-"
# quietboard-<pid>-<random>; a folder of an older quietboard has no pid.
NAME = re.compile(rf"{PREFIX}(?:(?P<pid>\d+)-)?[a-z0-9_]+")
STOPPING = (signal.SIGHUP, signal.SIGTERM)
# A folder an older quietboard made has no process id in its name: it is
# taken for stale when it is this much older than the command that finds it
# (an editor left open that long has been forgotten).
LEGACY_STALE_SECONDS = 3600


def base_dir() -> str | None:
    """Where private folders are made: memory if writable, else the system's temp folder."""
    return next((d for d in MEMORY_DIRS if os.access(d, os.W_OK)), None)


class Stopped(SystemExit):
    """The terminal closed or the command was asked to stop: clean up, then exit."""


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(128 + signum)


@contextlib.contextmanager
def removed_on_hangup() -> Iterator[None]:
    """Turn SIGHUP and SIGTERM into an exit that runs `finally` blocks, for the block."""
    try:
        previous = {sig: signal.signal(sig, _stop) for sig in STOPPING}
    except ValueError:  # not the main thread: the signals cannot be caught here
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def private_folder() -> Iterator[Path]:
    """A new folder only this user can read, deleted afterwards (also on hangup)."""
    with removed_on_hangup():
        folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base_dir())
        try:
            yield Path(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def new_private_folder() -> Path:
    """A new folder only this user can read, in memory where offered, that the caller
    removes (and the next command removes if this process is killed first)."""
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base_dir()))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_folders() -> list[Path]:
    """Delete this user's private folders whose command is gone; returns them.

    A folder without a process id (written by an older quietboard) is stale
    when it is LEGACY_STALE_SECONDS older than now.
    """
    removed = []
    horizon = time.time() - LEGACY_STALE_SECONDS
    for base in {base_dir() or tempfile.gettempdir(), tempfile.gettempdir()}:
        for folder in Path(base).glob(f"{PREFIX}*"):
            match = NAME.fullmatch(folder.name)
            try:
                info = folder.lstat()
            except OSError:
                continue
            if not match or not folder.is_dir() or folder.is_symlink():
                continue
            if info.st_uid != os.getuid():
                continue
            pid = match["pid"]
            if pid is not None:
                stale = int(pid) != os.getpid() and not _alive(int(pid))
            else:
                stale = info.st_mtime < horizon
            if stale:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed
