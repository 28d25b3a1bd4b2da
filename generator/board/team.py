"""A team board's shared state: one small sealed file per part, in team/state/.

A team board keeps what a one-moderator board keeps in its vault (the queue,
section keys and access-code records, the decision log, the watch list,
withdrawals, take-downs) and its approved posts as many small team files
(formats/team.py: age files, one per record, random names), sealed to every
moderator listed in team/recipients.toml, and, for the parts a build needs,
to the host's build key too. Each moderator's own vault (.quietboard/vault.json,
Argon2id as before) holds only their identity.

This module turns those files into the same vault contents every action
already works on (a `TeamVault` quacks like vault.Vault), and turns a changed
copy back into files. Files are never changed in place: a new version is a
new file that names the files it replaces, and a decided queue item leaves a
small decision record behind. So two moderators' offline work merges as plain
file additions and deletions, and what is left to settle after a merge (two
decisions on one item, two versions of one record) is settled here, the same
way on every computer:

- a file another file replaces is stale;
- an item with a decision is gone; of two decisions on one item the earlier
  stands, and a post published by the later one is dropped (its moderator is
  told at their next sync);
- of two versions of anything else the later stands; lists of names (the
  watch list, the imported envelope ids) are merged;
- the decision log is one file per moderator and day, added up.

Approved posts live in the store too (sealed, public ones included: they
leave the board on their day, and the shared history must not keep them).
While a command has the board open they are written out to content/posts/
(gitignored), where every action finds them, and they are deleted again when
it ends; a killed command's copy is replaced from the store by the next one.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import time
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from generator.board import scratch
from generator.board.config import PRIVATE_SECTIONS, SECTION_NAME, TEAM_ROSTER
from generator.board.files import write_atomically
from generator.errors import VaultError
from generator.formats import team as fmt
from generator.formats.primitives import Unopenable, unb64

TEAM_DIR = Path("team")
STATE_DIR = TEAM_DIR / "state"
RECIPIENTS_FILE = TEAM_ROSTER
REQUESTS_DIR = TEAM_DIR / "requests"
POSTS_DIR = Path("content") / "posts"
BUILD_KEY_VARIABLE = "QUIETBOARD_BUILD_KEY"
BUILD_ID = "build"
# How long a decision record is kept: a moderator offline longer than this
# with an old copy of a decided item could bring it back to the queue.
DECISION_DAYS = 400
DAY_NS = 86_400 * 10**9

# Parts of the vault contents that are one record per entry, and which the
# build may read (its own "build" view, or the whole record for posts).
UNION_KINDS = ("seen", "watch")
# A deleted key leaves a small record saying so ("gone", *key), so that a copy
# of it another moderator sealed again meanwhile does not bring it back.
GONE = "gone"
# Kinds whose record has a second, smaller record the build key can open.
BUILD_VIEW_KINDS = ("members", "section", "code", "sections", "post")
# A team board's members-only sections are defined here, sealed, not in the
# shared board.toml (their names and titles say what the group is about);
# each moderator's commands read a plain copy, .quietboard/sections.toml.
PRIVATE_SECTIONS_MARK = Path(".quietboard") / "sections.written"
KNOWN_TOP = {
    "team_key",
    "private_sections",
    "queue",
    "members",
    "log",
    "watch",
    "withdrawn",
    "taken_down",
    "moderator_keys",
    "team",
}

NOT_OPENED = (
    "this board's team files could not be opened with your identity; if you joined "
    'recently, ask another moderator to run "quietboard sync", then sync again'
)


# --- the roster: who the files are sealed to --------------------------------------------


@dataclass
class Moderator:
    id: str
    name: str
    recipient: str
    since: str
    mac: str = ""  # made with the team key by the moderator who added them


@dataclass
class Roster:
    moderators: dict[str, Moderator] = field(default_factory=dict)
    build: str | None = None  # the build key's recipient
    build_since: str | None = None
    # A moderator was removed and the section keys are still to be rotated
    # (set with the roster change, cleared once the new keys are saved).
    rotate: bool = False
    build_mac: str = ""
    # Entries no moderator made (their mac does not check): nothing is sealed to them.
    untrusted: list[str] = field(default_factory=list)

    def sign(self, team_key: bytes) -> None:
        """Mark every entry as made by a moderator (who holds TEAM_KEY)."""
        for mod in self.moderators.values():
            mod.mac = _entry_mac(team_key, "moderator", mod.id, mod.name, mod.recipient)
        if self.build:
            self.build_mac = _entry_mac(team_key, "build", self.build)

    def trusted(self, team_key: bytes | None, previous: bytes | None = None) -> Roster:
        """This roster without the entries whose mac does not check with TEAM_KEY.

        Anyone who can push to the remote can write team/recipients.toml; only a
        moderator holds the team key. Without a key (a board that has none yet)
        every entry counts.
        """
        if team_key is None:
            return self
        keys = [key for key in (team_key, previous) if key is not None]

        def checks(mac: str, *parts: str) -> bool:
            return any(fmt.equal_text(_entry_mac(key, *parts), mac) for key in keys)

        kept = Roster(rotate=self.rotate)
        for mod_id, mod in self.moderators.items():
            if checks(mod.mac, "moderator", mod.id, mod.name, mod.recipient):
                kept.moderators[mod_id] = mod
            else:
                kept.untrusted.append(mod.name)
        if self.build:
            if checks(self.build_mac, "build", self.build):
                kept.build, kept.build_since, kept.build_mac = (
                    self.build,
                    self.build_since,
                    self.build_mac,
                )
            else:
                kept.untrusted.append("the build key")
        return kept

    def recipients(self, *, build: bool) -> list[str]:
        found = [m.recipient for m in self.moderators.values()]
        return found + ([self.build] if build and self.build else [])

    def ids(self, *, build: bool) -> list[str]:
        # The build key is named by its recipient, so a new key is a new id and
        # every file sealed to the old one is sealed again.
        build_id = f"{BUILD_ID}:{self.build}" if self.build else None
        return sorted([*self.moderators, *([build_id] if build and build_id else [])])

    def by_name(self, name: str) -> Moderator | None:
        return next(
            (m for m in self.moderators.values() if m.name.casefold() == name.casefold()), None
        )

    def by_recipient(self, recipient: str) -> Moderator | None:
        return next((m for m in self.moderators.values() if m.recipient == recipient), None)


def _entry_mac(team_key: bytes, *parts: str) -> str:
    return fmt.b64_mac(team_key, "\n".join(["quietboard-roster-entry/1", *parts]).encode())


def parse_roster(text: str) -> Roster:
    """The roster in TEXT (team/recipients.toml); ValueError and the like if it is damaged."""
    document = tomllib.loads(text)
    roster = Roster()
    for mod_id, entry in document.get("moderators", {}).items():
        fmt.recipient_public(entry["recipient"])
        roster.moderators[mod_id] = Moderator(
            mod_id,
            str(entry["name"]),
            entry["recipient"],
            str(entry.get("since", "")),
            str(entry.get("mac", "")),
        )
    if "build" in document:
        fmt.recipient_public(document["build"]["recipient"])
        roster.build = document["build"]["recipient"]
        roster.build_since = str(document["build"].get("since", ""))
        roster.build_mac = str(document["build"].get("mac", ""))
    roster.rotate = document.get("pending", {}).get("rotate-section-keys", False) is True
    return roster


def read_roster(root: Path) -> Roster:
    path = Path(root) / RECIPIENTS_FILE
    try:
        roster = parse_roster(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, Unopenable):
        raise VaultError(
            f"{RECIPIENTS_FILE} is missing or damaged; copy it from another moderator's "
            "board folder (their copy of the file), then run the command again"
        ) from None
    if not roster.moderators:
        raise VaultError(f"{RECIPIENTS_FILE} lists no moderator; restore it from the remote")
    return roster


def write_roster(root: Path, roster: Roster) -> None:
    document = tomlkit.document()
    document.add(
        tomlkit.comment(
            "Who can open this board's sealed files (team/state/). Changed by "
            '"quietboard team add", "team remove" and "team build-key"; never by hand.'
        )
    )
    moderators = tomlkit.table(is_super_table=True)
    for mod in sorted(roster.moderators.values(), key=lambda m: m.id):
        entry = tomlkit.table()
        entry["name"] = mod.name
        entry["recipient"] = mod.recipient
        entry["since"] = mod.since
        entry["mac"] = mod.mac
        moderators[mod.id] = entry
    document["moderators"] = moderators
    if roster.build:
        build = tomlkit.table()
        build["recipient"] = roster.build
        build["since"] = roster.build_since or ""
        build["mac"] = roster.build_mac
        document["build"] = build
    if roster.rotate:
        pending = tomlkit.table()
        pending["rotate-section-keys"] = True
        document["pending"] = pending
    path = Path(root) / RECIPIENTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, tomlkit.dumps(document).encode("utf-8"), 0o644)


def new_moderator_id() -> str:
    return fmt.new_name()[:8]


# --- the vault contents as entries, and back -------------------------------------------------

Key = tuple[str, ...]


@dataclass
class Entry:
    value: Any
    build: Any = None  # the build's view of it, if the build may read any of it


def flatten(  # noqa: PLR0912 - one branch per part of the vault, in its order
    data: Mapping[str, Any], posts: Mapping[tuple[str, str], str]
) -> dict[Key, Entry]:
    """The vault contents DATA and the post files POSTS as one entry per record."""
    entries: dict[Key, Entry] = {}
    queue = data.get("queue", {})
    for item_id, item in queue.get("items", {}).items():
        entries[("item", item_id)] = Entry(item)
    if queue.get("seen"):
        entries[("seen",)] = Entry(list(queue["seen"]))
    members = data.get("members", {})
    rest = {key: value for key, value in members.items() if key != "sections"}
    if rest:
        entries[("members",)] = Entry(rest, rest)
    for name, section in members.get("sections", {}).items():
        meta = {key: value for key, value in section.items() if key != "codes"}
        view = {key: meta[key] for key in ("slot", "key", "retired") if key in meta}
        entries[("section", name)] = Entry(meta, view)
        for code in section.get("codes", []):
            view = {key: code.get(key) for key in ("lookup", "wrap", "expires")}
            entries[("code", name, code["lookup"])] = Entry(code, view)
    for day, counts in data.get("log", {}).items():
        if counts:
            entries[("log", day)] = Entry(dict(counts))
    if data.get("watch"):
        entries[("watch",)] = Entry(list(data["watch"]))
    if data.get("team_key"):
        entries[("team_key",)] = Entry(data["team_key"])
    if data.get("private_sections"):
        entries[("sections",)] = Entry(data["private_sections"], data["private_sections"])
    for verifier, day in data.get("withdrawn", {}).items():
        entries[("withdrawn", verifier)] = Entry(day)
    for post_id, day in data.get("taken_down", {}).items():
        entries[("taken_down", post_id)] = Entry(day)
    for key, value in data.items():
        if key not in KNOWN_TOP:
            entries[("data", key)] = Entry(value)
    for (section, post_id), text in posts.items():
        # The build's view: the text as published, without the withdrawal verifier
        # (which would let the host link a member's posts), the item or the moderator.
        entries[("post", section, post_id)] = Entry(text, {"text": _published_text(text)})
    return entries


def unflatten(  # noqa: PLR0912 - one branch per part of the vault, as in flatten
    entries: Mapping[Key, Any],
) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    """The vault contents and post files that ENTRIES (key -> value) describe."""
    data: dict[str, Any] = {"queue": {"items": {}, "seen": []}}
    posts: dict[tuple[str, str], str] = {}
    codes: dict[str, list[dict[str, Any]]] = {}
    for key, value in sorted(entries.items()):
        kind = key[0]
        if kind == "item":
            data["queue"]["items"][key[1]] = value
        elif kind == "seen":
            data["queue"]["seen"] = list(value)
        elif kind == "members":
            data.setdefault("members", {"sections": {}}).update(value)
        elif kind == "section":
            sections = data.setdefault("members", {"sections": {}}).setdefault("sections", {})
            sections[key[1]] = {**value, "codes": []}
        elif kind == "code":
            codes.setdefault(key[1], []).append(value)
        elif kind == "log":
            data.setdefault("log", {})[key[1]] = dict(value)
        elif kind == "watch":
            data["watch"] = list(value)
        elif kind == "sections":
            data["private_sections"] = value
        elif kind == "team_key":
            data["team_key"] = value
        elif kind in ("withdrawn", "taken_down"):
            data.setdefault(kind, {})[key[1]] = value
        elif kind == "data":
            data[key[1]] = value
        elif kind == "post":
            posts[(key[1], key[2])] = value
    sections = data.get("members", {}).get("sections", {})
    for name, found in codes.items():
        if name in sections:
            found.sort(key=lambda code: (str(code.get("issued", "")), str(code.get("label", ""))))
            sections[name]["codes"] = found
    return data, posts


# --- reading the files -------------------------------------------------------------------------


@dataclass
class Overruled:
    """A decision of this moderator that lost to an earlier one on the same item."""

    item: str
    mine: str  # "approved" or "removed"
    standing: str
    by: str  # the name of the moderator whose decision stands
    post: str | None = None  # the post the standing decision published, if any


@dataclass
class Loaded:
    """What the files say, settled: the chosen value of every key, and which files hold it."""

    values: dict[Key, Any] = field(default_factory=dict)
    files: dict[Key, list[str]] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)
    dirty: set[Key] = field(default_factory=set)  # keys to write again (merged lists)
    misshapen: int = 0  # records of a kind or shape this version does not write: left alone
    reseal: set[str] = field(default_factory=set)  # files to seal again, unchanged, to the roster
    records: dict[str, fmt.Record] = field(default_factory=dict)
    log_mine: dict[str, tuple[dict[str, int], list[str]]] = field(default_factory=dict)
    decisions: dict[str, tuple[str, fmt.Record]] = field(default_factory=dict)  # winners
    # post -> the item it was and who approved it
    origins: dict[Key, dict[str, Any]] = field(default_factory=dict)
    overruled: list[tuple[str, Overruled]] = field(default_factory=list)  # (file, what)
    unopened: int = 0
    opened: int = 0


def _latest(candidates: list[tuple[str, fmt.Record]]) -> tuple[str, fmt.Record]:
    return max(candidates, key=lambda pair: (pair[1].at, pair[0]))


def settle(
    records: Mapping[str, fmt.Record],
    roster: Roster,
    me: str,
    *,
    unopened: int = 0,
    local: frozenset[str] = frozenset(),
) -> Loaded:
    """Settle RECORDS (file name -> record) into one value per key, the same way everywhere.

    LOCAL names the files this moderator made since their last sync (a sync
    passes them): a decision the others had first stands against them.
    """
    loaded = Loaded(unopened=unopened, opened=len(records))
    # A file replaces only versions of its own key: one forged file naming every
    # other file must not empty the board.
    replaced = {
        name
        for record in records.values()
        for name in record.replaces
        if name in records and records[name].key == record.key
    }
    horizon = _horizon()
    gone = _deletions(loaded, records, replaced, horizon)
    live, views, decisions = _sort_out(loaded, records, replaced, gone)
    decided_same = _settle_decisions(loaded, decisions, roster, me, horizon=horizon, local=local)
    _drop_same_submissions(loaded, live, decided_same)
    for key, found in live.items():
        _settle_key(loaded, key, found, roster, me)
        if key not in loaded.values:
            loaded.stale.update(views.get(key, []))
            continue
        view_names = views.get(key, [])
        loaded.files[key].extend(view_names)
        if key[0] in BUILD_VIEW_KINDS and len(view_names) != 1:
            loaded.dirty.add(key)
    for key, names in views.items():
        if key not in live:  # a build view whose record is gone
            loaded.stale.update(names)
    # Files sealed to another team than the roster's (someone joined or left)
    # are sealed again as they are: same key, value, time and author.
    loaded.records = dict(records)
    for name, record in records.items():
        wanted = roster.ids(build=record.view == "build")
        if name not in loaded.stale and sorted(record.to) != wanted:
            loaded.reseal.add(name)
    return loaded


def _sort_out(
    loaded: Loaded, records: Mapping[str, fmt.Record], replaced: set[str], gone: Mapping[Key, int]
) -> tuple[
    dict[Key, list[tuple[str, fmt.Record]]],
    dict[Key, list[str]],
    dict[str, list[tuple[str, fmt.Record]]],
]:
    """Records by what they are: live versions, build views, decisions; the rest is stale."""
    live: dict[Key, list[tuple[str, fmt.Record]]] = {}
    views: dict[Key, list[str]] = {}
    decisions: dict[str, list[tuple[str, fmt.Record]]] = {}
    for name, record in records.items():
        if name in replaced:
            loaded.stale.add(name)
        elif record.key[0] == GONE:
            continue
        elif not well_shaped(record):
            loaded.misshapen += 1  # left alone: a newer quietboard, or a forgery, not ours to judge
        elif gone.get(record.key, -1) >= record.at:
            loaded.stale.add(name)  # deleted after this version was written (a reseal keeps `at`)
        elif record.key[0] == "decision":
            decisions.setdefault(record.key[1], []).append((name, record))
        elif record.view == "build":
            views.setdefault(record.key, []).append(name)
        else:
            live.setdefault(record.key, []).append((name, record))
    return live, views, decisions


def _deletions(
    loaded: Loaded, records: Mapping[str, fmt.Record], replaced: set[str], horizon: int
) -> dict[Key, int]:
    """When each deleted key was deleted last; deletions older than HORIZON are forgotten."""
    gone: dict[Key, int] = {}
    latest = _latest_time()
    for name, record in records.items():
        if record.key[0] != GONE or name in replaced:
            continue
        if record.at > latest:
            loaded.misshapen += 1  # dated ahead: it would silence every later change
        elif record.at < horizon:
            loaded.stale.add(name)
        else:
            key = tuple(record.key[1:])
            gone[key] = max(gone.get(key, record.at), record.at)
    return gone


def _settle_decisions(
    loaded: Loaded,
    decisions: Mapping[str, list[tuple[str, fmt.Record]]],
    roster: Roster,
    me: str,
    *,
    horizon: int,
    local: frozenset[str],
) -> set[str]:
    """Of two decisions on one item, or on two imports of one submission, the first shared
    stands (one the remote had before this moderator's sync), else the earlier; returns the
    submissions decided."""

    def order(pair: tuple[str, fmt.Record]) -> tuple[bool, int, str]:
        return (pair[0] in local, pair[1].at, pair[0])

    standing: dict[str, tuple[str, fmt.Record]] = {}  # per submission
    for item_id, found in decisions.items():
        found.sort(key=order)
        if found[0][1].at < horizon:
            loaded.stale.update(name for name, _ in found)
            continue
        same = found[0][1].value.get("same") or f"item:{item_id}"
        if same not in standing or order(found[0]) < order(standing[same]):
            standing[same] = found[0]
    for item_id, found in decisions.items():
        if found[0][0] in loaded.stale:
            continue
        winner = standing[found[0][1].value.get("same") or f"item:{item_id}"]
        loaded.decisions[item_id] = winner
        mod = roster.moderators.get(winner[1].by)
        for name, record in found:
            if (name, record) == winner or record.by != me:
                continue  # the one that stands; or told to its own moderator, at their sync
            what = Overruled(
                item=item_id,
                mine=_action(record),
                standing=_action(winner[1]),
                by=mod.name if mod else "a former moderator",
                post=winner[1].value.get("post") if _action(winner[1]) == "approved" else None,
            )
            loaded.overruled.append((name, what))
    return {same for same in standing if not same.startswith("item:")}


def _horizon() -> int:
    """Decisions and deletions older than this are forgotten (nanoseconds since the epoch).

    The board's day (QUIETBOARD_TODAY, when a moderator sets it) counts, as for
    every other date rule; otherwise the wall clock.
    """
    # The earlier of the board's day and the clock: a preview day set ahead must
    # not make every computer forget decisions and deletions early.
    return min(_board_now(), time.time_ns()) - DECISION_DAYS * DAY_NS


def _board_now() -> int:
    """The board's day (QUIETBOARD_TODAY when set, else today) at 00:00 UTC, in nanoseconds."""
    from generator.board import clock  # noqa: PLC0415

    return int(dt.datetime.combine(clock.today(), dt.time(), dt.UTC).timestamp()) * 10**9


SHAPES: dict[str, tuple[int, type | tuple[type, ...]]] = {
    # kind: (parts of the key after the kind, type of the value)
    "item": (1, dict),
    "seen": (0, list),
    "members": (0, dict),
    "section": (1, dict),
    "code": (2, dict),
    "log": (1, dict),
    "watch": (0, list),
    "sections": (0, dict),
    "team_key": (0, dict),
    "withdrawn": (1, str),
    "taken_down": (1, str),
    "data": (1, (dict, list, str, int, float, bool, type(None))),
    "post": (2, dict),
    "decision": (1, dict),
}


def well_shaped(record: fmt.Record) -> bool:
    """Whether RECORD is a kind this version knows, shaped as it writes it."""
    kind, value = record.key[0], record.value
    shape = SHAPES.get(kind)
    if shape is None or len(record.key) != shape[0] + 1 or record.at > _latest_time():
        return False
    if kind == "post" and not (
        SECTION_NAME.fullmatch(record.key[1]) and POST_NAME.fullmatch(record.key[2])
    ):
        return False  # a post is written out as content/posts/SECTION/ID.md: nothing else
    if record.view == "build":
        return isinstance(value, dict) and _strings(value, *BUILD_FIELDS.get(kind, ()))
    checks = {
        "item": lambda: _strings(value, "kind"),
        "section": lambda: _strings(value, "slot", "key"),
        "code": lambda: _strings(value, "lookup", "wrap"),
        "post": lambda: _strings(value, "text"),
        "log": lambda: all(type(count) is int for count in value.values()),
        "seen": lambda: all(isinstance(name, str) for name in value),
        "watch": lambda: all(isinstance(name, str) for name in value),
        "sections": lambda: all(
            SECTION_NAME.fullmatch(name) and isinstance(table, dict)
            for name, table in value.items()
        ),
        "data": lambda: record.key[1] not in KNOWN_TOP,
        "team_key": lambda: _strings(value, "key"),
    }
    return isinstance(value, shape[1]) and bool(checks.get(kind, lambda: True)())


BUILD_FIELDS = {"section": ("slot", "key"), "code": ("lookup", "wrap"), "post": ("text",)}
# Names a post's file may have (content/posts/SECTION/ID.md).
POST_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
# How far ahead of this computer's clock a record may be dated: a record from
# further ahead (a wrong clock, or a forgery) would win every later change.
CLOCK_SKEW_NS = 2 * DAY_NS


def _published_text(text: str) -> str:
    """A post file without its Withdrawal line (the build never publishes it)."""
    head, sep, body = text.partition("\n\n")
    kept = [line for line in head.splitlines() if not line.casefold().startswith("withdrawal:")]
    return "\n".join(kept) + sep + body


def _strings(value: Any, *names: str) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(name), str) for name in names)


