"""Postcodes, for the board's country only (a bare number is too common otherwise)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from .hits import consistent_case

GB_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRV-Y])"
    r" ?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
ORDINAL = re.compile(r"\d(?:st|nd|rd|th)$")
US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
    "NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)
US_ZIP_PLUS_4 = re.compile(r"(?<![\d-])\d{5}-\d{4}(?![\d-])")
US_ZIP_AFTER_STATE = re.compile(rf"\b(?:{US_STATES})\.?,?\s+(\d{{5}}(?:-\d{{4}})?)(?![\d-])")
CA_POSTCODE = re.compile(
    r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b", re.IGNORECASE
)
IE_EIRCODE = re.compile(
    r"\b(?:[ACDEFHKNPRTVWXY]\d{2}|D6W) ?([0-9ACDEFHKNPRTVWXY]{4})\b", re.IGNORECASE
)
NL_POSTCODE = re.compile(r"\b[1-9]\d{3} ?(?!SA|SD|SS)[A-EGHJ-NPRSTV-XZ]{2}\b")
AU_POSTCODE = re.compile(r"\b(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT)\s+(\d{4})(?!\d)")
# German and French addresses put the postcode before the town: "10115 Berlin".
TOWN_POSTCODE = re.compile(r"(?<![\d.,-])\d{5}(?![\d.,-])(?=[ \t]+([A-Z][^\W\d_]+))")
# ...but German capitalises every noun, so a count followed by a noun is not an address.
NOT_TOWNS = frozenset("""
    euro euros dollar franken pfund cent schritte schritten kalorien kcal meter kilometer km
    jahre jahren tage tagen stunden minuten sekunden menschen leute mitglieder follower likes
    punkte worte worter zeichen mal kilo gramm liter einwohner mitarbeiter teilnehmer
    besucher views aufrufe steps calories words people members
""".split())  # fmt: skip


def _gb_postcodes(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in GB_POSTCODE.finditer(folded):
        code = match.group()
        if consistent_case(code) and not (code.islower() and ORDINAL.search(code)):
            yield match.start(), match.end(), "postcode"


def _us_zip_codes(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in US_ZIP_PLUS_4.finditer(folded):
        yield match.start(), match.end(), "ZIP code"
    for match in US_ZIP_AFTER_STATE.finditer(folded):
        yield match.start(1), match.end(1), "ZIP code"


def _ca_postcodes(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in CA_POSTCODE.finditer(folded):
        if consistent_case(match.group()):
            yield match.start(), match.end(), "postcode"


def _eircodes(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in IE_EIRCODE.finditer(folded):
        # The unique part of a real Eircode has a letter; "D02 2024" is not one.
        if consistent_case(match.group()) and not match.group(1).isdigit():
            yield match.start(), match.end(), "Eircode"


def _nl_postcodes(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in NL_POSTCODE.finditer(folded):
        yield match.start(), match.end(), "postcode"


def _postcodes_before_town(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in TOWN_POSTCODE.finditer(folded):
        if match.group(1).casefold() not in NOT_TOWNS:
            yield match.start(), match.end(), "postcode"


def _au_postcodes(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in AU_POSTCODE.finditer(folded):
        yield match.start(1), match.end(1), "postcode"


# A board's country decides which postcodes are looked for; a country without an
# entry gets none (a bare number is too common to flag without knowing the country).
POSTCODES: dict[str, Callable[[str], Iterator[tuple[int, int, str]]]] = {
    "GB": _gb_postcodes,
    "US": _us_zip_codes,
    "CA": _ca_postcodes,
    "IE": _eircodes,
    "NL": _nl_postcodes,
    "DE": _postcodes_before_town,
    "FR": _postcodes_before_town,
    "AU": _au_postcodes,
}


def find_postcodes(folded: str, region: str) -> Iterator[tuple[int, int, str]]:
    finder = POSTCODES.get(region)
    return finder(folded) if finder else iter(())
