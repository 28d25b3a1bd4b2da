"""Finding identifying details and crisis language in a submission.

Everything here runs on the *cleaned* text (see scrub.clean_text) and reports
spans of that text, so that a moderator sees, and `redact` removes, exactly
what was found. Detection itself runs on scrub.fold's copy, in which lookalike
letters, fullwidth digits and accents are folded to plain ASCII: a detector
written for "sarah@example.com" then also finds it typed with Cyrillic
lookalike letters, and a phone number typed with fullwidth digits.

These are aids for a human reviewer, not a guarantee: they find the common
shapes of emails, phone numbers, addresses and identity numbers, and phrases a
moderator would want to see before publishing, and they are tuned so that
ordinary support talk ("3am", "day 45 sober", "20mg of sertraline") is not
flagged. Numbers with a checksum (cards, NHS numbers, IBANs...) are flagged
only when the checksum is right.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import phonenumbers
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

from .scrub import NON_ASCII, fold, fold_key

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

REMOVED = "[removed]"
REGION_ALIASES = {"UK": "GB"}  # not an ISO 3166 code, but what a British moderator types


@dataclass(frozen=True)
class Hit:
    """Something found in the text, with a label for the review screen."""

    kind: str  # one of KINDS
    start: int  # span in the text that was searched, end exclusive
    end: int
    text: str  # text[start:end]
    label: str  # human words: "phone number", "NHS number", ...; for crisis, the topic


@dataclass(frozen=True)
class _Found:
    """A hit in folded coordinates, before it is mapped back to the text."""

    kind: str
    start: int
    end: int
    label: str
    rank: float


# --- helpers ------------------------------------------------------------------------------


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def _consistent_case(text: str) -> bool:
    """Postcodes are typed all in capitals or all in small letters; "Sw1a" is a word."""
    return text.isupper() or text.islower()


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


# --- email, url, handle, ip ---------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]*\w@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w-])")

# Top-level domains for bare domains ("example.com", "nhs.uk"). Only common ones, and
# none that is also a short English word ("it", "me", "at", "no", "is"...): a missing
# space after a full stop ("tired.It was") must not look like a web address.
TLDS = (
    "com|org|net|edu|gov|info|io|co|uk|de|fr|ie|au|ca|nl|eu|nz|es|ch|se|dk|pl|ru|app|dev|"
    "xyz|online|site|shop|blog|social|link|ly|ee"
)
URL = re.compile(
    r"\b(?:https?|ftp)://[^\s<>\"'`]+"
    r"|\bwww\d?\.[^\s<>\"'`.]+\.[^\s<>\"'`]+"
    rf"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{TLDS})(?![\w-])"
    r"(?:/[^\s<>\"'`]*)?",
    re.IGNORECASE,
)
URL_TRAILING = ".,;:!?'\"]}>"

# "sarah at example dot com", "sarah [at] example [dot] co [dot] uk", "sarah @ example.com".
_AT = r"(?:\s*@\s*|\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*\.\s*|\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]*\w{_AT}(?:[^\W_][\w-]*{_DOT})+(?:{TLDS})(?![\w-])", re.IGNORECASE
)
# ...but "I looked at nhs.uk" is a web address, not an obfuscated email: one of the
# tricks must be there.
OBFUSCATION = re.compile(r"@|[\[({<]\s*(?:at|dot)\s*[\])}>]|\sdot\s", re.IGNORECASE)

AT_HANDLE = re.compile(r"(?<![\w@.+%-])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
U_HANDLE = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}(?![\w/-])")
NOT_HANDLES = frozenset({"everyone", "here", "channel", "all", "mods", "moderators", "admin"})
TIME = re.compile(r"\d{1,2}(?:[:.]\d\d)?(?:am|pm|h)?", re.IGNORECASE)

IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
IPV6 = re.compile(
    r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}(?![\w:])"
)


def _emails(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in EMAIL.finditer(folded):
        yield match.start(), match.end(), "email address"
    for match in OBFUSCATED_EMAIL.finditer(folded):
        if OBFUSCATION.search(match.group()):
            yield match.start(), match.end(), "email address (written out)"


def _urls(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in URL.finditer(folded):
        url = match.group()
        while (url and url[-1] in URL_TRAILING) or (url.endswith(")") and "(" not in url):
            url = url[:-1]
        if "." in url:
            yield match.start(), match.start() + len(url), "web address"


def _handles(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in AT_HANDLE.finditer(folded):
        name = match.group(1)
        if TIME.fullmatch(name) or name.lower() in NOT_HANDLES or name.isdigit():
            continue
        yield match.start(), match.end(), "social media handle"
    for match in U_HANDLE.finditer(folded):
        yield match.start(), match.end(), "Reddit username"


def _ips(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in IPV4.finditer(folded):
        try:
            ipaddress.IPv4Address(match.group())
        except ValueError:
            continue
        yield match.start(), match.end(), "IP address"
    for match in IPV6.finditer(folded):
        candidate = match.group()
        groups = [group for group in re.split(r"[:.]", candidate) if group]
        if len(groups) < 3:  # "::1", "fe80::1": not identifying, and "a::b" is not rare
            continue
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        yield match.start(), match.end(), "IP address"


# --- phones, cards, national ids ----------------------------------------------------------


DATE = re.compile(r"\d{1,2}([./-])\d{1,2}\1(?:\d{2}|\d{4})|\d{4}([./-])\d{1,2}\2\d{1,2}")
# A number that is possible for its country but not (yet) assigned, by phonenumbers'
# data, is flagged only when it is written the way phone numbers are and never years,
# counts, scores or dates: at least this many digits, and dialled with "+", the
# international prefix or the country's trunk prefix ("0" in most of Europe).
POSSIBLE_MIN_DIGITS = 10


def _dialled_like_a_phone(raw: str, region: str) -> bool:
    if len(_digits(raw)) < POSSIBLE_MIN_DIGITS or DATE.search(raw):
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
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefixes = [metadata.national_prefix, "00"] if metadata else []
    return any(prefix and start.startswith(prefix) for prefix in prefixes)


# Where a possible-but-unassigned number could be: ten digits or more in one run.
LONG_NUMBER = re.compile(rf"\d(?:[\s()./-]{{0,3}}\d){{{POSSIBLE_MIN_DIGITS - 1},}}")


def _phones(folded: str, region: str) -> Iterator[tuple[int, int, str]]:
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


CARD = re.compile(
    r"(?<![\d-])(?:\d{4}[ -]){3}\d{4}(?:[ -]?\d{3})?(?![\d-])"  # 4-4-4-4, 4-4-4-4-3
    r"|(?<![\d-])\d{4}[ -]\d{6}[ -]\d{4,5}(?![\d-])"  # American Express, Diners
    r"|(?<![\d-])\d{13,19}(?![\d-])"
)


def _cards(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in CARD.finditer(folded):
        digits = _digits(match.group())
        # Card numbers start with 2-6 (Mastercard, American Express, Visa, Discover...).
        if 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn.is_valid(digits):
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


NATIONAL_IDS = (
    _NationalId(
        re.compile(r"(?<![\d-])\d{3}([ -]?)\d{3}\1\d{4}(?![\d-])"),
        _safe(nhs.is_valid),
        "NHS number",
    ),
    _NationalId(
        re.compile(r"(?<![\d-])\d{3}([- ])\d{2}\1\d{4}(?![\d-])"),
        _safe(ssn.is_valid),
        "US social security number",
    ),
    _NationalId(
        re.compile(r"(?i:\b(?:ssn|social security)\b)\D{0,20}?(?<!\d)(\d{9})(?!\d)"),
        _safe(ssn.is_valid),
        "US social security number",
        group=1,
    ),
    _NationalId(
        # National Insurance number (python-stdnum has none): two letters (not D, F, I,
        # Q, U, V; not O second; never BG, GB, KN, NK, NT, TN, ZZ), six digits, A-D.
        re.compile(
            r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
            r" ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
            re.IGNORECASE,
        ),
        _consistent_case,
        "National Insurance number",
    ),
    _NationalId(
        re.compile(r"\b\d{8}[ -]?[A-Z]\b", re.IGNORECASE), _safe(dni.is_valid), "Spanish DNI number"
    ),
    _NationalId(
        re.compile(r"\b[XYZ][ -]?\d{7}[ -]?[A-Z]\b", re.IGNORECASE),
        _safe(nie.is_valid),
        "Spanish NIE number",
    ),
    _NationalId(
        re.compile(r"\b\d{7}[A-W][ABHW]?\b", re.IGNORECASE), _safe(pps.is_valid), "Irish PPS number"
    ),
    _NationalId(
        re.compile(r"(?<![\d-])[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?!\d)"),
        _safe(nir.is_valid),
        "French social security number",
    ),
    _NationalId(
        re.compile(r"(?<![\d-])\d{2} ?\d{3} ?\d{3} ?\d{3}(?![\d-])"),
        _safe(idnr.is_valid),
        "German tax ID",
        frozenset({"DE"}),
    ),
    _NationalId(
        re.compile(r"(?<![\d.-])\d{4}\.?\d{2}\.?\d{3}(?![\d-])"),
        _safe(bsn.is_valid),
        "Dutch citizen service number (BSN)",
        frozenset({"NL"}),
    ),
    _NationalId(
        re.compile(r"(?<![\d-])\d{3}([ -]?)\d{3}\1\d{3}(?![\d-])"),
        _safe(sin.is_valid),
        "Canadian social insurance number",
        frozenset({"CA"}),
    ),
    _NationalId(
        re.compile(r"(?<![\d-])\d{3} ?\d{3} ?\d{3}(?![\d-])"),
        _safe(tfn.is_valid),
        "Australian tax file number",
        frozenset({"AU"}),
    ),
)
IBAN_START = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}\b", re.IGNORECASE)
_valid_iban = _safe(iban.is_valid)


def _national_ids(folded: str, region: str) -> Iterator[tuple[int, int, str]]:
    for kind in NATIONAL_IDS:
        if kind.regions and region not in kind.regions:
            continue
        for match in kind.pattern.finditer(folded):
            if kind.valid(match.group(kind.group)):
                yield match.start(kind.group), match.end(kind.group), kind.label
    for match in IBAN_START.finditer(folded):
        length = _longest_valid(match.group(), _valid_iban)
        if length and _consistent_case(match.group()[:length]):
            yield match.start(), match.start() + length, "IBAN"


# --- postcodes ----------------------------------------------------------------------------

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
        if _consistent_case(code) and not (code.islower() and ORDINAL.search(code)):
            yield match.start(), match.end(), "postcode"


def _us_zip_codes(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in US_ZIP_PLUS_4.finditer(folded):
        yield match.start(), match.end(), "ZIP code"
    for match in US_ZIP_AFTER_STATE.finditer(folded):
        yield match.start(1), match.end(1), "ZIP code"


def _ca_postcodes(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in CA_POSTCODE.finditer(folded):
        if _consistent_case(match.group()):
            yield match.start(), match.end(), "postcode"


def _eircodes(folded: str) -> Iterator[tuple[int, int, str]]:
    for match in IE_EIRCODE.finditer(folded):
        # The unique part of a real Eircode has a letter; "D02 2024" is not one.
        if _consistent_case(match.group()) and not match.group(1).isdigit():
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


def _postcodes(folded: str, region: str) -> Iterator[tuple[int, int, str]]:
    finder = POSTCODES.get(region)
    return finder(folded) if finder else iter(())


# --- names ----------------------------------------------------------------------------------

NAME_INTRO = re.compile(
    r"(?<!\w)(?i:my\s+name\s+is|my\s+name'?s|i\s+am\s+called|i'?m\s+called|call\s+me"
    r"|ich\s+hei(?:ss|ß)e|mein\s+name\s+ist|man\s+nennt\s+mich|nennt\s+mich)"
    r"\s+([^\W\d_][\w'-]*)(?:[ ]([^\W\d_][\w'-]*))?"
)
# Capitalised words that follow "call me" and friends without being a name ("my kids
# call me Mum").
NOT_NAMES = frozenset("""
    i im i'm i'd i'll a an the and but or so if when whatever anything crazy not just please
    maybe back later tomorrow now today tonight ich und aber nicht bitte einfach der die das
    doch mal morgen heute
    mum mom mam mummy mommy dad daddy mama papa nan nana nanna gran granny grandma grandad
    grandpa auntie aunty uncle sis bro babe hun love sweetie mutti vati oma opa
