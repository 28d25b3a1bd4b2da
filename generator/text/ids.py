"""Card numbers, national identity numbers and IBANs, flagged only when their
checksum is right (python-stdnum)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stdnum import iban, luhn
from stdnum.au import tfn
from stdnum.ca import sin
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.gb import nhs
from stdnum.ie import pps
from stdnum.nl import bsn
from stdnum.us import ssn

from .hits import consistent_case, digits


def _longest_valid(candidate: str, valid: Callable[[str], bool]) -> int:
    """The length of the longest prefix of CANDIDATE ending at a word boundary that
    VALID accepts, or 0. A greedy pattern may have taken a following word ("GB82 WEST
    1234 5698 7654 32 is mine" takes "is" as more IBAN characters)."""
    ends = [match.start() for match in re.finditer(r"(?<=\w)(?=[\s-]|$)", candidate)]
    for end in reversed(ends):
        if valid(candidate[:end]):
            return end
    return 0


def _safe(validator: Callable[[str], bool]) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            return bool(validator(value))
        except Exception:  # a validator that trips on odd input means "no"
            return False

    return check


# The fewest digits a match of CARD holds (13 in one run).
CARD_DIGITS = 13
CARD = re.compile(
    r"(?<![\d-])(?:\d{4}[ -]){3}\d{4}(?:[ -]?\d{3})?(?![\d-])"  # 4-4-4-4, 4-4-4-4-3
    r"|(?<![\d-])\d{4}[ -]\d{6}[ -]\d{4,5}(?![\d-])"  # American Express, Diners
    r"|(?<![\d-])\d{13,19}(?![\d-])"
)


def find_cards(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in CARD.finditer(folded):
        number = digits(match.group())
        # Card numbers start with 2-6 (Mastercard, American Express, Visa, Discover...).
        if 13 <= len(number) <= 19 and number[0] in "23456" and luhn.is_valid(number):
            yield match.start(), match.end(), "card number"


@dataclass(frozen=True)
class _NationalId:
    pattern: re.Pattern[str]
    valid: Callable[[str], bool]
    label: str
    # Empty means "whatever the board's country": these have a distinctive shape or a
    # strong checksum. Weaker ones (9 or 11 bare digits with a mod-11 check digit, which
    # one number in ten or eleven passes) only run on a board of their own country.
    regions: frozenset[str] = frozenset()
    group: int = 0  # the group holding the number
    digits: int = 0  # the fewest digits a match of the pattern holds


NATIONAL_IDS = (
    _NationalId(
        re.compile(r"(?<![\d-])\d{3}([ -]?)\d{3}\1\d{4}(?![\d-])"),
        _safe(nhs.is_valid),
        "NHS number",
        digits=10,
    ),
    _NationalId(
        re.compile(r"(?<![\d-])\d{3}([- ])\d{2}\1\d{4}(?![\d-])"),
        _safe(ssn.is_valid),
        "US social security number",
        digits=9,
    ),
    _NationalId(
        re.compile(r"(?i:\b(?:ssn|social security)\b)\D{0,20}?(?<!\d)(\d{9})(?!\d)"),
        _safe(ssn.is_valid),
        "US social security number",
        group=1,
        digits=9,
    ),
    _NationalId(
        # National Insurance number (python-stdnum has none): two letters (not D, F, I,
        # Q, U, V; not O second; never BG, GB, KN, NK, NT, TN, ZZ), six digits, A-D.
        re.compile(
            r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
            r" ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
            re.IGNORECASE,
        ),
        consistent_case,
        "National Insurance number",
        digits=6,
    ),
    _NationalId(
        re.compile(r"\b\d{8}[ -]?[A-Z]\b", re.IGNORECASE),
        _safe(dni.is_valid),
        "Spanish DNI number",
        digits=8,
    ),
    _NationalId(
        re.compile(r"\b[XYZ][ -]?\d{7}[ -]?[A-Z]\b", re.IGNORECASE),
        _safe(nie.is_valid),
        "Spanish NIE number",
        digits=7,
    ),
    _NationalId(
        re.compile(r"\b\d{7}[A-W][ABHW]?\b", re.IGNORECASE),
        _safe(pps.is_valid),
        "Irish PPS number",
        digits=7,
    ),
    _NationalId(
        re.compile(r"(?<![\d-])[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?!\d)"),
        _safe(nir.is_valid),
        "French social security number",
        digits=14,
    ),
    _NationalId(
        re.compile(r"(?<![\d-])\d{2} ?\d{3} ?\d{3} ?\d{3}(?![\d-])"),
        _safe(idnr.is_valid),
        "German tax ID",
        frozenset({"DE"}),
        digits=11,
    ),
    _NationalId(
        re.compile(r"(?<![\d.-])\d{4}\.?\d{2}\.?\d{3}(?![\d-])"),
        _safe(bsn.is_valid),
        "Dutch citizen service number (BSN)",
        frozenset({"NL"}),
        digits=9,
    ),
    _NationalId(
        re.compile(r"(?<![\d-])\d{3}([ -]?)\d{3}\1\d{3}(?![\d-])"),
        _safe(sin.is_valid),
        "Canadian social insurance number",
        frozenset({"CA"}),
        digits=9,
    ),
    _NationalId(
        re.compile(r"(?<![\d-])\d{3} ?\d{3} ?\d{3}(?![\d-])"),
        _safe(tfn.is_valid),
        "Australian tax file number",
        frozenset({"AU"}),
        digits=9,
    ),
)
IBAN_START = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}\b", re.IGNORECASE)
IBAN_DIGITS = 2
_valid_iban = _safe(iban.is_valid)


def find_national_ids(
    folded: str, region: str, digits: int | None = None
) -> Iterator[tuple[int, int, str]]:
    """Identity numbers and IBANs in FOLDED. DIGITS, when given, is how many digits
    FOLDED holds: patterns that need more are not run (they could find nothing)."""
    for kind in NATIONAL_IDS:
        if kind.regions and region not in kind.regions:
            continue
        if digits is not None and digits < kind.digits:
            continue
        for match in kind.pattern.finditer(folded):
            if kind.valid(match.group(kind.group)):
                yield match.start(kind.group), match.end(kind.group), kind.label
    if digits is not None and digits < IBAN_DIGITS:
        return
    for match in IBAN_START.finditer(folded):
        length = _longest_valid(match.group(), _valid_iban)
        if length and consistent_case(match.group()[:length]):
            yield match.start(), match.start() + length, "IBAN"