def _latest_time() -> int:
    """The latest `at` a record may carry: now (the wall clock, or the board's day if
    later) and a little clock skew."""
    return max(time.time_ns(), _board_now()) + CLOCK_SKEW_NS


def same_submission(item: Any) -> str | None:
    """What makes two queue items one submission imported twice (by two moderators, say)."""
    if isinstance(item, dict) and isinstance(item.get("envelope"), str):
        return "envelope:" + item["envelope"]  # one sealed envelope, imported twice
    if not isinstance(item, dict) or not item.get("verifier"):
        return None  # a report or feedback: two members may send the same words
    from generator.board.inbox import SAME_SUBMISSION  # noqa: PLC0415 - inbox is heavy

    same = json.dumps([item.get(name) for name in SAME_SUBMISSION], sort_keys=True)
    return fmt.b64_digest(same.encode("utf-8"))


def _drop_same_submissions(
    loaded: Loaded, live: dict[Key, list[tuple[str, fmt.Record]]], decided: set[str]
) -> None:
    """One queue item per submission: an item whose submission was decided already goes,
    and of two imports of one submission the item with the smaller id stays."""
    kept: dict[str, Key] = {}
    for key in sorted(k for k in live if k[0] == "item"):
        same = same_submission(_latest(live[key])[1].value)
        if same is None:
            continue
        if same in decided or same in kept:
            loaded.stale.update(name for name, _ in live.pop(key))
        else:
            kept[same] = key