""".split())  # fmt: skip


def _names(folded: str, text: str, index: list[int]) -> Iterator[tuple[int, int, str]]:
    for match in NAME_INTRO.finditer(folded):
        first, second = match.group(1), match.group(2)
        if not first[0].isupper() or first.casefold() in NOT_NAMES:
            continue
        end = match.end(1)
        if second and second[0].isupper() and second.casefold() not in NOT_NAMES:
            end = match.end(2)
        # The words as typed ("heiße", not the folded "heisse"), in small letters.
        intro = text[index[match.start()] : index[match.start(1)]]
        yield match.start(1), end, f"a name after '{' '.join(intro.split()).lower()}'"


# --- watch list and phrases (matched on a casefolded copy) ----------------------------------


@dataclass(frozen=True)
class _Matchable:
    """The folded text, casefolded, with each character's index in the original text."""

    text: str
    index: list[int]

    @classmethod
    def of(cls, text: str, folded: tuple[str, list[int]] | None = None) -> _Matchable:
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


# German spells ä, ö, ü as ae, oe, ue when they are not to hand: "Müller" is also "Mueller".
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


WATCH_SEPARATORS = re.compile(r"[\s'\u2019\u2010\u2011\-.]+")
WATCH_GAP = r"[\s'\u2019\u2010\u2011\-.]{0,3}"


