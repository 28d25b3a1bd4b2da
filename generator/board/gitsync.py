"""Sharing a board between moderators through git, with one commit on the remote.

A team board is a git repository; moderators share it through a private remote
named `origin`. Deleted items must not survive in the remote's history, so the
remote's `main` always holds exactly ONE commit, without a parent: the current
state. A sync therefore never merges or rebases commits. It merges *file sets*
itself, with git's plumbing, and force-pushes a new root commit:

1. B, the state last agreed with the remote, is the local ref
   `refs/quietboard/synced`; L is the work tree (every file git does not
   ignore), hashed into a private index under .git/; R is `origin/main`,
   fetched afresh.
2. M is R with the local changes (B -> L) applied. A path added or changed
   here takes L's version, a path deleted here is deleted, every other path
   keeps R's. A path changed on both sides differently is merged line by line
   (`git merge-file`) when it is text; if that clashes, the sync stops and
   changes nothing. A path deleted on one side and changed on the other keeps
   the changed version: nothing anyone wrote is lost by a sync.
3. An optional `resolve` hook sees M's `team/` files and may write or delete
   some (two moderators who decided the same item, for example).
4. M is committed with no parent, a fixed author and the day's date at
   00:00 UTC (a commit does not tell when a moderator works), and pushed with
   `--force-with-lease` expecting R. If someone pushed meanwhile, the lease
   fails and the sync starts again from step 1 (a few times at most).
5. The local repository is brought to M: refs, index and work tree. The old
   objects are dropped, so pruned ciphertext does not linger in the clone.

Kill safety. Step 5 is what a SIGKILL could turn into data loss: a
half-updated work tree compared with a new B would look like local changes
(a file not yet written = "deleted here"; a file not yet removed = "added
here", which would bring a deleted item back). So before touching any ref or
file, the sync writes a journal, `.quietboard/sync-pending`, holding M and the
tree L it starts from (one atomic rename). `finish_pending` replays step 5
from the journal (writing only the paths that differ between L and M,
deleting those L has and M has not), and removes the journal last. Every
sync calls it first, and every command that takes the board's lock must too.
Each step of the replay can run twice.

Killed before the push, the remote is unchanged and the work tree untouched:
the next sync does it all again. Killed after the push but before the
journal, the next sync finds the remote already at M, computes the same tree
again (the commit is a function of the tree and the day) and only finishes the
local update; this is why `resolve` must decide from the file set alone, so
that it decides the same again.

Everything here assumes the caller holds the board's lock
(`generator.board.vault.board_lock`): no other quietboard command, and so no
other sync, runs git in this repository meanwhile, which is also what makes
removing a killed git's stale `index.lock` safe.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.board.files import write_atomically
from generator.errors import SyncConflictError, SyncError

REMOTE = "origin"
BRANCH_REF = "refs/heads/main"
SYNCED_REF = "refs/quietboard/synced"
TRACKING_REF = "refs/remotes/origin/main"
JOURNAL = Path(".quietboard") / "sync-pending"
# What never leaves a moderator's computer: the vault, plaintext posts, the
# built site. Also written to .git/info/exclude, which no one can commit away,
# and kept out of every tree sync makes even where a remote already has them.
PRIVATE = (".quietboard/", "output/", "content/posts/")
# A killed build's work folder (plaintext of every post it staged), and a
# form service's export a moderator saved next to the board (IP addresses):
# never shared, whatever the board's own .gitignore says.
IGNORED = (*PRIVATE, "__pycache__/", ".quietboard-*/", "*.csv")
# What a sync shares: the board's own files. Anything else in the folder (an
# export, a note, a download) stays on this computer unless a moderator adds it
# to git by hand ("git add FILE"); the sync says what it left out.
SHARED = (
    "board.toml",
    "team/",
    "content/pages/",
    "content/images/",
    "theme/",
    "netlify.toml",
    "requirements.txt",
    ".github/",
    ".gitignore",
    "README.md",
)
# A board is plain files. A symbolic link from the remote could make a build
# publish a file from outside the board; a submodule could fetch anything.
REGULAR = ("100644", "100755")
MAX_ROUNDS = 5
AUTHOR = {"NAME": "quietboard", "EMAIL": "quietboard@invalid"}
MESSAGE = "quietboard sync"
# Everything sync leaves under .git/ starts with this, so what a killed
# sync left is found by name.
SCRATCH = "quietboard-"
# Lock files a killed git may leave on the refs and the index sync writes.
_LOCKS = (
    "index.lock",
    "HEAD.lock",
    "packed-refs.lock",
    "refs/heads/main.lock",
    "refs/quietboard/synced.lock",
    "refs/remotes/origin/main.lock",
)
# Settings that would change what sync hashes, sign a commit with the
# moderator's identity, or start background work behind a killed sync.
_SETTINGS = (
    "core.autocrlf=false",
    "core.safecrlf=false",
    "core.fsmonitor=false",
    "gc.auto=0",
    "maintenance.auto=false",
    "commit.gpgSign=false",
    "push.gpgSign=false",
)
# Variables that would point git at another repository, index or object store.
_LOCATING = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)
_SHA = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)

Entry = tuple[str, str]  # (mode, object id), as in a tree


@dataclass(frozen=True)
class Changes:
    """What a `resolve` hook wants done to the merged `team/` files."""

    write: dict[str, bytes] = field(default_factory=dict)
    delete: set[str] = field(default_factory=set)


Resolver = Callable[[Mapping[str, bytes]], Changes]


@dataclass(frozen=True)
class SyncReport:
    """What one sync did, for the command to tell the moderator."""

    commit: str  # what main now holds, on the remote and here
    pushed: bool  # whether this sync replaced the remote's commit
    added: tuple[str, ...]  # paths the remote did not have before
    removed: tuple[str, ...]  # paths the remote no longer has
    modified: tuple[str, ...]  # paths the remote has in a new version
    sent: tuple[str, ...]  # paths changed here since the last sync
    received: tuple[str, ...]  # paths written or deleted here to match the remote
    rounds: int  # fetches it took (more than one: someone pushed meanwhile)
    left_out: tuple[str, ...] = ()  # files here that are not the board's, so not shared

    @property
    def changed(self) -> bool:
        return self.pushed or bool(self.received)


# --- running git ------------------------------------------------------------------


def _git(
    root: Path,
    *args: str,
    input: bytes | None = None,
    index: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run `git -C ROOT ARGS`, the only way this module starts git.

    The environment is git's own minus anything that would point it at
    another repository or index, in the C locale (so its messages can be
    recognised) and without prompts: sync must fail with a message, never
    wait for a password nobody sees.
    """
    environment = {k: v for k, v in os.environ.items() if k not in _LOCATING}
    environment.update(LC_ALL="C", GIT_TERMINAL_PROMPT="0", GCM_INTERACTIVE="never")
    if index is not None:
        environment["GIT_INDEX_FILE"] = str(index)
    environment.update(env or {})
    settings = [arg for setting in _SETTINGS for arg in ("-c", setting)]
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *settings, *args],
            input=input,
            stdin=subprocess.DEVNULL if input is None else None,
            capture_output=True,
            env=environment,
            check=False,
        )
    except FileNotFoundError:
        raise SyncError(
            "git is not installed (or not on PATH); install git, then sync again"
        ) from None
    if check and result.returncode != 0:
        raise SyncError(
            f"git {args[0]} failed in the board's repository: {_first_line(result.stderr)}; "
            "fix what git says, then sync again"
        )
    return result


