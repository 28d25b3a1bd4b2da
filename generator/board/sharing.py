"""`quietboard sync` for a team board: settle, share through git, settle what arrived.

gitsync.py moves files; this module decides what they mean. Holding the
board's lock throughout, a sync

1. settles the board as it is here (sections gone from board.toml retired,
   expired access codes dropped with a new section key, withdrawals carried
   out, files sealed again to the current team), so the host never builds
   what a moderator's command would have removed;
2. shares the team files through the remote, and before pushing drops what
   the merge left stale: two imports of one submission, a decision on an item
   another moderator decided earlier (and the post it published), so a host
   build never sees a post twice or one an earlier decision overruled;
3. settles again what the others' work brought (a withdrawal imported
   elsewhere, say) and, if that changed anything, shares once more.

A moderator whose request to join is still waiting shares only the request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.board import clock, gitsync, team
from generator.board.config import is_team_board, read_board
from generator.board.vault import Passphrase, board_lock, open_vault, read_vault, vault_path
from generator.errors import VaultError
from generator.formats.primitives import Unopenable

STATE_PREFIX = f"{team.STATE_DIR.as_posix()}/"


@dataclass
class Shared:
    rounds: list[gitsync.SyncReport] = field(default_factory=list)
    overruled: list[team.Overruled] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    waiting: bool = False  # this moderator's request to join is not accepted yet
    joined: bool = False  # it was accepted, and this sync took the team's files
    added: list[str] = field(default_factory=list)  # moderators who joined meanwhile
    removed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # names asking to join
    untrusted: list[str] = field(default_factory=list)  # roster entries no moderator made

    @property
    def left_out(self) -> tuple[str, ...]:
        return self.rounds[-1].left_out if self.rounds else ()

    @property
    def received(self) -> int:
        return sum(len(r.received) for r in self.rounds)

    @property
    def sent(self) -> int:
        return sum(len(r.sent) for r in self.rounds)


def share(
    root: Path,
    passphrase: Passphrase,
    today: dt.date,
    *,
    accept_deletions: bool = False,
    future_day: bool = False,
) -> Shared:
    """Sync ROOT with its remote `origin`, as one moderator.

    ACCEPT_DELETIONS: go on when the merge would leave under a quarter of the team
    files this copy holds (refused otherwise: an emptied remote, or another board).
    """
    from generator.board.crew import join_requests  # noqa: PLC0415

    root = Path(root)
    if clock.today() > dt.date.today() and not future_day:
        raise VaultError(
            f"QUIETBOARD_TODAY ({clock.today().isoformat()}) is after this computer's date, "
            "and a sync settles the board for the whole team (expired codes, old records); "
            "unset QUIETBOARD_TODAY, or add --yes if you mean to sync as of that day"
        )
    if not is_team_board(root):
        raise VaultError(
            'this board is not a team board; "quietboard team init --name NAME" makes it one, '
            "and a board you share must be one"
        )
    if not vault_path(root).is_file():
        raise VaultError(
            "this copy holds no moderator identity (.quietboard/vault.json); sync is for "
            'moderators: "quietboard team join NAME" to ask to join, or "quietboard team recover"'
        )
    secret = passphrase()
    shared = Shared()
    with board_lock(root):
        gitsync.finish_pending(root)
        local = read_vault(vault_path(root), secret)
        before = team.read_roster(root)
        team.adopt_identity(local, before)
        me = team.local_id(local.data)
        if me is None or me not in before.moderators:
            shared.rounds.append(gitsync.sync(root))
            shared.joined = team.adopt_identity(local, team.read_roster(root))
            shared.waiting = not shared.joined
            if shared.joined:  # opened once: the members-only sections' copy is written
                shared.warnings += _settle(root, secret, today)
            return shared
        identities = team.local_identities(local.data)
        known = local.data["team"].get("keys", [])
        shared.warnings += _settle(root, secret, today)
        # The files made here since the last sync: a decision the others had first stands.
        held_here = frozenset(team.state_files(root))
        made_here = frozenset(
            set(team.state_files(root)) - gitsync.synced_names(root, STATE_PREFIX)
        )

        def resolve(files: Mapping[str, bytes]) -> gitsync.Changes:
            roster = _roster_in(files) or before
            state = {
                path.removeprefix(STATE_PREFIX): files[path]
                for path in files
                if path.startswith(STATE_PREFIX)
            }
            resolved = team.resolve_merged(
                root,
                identities,
                roster,
                me,
                state,
                local=made_here,
                known=list(known),
                mine=held_here,
                accept_deletions=accept_deletions,
            )
            # Kept across rounds and retries: the records told of are gone after the first.
            told = {what.item for what in shared.overruled}
            shared.overruled += [what for what in resolved.overruled if what.item not in told]
            shared.untrusted = resolved.untrusted
            return gitsync.Changes(
                write={STATE_PREFIX + name: data for name, data in resolved.write.items()},
                delete={STATE_PREFIX + name for name in resolved.delete},
            )

        shared.rounds.append(gitsync.sync(root, resolve=resolve))
        names = set(team.state_files(root))
        shared.warnings += _settle(root, secret, today)
        if set(team.state_files(root)) != names:
            shared.rounds.append(gitsync.sync(root, resolve=resolve))
        after = team.read_roster(root)
    shared.added = sorted(m.name for i, m in after.moderators.items() if i not in before.moderators)
    shared.removed = sorted(
        m.name for i, m in before.moderators.items() if i not in after.moderators
    )
    shared.requests = [r.name for r in join_requests(root)]
    return shared


def _roster_in(files: Mapping[str, bytes]) -> team.Roster | None:
    """The roster the merge holds (another moderator may have added someone)."""
    path = team.RECIPIENTS_FILE.as_posix()
    if path not in files:
        return None
    try:
        roster = team.parse_roster(files[path].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, Unopenable):
        return None
    return roster if roster.moderators else None


def _settle(root: Path, secret: str, today: dt.date) -> list[str]:
    """What every moderator command would settle, done now and saved: see the module doc."""
    from generator.board import actions  # noqa: PLC0415 - actions imports this layer
    from generator.board.state import State  # noqa: PLC0415

    with open_vault(root, lambda: secret) as opened:
        # Read once the vault is open: its members-only sections are written out then.
        board = read_board(root)
        state = State(opened)
        settlement = actions.settle(board, state, today)
        warnings = settlement.retired + settlement.expired
        withdrawals = settlement.withdrawals
        if withdrawals.removed_posts:
            warnings.append(
                f"{len(withdrawals.removed_posts)} post(s) were withdrawn at their writers' "
                "request (with the replies below them)"
            )
        state.commit()
        if opened.pending():
            opened.save()
    return warnings
