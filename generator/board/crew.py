"""Who runs a team board: making one, joining, adding, removing, the build key.

Each change here is one action that a rerun after a kill finishes once:
team/recipients.toml (the roster) is the switch, written at the point after
which the change counts, and the team files are sealed again to match it by
the same action (or, if it was killed, by the next one: a file sealed to
another set of identities than the roster names is sealed again whenever a
moderator saves).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from generator.board import access, team
from generator.board.config import is_team_board, read_board
from generator.board.files import write_atomically
from generator.board.vault import (
    Passphrase,
    board_lock,
    check_new_passphrase,
    create_vault,
    open_vault,
    read_vault,
    vault_exists,
    vault_path,
)
from generator.errors import VaultError
from generator.formats import team as fmt
from generator.formats.primitives import b64, unb64

REQUEST_SUFFIX = ".toml"
MAX_NAME = 40


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise VaultError(
            f"a moderator's name is 1 to {MAX_NAME} printable characters (a first name or a "
            "nickname the team knows)"
        )
    return name


# --- making a team board (also from a one-moderator board) -----------------------------------


@dataclass
class TeamMade:
    name: str
    recipient: str
    records: int
    posts: int
    finished: bool  # a killed earlier run was finished


def make_team(
    root: Path, passphrase: Passphrase, name: str, today: dt.date, create_passphrase: Passphrase
) -> TeamMade:
    """Turn ROOT into a team board with this moderator as its first member.

    Everything the vault holds (but the moderator's keys) and every post in
    content/posts moves into sealed team files. The order makes a rerun
    after a kill finish the job: the team files are written, then the roster
    (from then on it is a team board), then the vault keeps only the
    identity, then content/posts is deleted.
    """
    name = check_name(name)
    root = Path(root)
    if is_team_board(root):
        if not vault_exists(root):
            raise VaultError(
                "this board is a team board already (it came from the team's remote); to join "
                'its team run "quietboard team join NAME"'
            )
        return _finish_team(root, passphrase, name)
    if not vault_exists(root):
        chosen = create_passphrase()
        check_new_passphrase(chosen)
        create_vault(root, chosen)
        passphrase = lambda: chosen  # noqa: E731 - asked once, used once more below
    secret = passphrase()
    with board_lock(root):
        local = read_vault(vault_path(root), secret)
        if not local.data.get("moderator_keys"):
            from generator.board.moderators import create_key  # noqa: PLC0415

            create_key(local.data, today)
            local.save()
        me = team.new_moderator_id()
        recipient = team.own_recipient(local.data)
        roster = team.Roster({me: team.Moderator(me, name, recipient, today.isoformat())})
        team_key = os.urandom(32)
        roster.sign(team_key)
        shared = {k: v for k, v in local.data.items() if k not in ("moderator_keys", "team")}
        shared["team_key"] = {"key": b64(team_key)}
        private = _members_only_tables(root)
        if private:
            shared["private_sections"] = private
        posts = team.read_post_files(root)
        entries = team.flatten(shared, posts)
        changes, _ = team.changes_for(team.Loaded(), entries, roster, me)
        shutil.rmtree(root / team.STATE_DIR, ignore_errors=True)  # a killed run's files
        team.apply_changes(root, changes)
        team.write_roster(root, roster)
        _keep_identity_only(local, me, name, team_key)
        _move_sections_out(root)
        team.clear_post_files(root)
        _ignore_plain_files(root)
        from generator.board.edit import add_moderator_key  # noqa: PLC0415

        # Submissions must be sealed to this moderator's key: board.toml lists it.
        add_moderator_key(root, local.data["moderator_keys"][-1]["public"])
    return TeamMade(name, recipient, len(changes.write), len(posts), finished=False)


def _members_only_tables(root: Path) -> dict[str, Any]:
    """board.toml's members-only sections, as their tables."""
    document = tomllib.loads(
        (root / "board.toml").read_text(encoding="utf-8").removeprefix("\ufeff")
    )
    return {
        name: table
        for name, table in document.get("sections", {}).items()
        if isinstance(table, dict) and table.get("members_only") is True
    }


def _move_sections_out(root: Path) -> None:
    """The members-only sections leave the shared board.toml (the team files hold them):
    the moderator's plain copy is written first, so no command ever misses them."""
    from generator.board.edit import remove_sections  # noqa: PLC0415

    private = _members_only_tables(root)
    if not private:
        return
    if not (root / team.PRIVATE_SECTIONS).is_file():
        team.write_private_sections(root, private)
    remove_sections(root, list(private))


def _finish_team(root: Path, passphrase: Passphrase, name: str) -> TeamMade:
    """The rest of a make_team that was killed after the roster was written."""
    secret = passphrase()
    with board_lock(root):
        local = read_vault(vault_path(root), secret)
        roster = team.read_roster(root)
        recipient = team.own_recipient(local.data)
        mod = roster.by_recipient(recipient)
        if mod is None:
            raise VaultError(
                'this board is a team board already, and you are not on its team; run "quietboard '
                'team join NAME" to ask to join'
            )
        finished = team.local_id(local.data) != mod.id or bool(_members_only_tables(root))
        if team.local_id(local.data) != mod.id:
            _keep_identity_only(local, mod.id, mod.name)
        _move_sections_out(root)
        team.clear_post_files(root)
        _ignore_plain_files(root)
    if not finished:
        raise VaultError(
            f'this board is a team board already (you are "{mod.name}" on it); '
            '"quietboard team list" shows the team'
        )
    return TeamMade(mod.name, recipient, 0, 0, finished=True)


def _keep_identity_only(local: Any, me: str, name: str, team_key: bytes | None = None) -> None:
    keys = [fmt.b64_key(team_key)] if team_key else []
    local.data = {
        "moderator_keys": local.data["moderator_keys"],
        "team": {"id": me, "name": name, "keys": keys},
    }
    local.save()


GITIGNORE_LINES = (
    ".quietboard/",
    "output/",
    "content/posts/",
    "__pycache__/",
    # a team file being written (a killed command's is removed by the next one)
    "team/state/.*",
)


def _ignore_plain_files(root: Path) -> None:
    """A team board's git repository must never pick up plaintext: the posts a command
    writes out while it runs, the built site, the moderator's own vault."""
    path = root / ".gitignore"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    missing = [line for line in GITIGNORE_LINES if line not in lines]
    if missing:
        write_atomically(path, ("\n".join([*lines, *missing]) + "\n").encode("utf-8"), 0o644)


# --- joining -----------------------------------------------------------------------------------


@dataclass
class JoinRequest:
    name: str
    recipient: str
    fingerprint: str
    path: Path | None = None


def request_to_join(
    root: Path,
    create_passphrase: Passphrase,
    name: str,
    today: dt.date,
    passphrase: Passphrase | None = None,
) -> JoinRequest:
    """Make this moderator's identity (in a new vault) and a request to join the team.

    The request (team/requests/<id>.toml: the name and the public key) goes to
    the others with the next sync; a moderator accepts it with `team add`.
    """
    name = check_name(name)
    root = Path(root)
    if not is_team_board(root):
        raise VaultError(
            f"{root} is not a team board (it has no {team.RECIPIENTS_FILE}); clone the "
            'board\'s remote first ("git clone URL"), then run this inside it'
        )
    from generator.board.moderators import create_key  # noqa: PLC0415

    if vault_exists(root):
        # A vault made beforehand and still empty is used; one with an identity is kept.
        with board_lock(root):
            local = read_vault(vault_path(root), (passphrase or create_passphrase)())
        if local.data:
            raise VaultError(
                "this folder already holds a moderator's identity (.quietboard/vault.json): "
                "to join, run this in a new clone of the team's remote (git clone URL DIR)"
            )
    else:
        chosen = create_passphrase()
        check_new_passphrase(chosen)
        local = create_vault(root, chosen)
    with board_lock(root):
        create_key(local.data, today)
        local.data["team"] = {"id": None, "name": name}
        local.save()
        recipient = team.own_recipient(local.data)
        request = _write_request(root, name, recipient, today)
    return request


def _write_request(root: Path, name: str, recipient: str, today: dt.date) -> JoinRequest:
    folder = root / team.REQUESTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    document = tomlkit.document()
    document["name"] = name
    document["recipient"] = recipient
    document["asked"] = today.isoformat()
    path = folder / (fmt.new_name().removesuffix(fmt.SUFFIX)[:12] + REQUEST_SUFFIX)
    write_atomically(path, tomlkit.dumps(document).encode("utf-8"), 0o644)
    return JoinRequest(name, recipient, fmt.fingerprint(recipient), path)


def join_requests(root: Path) -> list[JoinRequest]:
    found = []
    for path in sorted((Path(root) / team.REQUESTS_DIR).glob(f"*{REQUEST_SUFFIX}")):
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
            recipient = str(document["recipient"])
            fmt.recipient_public(recipient)
            found.append(
                JoinRequest(
                    check_name(str(document["name"])), recipient, fmt.fingerprint(recipient), path
                )
            )
        except (OSError, ValueError, KeyError, VaultError, fmt.Unopenable):
            continue  # a damaged request is not shown; its sender asks again
    return found


# --- adding and removing ---------------------------------------------------------------------


def _plain(fingerprint: str) -> str:
    return "".join(c for c in fingerprint.casefold() if c.isalnum())


@dataclass
class Added:
    name: str
    fingerprint: str
    resealed: int


def add_moderator(
    root: Path, passphrase: Passphrase, name: str, fingerprint: str, today: dt.date
) -> Added:
    """Accept NAME's request to join (checked against the FINGERPRINT they told you).

    The roster comes first, then every team file is sealed again to the new
    team, and NAME's key is listed in board.toml so new submissions reach them.
    """
    from generator.board.edit import add_moderator_key  # noqa: PLC0415

    root = Path(root)
    wanted = check_name(name)
    requests = [r for r in join_requests(root) if r.name.casefold() == wanted.casefold()]
    roster = team.read_roster(root)
    if not requests:
        raise VaultError(
            f'there is no request from "{wanted}" to join; they run "quietboard team join '
            f'{wanted}" in their clone and then "quietboard sync"; you sync, then run this again'
        )
    # Someone who asked twice has two requests: the one they read out is the one added.
    matching = [r for r in requests if _plain(r.fingerprint) == _plain(fingerprint)]
    request = matching[0] if matching else requests[0]
    if not matching:
        raise VaultError(
            f'the fingerprint you gave is not the one of "{wanted}"\'s request; do not add them: '
            'ask them again, on another channel, what "quietboard team join" showed'
        )
    if roster.by_name(wanted) is not None:
        raise VaultError(
            f'"{wanted}" is on the team already; choose another name for the new moderator'
        )
    with open_vault(root, passphrase) as opened:
        # From the roster as the team key vouches for it: an entry pushed by hand is
        # never signed along with the new one.
        roster = copy.deepcopy(opened.roster)
        mod_id = team.new_moderator_id()
        roster.moderators[mod_id] = team.Moderator(
            mod_id, wanted, request.recipient, today.isoformat()
        )
        roster.sign(_team_key(opened))
        team.write_roster(root, roster)
        opened.set_roster(roster)
        opened.save()
        resealed = opened.saved_files
        public = b64(fmt.recipient_public(request.recipient))
        add_moderator_key(root, public)
        for r in requests:
            r.path.unlink(missing_ok=True)
    return Added(wanted, request.fingerprint, resealed)


@dataclass
class Removed:
    name: str
    rotated: list[str] = field(default_factory=list)
    resealed: int = 0


def remove_moderator(root: Path, passphrase: Passphrase, name: str) -> Removed:
    """Take NAME off the team: nothing written afterwards is sealed to them.

    1. The roster without them, with a note that keys are to be rotated (the
       current team key still vouches for it). 2. New section keys and a new
       team key (the old one still vouches meanwhile, so a kill locks nobody
       out), every file sealed again without them. 3. The roster vouched for
       by the new key. 4. The old key forgotten, the note cleared. A rerun
       finishes a killed run.
    """
    from generator.board.edit import remove_moderator_key  # noqa: PLC0415

    root = Path(root)
    with open_vault(root, passphrase) as opened:
        roster = copy.deepcopy(opened.roster)
        mod = roster.by_name(name)
        if mod is not None:
            if mod.id == opened.me:
                raise VaultError(
                    "you cannot remove yourself; ask another moderator to remove you (and hand "
                    "over anything you were doing)"
                )
            del roster.moderators[mod.id]
            roster.rotate = True
            team.write_roster(root, roster)
            opened.set_roster(roster)
            remove_moderator_key(root, b64(fmt.recipient_public(mod.recipient)))
        elif not roster.rotate:
            names = ", ".join(sorted(f'"{m.name}"' for m in roster.moderators.values()))
            raise VaultError(f'"{name}" is not on the team; the team is {names}')
        removed = Removed(mod.name if mod else name)
        removed.rotated = rotate_sections(opened, root)
        new_key = os.urandom(32)
        opened.learn_key(new_key)
        old_key = _team_key(opened)
        before = [*opened.data["team_key"].get("before", []), team.key_hash(old_key)]
        opened.data["team_key"] = {"key": b64(new_key), "previous": b64(old_key), "before": before}
        opened.save()
        removed.resealed = opened.saved_files
        roster.sign(new_key)
        team.write_roster(root, roster)
        opened.data["team_key"] = {"key": b64(new_key), "before": before}
        opened.save()
        roster.rotate = False
        team.write_roster(root, roster)
    return removed


def _team_key(opened: Any) -> bytes:
    """The team key that vouches for the roster's entries (made now if the board has none)."""
    held = opened.data.get("team_key", {}).get("key")
    if isinstance(held, str):
        return unb64(held, 32)
    key = os.urandom(32)
    opened.learn_key(key)
    opened.data["team_key"] = {"key": b64(key)}
    return key


def rotate_sections(opened: Any, root: Path) -> list[str]:
    board = read_board(root)
    rotated = []
    for name, state in sorted(access.held_sections(opened.data).items()):
        if not state.get("retired") and name in board.sections:
            access.rotate_key(opened.data, board, name)
            rotated.append(name)
    return rotated


# --- the build key -----------------------------------------------------------------------------


def make_build_key(root: Path, passphrase: Passphrase, today: dt.date) -> tuple[str, int]:
    """A new build key: its recipient goes in the roster, the build's files are sealed to it.

    Returns the identity (printed once, for the host's secret settings) and
    how many files were sealed again. The previous build key opens nothing
    written afterwards.
    """
    secret = fmt.new_identity()
    identity = fmt.identity_string(secret)
    with open_vault(Path(root), passphrase) as opened:
        roster = copy.deepcopy(opened.roster)
        roster.build = fmt.recipient_of_secret(secret)
        roster.build_since = today.isoformat()
        roster.sign(_team_key(opened))
        team.write_roster(root, roster)
        opened.set_roster(roster)
        opened.save()
        resealed = opened.saved_files
    return identity, resealed


def remove_build_key(root: Path, passphrase: Passphrase) -> int:
    with open_vault(Path(root), passphrase) as opened:
        roster = copy.deepcopy(opened.roster)
        roster.build = None
        roster.build_since = None
        roster.sign(_team_key(opened))
        team.write_roster(root, roster)
        opened.set_roster(roster)
        opened.save()
        return opened.saved_files


# --- recovering ----------------------------------------------------------------------------------


def install_identity(root: Path, identity_file: Path, passphrase: Passphrase) -> team.Moderator:
    """Put a saved identity (a copy of .quietboard/vault.json) into the clone ROOT."""
    root = Path(root)
    if not is_team_board(root):
        raise VaultError(f"{root} is not a team board (it has no {team.RECIPIENTS_FILE})")
    if vault_exists(root):
        raise VaultError(f"{vault_path(root)} exists already; it was not changed")
    try:
        data = Path(identity_file).read_bytes()
    except OSError:
        raise VaultError(
            f"{identity_file} cannot be read; give the path of your saved identity file"
        ) from None
    if not _looks_like_identity(data):
        raise VaultError(
            f"{identity_file} is not a quietboard identity file (a copy of "
            ".quietboard/vault.json); give the path of the copy you saved"
        )
    secret = passphrase()
    with board_lock(root):
        target = vault_path(root)
        write_atomically(target, data, 0o600)
        try:
            local = read_vault(target, secret)
            roster = team.read_roster(root)
            mod = roster.by_recipient(team.own_recipient(local.data))
        except (VaultError, KeyError, IndexError, TypeError, ValueError) as exc:
            target.unlink(missing_ok=True)
            if isinstance(exc, VaultError):
                raise
            raise VaultError(f"{identity_file} is not a quietboard identity file") from None
        if mod is None:
            target.unlink(missing_ok=True)
            raise VaultError(
                "this identity is not on the board's team (team/recipients.toml); another "
                "moderator "
                'can add you again with "quietboard team add" after you run "quietboard team join"'
            )
        local.data["team"] = {"id": mod.id, "name": mod.name}
        local.save()
        with open_vault(root, lambda: secret):
            pass  # opened once, so the members-only sections' plain copy is written
    return mod


def _looks_like_identity(data: bytes) -> bool:
    """Whether DATA has the header of a vault file (checked before any passphrase is asked)."""
    import json  # noqa: PLC0415

    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return isinstance(document, dict) and document.get("kind") == "quietboard-vault"


def identity_of(root: Path, passphrase: Passphrase) -> dict[str, Any]:
    """The moderator's own identity: id, name, recipient, fingerprint (never the secret)."""
    secret = passphrase()
    with board_lock(root):
        local = read_vault(vault_path(root), secret)
    recipient = team.own_recipient(local.data)
    return {
        "id": team.local_id(local.data),
        "name": local.data.get("team", {}).get("name"),
        "recipient": recipient,
        "fingerprint": fmt.fingerprint(recipient),
        "public": unb64(local.data["moderator_keys"][-1]["public"], 32),
    }