@functools.lru_cache(maxsize=1024)
def _watch_pattern(entry: str) -> re.Pattern[str] | None:
    keys = {fold_key(entry), fold_key(entry.translate(UMLAUTS))} - {""}
    if not keys:
        return None
    # Spaces, apostrophes, hyphens and dots are optional anywhere, so "St Anne's
    # Clinic" also catches "st annes clinic" and "Millbrook" catches "Mill-brook".
    alternatives = sorted(
        (WATCH_GAP.join(map(re.escape, WATCH_SEPARATORS.sub("", key))) for key in keys), key=len
    )
    return re.compile(rf"(?<!\w)(?:{'|'.join(reversed(alternatives))})(?!\w)")


def _watch(matchable: _Matchable, watch: Sequence[str]) -> Iterator[tuple[int, int, str]]:
    for entry in watch:
        pattern = _watch_pattern(entry)
        if pattern is not None:
            for match in pattern.finditer(matchable.text):
                yield match.start(), match.end(), "watch-list name"


# --- finding everything ---------------------------------------------------------------------


def _in_text(found: Iterable[_Found], index: list[int]) -> list[_Found]:
    """FOUND with its folded spans mapped back to the text through fold's INDEX."""
    return [
        _Found(item.kind, index[item.start], index[item.end - 1] + 1, item.label, item.rank)
        for item in found
        if item.end > item.start
    ]


