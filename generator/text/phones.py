"""Phone numbers (by phonenumbers' data, for the board's country and "+" numbers)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import phonenumbers
from phonenumbers import PhoneMetadata

from .hits import digits

DATE = re.compile(r"\d{1,2}([./-])\d{1,2}\1(?:\d{2}|\d{4})|\d{4}([./-])\d{1,2}\2\d{1,2}")
# A number that is possible for its country but not (yet) assigned, by phonenumbers'
# data, is flagged only when it is written the way phone numbers are and never years,
# counts, scores or dates: at least this many digits, and dialled with "+", the
# international prefix or the country's trunk prefix ("0" in most of Europe).
POSSIBLE_MIN_DIGITS = 10


def _dialled_like_a_phone(raw: str, region: str) -> bool:
    if len(digits(raw)) < POSSIBLE_MIN_DIGITS or DATE.search(raw):
        return False
    # Phone numbers are written in a few groups of two digits or more; a list of
    # scores or hours ("0 0 1 2 ...", "04 05 06 04 05 07 06") is not one.
    groups = re.findall(r"\d+", raw.replace("(0)", " "))
    if raw.startswith("+"):
        groups = groups[1:]  # the country code
    if len(groups) > 5 or any(len(group) < 2 for group in groups):
        return False
    start = raw.lstrip("(")
    if start.startswith("+"):
        return True
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region) if region else None
    # Without a region, "0" is the trunk prefix of most countries that have one.
    prefixes = [metadata.national_prefix, "00"] if metadata else ["0"]
    return any(prefix and start.startswith(prefix) for prefix in prefixes)


# The fewest digits of a valid number dialled with "+" or the international prefix:
# its country code and the shortest valid number of that country ("+43 1234"), by
# phonenumbers' data (tests/unit/test_report_shortcuts.py checks it against the data).
INTERNATIONAL_DIGITS = 6
# Every description of numbers that phonenumbers checks a number's length against.
NUMBER_TYPES = ("general_desc", "fixed_line", "mobile", "toll_free", "premium_rate",
                "shared_cost", "personal_number", "voip", "pager", "uan", "voicemail")  # fmt: skip


def _shortest_valid(metadata: PhoneMetadata) -> int:
    lengths = [
        length
        for name in NUMBER_TYPES
        if (desc := getattr(metadata, name, None)) is not None
        for length in desc.possible_length or ()
        if length > 0
    ]
    return min(lengths, default=1)


@functools.cache
def fewest_digits(region: str) -> int:
    """How many digits a text must hold at least for find_phones to find a number in
    it with REGION: it finds valid numbers of the region's country, valid numbers
    dialled internationally, and otherwise only numbers of ten digits or more.

    A national number holds all the digits of its national significant number
    except those the country's national-prefix rule adds when it is read (San
    Marino's "0549", Norfolk Island's "3"); phonenumbers' matcher reads no letters.
    """
    code = phonenumbers.country_code_for_region(region) if region else 0
    if not code:
        return INTERNATIONAL_DIGITS
    national = min(
        _shortest_valid(PhoneMetadata.metadata_for_region_or_calling_code(code, name))
        for name in phonenumbers.region_codes_for_country_code(code)
    )
    rule = PhoneMetadata.metadata_for_region(region).national_prefix_transform_rule or ""
    added = sum(char.isdigit() for char in re.sub(r"\\\d", "", rule))
    return max(1, min(national - added, INTERNATIONAL_DIGITS))


# Where a possible-but-unassigned number could be: ten digits or more in one run.
LONG_NUMBER = re.compile(rf"\d(?:[\s()./-]{{0,3}}\d){{{POSSIBLE_MIN_DIGITS - 1},}}")


def find_phones(folded: str, region: str) -> Iterator[tuple[int, int, str]]:
    # With region "ZZ" (unknown) the matcher finds only international numbers ("+44 ...");
    # with a region it finds that country's national numbers and every "+" number.
    matcher = phonenumbers.PhoneNumberMatcher(
        folded, region or "ZZ", leniency=phonenumbers.Leniency.VALID
    )
    for match in matcher:
        # "03.04.2024" is a valid German number, and far more often a date.
        if not DATE.fullmatch(match.raw_string):
            yield match.start, match.end, "phone number"
    if not LONG_NUMBER.search(folded):
        return
    # Numbers of the right length for the country that phonenumbers does not call valid
    # (Ofcom's drama range 07700 900xxx, ranges assigned after the library's data),
    # when they are dialled like a phone number.
    matcher = phonenumbers.PhoneNumberMatcher(
        folded, region or "ZZ", leniency=phonenumbers.Leniency.POSSIBLE
    )
    for match in matcher:
        if not phonenumbers.is_valid_number(match.number) and _dialled_like_a_phone(
            match.raw_string, region
        ):
            yield match.start, match.end, "phone number"
    if not region:
        # Without the board's country no national number is valid or possible to
        # phonenumbers; one dialled like a phone (a trunk "0", ten digits or more in
        # a few groups) is still someone's number.
        for match in LONG_NUMBER.finditer(folded):
            raw = match.group(0)
            if not raw.startswith("+") and _dialled_like_a_phone(raw, ""):
                yield match.start(), match.end(), "phone number"