def _action(record: fmt.Record) -> str:
    value = record.value if isinstance(record.value, dict) else {}
    return str(value.get("action", "removed"))


def _settle_key(
    loaded: Loaded, key: Key, found: list[tuple[str, fmt.Record]], roster: Roster, me: str
) -> None:
    kind = key[0]
    names = [name for name, _ in found]
    if kind == "item" and key[1] in loaded.decisions:
        loaded.stale.update(names)
        return
    if kind == "post":
        found = [pair for pair in found if _post_stands(loaded, pair[1], key[2])]
        loaded.stale.update(set(names) - {name for name, _ in found})
        if not found:
            return
    if kind == "log":
        _settle_log(loaded, key, found, me)
    elif kind in UNION_KINDS:
        merged: list[Any] = []
        for _, record in sorted(found, key=lambda pair: (pair[1].at, pair[0])):
            merged += [value for value in record.value if value not in merged]
        loaded.values[key] = merged
        loaded.files[key] = names
        if len(found) > 1:
            loaded.dirty.add(key)
    else:
        name, record = _latest(found)
        loaded.values[key] = record.value
        loaded.files[key] = [name]
        loaded.stale.update(set(names) - {name})
        if kind == "post":
            loaded.values[key] = record.value["text"]
            loaded.origins[key] = {
                "item": record.value.get("item"),
                "approved_by": record.value.get("approved_by"),
            }