def _merge(found: Iterable[_Found], text: str) -> list[Hit]:
    """Hits for FOUND (in text coordinates), sorted by start, where overlapping spans
    are merged into one hit covering them all (so that redacting it removes all that
    was found), named after the longest, or the best ranked among the longest."""
    clusters: list[tuple[int, list[_Found]]] = []  # (end, the hits in it)
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


def find_pii(text: str, *, region: str = "", watch: Sequence[str] = ()) -> list[Hit]:
    """Identifying details in TEXT (the cleaned text), sorted by start.

    REGION is the board's two-letter country code ("GB", "US"...; "" for none): it
    chooses how national phone numbers and postcodes look, and turns on the national
    identity numbers that are too plain to look for everywhere. International phone
    numbers, emails, web addresses, handles, IP addresses, card numbers, IBANs and
    identity numbers with a distinctive shape are looked for whatever the region.
    WATCH is a list of names the moderators want caught (compared with fold_key, as
    whole words, ignoring case and accents). Overlapping hits are merged into one
    that covers all of them, labelled after the longest.
    """
    region = region.strip().upper()
    region = REGION_ALIASES.get(region, region)
    folded, index = fold(text)
    found: list[_Found] = []

    def add(kind: str, spans: Iterable[tuple[int, int, str]]) -> None:
        for start, end, label in spans:
            rank = float(RANK[kind])
            if label == "NHS number" and region not in {"GB", ""}:
                rank = RANK["phone"] + 0.5  # elsewhere, a 3-3-4 number is a phone first
            found.append(_Found(kind, start, end, label, rank))

    add("email", _emails(folded))
    add("url", _urls(folded))
    add("handle", _handles(folded))
    add("ip", _ips(folded))
    add("phone", _phones(folded, region))
    add("card", _cards(folded))
    add("national-id", _national_ids(folded, region))
    add("postcode", _postcodes(folded, region))
    add("name", _names(folded, text, index))
    found = _in_text(found, index)
    if watch:
        matchable = _Matchable.of(text, (folded, index))
        watched = (
            _Found("watch-list", start, end, label, RANK["watch-list"])
            for start, end, label in _watch(matchable, watch)
        )
        found += _in_text(watched, matchable.index)
    return _merge(found, text)


# --- crisis language -----------------------------------------------------------------------

# Phrases a moderator should see before a post goes out, so that they can reach out,
# add a content warning or point to crisis help. The built-in rules, and the rule
# language they are written in, are in generator/data/crisis-terms.toml; a board adds
# its own under [moderation.crisis_terms] (a plain phrase is a rule too). Rules are
# matched on the folded, casefolded text, as whole words. Ordinary words of low mood
# ("sad", "depressed", "exhausted") are deliberately absent: they are what a support
# board is for, and flagging them would bury the posts that need a moderator.

CRISIS_DATA = "data/crisis-terms.toml"


class CrisisRuleError(ValueError):
    """A crisis rule that cannot be read; the message says where and why."""


@dataclass(frozen=True)
class CrisisRules:
    """The built-in rules: per language, each topic's rules and exceptions, and the
    word classes (<name>) the rules of that language may use."""

    terms: dict[str, dict[str, tuple[str, ...]]]
    exceptions: dict[str, dict[str, tuple[str, ...]]]
    words: dict[str, dict[str, tuple[str, ...]]]


@functools.cache
def crisis_rules() -> CrisisRules:
    """The built-in crisis rules, read once from CRISIS_DATA."""
    text = resources.files("generator").joinpath(CRISIS_DATA).read_text("utf-8")
    data = tomllib.loads(text)
    terms: dict[str, dict[str, tuple[str, ...]]] = {}
    exceptions: dict[str, dict[str, tuple[str, ...]]] = {}
    words: dict[str, dict[str, tuple[str, ...]]] = {}
    for language, tables in data.items():
        words[language] = {name: tuple(v) for name, v in tables.get("words", {}).items()}
        terms[language], exceptions[language] = {}, {}
        for topic, table in tables.items():
            if topic != "words":
                terms[language][topic] = tuple(table["match"])
                exceptions[language][topic] = tuple(table.get("except", ()))
    return CrisisRules(terms, exceptions, words)


def __getattr__(name: str) -> object:
    # DEFAULT_CRISIS_TERMS ({language: {topic: rules}}) is read from the data file on
    # first use rather than at import time.
    if name == "DEFAULT_CRISIS_TERMS":
        return crisis_rules().terms
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


