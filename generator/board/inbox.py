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
import json
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.board import moderators
from generator.errors import InboxError
from generator.formats.armor import BEGIN, armored_spans
from generator.formats.primitives import b64
from generator.formats.submissions import (
    MAX_ARMORED_CHARS,
    MAX_FIELD_CHARS,
    Rejected,
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
# Far more than a board receives between two imports, and few enough that the
# envelopes read from one input take bounded memory; the rest are counted.
MAX_ENVELOPES_PER_INPUT = 10_000
# The share page puts one envelope in its form field; a few allow for one
# pasted in twice. More are counted, not opened.
MAX_ENVELOPES_PER_FIELD = 4
# Problems printed; the rest are counted in one line.
MAX_PROBLEMS_SHOWN = 20
PER_INPUT = (
    f"more envelope(s) not opened (at most {MAX_ENVELOPES_PER_INPUT} are read from one file); "
    "split it and import the parts"
)
PER_FIELD = (
    "more envelope(s) not opened (a form field holds one submission; at most "
    f"{MAX_ENVELOPES_PER_FIELD} are read)"
)


@dataclass(frozen=True)
class Found:
    """One envelope as found in an input: where, and its armored inside."""

    where: str
    inside: str | None  # None: the envelope field held no complete envelope
    honeypot: bool = False
    remote_id: str = ""  # the form service's id, to delete it there; never stored
    oversize: bool = False  # a field too long to be a submission, never searched
    # Not an envelope: how many more this input or field held than are read,
    # and why they were not (PER_INPUT or PER_FIELD).
    excess: int = 0
    limit: str = ""


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
    no_work: int = 0  # no valid proof of work: spam or damaged, never opened
    skipped: int = 0  # fields over MAX_FIELD_CHARS, not searched
    over_limit: int = 0  # envelopes past MAX_ENVELOPES_PER_INPUT or _PER_FIELD, not opened
    requests: int = 0  # of the imported: withdrawal requests, carried out, never queued
    problems: list[str] = field(default_factory=list)  # the first MAX_PROBLEMS_SHOWN
    more_problems: int = 0
    # Indexes of the inputs that are safely handled (imported now or before,
    # or spam), which may be deleted from the form service.
    settled: set[int] = field(default_factory=set)
    unreadable_by_group: dict[str, int] = field(default_factory=dict)

    def count_unreadable(self, code: str) -> None:
        self.unreadable += 1
        group = UNREADABLE_GROUPS[code]
        self.unreadable_by_group[group] = self.unreadable_by_group.get(group, 0) + 1

    def add_problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS_SHOWN:
            self.problems.append(text)
        else:
            self.more_problems += 1

    def problem_lines(self) -> list[str]:
        """The problems to print: the first few, then how many more."""
        more = [f"... and {self.more_problems} more"] if self.more_problems else []
        return [*self.problems, *more]

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
        if self.requests:
            text += (
                f" Of those imported, {self.requests} were withdrawal requests, carried out at "
                "once (they never wait in the queue)."
            )
        if self.no_work:
            text += (
                f" No valid proof of work: {self.no_work} (spam, or damaged on the way; "
                "not opened)."
            )
        if self.skipped:
            text += (
                f" Skipped without searching: {self.skipped} field(s) over "
                f"{MAX_FIELD_CHARS // 1024} KiB, more than any submission."
            )
        if self.over_limit:
            text += (
                f" Not opened: {self.over_limit} envelope(s) over the limit of "
                f"{MAX_ENVELOPES_PER_INPUT} a file or {MAX_ENVELOPES_PER_FIELD} a form field."
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
        found = _from_text(name, text)
    if not found:
        raise InboxError(
            f"{name} holds no sealed submissions; import Netlify's CSV export, its submissions "
            f'JSON, or text that contains "{BEGIN}"'
        )
    return found


def _looks_like_csv(text: str) -> bool:
    first = text.split("\n", 1)[0]
    return BEGIN not in first and ENVELOPE_FIELD in first.lower() and "," in first


class _Collected:
    """The envelopes of one input up to MAX_ENVELOPES_PER_INPUT, and a count of the rest.

    Each one kept holds at most a bounded slice of the text, and the rest are
    only counted, so memory stays in proportion to the input's first envelopes,
    never to how many markers it holds.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[Found] = []
        self.rest = 0

    def add(self, items: list[Found]) -> None:
        """Keep a field's envelopes all together or count them all (a form
        service's submission is deleted only when all of it was read)."""
        if len(self.found) + len(items) <= MAX_ENVELOPES_PER_INPUT:
            self.found += items
        else:
            self.rest += sum(item.excess or 1 for item in items)

    def result(self) -> list[Found]:
        if not self.rest:
            return self.found
        # First, so its line is among the problems printed.
        return [Found(self.name, None, excess=self.rest, limit=PER_INPUT), *self.found]


def _inside(text: str, start: int, end: int) -> str:
    # Longer than any envelope: keep one character more, enough for
    # unarmor() to refuse it as too large without copying all of it.
    return text[start : min(end, start + MAX_ARMORED_CHARS + 1)]


def _from_text(name: str, text: str) -> list[Found]:
    collected = _Collected(name)
    spans = armored_spans(text)
    for number, (start, end) in enumerate(spans, 1):
        collected.add([Found(f"{name}, envelope {number}", _inside(text, start, end))])
        if collected.rest:
            collected.rest += sum(1 for _ in spans)  # counted, never copied
    return collected.result()


def _field(text: str | None, where: str, honeypot: Any, remote_id: str = "") -> list[Found]:
    filled = isinstance(honeypot, str) and honeypot.strip() != ""
    if isinstance(text, str) and len(text) > MAX_FIELD_CHARS:
        return [Found(where, None, filled, remote_id, oversize=True)]
    if not isinstance(text, str) or BEGIN not in text:
        return [Found(where, None, filled, remote_id)]
    spans = list(armored_spans(text))  # a field is short: at most a few thousand
    if len(spans) == 1:
        return [Found(where, _inside(text, *spans[0]), filled, remote_id)]
    found = [
        Found(f"{where}, envelope {i}", _inside(text, start, end), filled, remote_id)
        for i, (start, end) in enumerate(spans[:MAX_ENVELOPES_PER_FIELD], 1)
    ]
    if len(spans) > MAX_ENVELOPES_PER_FIELD:
        excess = len(spans) - MAX_ENVELOPES_PER_FIELD
        found.append(Found(where, None, filled, remote_id, excess=excess, limit=PER_FIELD))
    return found


# Lines as a file opened with newline="" gives them (ends kept, any of \r\n,
# \r, \n), for the csv module: io.StringIO would hold a copy of the whole
# text at four bytes a character.
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    return (line.group() for line in LINE.finditer(text))


def _from_csv(name: str, text: str) -> list[Found] | None:
    """The rows of a CSV export; None if it has no envelope column after all."""
    # The csv module refuses fields over 128 KiB by default, which would fail
    # the whole file for one oversized row; unarmor() refuses that row alone.
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    reader = csv.DictReader(_lines(text))
    try:
        columns = {column.strip().lower(): column for column in reader.fieldnames or []}
    except csv.Error:
        return None
    if ENVELOPE_FIELD not in columns:
        return None
    envelope, honeypot = columns[ENVELOPE_FIELD], columns.get(HONEYPOT_FIELD)
    collected = _Collected(name)
    try:
        for row_number, row in enumerate(reader, 2):
            value = row.get(envelope)
            if value is None or value.strip() == "":
                continue
            collected.add(_field(value, f"{name}, row {row_number}", row.get(honeypot or "")))
    except csv.Error:
        raise InboxError(f"{name} is not a complete CSV file; export it again") from None
    return collected.result()


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
    collected = _Collected(name)
    for number, item in enumerate(items, 1):
        data = item.get("data") if isinstance(item, dict) else None
        if not isinstance(data, dict):
            raise InboxError(
                f'{name}: item {number} is not a Netlify submission (it has no "data" object)'
            )
        remote_id = str(item.get("id", ""))
        where = f"{name}, item {number}"
        collected.add(_field(data.get(ENVELOPE_FIELD), where, data.get(HONEYPOT_FIELD), remote_id))
    return collected.result()


def queue_of(data: dict[str, Any]) -> dict[str, Any]:
    """The vault's queue: {"items": {id: item}, "seen": [envelope ids]}."""
    queue = data.setdefault("queue", {})
    queue.setdefault("items", {})
    queue.setdefault("seen", [])
    return queue


def _new_id(taken: Mapping[str, Any]) -> str:
    bits = len(ID_ALPHABET).bit_length() - 1  # 32 letters: 5 bits a letter, drawn at once
    mask = (1 << bits) - 1
    while True:
        number = secrets.randbits(bits * ID_LENGTH)
        candidate = "".join(ID_ALPHABET[number >> (bits * i) & mask] for i in range(ID_LENGTH))
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
    waiting = {_submission_key(item) for item in queue["items"].values()} - {None}
    report = ImportReport()
    for done, item in enumerate(found):
        if progress:
            progress(done)
        if item.excess:
            report.over_limit += item.excess
            report.add_problem(f"{item.where}: {item.excess} {item.limit}")
            continue
        try:
            identity, payload = _open_one(item, pow_bits, secrets_by_id, seen)
        except Rejected as rejected:
            _count_rejected(report, done, item, rejected)
            continue
        except Exception:  # one envelope must never stop the others being imported
            report.count_unreadable("unexpected")
            report.add_problem(f"{item.where}: {UNEXPECTED}")
            continue
        seen.add(identity)
        queue["seen"].append(identity)
        # The envelope's id goes with the item: a team board knows by it one submission
        # that two moderators imported (board/team.py).
        item_id = _store(queue, {**_stored(payload), "envelope": identity}, waiting, today)
        report.settled.add(done)
        if item_id is None:
            report.duplicates += 1
        else:
            report.imported.append(item_id)
            report.requests += payload["kind"] == "withdraw"
    return report


def _open_one(
    item: Found, pow_bits: int, secrets_by_id: dict[bytes, bytes], seen: set[str]
) -> tuple[str, dict[str, Any]]:
    """Opening steps 1-7 for one envelope: (its seen-id, payload), or `Rejected`."""
    if item.honeypot:
        raise Rejected("honeypot")
    if item.oversize:
        raise Rejected("oversize")
    if item.inside is None:
        raise Rejected("damaged")
    envelope = parse_envelope(unarmor(item.inside))
    if envelope.stamp_bits() < pow_bits:
        # The stamp covers the whole envelope, so a change on the way breaks
        # it just as skipping the work does: the two cannot be told apart, and
        # opening it would hand anyone who skips the work an HPKE open each
        # and a way to pass for a form service that tampers. Not opened.
        raise Rejected("spam")
    identity = b64(envelope.id[:SEEN_ID_BYTES])
    if identity in seen:
        raise Rejected("duplicate")
    return identity, open_envelope(envelope, secrets_by_id)


# What makes two payloads the same submission sent twice.
SAME_SUBMISSION = ("kind", "section", "post", "title", "body", "cw", "pseudonym", "verifier")


def _count_rejected(report: ImportReport, done: int, item: Found, rejected: Rejected) -> None:
    if rejected.code == "duplicate":
        report.duplicates += 1
        report.settled.add(done)
        return
    if rejected.code == "honeypot":
        report.spam += 1
        report.settled.add(done)
    elif rejected.code == "spam":
        # Not settled: a stamp that is too weak may come from a page
        # deployed before pow_bits was raised, or be damage, so it is
        # left on the form service for a moderator to decide.
        report.no_work += 1
    elif rejected.code == "oversize":
        report.skipped += 1
    else:
        report.count_unreadable(rejected.code)
    report.add_problem(f"{item.where}: {rejected}")


def _store(
    queue: dict[str, Any], stored: dict[str, Any], waiting: set[str], today: dt.date
) -> str | None:
    """Add STORED to the queue under a new id; None if it is a copy of one waiting.

    A copy is the same draft sealed again (a member pressing Send after a failed
    send): its own envelope, but the same words and the same withdrawal code.
    """
    key = _submission_key(stored)
    if key is not None:
        if key in waiting:
            return None
        waiting.add(key)
    item_id = _new_id(queue["items"])
    queue["items"][item_id] = {**stored, "imported": today.isoformat()}
    return item_id


def _submission_key(item: dict[str, Any]) -> str | None:
    """Who wrote what, with its withdrawal code: None for what carries no code."""
    if not item.get("verifier"):
        return None
    return json.dumps([item.get(name) for name in SAME_SUBMISSION], sort_keys=True)


def _stored(payload: dict[str, Any]) -> dict[str, Any]:
    """What the queue keeps of a payload: a withdrawal keeps the code's verifier,
    so the vault never holds a code that works."""
    if payload["kind"] != "withdraw":
        return payload
    kept = {key: value for key, value in payload.items() if key != "code"}
    return {**kept, "verifier": withdrawal_verifier(payload["code"])}