def _settle_log(loaded: Loaded, key: Key, found: list[tuple[str, fmt.Record]], me: str) -> None:
    """A day's counts are the sum of every moderator's file; this moderator's own are noted."""
    total: dict[str, int] = {}
    for name, record in found:
        for action, count in record.value.items():
            total[action] = total.get(action, 0) + count
        if record.by == me:
            counts, files = loaded.log_mine.get(key[1], ({}, []))
            for action, count in record.value.items():
                counts[action] = counts.get(action, 0) + count
            loaded.log_mine[key[1]] = (counts, [*files, name])
    loaded.values[key] = total
    loaded.files[key] = [name for name, _ in found]


def _post_stands(loaded: Loaded, record: fmt.Record, post_id: str) -> bool:
    """Whether a post still stands: not published by a decision that another overruled."""
    item_id = record.value.get("item") if isinstance(record.value, dict) else None
    if item_id is None or item_id not in loaded.decisions:
        return True
    _, decision = loaded.decisions[item_id]
    return (
        _action(decision) == "approved"
        and decision.by == record.value.get("approved_by")
        and decision.value.get("post") in (None, post_id)
    )


def read_records(
    files: Mapping[str, bytes], identities: list[str]
) -> tuple[dict[str, fmt.Record], int]:
    """Open every team file in FILES (name -> bytes): the records, and how many did not open."""
    records, unopened = {}, 0
    for name, data in files.items():
        try:
            records[name] = fmt.open_file(data, identities)
        except Unopenable:
            unopened += 1
    return records, unopened


