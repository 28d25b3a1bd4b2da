"""Import sealed submissions into the vault's queue, keeping nothing else.

Inputs are Netlify's CSV export, Netlify's submissions JSON (the API's
shape), or any text holding sealed envelopes (files, pasted text, emails).
Only the sealed envelope and the honeypot are ever read from a form export:
the IP address, user agent, referrer, times, ids and form name the service
adds are never looked at, so they cannot reach the queue.

All inputs are read and checked before anything is stored, and the queue is
saved once, so a bad file or a crash leaves the queue as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from generator import moderators
from generator.errors import InboxError
from generator.memberformat import b64
from generator.submitformat import (
    BEGIN,
    MAX_FIELD_CHARS,
    Envelope,
    Rejected,
    find_armored,
    open_envelope,
    parse_envelope,
    unarmor,
    withdrawal_verifier,
)

ENVELOPE_FIELD = "envelope"
HONEYPOT_FIELD = "website"
FORM_NAME = "quietboard"
MAX_INPUT_BYTES = 512 * 1024 * 1024
CSV_FIELD_LIMIT = 64 * 1024 * 1024
ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: read aloud safely
ID_LENGTH = 6
SEEN_ID_BYTES = 16
UNEXPECTED = "could not be read (an unexpected problem; please report it)"


@dataclass(frozen=True)
class Found:
    """One envelope as found in an input: where, and its armored inside."""

    where: str
    inside: str | None  # None: the envelope field held no complete envelope
    honeypot: bool = False
    remote_id: str = ""  # the form service's id, to delete it there; never stored
    oversize: bool = False  # a field too long to be a submission, never searched


# How the summary groups the reasons an envelope was unreadable, in words a
# moderator can act on (the listed problems give each one's exact reason).
UNREADABLE_GROUPS = {
    "damaged": "damaged, incomplete or tampered with",
    "unopenable": "damaged, incomplete or tampered with",
    "too-large": "too large",
    "foreign": "sealed to another key",
    "invalid": "not a valid submission",
    "unexpected": "could not be read",
}


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    duplicates: int = 0
    spam: int = 0
    unreadable: int = 0
    skipped: int = 0  # fields over MAX_FIELD_CHARS, not searched
    problems: list[str] = field(default_factory=list)
    # Indexes of the inputs that are safely handled (imported now or before,
    # or spam), which may be deleted from the form service.
    settled: set[int] = field(default_factory=set)
    unreadable_by_group: dict[str, int] = field(default_factory=dict)

    def count_unreadable(self, code: str) -> None:
        self.unreadable += 1
        group = UNREADABLE_GROUPS[code]
        self.unreadable_by_group[group] = self.unreadable_by_group.get(group, 0) + 1

    def summary(self) -> str:
        order = dict.fromkeys(UNREADABLE_GROUPS.values())  # always in the same order
        groups = ", ".join(
            f"{self.unreadable_by_group[group]} {group}"
            for group in order
            if group in self.unreadable_by_group
        )
        text = (
            f"Imported {len(self.imported)}, duplicates {self.duplicates}, "
            f"spam {self.spam}, unreadable {self.unreadable}" + (f" ({groups})." if groups else ".")
        )
        if self.skipped:
            text += (
                f" Skipped without searching: {self.skipped} field(s) over "
                f"{MAX_FIELD_CHARS // 1024} KiB, more than any submission."
            )
        return text


def read_input(name: str, raw: bytes) -> list[Found]:
    """Every envelope in one input; `InboxError` if it holds none in a known shape."""
    if len(raw) > MAX_INPUT_BYTES:
        raise InboxError(f"{name} is larger than 512 MiB; split the export and import the parts")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise InboxError(
            f"{name} is not UTF-8 text; import Netlify's CSV or JSON export, or a text file "
            "holding sealed submissions"
        ) from None
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        found = _from_json(name, text)
    elif _looks_like_csv(text) and (found := _from_csv(name, text)) is not None:
        pass
    else:
        found = [Found(f"{name}, envelope {i}", inside) for i, inside in
                 enumerate(find_armored(text), 1)]  # fmt: skip
    if not found:
        raise InboxError(
            f"{name} holds no sealed submissions; import Netlify's CSV export, its submissions "
            f'JSON, or text that contains "{BEGIN}"'
        )
    return found


def _looks_like_csv(text: str) -> bool:
    first = text.split("\n", 1)[0]
    return BEGIN not in first and ENVELOPE_FIELD in first.lower() and "," in first


def _field(text: str | None, where: str, honeypot: Any, remote_id: str = "") -> list[Found]:
    filled = isinstance(honeypot, str) and honeypot.strip() != ""
    if isinstance(text, str) and len(text) > MAX_FIELD_CHARS:
        return [Found(where, None, filled, remote_id, oversize=True)]
    if not isinstance(text, str) or BEGIN not in text:
        return [Found(where, None, filled, remote_id)]
    insides = list(find_armored(text))
    if len(insides) == 1:
        return [Found(where, insides[0], filled, remote_id)]
    return [
        Found(f"{where}, envelope {i}", inside, filled, remote_id)
        for i, inside in enumerate(insides, 1)
    ]


def _from_csv(name: str, text: str) -> list[Found] | None:
    """The rows of a CSV export; None if it has no envelope column after all."""
    # The csv module refuses fields over 128 KiB by default, which would fail
    # the whole file for one oversized row; unarmor() refuses that row alone.
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        columns = {column.strip().lower(): column for column in reader.fieldnames or []}
    except csv.Error:
        return None
    if ENVELOPE_FIELD not in columns:
        return None
    envelope, honeypot = columns[ENVELOPE_FIELD], columns.get(HONEYPOT_FIELD)
    found = []
    try:
        for row_number, row in enumerate(reader, 2):
            value = row.get(envelope)
            if value is None or value.strip() == "":
                continue
            found += _field(value, f"{name}, row {row_number}", row.get(honeypot or ""))
    except csv.Error:
        raise InboxError(f"{name} is not a complete CSV file; export it again") from None
    return found


def _from_json(name: str, text: str) -> list[Found]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise InboxError(
            f"{name} is not valid JSON; save the API's response whole, or export CSV instead"
        ) from None
    return from_submissions(name, document if isinstance(document, list) else [document])


def from_submissions(name: str, items: list[Any]) -> list[Found]:
    """The envelopes in Netlify submissions (the API's JSON shape)."""
    found = []
    for number, item in enumerate(items, 1):
        data = item.get("data") if isinstance(item, dict) else None
        if not isinstance(data, dict):
            raise InboxError(
                f'{name}: item {number} is not a Netlify submission (it has no "data" object)'
            )
        remote_id = str(item.get("id", ""))
        where = f"{name}, item {number}"
        found += _field(data.get(ENVELOPE_FIELD), where, data.get(HONEYPOT_FIELD), remote_id)
    return found


def queue_of(data: dict[str, Any]) -> dict[str, Any]:
    """The vault's queue: {"items": {id: item}, "seen": [envelope ids]}."""
    queue = data.setdefault("queue", {})
    queue.setdefault("items", {})
    queue.setdefault("seen", [])
    return queue


def _new_id(taken: Mapping[str, Any]) -> str:
    while True:
        candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
        if candidate not in taken:
            return candidate


def import_found(
    data: dict[str, Any],
    found: list[Found],
    *,
    pow_bits: int,
    today: dt.date,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Open every envelope in FOUND and add each new submission to the queue.

    Changes DATA (the open vault's contents) only; the caller saves it.
    """
    if not moderators.public_key(data):
        raise InboxError(
            'this vault has no moderator key, so it cannot open submissions; run "quietboard '
            'keys init" first (submissions sealed before then cannot be opened by this vault)'
        )
    secrets_by_id = moderators.secrets_by_key_id(data)
    queue = queue_of(data)
    seen = set(queue["seen"])
    report = ImportReport()
    for done, item in enumerate(found):
        if progress:
            progress(done)
        try:
            identity, payload = _open_one(item, pow_bits, secrets_by_id, seen)
        except Rejected as rejected:
            if rejected.code == "spam":
                report.spam += 1
                # Only a filled honeypot is settled: a stamp that is too weak may
                # come from a page deployed before pow_bits was raised, so it is
                # left on the form service for a moderator to decide.
                if item.honeypot:
                    report.settled.add(done)
            elif rejected.code == "duplicate":
                report.duplicates += 1
                report.settled.add(done)
                continue
            elif rejected.code == "oversize":
                report.skipped += 1
            else:
                report.count_unreadable(rejected.code)
            report.problems.append(f"{item.where}: {rejected}")
            continue
        except Exception:  # one envelope must never stop the others being imported
            report.count_unreadable("unexpected")
            report.problems.append(f"{item.where}: {UNEXPECTED}")
            continue
        seen.add(identity)
        queue["seen"].append(identity)
        item_id = _new_id(queue["items"])
        queue["items"][item_id] = {**_stored(payload), "imported": today.isoformat()}
        report.imported.append(item_id)
        report.settled.add(done)
    return report


def _open_one(
    item: Found, pow_bits: int, secrets_by_id: dict[bytes, bytes], seen: set[str]
) -> tuple[str, dict[str, Any]]:
    """Opening steps 1-7 for one envelope: (its seen-id, payload), or `Rejected`."""
    if item.honeypot:
        raise Rejected("spam")
    if item.oversize:
        raise Rejected("oversize")
    if item.inside is None:
        raise Rejected("damaged")
    envelope = parse_envelope(unarmor(item.inside))
    if envelope.stamp_bits() < pow_bits:
        _spam_or_damaged(envelope, secrets_by_id)
    identity = b64(envelope.id[:SEEN_ID_BYTES])
    if identity in seen:
        raise Rejected("duplicate")
    return identity, open_envelope(envelope, secrets_by_id)


def _spam_or_damaged(envelope: Envelope, secrets_by_id: dict[bytes, bytes]) -> NoReturn:
    """An envelope whose stamp is short: spam, unless it was changed on the way.

    Any change to a sealed envelope also breaks its stamp, so a short stamp
    alone cannot tell spam from damage: an envelope that still opens was sent
    as it is (spam); one that no longer opens was damaged or tampered with.
    One sealed only to other keys cannot be checked and stays spam.
    """
    try:
        open_envelope(envelope, secrets_by_id)
    except Rejected as rejected:
        if rejected.code == "unopenable":
            raise
    raise Rejected("spam")


def _stored(payload: dict[str, Any]) -> dict[str, Any]:
    """What the queue keeps of a payload: a withdrawal keeps the code's verifier,
    so the vault never holds a code that works."""
    if payload["kind"] != "withdraw":
        return payload
    kept = {key: value for key, value in payload.items() if key != "code"}
    return {**kept, "verifier": withdrawal_verifier(payload["code"])}