CONTRACTIONS = {
    "can't": r"can(?:'?t|\s*not)",
    "won't": r"(?:won'?t|will\s+not)",
    "i'm": r"i(?:'?m|\s+am)",
    "i've": r"i(?:'?ve|\s+have)",
    "i'll": r"i(?:'?ll|\s+will)",
    "i'd": r"i(?:'?d|\s+would|\s+had)",
    "anymore": r"any\s*more",
}
# Between two words of a rule: spaces, commas, quotes, dashes, emoji... but not the end
# of a sentence, so that a rule never joins words of two sentences.
SEP = r"[^\w.!?;\n\u2029]*"
GAP_WORD = r"\w+(?:['\u2019-]\w+)*"
NUMBER = r"(?<!\w)\d{2,}(?!\w)"
END = r"(?=[^\S\n\u2029]*(?:[.!?,;:)\n\u2029]|$))"
DEFAULT_GAP = 3
RULE_TOKEN = re.compile(
    r"\s*(?:(?P<open>[(\[])|(?P<close>[)\]])|(?P<bar>\|)|<(?P<cls>[\w -]+)>|~(?P<gap>\d?)"
    r"|(?P<num>\#)|(?P<end>\$)|(?P<neg>!)|(?P<word>[^\s()\[\]|<>~#$!]+))"
)
VOWELS = "aeiou"


def _inflected(word: str) -> list[str]:
    """English regular inflections of WORD ("kill+": kill, kills, killed, killing)."""
    if word.endswith("e"):
        return [word, *(word[:-1] + ending for ending in ("es", "ed", "ing", "en"))]
    if len(word) > 2 and word.endswith("y") and word[-2] not in VOWELS:
        return [word, *(word[:-1] + ending for ending in ("ies", "ied", "ying"))]
    if word.endswith(("s", "sh", "ch", "x", "z")):
        return [word, word + "es", word + "ed", word + "ing"]
    forms = [word, word + "s", word + "ed", word + "ing"]
    if re.search(r"(?:^|[^aeiou])[aeiou][bdgklmnprt]$", word):  # cut -> cutting
        forms += [word + word[-1] + "ed", word + word[-1] + "ing"]
    return forms


# Words of a rule that can be looked up in the set of a post's words: plain letters and
# digits. Others (with an apostrophe or hyphen, contractions) are only matched.
PLAIN_WORD = re.compile(r"\w+")
SENTENCE = re.compile(r"[^.!?;\n\u2029]+[.!?;\n\u2029]*|[.!?;\n\u2029]+")


def _word_pattern(word: str) -> str:
    if word in CONTRACTIONS:
        return CONTRACTIONS[word]
    if word.endswith("+"):
        return (
            "(?:"
            + "|".join(map(re.escape, sorted(_inflected(word[:-1]), key=len, reverse=True)))
            + ")"
        )
    ending = ""
    if word.endswith("*"):
        word, ending = word[:-1], r"\w*"
    if word.endswith("n't"):
        return re.escape(word[:-3]) + r"(?:n'?t|\s+not)" + ending
    pieces = []
    for char in word:
        if char == "'":
            pieces.append("'?")
        elif char == "-":
            pieces.append(r"[\s-]?")
        else:
            pieces.append(re.escape(char))
    return "".join(pieces) + ending


def _forms(spelling: str) -> frozenset[str] | None:
    """The words (or "prefix*") a rule word SPELLING matches, None if not plain."""
    marker = spelling[-1] if spelling[-1] in "*+" else ""
    bare = spelling[: len(spelling) - len(marker)]
    if spelling in CONTRACTIONS or not PLAIN_WORD.fullmatch(bare):
        return None
    if marker == "+":
        return frozenset(_inflected(bare))
    return frozenset({bare + marker})


# A choice of a group: its regular expression, the words it starts with, its items.
_Option = tuple[str, "frozenset[str] | None", list["Item"]]


def _group(options: list[_Option]) -> tuple[str, frozenset[str] | None]:
    """The regular expression of a choice between OPTIONS (sequences), and the words
    one of which starts it (None: any word may)."""
    regex = f"(?:{'|'.join(option[0] for option in options)})"
    forms = [option[1] for option in options]
    return regex, None if None in forms else frozenset().union(*forms)  # type: ignore[arg-type]


# An item of a rule: its kind ("word", "optional", "gap", "not", "end"), its regular
# expression, and the words one of which must start it (None: any word may).
Item = tuple[str, str, frozenset[str] | None]


def _word(word: str) -> Item:
    """One word of a rule, as typed in the rule, as a bounded regular expression."""
    marker = word[-1] if word[-1] in "*+" else ""
    bare = word[: len(word) - len(marker)]
    # "müde" is also typed "muede"; both are folded like the text ("mude", "muede").
    spellings = [
        s + marker for s in dict.fromkeys(fold_key(f) for f in (bare, bare.translate(UMLAUTS))) if s
    ]
    if not spellings:
        raise CrisisRuleError(f'"{word}" has no letters')
    regex = rf"(?<!\w)(?:{'|'.join(map(_word_pattern, spellings))})(?!\w)"
    forms = [_forms(spelling) for spelling in spellings]
    return "word", regex, None if None in forms else frozenset().union(*forms)  # type: ignore[arg-type]