def state_files(root: Path) -> dict[str, bytes]:
    """The team files in ROOT/team/state/ (name -> bytes); anything else there is left alone."""
    folder = Path(root) / STATE_DIR
    if not folder.is_dir():
        return {}
    return {
        path.name: path.read_bytes()
        for path in folder.iterdir()
        if fmt.is_team_file_name(path.name) and path.is_file() and not path.is_symlink()
    }


# --- writing them ---------------------------------------------------------------------------


@dataclass
class Changes:
    """Team files to write (name -> bytes) and to delete, paths relative to team/state/."""

    write: dict[str, bytes] = field(default_factory=dict)
    delete: set[str] = field(default_factory=set)
    records: dict[str, fmt.Record] = field(default_factory=dict)  # what `write` holds, opened


class Writer:
    """Seals records for one moderator (ME) to the roster."""

    def __init__(self, roster: Roster, me: str) -> None:
        self.roster = roster
        self.me = me
        self.changes = Changes()

    def record(self, key: Key, value: Any, *, replaces: list[str], build: bool = False,
               view: str = "full") -> str:  # fmt: skip
        sealed_to_build = build or view == "build"
        record = fmt.Record(
            key=key,
            value=value,
            at=time.time_ns(),
            by=self.me,
            view=view,
            replaces=sorted(replaces),
            to=self.roster.ids(build=sealed_to_build),
        )
        return self._write(record, sealed_to_build)

    def reseal(self, record: fmt.Record, name: str) -> str:
        """RECORD (file NAME) again, unchanged but for who it is sealed to."""
        build = record.view == "build"
        again = fmt.Record(
            key=record.key,
            value=record.value,
            at=record.at,
            by=record.by,
            view=record.view,
            replaces=[name],
            to=self.roster.ids(build=build),
        )
        return self._write(again, build)

    def _write(self, record: fmt.Record, build: bool) -> str:
        name = fmt.new_name()
        self.changes.write[name] = fmt.seal(record, self.roster.recipients(build=build))
        self.changes.records[name] = record
        return name


def changes_for(
    loaded: Loaded,
    new: Mapping[Key, Entry],
    roster: Roster,
    me: str,
    *,
    acknowledge: bool = False,
) -> tuple[Changes, dict[Key, list[str]]]:
    """The files that turn LOADED into NEW, and which files hold each key afterwards.

    ACKNOWLEDGE: this moderator has been told of their overruled decisions,
    so those decision records can go.
    """
    writer = Writer(roster, me)
    delete = set(loaded.stale)
    if acknowledge:
        delete.update(name for name, _ in loaded.overruled)
    files: dict[Key, list[str]] = {}
    removed_items = {
        key[1]: loaded.values[key] for key in loaded.values if key[0] == "item" and key not in new
    }
    published = {key[2]: key for key in new if key[0] == "post" and key not in loaded.values}
    for key in sorted(set(new) | set(loaded.values)):
        old_files = loaded.files.get(key, [])
        if key[0] == "log":
            files[key] = _write_log(loaded, writer, key, new.get(key))
            continue
        if key not in new:
            delete.update(old_files)
            if key[0] not in ("item", "log"):  # items leave a decision; log days just go
                writer.record((GONE, *key), None, replaces=[])
            continue
        entry = new[key]
        value = entry.value
        if key[0] == "post":
            origin = loaded.origins.get(key) or _origin(key, published, removed_items, me)
            value = {"text": entry.value, **origin}
            changed = key not in loaded.values or loaded.values[key] != entry.value
        else:
            changed = key not in loaded.values or loaded.values[key] != value
        if not changed and key not in loaded.dirty:
            files[key] = old_files
            continue
        names = [writer.record(key, value, replaces=old_files)]
        if entry.build is not None and key[0] in BUILD_VIEW_KINDS:
            names.append(writer.record(key, entry.build, replaces=[], view="build"))
        delete.update(old_files)
        files[key] = names
    for item_id, item in removed_items.items():
        post_id = item.get("post_id") if isinstance(item, dict) else None
        approved = post_id is not None and any(
            key[0] == "post" and key[2] == post_id for key in new
        )
        value = {
            "action": "approved" if approved else "removed",
            "post": post_id,
            "same": same_submission(item),
        }
        writer.record(("decision", item_id), value, replaces=[])
    for name in sorted(loaded.reseal - delete):
        writer.reseal(loaded.records[name], name)
        delete.add(name)
    writer.changes.delete = delete - set(writer.changes.write)
    return writer.changes, files