def _first_line(stderr: bytes) -> str:
    """git's own first error line, without credentials a URL may carry."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    errors = [line for line in lines if line.startswith(("fatal:", "error:"))]
    line = (errors or lines or ["(git said nothing)"])[0]
    return _CREDENTIALS.sub(r"\g<scheme>", line)[:300]


def _text(output: bytes) -> str:
    return output.decode("utf-8", "surrogateescape").strip()


def _path(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _git_dir(root: Path) -> Path | None:
    """ROOT's .git directory, or None when ROOT is not the top of a repository."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if not dot_git.is_file():  # a worktree or a separate git dir: ask git
        return None
    result = _git(root, "rev-parse", "--absolute-git-dir", check=False)
    return Path(_text(result.stdout)) if result.returncode == 0 else None


def _require_repository(root: Path) -> Path:
    git_dir = _git_dir(root)
    if git_dir is None:
        raise SyncError(
            f"{root} is not shared with other moderators (it is not a git repository); "
            "clone the moderators' repository, or set this board up for a team first"
        )
    return git_dir


def _require_origin(root: Path) -> None:
    if _git(root, "remote", "get-url", REMOTE, check=False).returncode != 0:
        raise SyncError(
            "this board has no remote named origin; add the moderators' private repository "
            "with `git remote add origin URL` in the board folder, then sync again"
        )


