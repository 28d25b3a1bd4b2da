"""What the finders in this package report, and the machinery they share.

A finder searches scrub.fold's copy of a text and reports `Found` spans in
folded coordinates; `in_text` maps them back to the cleaned text through
fold's index, and `merge` turns them into `Hit`s, overlapping spans merged.
Used by pii.py (identifying details) and crisis.py (crisis language).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .scrub import NON_ASCII, fold

KINDS = (
    "email", "phone", "url", "handle", "ip", "card", "national-id", "postcode", "name",
    "watch-list", "crisis",
)  # fmt: skip

# When hits overlap they are merged into one, labelled by the longest; between
# hits of the same length, by the kind listed first here.
RANK = {kind: rank for rank, kind in enumerate((
    "email", "url", "national-id", "card", "phone", "ip", "postcode", "watch-list", "name",
    "handle", "crisis",
))}  # fmt: skip


@dataclass(frozen=True)
class Hit:
    """Something found in the text, with a label for the review screen."""

    kind: str  # one of KINDS
    start: int  # span in the text that was searched, end exclusive
    end: int
    text: str  # text[start:end]
    label: str  # human words: "phone number", "NHS number", ...; for crisis, the topic


@dataclass(frozen=True)
class Found:
    """A hit in folded coordinates, before it is mapped back to the text."""

    kind: str
    start: int
    end: int
    label: str
    rank: float


@dataclass(frozen=True)
class Matchable:
    """The folded text, casefolded, with each character's index in the original text."""

    text: str
    index: Sequence[int]

    @classmethod
    def of(cls, text: str, folded: tuple[str, Sequence[int]] | None = None) -> Matchable:
        """The matchable copy of TEXT (FOLDED is fold(TEXT), if already made)."""
        folded_text, index = folded or fold(text)
        if folded_text.isascii():  # lower() keeps the length of ASCII: same index
            return cls(folded_text.lower(), index)
        pieces: list[str] = []
        positions: list[int] = []
        done = 0
        for match in NON_ASCII.finditer(folded_text):
            at = match.start()
            pieces.append(folded_text[done:at].lower())
            positions.extend(index[done:at])
            lowered = match.group().casefold()  # may grow: "ß" is "ss"
            pieces.append(lowered)
            positions.extend([index[at]] * len(lowered))
            done = at + 1
        pieces.append(folded_text[done:].lower())
        positions.extend(index[done:])
        return cls("".join(pieces), positions)


def in_text(found: Iterable[Found], index: Sequence[int]) -> list[Found]:
    """FOUND with its folded spans mapped back to the text through fold's INDEX."""
    return [
        Found(item.kind, index[item.start], index[item.end - 1] + 1, item.label, item.rank)
        for item in found
        if item.end > item.start
    ]


def merge(found: Iterable[Found], text: str) -> list[Hit]:
    """Hits for FOUND (in text coordinates), sorted by start, where overlapping spans
    are merged into one hit covering them all (so that redacting it removes all that
    was found), named after the longest, or the best ranked among the longest."""
    clusters: list[tuple[int, list[Found]]] = []  # (end, the hits in it)
    for item in sorted(found, key=lambda item: (item.start, -item.end)):
        if clusters and item.start < clusters[-1][0]:
            end, members = clusters[-1]
            members.append(item)
            clusters[-1] = (max(end, item.end), members)
        else:
            clusters.append((item.end, [item]))
    hits = []
    for end, members in clusters:
        start = members[0].start
        best = min(members, key=lambda item: (item.start - item.end, item.rank, item.start))
        hits.append(Hit(best.kind, start, end, text[start:end], best.label))
    return hits


# German spells ä, ö, ü as ae, oe, ue when they are not to hand: "Müller" is also "Mueller".
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def consistent_case(text: str) -> bool:
    """Postcodes are typed all in capitals or all in small letters; "Sw1a" is a word."""
    return text.isupper() or text.islower()