FIXED_ITEMS: dict[str, Item] = {"num": ("word", NUMBER, None), "end": ("end", END, None)}


def _first_forms(items: list[Item]) -> frozenset[str] | None:
    """The words one of which must start a sequence of ITEMS (None: any word may)."""
    forms: set[str] = set()
    for kind, _, item_forms in items:
        if kind in {"not", "end"}:
            continue
        if kind == "gap" or item_forms is None:
            return None
        forms |= item_forms
        if kind == "word":
            return frozenset(forms)
    return None


class _RuleParser:
    """Reads one rule (see the header of the data file) into a regular expression."""

    def __init__(self, rule: str, language: str, seen: frozenset[str] = frozenset()):
        self.rule, self.language, self.seen = rule, language, seen
        self.tokens: list[tuple[str, str]] = []
        position, text = 0, rule.strip()
        while position < len(text):
            match = RULE_TOKEN.match(text, position)
            if not match or not match.lastgroup:
                raise CrisisRuleError(f'cannot read "{text[position:]}" in "{rule}"')
            self.tokens.append((match.lastgroup, match.group(match.lastgroup)))
            position = match.end()
        self.at = 0
        self.first_forms: frozenset[str] | None = None  # the words the rule starts with

    def error(self, problem: str) -> CrisisRuleError:
        return CrisisRuleError(f'{problem} in "{self.rule}"')

    def peek(self) -> str | None:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def parse(self) -> tuple[str, frozenset[str] | None]:
        """The rule's regular expression, and the words one of which it cannot match
        without (its key words: the rarest-looking set among its mandatory items)."""
        options = self.alternatives()
        if self.at < len(self.tokens):
            raise self.error(f'unexpected "{self.tokens[self.at][1]}"')
        firsts = [option[1] for option in options]
        self.first_forms = None if None in firsts else frozenset().union(*firsts)  # type: ignore[arg-type]
        regex = options[0][0] if len(options) == 1 else f"(?:{'|'.join(o[0] for o in options)})"
        if len(options) > 1:
            forms = [o[1] for o in options]
            return regex, None if None in forms else frozenset().union(*forms)  # type: ignore[arg-type]
        keys = [forms for kind, _, forms in options[0][2] if kind == "word" and forms]
        # The set whose shortest word is longest is likely the rarest ("myself" over "to").
        return regex, max(keys, key=lambda forms: min(map(len, forms)), default=None)

    def alternatives(self, nested: bool = False) -> list[_Option]:
        options = [self.sequence(nested)]
        while self.peek() == "bar":
            self.at += 1
            options.append(self.sequence(nested))
        return options

    def sequence(self, nested: bool = False) -> _Option:
        items: list[Item] = []
        while self.peek() not in {None, "bar", "close"}:
            items.append(self.item())
        # A choice inside a group may be "$" alone: "(anymore|like this|$)".
        zero_width = nested and items and all(kind in {"end", "not"} for kind, _, _ in items)
        if not zero_width and not any(kind == "word" for kind, _, _ in items):
            raise self.error("a rule, group or choice needs a word that must be there")
        parts: list[str] = []
        started = False  # after the first word that must be there, separators go before
        for kind, regex, _ in items:
            if kind == "word":
                parts.append(SEP + regex if started else regex)
                started = True
            elif kind == "optional":
                parts.append(f"(?:{SEP}{regex})?" if started else f"(?:{regex}{SEP})?")
            elif kind == "gap":
                word = f"{SEP}{GAP_WORD}" if started else f"{GAP_WORD}{SEP}"
                parts.append(f"(?:{word}){{0,{regex}}}?")
            elif kind == "not":
                parts.append(f"(?!{SEP}{regex})" if started else f"(?!{regex})")
            else:
                parts.append(regex)
        return "".join(parts), _first_forms(items), items

    def item(self) -> Item:
        kind, value = self.tokens[self.at]
        self.at += 1
        if kind == "word":
            return _word(value)
        if kind in FIXED_ITEMS:
            return FIXED_ITEMS[kind]
        if kind == "gap":
            return "gap", str(int(value) if value else DEFAULT_GAP), None
        if kind == "cls":
            return "word", *self.word_class(value.strip())
        if kind == "neg":
            if self.peek() not in {"word", "num", "cls", "open"}:
                raise self.error('"!" must come before a word, <class> or group')
            _, regex, _ = self.item()
            return "not", regex, None
        if kind == "open":
            regex, forms = _group(self.alternatives(nested=True))
            closing = ")" if value == "(" else "]"
            if self.peek() != "close" or self.tokens[self.at][1] != closing:
                raise self.error(f'"{value}" is not closed by "{closing}"')
            self.at += 1
            return ("word" if value == "(" else "optional"), regex, forms
        raise self.error(f'unexpected "{value}"')

    def word_class(self, name: str) -> tuple[str, frozenset[str] | None]:
        if name not in _words(self.language):
            raise self.error(f"unknown word class <{name}>")
        if name in self.seen:
            raise self.error(f"word class <{name}> uses itself")
        return _word_class(self.language, name, self.seen | {name})