# --- refs, trees and objects ------------------------------------------------------


@dataclass(frozen=True)
class _Commit:
    sha: str
    tree: str
    parents: tuple[str, ...]


def _refs(root: Path, *names: str) -> dict[str, _Commit]:
    """The commits NAMES point at, with their trees and parents (one git call)."""
    result = _git(
        root, "for-each-ref", "--format=%(refname) %(objectname) %(tree) %(parent)", *names
    )
    commits = {}
    for line in _text(result.stdout).splitlines():
        name, sha, tree, *parents = line.split()
        commits[name] = _Commit(sha, tree, tuple(parents))
    return commits


def _entries(root: Path, tree: str) -> dict[str, Entry]:
    """Every file in TREE: path -> (mode, object id)."""
    output = _git(root, "ls-tree", "-r", "-z", "--full-tree", tree).stdout
    entries = {}
    for record in output.split(b"\0"):
        if record:
            meta, _, name = record.partition(b"\t")
            mode, _kind, sha = meta.decode().split()
            entries[_path(name)] = (mode, sha)
    return entries


def _differences(root: Path, old: str | None, new: str) -> dict[str, tuple[Entry | None, ...]]:
    """Paths that differ from tree OLD (None: empty) to tree NEW: path -> (old, new)."""
    if old is None:
        return {path: (None, entry) for path, entry in _entries(root, new).items()}
    output = _git(root, "diff-tree", "-r", "-z", "--no-renames", old, new).stdout
    fields = output.split(b"\0")
    changes: dict[str, tuple[Entry | None, ...]] = {}
    for meta, name in zip(fields[0:-1:2], fields[1::2], strict=True):
        old_mode, new_mode, old_sha, new_sha, _status = meta.lstrip(b":").decode().split()
        changes[_path(name)] = (
            None if old_mode == "000000" else (old_mode, old_sha),
            None if new_mode == "000000" else (new_mode, new_sha),
        )
    return changes


