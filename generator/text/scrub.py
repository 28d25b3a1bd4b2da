"""Text cleaning for publishing, and a folded copy of the text for matching.

`clean_text` is what gets published: invisible and control characters are
removed (they can carry a hidden fingerprint, reorder what a reader sees, or
smuggle text past a moderator), unusual spaces become ordinary ones, and the
result is NFC. `fold` is never published: it is a copy made only to look for
identifying details, in which lookalike letters (a Cyrillic "a", a fullwidth
"5", a mathematical bold "a") become the plain letters they imitate, so that a
detector written for ASCII still finds them. Its index map leads every folded
character back to the character of the original text it came from.

The confusable data is the Unicode confusables list (UTS #39) as shipped by the
confusable_homoglyphs package; it is loaded on first use, not at import.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

ZWNJ = "\u200c"
ZWJ = "\u200d"
EMOJI_PRESENTATION = "\ufe0f"
COMBINING_KEYCAP = "\u20e3"
KEYCAP_BASES = frozenset("0123456789#*")
LINE_BREAKS = frozenset({"\u2028", "\u2029"})
NON_ASCII = re.compile(r"[^\x00-\x7f]")
# What clean_text keeps as it is wherever it stands: printable ASCII and "\n".
NOT_PLAIN = re.compile(r"[^\x20-\x7e\n]")

# Invisible characters that Unicode files under letters or symbols, so that a
# category test alone would keep them: the combining grapheme joiner, the
# Hangul fillers (which render as nothing) and the blank Braille pattern.
INVISIBLE_NOT_FORMAT = frozenset({"\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"})

# Emoji skin-tone modifiers sit between an emoji and a following ZWJ or
# presentation selector ("woman, medium skin tone, ZWJ, staff of aesculapius").
SKIN_TONES = range(0x1F3FB, 0x1F3FF + 1)

# Python's unicodedata has no Extended_Pictographic property, so "emoji" is
# approximated: any symbol of category So, the blocks where emoji live, and
# the few emoji Unicode files under punctuation or maths ("‼", "⁉", "↔", "〰",
# "〽"). Close enough to decide whether a ZWJ or U+FE0F belongs to an emoji.
EMOJI_BLOCKS = (
    (0x2190, 0x21FF),  # arrows
    (0x2300, 0x23FF),  # miscellaneous technical (watch, hourglass)
    (0x2600, 0x27BF),  # miscellaneous symbols, dingbats
    (0x2B00, 0x2BFF),  # arrows and stars
    (0x1F000, 0x1FAFF),  # from mahjong tiles to symbols and pictographs extended-A
)
EMOJI_OUTSIDE_SO = frozenset("\u203c\u2049\u2194\u3030\u303d")

# unicodedata in Python 3.11 is Unicode 14.0; phones already type emoji from
# later versions (U+1FAE8 "shaking face" is Unicode 15). A code point that is
# unassigned for Python but inside the emoji blocks is most likely such an
# emoji, and it is visible, so it is kept rather than removed as "unassigned".
NEWER_EMOJI = (0x1F000, 0x1FAFF)

# Scripts whose letters are "other letters" (Lo) but that never need a joiner:
# a ZWJ/ZWNJ between two of their characters can only be a hidden mark.
NO_JOINER_SCRIPTS = ("LATIN", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "YI ")
VIRAMA_CLASS = 9


@dataclass(frozen=True)
class Cleaned:
    """The text to publish and what was done to it."""

    text: str  # NFC, with invisible/control characters removed and unusual spaces folded
    removed: int  # invisible/control/format characters removed
    spaces: int  # unusual spaces turned into ordinary spaces or newlines


def is_emoji(char: str) -> bool:
    """Whether CHAR is (approximately) an emoji; see EMOJI_BLOCKS for why approximately."""
    if unicodedata.category(char) == "So" or char in EMOJI_OUTSIDE_SO:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in EMOJI_BLOCKS)


def _needs_joiner(char: str) -> bool:
    """A letter or mark of a script that uses ZWJ/ZWNJ for its shaping (Arabic, Indic...)."""
    if unicodedata.category(char) not in {"Lo", "Mn", "Mc"}:
        return False
    return not unicodedata.name(char, "").startswith(NO_JOINER_SCRIPTS)


def _is_virama(char: str) -> bool:
    """An Indic virama (combining class 9), after which a joiner may end a word: Malayalam
    writes its chillu letters as consonant, virama, ZWJ."""
    return unicodedata.combining(char) == VIRAMA_CLASS


def _emoji_before(kept: list[str]) -> bool:
    """Whether the text kept so far (in runs) ends in an emoji (skipping its modifiers)."""
    for run in reversed(kept):
        for char in reversed(run):
            if char == EMOJI_PRESENTATION or ord(char) in SKIN_TONES:
                continue
            return is_emoji(char)
    return False


def _is_removed(char: str) -> bool:
    """Whether CHAR is removed wherever it stands (the exceptions are decided elsewhere)."""
    category = unicodedata.category(char)
    if category in {"Cc", "Cf", "Co", "Cs"}:
        return True
    if category == "Cn":
        return not NEWER_EMOJI[0] <= ord(char) <= NEWER_EMOJI[1]
    code = ord(char)
    return (
        char in INVISIBLE_NOT_FORMAT
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF  # variation selectors supplement
    )


def clean_text(text: str) -> Cleaned:
    """Remove invisible and control characters, fold unusual spaces, normalise to NFC.

    Removed (and counted in `removed`): every format character (category Cf:
    zero-width space, joiners, word joiner, bidi marks, embeddings, overrides
    and isolates, soft hyphen, BOM, invisible operators, tag characters,
    interlinear annotation, Mongolian vowel separator...), C0 and C1 controls,
    variation selectors, the combining grapheme joiner, Hangul fillers, the
    blank Braille pattern, private-use characters, surrogates, noncharacters
    and unassigned code points. These show nothing, or something other than
    what the text says, so they can only hide a mark that identifies the
    sender or mislead a moderator. Tag characters go too, although they also
    spell subdivision flags (England, Scotland, Wales show as a plain black
    flag afterwards): they are the usual way to smuggle invisible ASCII text.

    Kept, because removing them would change what the reader sees:
    - "\\n"; a tab becomes a space and "\\r\\n" or a lone "\\r" become "\\n"
      (ordinary typing, so not counted);
    - U+FE0F (emoji presentation) directly after an emoji, and in a keycap
      such as "1\\ufe0f\\u20e3": it selects the colour emoji;
    - U+200D ZWJ between two emoji: it joins family, profession and flag
      sequences ("👩‍⚕️" would fall apart into a woman and a staff);
    - U+200C ZWNJ and U+200D ZWJ between two letters or marks of scripts that
      need them for correct spelling and shaping (Persian "می‌خواهم", Indic
      conjuncts), and after an Indic virama at the end of a word (Malayalam
      chillu letters); never between Latin letters, nor in CJK or Hangul text;
    - code points unassigned in Python's Unicode 14 data inside the emoji
      blocks (newer emoji; see NEWER_EMOJI).

    Unusual spaces (category Zs other than U+0020: no-break, en and em spaces,
    thin and hair spaces, ideographic space, Ogham space mark...) become U+0020,
    the line and paragraph separators U+2028 and U+2029 become "\\n"; both are
    counted in `spaces`.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Printable ASCII and "\n" are kept as they are whatever surrounds them, and
    # most text is mostly that: copy their runs whole, and decide only the rest.
    kept: list[str] = []  # runs of kept text, never empty
    removed = spaces = done = 0
    for match in NOT_PLAIN.finditer(text):
        index = match.start()
        if index > done:
            kept.append(text[done:index])
        done = index + 1
        char = match.group()
        last = kept[-1][-1] if kept else ""
        following = text[index + 1] if index + 1 < len(text) else ""
        if char == "\t":
            kept.append(" ")
        elif char in LINE_BREAKS:
            kept.append("\n")
            spaces += 1
        elif unicodedata.category(char) == "Zs":
            kept.append(" ")
            spaces += 1
        elif char == EMOJI_PRESENTATION and last and is_emoji(last):
            kept.append(char)
        elif char == EMOJI_PRESENTATION and last in KEYCAP_BASES and following == COMBINING_KEYCAP:
            kept.append(char)
        elif char == ZWJ and following and _emoji_before(kept) and is_emoji(following):
            kept.append(char)
        elif (
            char in (ZWJ, ZWNJ)
            and last
            and _needs_joiner(last)
            and (_is_virama(last) or (following != "" and _needs_joiner(following)))
        ):
            kept.append(char)
        elif _is_removed(char):
            removed += 1
        else:
            kept.append(char)
    kept.append(text[done:])
    return Cleaned(unicodedata.normalize("NFC", "".join(kept)), removed, spaces)