def _words(language: str) -> dict[str, tuple[str, ...]]:
    """The word classes of LANGUAGE (English ones for a language without any)."""
    words = crisis_rules().words
    return words.get(language) or words["en"]


@functools.lru_cache(maxsize=512)
def _word_class(
    language: str, name: str, seen: frozenset[str]
) -> tuple[str, frozenset[str] | None]:
    """The regular expression of <NAME> and the words it starts with; SEEN are the
    classes being read, to refuse a class that uses itself."""
    options = []
    for member in sorted(_words(language)[name], key=len, reverse=True):  # longest first
        parser = _RuleParser(member, language, seen)
        sequences = parser.alternatives(nested=True)
        if parser.at < len(parser.tokens):
            raise parser.error(f'unexpected "{parser.tokens[parser.at][1]}"')
        options.append(_group(sequences))
    return _group([(regex, forms, []) for regex, forms in options])


@functools.lru_cache(maxsize=4096)
def _rule(rule: str, language: str) -> tuple[str, frozenset[str] | None]:
    """The regular expression of RULE, with its key words (see _RuleParser.parse)."""
    parser = _RuleParser(rule, language)
    regex, keys = parser.parse()
    # Most rules can only start with a few letters: saying so first spares trying every
    # choice of the rule at every word of a sentence.
    first = parser.first_forms
    if first:
        regex = f"(?=[{re.escape(''.join(sorted({form[0] for form in first})))}]){regex}"
    return regex, keys


@functools.lru_cache(maxsize=4096)
def _compiled(regex: str) -> re.Pattern[str]:
    # Compiled when a post first needs it: most rules are never needed in a session.
    return re.compile(regex)


def check_crisis_rule(rule: str, language: str) -> None:
    """Raise CrisisRuleError if RULE, for a board in LANGUAGE, cannot be read."""
    regex, _ = _rule(rule, re.split(r"[-_]", language, maxsplit=1)[0].lower())
    if _compiled(regex).fullmatch(""):
        raise CrisisRuleError(f'"{rule}" would match nothing at all')


def phrase_pattern(phrase: str, language: str = "en") -> str:
    """The regular expression (for the casefolded, folded text) of one crisis rule."""
    return _rule(phrase, language)[0]


@dataclass(frozen=True)
class _CrisisMatcher:
    """Every rule of a board's topics, indexed by key word, so that a post only runs
    the few rules whose key word it contains (most ordinary posts: none)."""

    rules: tuple[tuple[str, str], ...]  # (topic, regular expression)
    always: frozenset[int]  # rules without key words (say, starting with a number)
    by_word: dict[str, frozenset[int]]
    by_prefix: dict[str, frozenset[int]]
    prefix_lengths: tuple[int, ...]

    def candidates(self, text: str, start: int, end: int) -> list[int]:
        """The rules that may match in TEXT[START:END] (one sentence)."""
        found = set(self.always)
        for word in set(PLAIN_WORD.findall(text, start, end)):
            found |= self.by_word.get(word, frozenset())
            for length in self.prefix_lengths:
                if len(word) >= length:
                    found |= self.by_prefix.get(word[:length], frozenset())
        return sorted(found)


@functools.lru_cache(maxsize=64)
def _matcher(
    topics: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...],
) -> _CrisisMatcher:
    """The matcher for TOPICS: (topic, ((language, rules), ...)) pairs."""
    rules: list[tuple[str, str]] = []
    always: set[int] = set()
    by_word: dict[str, set[int]] = {}
    by_prefix: dict[str, set[int]] = {}
    for topic, parts in topics:
        for language, phrases in parts:
            for phrase in phrases:
                if not phrase.strip():
                    continue
                regex, keys = _rule(phrase, language)
                number = len(rules)
                rules.append((topic, regex))
                if not keys:
                    always.add(number)
                for key in keys or ():
                    if key.endswith("*"):
                        by_prefix.setdefault(key[:-1], set()).add(number)
                    else:
                        by_word.setdefault(key, set()).add(number)
    return _CrisisMatcher(
        tuple(rules),
        frozenset(always),
        {word: frozenset(numbers) for word, numbers in by_word.items()},
        {prefix: frozenset(numbers) for prefix, numbers in by_prefix.items()},
        tuple(sorted({len(prefix) for prefix in by_prefix})),
    )


@functools.lru_cache(maxsize=256)
def _exception_pattern(languages: tuple[str, ...], topic: str) -> re.Pattern[str] | None:
    """Every exception of TOPIC in LANGUAGES, found at each place it starts (overlapping)."""
    rules = crisis_rules().exceptions
    patterns = [
        _rule(rule, lang)[0] for lang in languages for rule in rules.get(lang, {}).get(topic, ())
    ]
    if not patterns:
        return None
    return re.compile(rf"(?<!\w)(?=((?:{'|'.join(patterns)})))")