def _read_blobs(root: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """The contents of SHAS, in one `git cat-file --batch`."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    output = _git(root, "cat-file", "--batch", input="".join(f"{s}\n" for s in wanted).encode())
    data, position, blobs = output.stdout, 0, {}
    for sha in wanted:
        end = data.index(b"\n", position)
        header = data[position:end].split()
        if len(header) != 3:
            raise SyncError(f"git has no object {sha} in the board's repository; sync again")
        start = end + 1
        blobs[sha] = data[start : start + int(header[2])]
        position = start + int(header[2]) + 1
    return blobs


def _store_blob(root: Path, data: bytes) -> str:
    return _text(_git(root, "hash-object", "-w", "--stdin", input=data).stdout)


@contextlib.contextmanager
def _private_index(git_dir: Path) -> Iterator[Path]:
    """A scratch index under .git/, so the real index and work tree stay untouched."""
    index = git_dir / f"{SCRATCH}index"
    try:
        yield index
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(index)


def _snapshot(root: Path, git_dir: Path, base: str | None) -> str:
    """The tree of every file in the work tree that git does not ignore.

    Starting from B keeps the paths B tracks even where an ignore rule now
    matches them, so that only a file really gone from disk counts as deleted;
    the private folders are taken out even if B had them.
    """
    with _private_index(git_dir) as index:
        _git(root, "read-tree", *([base] if base else ["--empty"]), index=index)
        _git(root, "add", "--update", index=index)  # what is shared already: changes, deletions
        present = [p for p in SHARED if (root / p.rstrip("/")).exists()]
        if present:
            _git(root, "add", "--all", "--", *present, index=index)
        private = [folder.rstrip("/") for folder in PRIVATE]
        _git(root, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", *private, index=index)
        return _text(_git(root, "write-tree", index=index).stdout)


def synced_names(root: Path | str, folder: str) -> set[str]:
    """The names of the files in FOLDER ("team/state/") as last agreed with the remote."""
    root = Path(root).absolute()
    if SYNCED_REF not in _refs(root, SYNCED_REF):
        return set()
    listed = _git(root, "ls-tree", "-r", "--name-only", "-z", SYNCED_REF, "--", folder).stdout
    return {_path(raw).removeprefix(folder) for raw in listed.split(b"\0") if raw}


def _left_out(root: Path) -> tuple[str, ...]:
    """Files in the board's folder that a sync does not share (not the board's own)."""
    listed = _git(root, "ls-files", "--others", "--exclude-standard", "-z").stdout
    paths = [_path(raw) for raw in listed.split(b"\0") if raw]
    return tuple(sorted(p for p in paths if not p.startswith(SHARED) and p not in SHARED))


def _private(path: str) -> bool:
    """Whether PATH is, or is inside, a folder that never leaves a moderator's computer.

    Compared without case, and a plain file of that name counts too: checked
    out, a file named `.quietboard` would replace the folder holding the vault.
    """
    folded = path.casefold()
    return any(
        folded == folder.rstrip("/") or folded.startswith(folder) for folder in PRIVATE
    ) or folded.split("/")[0].startswith(".quietboard")


def _build_tree(root: Path, git_dir: Path, start: str, updates: Mapping[str, Entry | None]) -> str:
    """The tree START with UPDATES applied (None deletes a path)."""
    removed = f"0 {'0' * len(start)}"  # what --index-info reads as "remove"
    with _private_index(git_dir) as index:
        _git(root, "read-tree", start, index=index)
        lines = b"".join(
            (f"{entry[0]} {entry[1]}" if entry else removed).encode()
            + b"\t"
            + path.encode("utf-8", "surrogateescape")
            + b"\0"
            for path, entry in sorted(updates.items())
        )
        if lines:
            _git(root, "update-index", "-z", "--index-info", input=lines, index=index)
        return _text(_git(root, "write-tree", index=index).stdout)


def _commit(root: Path, tree: str) -> str:
    """A root commit of TREE that says nothing about who made it or at what hour."""
    day = dt.datetime.now(dt.UTC).date()
    midnight = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    identity = {}
    for role in ("AUTHOR", "COMMITTER"):
        identity |= {f"GIT_{role}_{key}": value for key, value in AUTHOR.items()}
        identity[f"GIT_{role}_DATE"] = f"{midnight} +0000"
    result = _git(root, "commit-tree", "--no-gpg-sign", "-m", MESSAGE, tree, env=identity)
    return _text(result.stdout)


# --- ignoring what must stay on this computer ------------------------------------


def _add_lines(path: Path, lines: Iterable[str]) -> None:
    """Add LINES that PATH lacks at its end, keeping every line it has."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in lines if line not in present]
    if missing:
        if text and not text.endswith("\n"):
            text += "\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, (text + "\n".join(missing) + "\n").encode(), 0o644)


def _exclude_private(git_dir: Path) -> None:
    """Make git ignore the vault, posts and output here, whatever .gitignore says."""
    _add_lines(git_dir / "info" / "exclude", IGNORED)


# --- the merge --------------------------------------------------------------------


def _clash(path: str) -> SyncConflictError:
    return SyncConflictError(
        path,
        f"{path} was changed here and by another moderator in ways that clash; nothing was "
        f"synced. Keep a copy of yours, take theirs (`git show origin/main:{path} > {path}` "
        "in the board folder), sync, then make your change again and sync once more",
    )