def _origin(
    key: Key, published: Mapping[str, Key], removed_items: Mapping[str, Any], me: str
) -> dict[str, Any]:
    """Where a new post came from: the queue item it publishes, if any, and who approved it."""
    for item_id, item in removed_items.items():
        if isinstance(item, dict) and item.get("post_id") == key[2]:
            return {"item": item_id, "approved_by": me}
    return {"item": None, "approved_by": me}


def _write_log(loaded: Loaded, writer: Writer, key: Key, entry: Entry | None) -> list[str]:
    """A day's counts: this moderator's own file changes by what they added."""
    day = key[1]
    old_total = loaded.values.get(key, {})
    mine, mine_files = loaded.log_mine.get(day, ({}, []))
    others = [name for name in loaded.files.get(key, []) if name not in mine_files]
    if entry is None:  # the day left the log (pruned): everybody's counts go
        writer.changes.delete.update(loaded.files.get(key, []))
        return []
    new_total = entry.value
    delta = {
        action: new_total.get(action, 0) - old_total.get(action, 0)
        for action in set(new_total) | set(old_total)
    }
    if not any(delta.values()):
        return loaded.files.get(key, [])
    counts = {
        action: mine.get(action, 0) + delta.get(action, 0) for action in set(mine) | set(delta)
    }
    counts = {action: count for action, count in counts.items() if count}
    name = writer.record(key, counts, replaces=mine_files)
    writer.changes.delete.update(mine_files)
    return [*others, name]


def apply_changes(root: Path, changes: Changes) -> None:
    """Write the new files first, then delete the old: a crash in between leaves
    duplicates the next reading settles (each new file names what it replaces)."""
    folder = Path(root) / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in changes.write.items():
        write_atomically(folder / name, data, 0o644)
    for name in sorted(changes.delete):
        (folder / name).unlink(missing_ok=True)


# --- the posts, written out while a command runs ---------------------------------------------


def read_post_files(root: Path) -> dict[tuple[str, str], str]:
    top = Path(root) / POSTS_DIR
    return {
        (path.parent.name, path.stem): path.read_text(encoding="utf-8")
        for path in sorted(top.glob("*/*.md"))
        if path.is_file()
    }


def clear_post_files(root: Path) -> None:
    """Remove content/posts/ (the written-out copy), whoever left it."""
    top = Path(root) / POSTS_DIR
    if top.is_symlink():
        target = Path(os.readlink(top))
        top.unlink()
        if scratch.NAME.fullmatch(target.name):
            shutil.rmtree(target, ignore_errors=True)
    elif top.exists():
        shutil.rmtree(top, ignore_errors=True)


def write_post_files(root: Path, posts: Mapping[tuple[str, str], str]) -> None:
    """Write POSTS out for the command that runs: content/posts/ is a link to a private
    folder in memory (where the system offers one), never plaintext in the board's folder.
    A killed command's folder is removed by the next command that takes the lock."""
    clear_post_files(root)
    top = Path(root) / POSTS_DIR
    top.parent.mkdir(parents=True, exist_ok=True)
    private = scratch.new_private_folder()
    os.symlink(private, top)
    for (section, post_id), text in posts.items():
        folder = top / section
        folder.mkdir(mode=0o700, exist_ok=True)
        path = folder / f"{post_id}.md"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)


# --- the members-only sections, as a plain copy for this moderator's commands -------------


def write_private_sections(root: Path, sections: Mapping[str, Any]) -> None:
    """Write .quietboard/sections.toml (0600) from the sealed definitions, if it differs."""
    document = tomlkit.document()
    document.add(
        tomlkit.comment(
            "This team board's members-only sections: kept sealed in team/state, not in "
            "board.toml. Edit titles or expiry here; the next quietboard command keeps them."
        )
    )
    document["sections"] = {name: dict(table) for name, table in sorted(sections.items())}
    text = tomlkit.dumps(document).encode("utf-8")
    path = Path(root) / PRIVATE_SECTIONS
    if path.is_file() and path.read_bytes() == text:
        return
    path.parent.mkdir(mode=0o700, exist_ok=True)
    write_atomically(path, text, 0o600)
    write_atomically(Path(root) / PRIVATE_SECTIONS_MARK, fmt.b64_digest(text).encode(), 0o600)