def find_crisis(
    text: str,
    terms: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    language: str = "en",
) -> list[Hit]:
    """Crisis language in TEXT: hits of kind "crisis" whose label is the topic.

    TERMS maps a language to topics and their rules (DEFAULT_CRISIS_TERMS when None).
    The rules of LANGUAGE ("de", or "de-AT") and of English are used, because boards
    often mix languages. A hit that lies wholly inside one of the built-in exceptions
    of its topic ("killing myself laughing") is dropped. Overlapping hits of one topic
    are merged; hits of different topics are all kept, so that every topic is suggested.
    """
    terms = crisis_rules().terms if terms is None else terms
    primary = re.split(r"[-_]", language, maxsplit=1)[0].lower()
    languages = tuple(dict.fromkeys([primary, "en"]))
    topics: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for lang in languages:
        for topic, phrases in terms.get(lang, {}).items():
            topics.setdefault(topic, []).append((lang, tuple(phrases)))
    matcher = _matcher(tuple((topic, tuple(parts)) for topic, parts in topics.items()))
    matchable = _Matchable.of(text)
    found: dict[str, list[tuple[int, int]]] = {}
    # No rule reaches across the end of a sentence, so each sentence runs only the rules
    # whose key word it holds, and its topics' exceptions only if one of them matched.
    for sentence in SENTENCE.finditer(matchable.text):
        start, end = sentence.span()
        spans: dict[str, list[tuple[int, int]]] = {}
        for number in matcher.candidates(matchable.text, start, end):
            topic, regex = matcher.rules[number]
            for match in _compiled(regex).finditer(matchable.text, start, end):
                if match.end() > match.start():
                    spans.setdefault(topic, []).append(match.span())
        for topic, topic_spans in spans.items():
            exceptions = _exception_pattern(languages, topic)
            excepted = (
                [match.span(1) for match in exceptions.finditer(matchable.text, start, end)]
                if exceptions
                else []
            )
            found.setdefault(topic, []).extend(
                (low, high)
                for low, high in topic_spans
                if not any(a <= low and high <= b for a, b in excepted)
            )
    hits: list[Hit] = []
    for topic, topic_spans in found.items():
        items = (_Found("crisis", low, high, topic, RANK["crisis"]) for low, high in topic_spans)
        hits.extend(_merge(_in_text(items, matchable.index), text))
    return sorted(hits, key=lambda hit: (hit.start, hit.end))


def suggested_warnings(hits: Sequence[Hit]) -> list[str]:
    """The distinct crisis topics among HITS, in the order they first appear."""
    return list(dict.fromkeys(hit.label for hit in hits if hit.kind == "crisis"))


def redact(text: str, hits: Sequence[Hit]) -> str:
    """TEXT with every hit replaced by "[removed]" (overlapping hits by one).

    Raises ValueError if a hit does not match TEXT, which means it was found in
    another version of the text (before cleaning, or before an edit).
    """
    spans: list[list[int]] = []
    for hit in sorted(hits, key=lambda hit: (hit.start, hit.end)):
        if text[hit.start : hit.end] != hit.text:
            raise ValueError("a hit does not match the text: find hits again in the text to redact")
        if spans and hit.start < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hit.end)
        else:
            spans.append([hit.start, hit.end])
    pieces, position = [], 0
    for start, end in spans:
        pieces += [text[position:start], REMOVED]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


# Scripts that are written together in one word without any trickery.
SCRIPT_FAMILIES = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HAN": "CJK"}
NOT_A_SCRIPT = frozenset({"COMMON", "INHERITED", "Unknown"})


def lookalikes(text: str) -> int:
    """How many words mix scripts with lookalike letters ("paypal" with a Cyrillic "a").

    A word counts when its letters come from more than one script and a letter
    from a minority script looks like a letter of the word's main script (UTS #39
    confusables, via confusable_homoglyphs). A word wholly in one script (Russian,
    Greek, Arabic) is never counted, nor Japanese mixing kanji and kana.
    """
    from confusable_homoglyphs import categories, confusables  # noqa: PLC0415 - loads data

    script_of = functools.cache(categories.alias)  # a binary search per call otherwise
    count = 0
    for word in text.split():
        letters = "".join(char for char in word if char.isalpha())
        if letters.isascii():
            continue
        scripts = Counter(
            SCRIPT_FAMILIES.get(alias, alias)
            for alias in map(script_of, letters)
            if alias not in NOT_A_SCRIPT
        )
        if len(scripts) < 2:
            continue
        most = max(scripts.values())
        mains = [script for script, n in scripts.items() if n == most and script != "CJK"]
        # A tie ("аb") counts if either script could pass for the other.
        if any(confusables.is_confusable(letters, preferred_aliases=[main]) for main in mains):
            count += 1
    return count