def _merge_text(
    root: Path, git_dir: Path, path: str, *, base: Entry | None, ours: Entry, theirs: Entry
) -> Entry:
    """A line-by-line merge of a file changed on both sides, or a clash."""
    if ours[0] != theirs[0] or ours[0] not in REGULAR:
        raise _clash(path)
    blobs = _read_blobs(root, [ours[1], theirs[1], *([base[1]] if base else [])])
    texts = [blobs[ours[1]], blobs[base[1]] if base else b"", blobs[theirs[1]]]
    if any(b"\0" in text for text in texts):
        raise _clash(path)
    with tempfile.TemporaryDirectory(prefix=SCRATCH, dir=git_dir) as folder:
        files = [Path(folder) / name for name in ("ours", "base", "theirs")]
        for file, text in zip(files, texts, strict=True):
            file.write_bytes(text)
        result = _git(root, "merge-file", "-p", *map(str, files), check=False)
    if result.returncode != 0:
        raise _clash(path)
    return (ours[0], _store_blob(root, result.stdout))


def _merge(
    root: Path,
    git_dir: Path,
    local: Mapping[str, tuple[Entry | None, ...]],
    remote: Mapping[str, Entry],
) -> dict[str, Entry | None]:
    """What the local changes (B -> L) do to the remote's files: path -> entry or None."""
    updates: dict[str, Entry | None] = {}
    for path, (base, ours) in sorted(local.items()):
        theirs = remote.get(path)
        if theirs == base:  # changed here only
            updates[path] = ours
        elif theirs == ours or ours is None:  # the same change, or deleted here but changed there
            continue
        elif theirs is None:  # changed here, deleted there: keep the change
            updates[path] = ours
        else:
            updates[path] = _merge_text(root, git_dir, path, base=base, ours=ours, theirs=theirs)
    return updates


class _TeamFiles(Mapping[str, bytes]):
    """M's `team/` files for a resolve hook; contents are read on first use, all at once."""

    def __init__(self, root: Path, entries: Mapping[str, Entry]) -> None:
        self._root = root
        self._shas = {p: sha for p, (_, sha) in entries.items() if p.startswith("team/")}
        self._blobs: dict[str, bytes] | None = None

    def __getitem__(self, path: str) -> bytes:
        sha = self._shas[path]
        if self._blobs is None:
            self._blobs = _read_blobs(self._root, self._shas.values())
        return self._blobs[sha]

    def __iter__(self) -> Iterator[str]:
        return iter(self._shas)

    def __len__(self) -> int:
        return len(self._shas)


def _team_path(path: str) -> str:
    parts = path.split("/")
    if parts[0] != "team" or len(parts) < 2 or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"a resolve hook may only change files under team/, not {path!r}")
    return path


def _resolved(
    root: Path, resolve: Resolver, merged: Mapping[str, Entry]
) -> dict[str, Entry | None]:
    changes = resolve(_TeamFiles(root, merged))
    updates: dict[str, Entry | None] = {
        _team_path(path): ("100644", _store_blob(root, data))
        for path, data in changes.write.items()
    }
    updates |= {_team_path(path): None for path in changes.delete}
    return updates


# --- talking to the remote --------------------------------------------------------


def _fetch(root: Path) -> _Commit | None:
    """origin's main as it is now, or None when the remote has no main yet."""
    result = _git(
        root,
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--no-recurse-submodules",
        REMOTE,
        f"+{BRANCH_REF}:{TRACKING_REF}",
        check=False,
    )
    if result.returncode != 0:
        if b"couldn't find remote ref" not in result.stderr:
            raise SyncError(
                f"could not fetch from origin: {_first_line(result.stderr)}; check the address "
                "(`git remote -v`), your connection and your access, then sync again"
            )
        _git(root, "update-ref", "-d", TRACKING_REF)
    return _refs(root, TRACKING_REF).get(TRACKING_REF)