@functools.cache
def _confusables() -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The UTS #39 confusables table, and for each ASCII-only target the ASCII keys that
    map to it (so that the Cyrillic capital "I" (U+0406), listed as confusable with "l",
    can find "I", which the table also maps to "l")."""
    from confusable_homoglyphs import confusables  # noqa: PLC0415 - loads 2 MB of JSON

    table = confusables.confusables_data
    ascii_sources: dict[str, list[str]] = {}
    for key, entries in table.items():
        if len(key) == 1 and key.isascii():
            for entry in entries:
                target = entry["c"].strip("\u200e\u200f")
                if target.isascii():
                    ascii_sources.setdefault(target, []).append(key)
    return table, ascii_sources


def _ascii_lookalike(char: str) -> str | None:
    """The printable ASCII that CHAR imitates, if the confusables table knows one.

    The table lists every lookalike in both directions, so a character can have
    several ASCII candidates: a letter prefers a letter of the same case (the Cyrillic
    capital "O" becomes "O", not "0"), then a single character, then the table's order.
    """
    table, ascii_sources = _confusables()
    candidates: list[tuple[int, str]] = []
    for order, entry in enumerate(table.get(char, ())):
        target = entry["c"].strip("\u200e\u200f")
        if not target or not target.isascii() or not target.isprintable():
            continue
        for rank, option in enumerate([target, *ascii_sources.get(target, ())]):
            candidates.append((order * 100 + rank, option))
    if not candidates:
        return None

    def preference(item: tuple[int, str]) -> tuple[int, int, int, int]:
        order, option = item
        letter_mismatch = char.isalpha() and not option.isalpha()
        case_mismatch = char.isalpha() and (char.isupper() != option.isupper())
        return (letter_mismatch, case_mismatch, len(option) != 1, order)

    return min(candidates, key=preference)[1]


def _without_marks(char: str) -> Iterator[str]:
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.category(part) not in {"Mn", "Me"}:
            yield part


@functools.lru_cache(maxsize=65536)
def fold_char(char: str) -> str:
    """What one character becomes in the folded copy (possibly several characters or none).

    NFKC first (fullwidth and styled letters, ligatures, "①"); then each part
    that is still not ASCII: a decimal digit of any script becomes its ASCII
    digit, a lookalike becomes the ASCII it imitates, and otherwise accents are
    removed (NFKD without combining marks), looking the bare letter up again
    (Cyrillic U+04D3 is U+0430 with a diaeresis, and U+0430 imitates "a"). Combining
    marks and whatever `clean_text` would remove fold to nothing, so that the
    folded copy of uncleaned text is still useful.
    """
    if char.isascii():
        return char
    if unicodedata.category(char) in {"Mn", "Me"} or _is_removed(char):
        return ""
    out: list[str] = []
    for part in unicodedata.normalize("NFKC", char):
        if part.isascii():
            out.append(part)
            continue
        category = unicodedata.category(part)
        if category == "Nd":
            out.append(str(unicodedata.decimal(part)))
            continue
        if category in {"Cf", "Mn", "Me"}:
            continue
        lookalike = _ascii_lookalike(part)
        if lookalike is not None:
            out.append(lookalike)
            continue
        for bare in _without_marks(part):
            out.append(bare if bare.isascii() else (_ascii_lookalike(bare) or bare))
    return "".join(out)


def fold(text: str) -> tuple[str, Sequence[int]]:
    """A copy of TEXT for matching, and for each of its characters the index in TEXT
    of the character it came from.

    Each character goes through `fold_char` (NFKC, confusable skeleton toward
    ASCII, accents removed). Case is kept: detectors match case-insensitively
    where case does not matter, and use it where it does (a name is capitalised).
    A hit at folded[i:j] covers TEXT[index[i]:index[j - 1] + 1].
    """
    if text.isascii():
        return text, range(len(text))  # most posts; a list of the numbers takes longer
    pieces: list[str] = []
    index: list[int] = []
    done = 0
    # ASCII folds to itself, and most posts are mostly ASCII: copy its runs whole.
    for match in NON_ASCII.finditer(text):
        position = match.start()
        if position > done:
            pieces.append(text[done:position])
            index.extend(range(done, position))
        folded = fold_char(match.group())
        if folded:
            pieces.append(folded)
            index.extend([position] * len(folded))
        done = position + 1
    pieces.append(text[done:])
    index.extend(range(done, len(text)))
    return "".join(pieces), index


def fold_key(text: str) -> str:
    """The form in which names and phrases are compared: folded, casefolded, and with
    runs of whitespace collapsed to one space ("  ZOË  Müller" -> "zoe muller")."""
    return " ".join(fold(text)[0].casefold().split())