def edited_private_sections(root: Path) -> dict[str, Any] | None:
    """The sections in .quietboard/sections.toml if the moderator edited it since it was
    written (None if not); the edit is checked as board.toml would be."""
    path = Path(root) / PRIVATE_SECTIONS
    try:
        text = path.read_bytes()
        mark = (Path(root) / PRIVATE_SECTIONS_MARK).read_text(encoding="ascii").strip()
    except OSError:
        return None
    if fmt.b64_digest(text) == mark:
        return None
    try:
        sections = tomllib.loads(text.decode("utf-8")).get("sections", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise VaultError(
            f"{PRIVATE_SECTIONS} is not valid TOML; fix your edit (or delete the file to "
            "take the team's copy again)"
        ) from None
    if not isinstance(sections, dict) or not all(
        isinstance(table, dict) and table.get("members_only") is True for table in sections.values()
    ):
        raise VaultError(
            f"{PRIVATE_SECTIONS} holds only members-only sections ([sections.NAME] with "
            "members_only = true); public sections go in board.toml"
        )
    return sections


# --- the local identity ------------------------------------------------------------------------


def local_identities(data: Mapping[str, Any]) -> list[str]:
    """Every age identity the moderator's own vault holds, newest last."""
    return [
        fmt.identity_string(unb64(pair["secret"], 32)) for pair in data.get("moderator_keys", [])
    ]


def local_id(data: Mapping[str, Any]) -> str | None:
    return data.get("team", {}).get("id")


def adopt_identity(local: Any, roster: Roster) -> bool:
    """Take this moderator's id from the roster once their request was accepted."""
    if local_id(local.data) is not None or not local.data.get("moderator_keys"):
        return False
    mod = roster.by_recipient(own_recipient(local.data))
    if mod is None:
        return False
    local.data["team"] = {"id": mod.id, "name": mod.name}
    local.save()
    return True


def own_recipient(data: Mapping[str, Any]) -> str:
    return fmt.recipient_of_public(unb64(data["moderator_keys"][-1]["public"], 32))


# --- the vault a command works on -----------------------------------------------------------


class TeamVault:
    """A moderator's view of the team board, with the interface of vault.Vault.

    `data` is the same dictionary a one-moderator vault holds; `save()` writes
    what changed as new team files (and the moderator's own vault, if their keys
    changed).
    """

    read_only = False

    def __init__(
        self, root: Path, local: Any, records: dict[str, fmt.Record], loaded: Loaded,
        roster: Roster,
    ) -> None:  # fmt: skip
        self.root = Path(root)
        self._records = records
        self.path = local.path
        self._local = local
        self._loaded = loaded
        self._roster = roster
        self._me = local_id(local.data) or ""
        data, posts = unflatten(loaded.values)
        data["moderator_keys"] = local.data.get("moderator_keys", [])
        edited = edited_private_sections(self.root)
        if edited is not None:  # the moderator changed their copy: kept at the next save
            data["private_sections"] = edited
        write_private_sections(self.root, data.get("private_sections", {}))
        self.data = data
        self._saved_posts = posts
        self.acknowledge = False
        self.saved = False
        self.saved_files = 0
        write_post_files(self.root, posts)

    @property
    def loaded(self) -> Loaded:
        return self._loaded

    @property
    def roster(self) -> Roster:
        return self._roster

    @property
    def me(self) -> str:
        """This moderator's id on the roster."""
        return self._me

    def set_roster(self, roster: Roster) -> None:
        """Seal to ROSTER from now on: the next save seals every file again that it changes."""
        self._roster = roster
        self._loaded = settle(self._records, roster, self._me, unopened=self._loaded.unopened)

    def entries(self) -> dict[Key, Entry]:
        return flatten(self.data, read_post_files(self.root))

    def pending(self) -> bool:
        """Whether anything differs from the files (or the files need settling)."""
        new = self.entries()
        if self._loaded.stale or self._loaded.dirty or self._loaded.reseal or self.acknowledge:
            return True
        return {k: e.value for k, e in new.items()} != self._loaded.values

    def learn_key(self, key: bytes) -> None:
        """Remember team KEY as one this moderator made (before it is saved anywhere else)."""
        known = self._local.data["team"].setdefault("keys", [])
        if fmt.b64_key(key) not in known:
            known.append(fmt.b64_key(key))
            self._local.save()

    def posts_changed(self) -> bool:
        return read_post_files(self.root) != self._saved_posts

    def save(self) -> None:
        if self.data.get("moderator_keys") != self._local.data.get("moderator_keys"):
            self._local.data["moderator_keys"] = self.data["moderator_keys"]
            self._local.save()
        self._saved_posts = read_post_files(self.root)
        new = flatten(self.data, self._saved_posts)
        changes, _ = changes_for(
            self._loaded, new, self._roster, self._me, acknowledge=self.acknowledge
        )
        apply_changes(self.root, changes)
        write_private_sections(self.root, self.data.get("private_sections", {}))
        self.saved_files = len(changes.write)
        kept = {n: r for n, r in self._records.items() if n not in changes.delete}
        self._records = kept | changes.records
        self._loaded = settle(self._records, self._roster, self._me)
        self.acknowledge = False
        self.saved = True


def load(
    root: Path,
    identities: list[str],
    roster: Roster,
    me: str,
    files: Mapping[str, bytes] | None = None,
    *,
    local: frozenset[str] = frozenset(),
    known: list[str] | None = None,
) -> tuple[dict[str, fmt.Record], Loaded, Roster]:
    """Open and settle the team files of ROOT (or FILES, name -> bytes), with the roster
    as far as the team key vouches for it."""
    records, unopened = read_records(state_files(root) if files is None else files, identities)
    trusted = roster.trusted(*team_keys(records, known))
    return records, settle(records, trusted, me, unopened=unopened, local=local), trusted


NO_KEY = b"\0" * 32  # vouches for nothing


def team_keys(
    records: Mapping[str, fmt.Record], known: list[str] | None = None
) -> tuple[bytes | None, bytes | None]:
    """The team key (which vouches for the roster's entries) and, while a rotation is
    being finished, the one before it.

    KNOWN: the keys this moderator has seen before (b64u, appended to as it goes).
    A key they have not seen counts only if it replaces one they have (a rotation
    by a moderator), or if they have seen none yet (they just joined): someone who
    can push but holds no identity cannot plant a key of their own.
    """
    key, previous, before = _team_keys(records)
    if known is None or key is None:
        return key, previous
    seen = {key_hash(base64.urlsafe_b64decode(k)) for k in known}
    if not known or fmt.b64_key(key) in known or seen & set(before):
        if fmt.b64_key(key) not in known:
            known.append(fmt.b64_key(key))
        return key, previous
    return NO_KEY, None


def _team_keys(
    records: Mapping[str, fmt.Record],
) -> tuple[bytes | None, bytes | None, list[str]]:
    replaced = {n for r in records.values() for n in r.replaces}
    found = [
        (name, r)
        for name, r in records.items()
        if r.key == ("team_key",) and name not in replaced and well_shaped(r)
    ]
    if not found:
        return None, None, []
    _, record = _latest(found)
    try:
        key = unb64(record.value["key"], 32)
        previous = record.value.get("previous")
        before = [h for h in record.value.get("before", []) if isinstance(h, str)]
        return key, unb64(previous, 32) if isinstance(previous, str) else None, before
    except (Unopenable, TypeError):
        return None, None, []


def key_hash(key: bytes) -> str:
    """How a team key is named in the `before` list of the keys that followed it."""
    return fmt.b64_digest(b"quietboard-team-key/1" + key)


@contextlib.contextmanager
def open_team_vault(root: Path, passphrase: Any) -> Iterator[Any]:
    """Lock ROOT and open its team state with the moderator's identity (or the build key).

    Changes are kept only by `save()`, as with a one-moderator vault; a
    command that saved once is saved again at the end if its post files
    changed after (deleted once the state no longer needed them).
    """
    from generator.board import vault as vaults  # noqa: PLC0415 - vault.py imports this module

    root = Path(root)
    if not vaults.vault_path(root).is_file():
        build_key = os.environ.get(BUILD_KEY_VARIABLE, "").strip()
        if not build_key:
            raise VaultError(
                "this copy of the team board holds no moderator identity "
                '(.quietboard/vault.json): join the team with "quietboard team join", restore '
                f'yours with "quietboard team recover", or, on the host, set {BUILD_KEY_VARIABLE}'
            )
        with vaults.board_lock(root):
            try:
                yield open_build(root, build_key)
            finally:
                clear_post_files(root)
        return
    secret = passphrase()
    with vaults.board_lock(root):
        local = vaults.read_vault(vaults.vault_path(root), secret)
        roster = read_roster(root)
        adopt_identity(local, roster)
        me = local_id(local.data)
        if me is None or me not in roster.moderators:
            mine = own_recipient(local.data) if local.data.get("moderator_keys") else None
            if me is None and mine is None:
                raise VaultError(
                    'this vault is not a team member\'s; run "quietboard team join NAME" to '
                    "ask to join"
                )
            raise VaultError(
                "you are not (or no longer) a moderator of this board in team/recipients.toml; "
                'if you asked to join, ask a moderator to run "quietboard team add NAME", then '
                'run "quietboard sync"'
            )
        known = local.data["team"].setdefault("keys", [])
        before = list(known)
        records, loaded, roster = load(root, local_identities(local.data), roster, me, known=known)
        if known != before:
            local.save()
        if loaded.unopened and not loaded.opened:
            raise VaultError(NOT_OPENED)
        if me not in roster.moderators:
            raise VaultError(
                "team/recipients.toml lists you, but no moderator of the team vouched for the "
                'entry (it was not made by "quietboard team add"); ask a moderator to add you'
            )
        try:
            team_vault = TeamVault(root, local, records, loaded, roster)
            yield team_vault
            # A command that saved, or wrote a post (a moderator's own), is saved
            # again if anything changed after; one that only read changes nothing.
            if team_vault.posts_changed() or (team_vault.saved and team_vault.pending()):
                team_vault.save()
        finally:
            clear_post_files(root)


class BuildVault:
    """What the host's build key opens: the section keys and the posts to publish.

    It cannot change anything; the moderators' commands settle the board.
    """

    read_only = True

    def __init__(self, root: Path, data: dict[str, Any]) -> None:
        self.root = root
        self.path = Path(root) / STATE_DIR
        self.data = data

    def save(self) -> None:
        raise VaultError(
            "the build key opens this board only to build it; a moderator changes it "
            '(run "quietboard sync" on a moderator\'s computer)'
        )


def open_build(root: Path, build_key: str) -> BuildVault:
    """The build's view of ROOT's team files, opened with BUILD_KEY (an age identity)."""
    bad_key = VaultError(
        f"{BUILD_KEY_VARIABLE} is not this board's build key; make a new one with "
        '"quietboard team build-key" and store it in the host\'s settings'
    )
    try:
        recipient = fmt.recipient_of_secret(fmt.identity_secret(build_key))
    except Unopenable:
        raise bad_key from None
    roster = read_roster(root)
    if roster.build != recipient:
        raise bad_key
    records, _ = read_records(state_files(root), [build_key])
    views: dict[Key, list[tuple[str, fmt.Record]]] = {}
    replaced = {
        name
        for record in records.values()
        for name in record.replaces
        if name in records and records[name].key == record.key
    }
    for name, record in records.items():
        if name not in replaced and record.view == "build" and well_shaped(record):
            views.setdefault(record.key, []).append((name, record))
    values = {}
    for key, found in views.items():
        _, record = _latest(found)
        values[key] = record.value["text"] if key[0] == "post" else record.value
    for key, value in list(values.items()):
        if key[0] == "code":
            values[key] = {"label": "", "issued": "", **value}
    data, posts = unflatten(values)
    write_post_files(root, posts)
    write_private_sections(root, data.get("private_sections", {}))
    return BuildVault(root, data)


@dataclass
class Resolution:
    """What a merge of moderators' work leaves to settle before it is pushed."""

    delete: set[str] = field(default_factory=set)
    write: dict[str, bytes] = field(default_factory=dict)
    overruled: list[Overruled] = field(default_factory=list)
    unopened: int = 0
    untrusted: list[str] = field(default_factory=list)  # roster entries no moderator made


def resolve_merged(
    root: Path,
    identities: list[str],
    roster: Roster,
    me: str,
    files: Mapping[str, bytes],
    *,
    local: frozenset[str] = frozenset(),
    known: list[str] | None = None,
    mine: frozenset[str] = frozenset(),
    accept_deletions: bool = False,
) -> Resolution:
    """Settle the merged FILES so that no push ever gives the host what a moderator's
    command would take away: stale versions and overruled decisions (and the posts they
    published), posts withdrawn or taken down, and files sealed to someone no longer on the
    team (sealed again). LOCAL: the files made here since the last sync."""
    records, loaded, roster = load(root, identities, roster, me, files, local=local, known=known)
    if not accept_deletions and len(files) < len(mine) // 4 and len(mine) >= 8:
        raise VaultError(
            f"this sync would leave {len(files)} of the {len(mine)} team files this copy "
            "holds: someone emptied the shared folder, or the remote holds another board. "
            "Nothing was shared. Check the remote; if the team really meant it, run "
            '"quietboard sync --accept-deletions"'
        )
    if me not in roster.moderators:
        raise VaultError(
            "the remote's team does not include you (you were removed, the team key changed "
            "in a way you did not see, or the remote holds another board); nothing was "
            "shared: ask another moderator"
        )
    resolution = Resolution(unopened=loaded.unopened, untrusted=roster.untrusted)
    resolution.delete = set(loaded.stale) | {name for name, _ in loaded.overruled}
    resolution.overruled = [what for _, what in loaded.overruled]
    for key in _posts_to_take_away(loaded):
        resolution.delete.update(loaded.files.get(key, []))
    writer = Writer(roster, me)
    for name in sorted(loaded.reseal - resolution.delete):
        writer.reseal(records[name], name)
        resolution.delete.add(name)
    resolution.write = writer.changes.write
    return resolution


def _posts_to_take_away(loaded: Loaded) -> list[Key]:
    """Posts a withdrawal or a take-down on record removes, with the replies below them."""
    withdrawn = {key[1] for key in loaded.values if key[0] == "withdrawn"}
    taken_down = {key[1] for key in loaded.values if key[0] == "taken_down"}
    posts = {key: text for key, text in loaded.values.items() if key[0] == "post"}
    gone = {
        key[2]
        for key, text in posts.items()
        if key[2] in taken_down or _metadata(text, "Withdrawal") in withdrawn
    }
    while True:
        below = {key[2] for key, text in posts.items() if _metadata(text, "Reply-To") in gone}
        if below <= gone:
            break
        gone |= below
    return [key for key in posts if key[2] in gone]


def _metadata(text: Any, name: str) -> str | None:
    """The value of a post file's metadata line NAME (before the first blank line)."""
    if not isinstance(text, str):
        return None
    for line in text.split("\n\n", 1)[0].splitlines():
        field_name, _, value = line.partition(":")
        if field_name.strip().casefold() == name.casefold():
            return value.strip()
    return None