def _push(root: Path, commit: str, expected: _Commit | None) -> bool:
    """Replace origin's main with COMMIT if it still is EXPECTED; False if it moved."""
    lease = f"--force-with-lease={BRANCH_REF}:{expected.sha if expected else ''}"
    result = _git(root, "push", "--porcelain", lease, REMOTE, f"{commit}:{BRANCH_REF}", check=False)
    if result.returncode == 0:
        _drop_replaced_on_disk(root)
        return True
    status = result.stdout.decode("utf-8", "replace")
    if "(stale info)" in status or "(fetch first)" in status:
        return False
    refused = re.search(r"\[remote rejected\] \((?P<why>[^)\n]*)\)", status)
    if refused:
        raise SyncError(
            f"origin refused the sync ({_CREDENTIALS.sub('', refused['why'])[:200]}); a team "
            "board keeps one commit, so allow force-pushes to main there, then sync again"
        )
    raise SyncError(
        f"could not push to origin: {_first_line(result.stderr)}; check your connection "
        "and your access, then sync again"
    )


def _drop_replaced_on_disk(root: Path) -> None:
    """A remote that is a folder here (a USB stick, a mounted share) keeps what a push
    replaced until git tidies it, someday: it is dropped now. A host over the network
    does its own tidying (docs/sync.md says what that means)."""
    url = _text(_git(root, "remote", "get-url", REMOTE, check=False).stdout)
    if "://" in url or ":" in url.split("/")[0]:
        return  # a network address (https://, ssh://, user@host:path)
    remote = Path(url) if Path(url).is_absolute() else root / url
    if not (remote / "objects").is_dir() or not (remote / "refs").is_dir():
        return  # not a bare repository we can tidy
    _git(remote, "reflog", "expire", "--expire=now", "--all", check=False)
    _git(remote, "gc", "--quiet", "--prune=now", check=False)


# --- bringing this folder to the agreed state ------------------------------------


def _write_journal(root: Path, target: str, source: str) -> None:
    (root / JOURNAL.parent).mkdir(mode=0o700, exist_ok=True)
    write_atomically(root / JOURNAL, f"{target} {source}\n".encode(), 0o600)


def _read_journal(root: Path) -> tuple[str, str] | None:
    try:
        text = (root / JOURNAL).read_bytes()
    except FileNotFoundError:
        return None
    words = text.split()
    if len(words) != 2 or not all(_SHA.fullmatch(word) for word in words):
        raise SyncError(
            f"{JOURNAL} is damaged, so an interrupted sync cannot be finished here; move "
            "this board folder aside and clone the moderators' repository again"
        )
    return words[0].decode(), words[1].decode()


def _remove_leftovers(root: Path, git_dir: Path) -> None:
    """Remove what a killed sync or git left: scratch files, stale locks, temporaries."""
    for name in _LOCKS:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(git_dir / name)
    for leftover in git_dir.glob(f"{SCRATCH}*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
    # write_atomically's temporary files for the journal (.sync-pending-XXXXXXXX)
    for leftover in (root / JOURNAL.parent).glob(f".{JOURNAL.name}-*"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(leftover)


def _remove_file(root: Path, path: str) -> None:
    """Delete PATH and the folders it leaves empty, as many times as asked."""
    target = root / path
    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
        os.unlink(target)
    for folder in target.parents:
        if folder == root:
            break
        try:
            os.rmdir(folder)
        except FileNotFoundError:  # removed by a run that was killed
            continue
        except OSError:  # not empty
            break


def _complete(root: Path, git_dir: Path, target: str, source: str) -> tuple[str, ...]:
    """Bring refs, work tree and index from tree SOURCE to commit TARGET; safe to repeat.

    Only paths that differ between SOURCE and TARGET are written or deleted:
    a file nobody changed is left as it is on disk.
    """
    _git(
        root,
        "update-ref",
        "--stdin",
        input="".join(
            f"update {ref} {target}\n" for ref in (BRANCH_REF, SYNCED_REF, TRACKING_REF)
        ).encode(),
    )
    head = git_dir / "HEAD"
    if head.read_text(encoding="utf-8").strip() != f"ref: {BRANCH_REF}":
        _git(root, "symbolic-ref", "HEAD", BRANCH_REF)
    changes = _differences(root, source, target)
    for path, (_, new) in sorted(changes.items()):
        if new is None:
            _remove_file(root, path)
    written = sorted(path for path, (_, new) in changes.items() if new is not None)
    if written:
        with _private_index(git_dir) as index:
            _git(root, "read-tree", target, index=index)
            paths = b"".join(p.encode("utf-8", "surrogateescape") + b"\0" for p in written)
            _git(root, "checkout-index", "-f", "-z", "--stdin", input=paths, index=index)
    _git(root, "read-tree", "--reset", target)
    _git(root, "update-index", "-q", "--refresh", check=False)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(root / JOURNAL)
    return tuple(sorted(changes))


def _drop_unreachable(root: Path, git_dir: Path) -> None:
    """Delete objects no ref reaches any more, so pruned ciphertext leaves this clone too."""
    _git(root, "reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all")
    if any((git_dir / "objects" / "pack").glob("*.pack")):  # after a clone or a large fetch
        _git(root, "repack", "-a", "-d", "-q")
    _git(root, "prune", "--expire=now")


def finish_pending(root: Path | str) -> bool:
    """Finish the local update of a sync that was killed after agreeing with the remote.

    Call it, holding the board's lock, before reading or changing anything
    in a team board: until it has run, the work tree may be half way between
    two states. It also removes a stale `.git/index.lock` and scratch files
    a killed sync or git left, which is safe only because the lock keeps every
    other quietboard command out. Returns whether there was an update to finish.
    Costs no git call when nothing is pending.
    """
    root = Path(root).absolute()
    git_dir = _git_dir(root)
    if git_dir is None:
        return False
    _remove_leftovers(root, git_dir)
    pending = _read_journal(root)
    if pending is None:
        return False
    target, source = pending
    _complete(root, git_dir, target, source)
    _drop_unreachable(root, git_dir)
    return True


# --- the public actions -----------------------------------------------------------


@dataclass(frozen=True)
class _Agreement:
    """The commit the remote and this folder now share, and how the remote's files moved."""

    commit: str
    tree: str
    pushed: bool
    before: Mapping[str, Entry]
    after: Mapping[str, Entry]


def _agree(
    root: Path,
    git_dir: Path,
    local: Mapping[str, tuple[Entry | None, ...]],
    local_tree: str,
    resolve: Resolver | None,
) -> _Agreement | None:
    """One round: fetch, merge, push. None when someone else pushed meanwhile."""
    remote = _fetch(root)
    # A remote without main (new, or emptied) gets this folder as it is.
    start = remote.tree if remote else local_tree
    start_entries = _entries(root, start)
    updates = _merge(root, git_dir, local, start_entries) if remote else {}
    if resolve is not None:
        merged = {p: e for p, e in (start_entries | updates).items() if e is not None}
        updates |= _resolved(root, resolve, merged)
    # What a careless push (or a hostile host) once gave the remote, it loses now.
    updates |= {
        path: None
        for path, (mode, _) in start_entries.items()
        if _private(path) or mode not in REGULAR
    }
    tree = _build_tree(root, git_dir, start, updates) if updates else start
    before = start_entries if remote else {}
    after = _entries(root, tree) if tree != start else start_entries
    if remote and tree == remote.tree and not remote.parents:
        return _Agreement(remote.sha, tree, False, before, after)
    commit = _commit(root, tree)
    if not _push(root, commit, remote):
        return None
    return _Agreement(commit, tree, True, before, after)


def sync(
    root: Path | str, *, resolve: Resolver | None = None, max_rounds: int = MAX_ROUNDS
) -> SyncReport:
    """Exchange changes with origin and leave both holding the same single commit.

    The caller holds the board's lock. RESOLVE, if given, sees the merged
    `team/` files (path -> content) and returns what to write or delete; it
    must decide from the files alone, as the same merge may be resolved again
    after a crash. Raises SyncConflictError, changing nothing, when a plain
    file was changed here and there in ways that clash.
    """
    root = Path(root).absolute()
    git_dir = _require_repository(root)
    finish_pending(root)
    _require_origin(root)
    _exclude_private(git_dir)
    base = _refs(root, SYNCED_REF).get(SYNCED_REF)
    local_tree = _snapshot(root, git_dir, base.sha if base else None)
    local = _differences(root, base.tree if base else None, local_tree)
    for path, (_, new) in local.items():
        if new is not None and new[0] not in REGULAR:
            raise SyncError(
                f"{path} is a symbolic link or a repository; a shared board holds only plain "
                "files, so replace it with a copy of the file (or delete it), then sync again"
            )
    rounds = 1
    while (agreed := _agree(root, git_dir, local, local_tree, resolve)) is None:
        if rounds == max_rounds:
            raise SyncError(
                f"other moderators kept syncing at the same time ({max_rounds} tries); "
                "nothing was lost, sync again in a minute"
            )
        rounds += 1
    received: tuple[str, ...] = ()
    if not (base and base.sha == agreed.commit and local_tree == agreed.tree):
        _write_journal(root, agreed.commit, local_tree)
        received = _complete(root, git_dir, agreed.commit, local_tree)
    _drop_unreachable(root, git_dir)
    before, after = agreed.before, agreed.after
    return SyncReport(
        left_out=_left_out(root),
        commit=agreed.commit,
        pushed=agreed.pushed,
        added=tuple(sorted(after.keys() - before.keys())),
        removed=tuple(sorted(before.keys() - after.keys())),
        modified=tuple(sorted(p for p in after.keys() & before.keys() if after[p] != before[p])),
        sent=tuple(sorted(local)),
        received=received,
        rounds=rounds,
    )


def ensure_repository(root: Path | str) -> bool:
    """Make ROOT a git repository a team can share; returns whether one was created.

    Keeps every line of an existing .gitignore and adds the folders that must
    never be shared. A repository without commits gets a first root commit of
    what is there. refs/quietboard/synced is set only when a remote main is
    known (origin/main), as it means "what the remote and this folder agreed".
    """
    root = Path(root).absolute()
    created = _git_dir(root) is None
    if created:
        _git(root, "init", "--quiet", "-b", "main")
    git_dir = _require_repository(root)
    _add_lines(root / ".gitignore", IGNORED)
    _exclude_private(git_dir)
    refs = _refs(root, BRANCH_REF, SYNCED_REF, TRACKING_REF)
    if _git(root, "rev-parse", "--quiet", "--verify", "HEAD", check=False).returncode != 0:
        if BRANCH_REF not in refs:
            commit = _commit(root, _snapshot(root, git_dir, None))
            _git(root, "update-ref", BRANCH_REF, commit)
        _git(root, "symbolic-ref", "HEAD", BRANCH_REF)
        _git(root, "read-tree", "--reset", BRANCH_REF)
        _git(root, "update-index", "-q", "--refresh", check=False)
    if SYNCED_REF not in refs and TRACKING_REF in refs:
        _git(root, "update-ref", SYNCED_REF, refs[TRACKING_REF].sha)
    return created


def clone(url: str, dest: Path | str) -> Path:
    """Copy the moderators' repository at URL into DEST (for joining or recovering).

    The copy is checked out at origin's main, which is also recorded as the
    state agreed with the remote, so that the first sync sends nothing back.
    """
    dest = Path(dest).absolute()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise SyncError(f"{dest} already exists and is not empty; choose a new folder")
    dest.parent.mkdir(parents=True, exist_ok=True)
    source = url
    if "://" not in url and Path(url).exists():  # a local path, relative to here
        source = str(Path(url).resolve())
    result = _git(
        dest.parent, "clone", "--quiet", "--no-checkout", "--no-tags", "--origin", REMOTE,
        "--", source, str(dest), check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise SyncError(
            f"could not copy the moderators' repository: {_first_line(result.stderr)}; "
            "check the address and your access, then try again"
        )
    git_dir = _require_repository(dest)
    _exclude_private(git_dir)
    _git(dest, "symbolic-ref", "HEAD", BRANCH_REF)
    remote = _refs(dest, TRACKING_REF).get(TRACKING_REF)
    if remote is not None:
        _git(
            dest,
            "update-ref",
            "--stdin",
            input=f"update {BRANCH_REF} {remote.sha}\nupdate {SYNCED_REF} {remote.sha}\n".encode(),
        )
        _git(dest, "read-tree", "--reset", "-u", remote.sha)
    return dest
