"""Pseudonyms, v1: friendly two-word names, random or derived from a private phrase.

docs/formats/pseudonyms.md is the specification;
theme/static/js/formats/pseudonyms.js derives the same names in the browser, and
tests/vectors/pseudonyms-v1.json holds the two together. The word list is
theme/static/names.json, shipped with the theme so that the browser and this
module read the very same file.

A derived name is continuity without identity: the same phrase gives the
same name on the same board. It is not authentication (anyone may type any
name) and anyone who learns the phrase can use the name.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from generator.formats.primitives import hmac_sha256, well_formed
from generator.resources import theme_dir

NAMES_VERSION = 1
LIST_SIZE = 256
WORD = re.compile(r"[a-z]{3,9}")
MIN_SECRET_CHARS = 12
INFO = b"quietboard pseudonym v1"
# Exactly the characters Python's str.isspace() knows; written out so that the
# browser can use the same set (JavaScript's \s differs).
WHITESPACE = re.compile("[\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def names_path() -> Path:
    return theme_dir() / "static" / "names.json"


def check_names(data: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The two word lists of a names.json document; `ValueError` naming the rule broken."""
    if not isinstance(data, dict) or data.get("v") != NAMES_VERSION or type(data["v"]) is not int:
        raise ValueError("names.json: not a version 1 word list")
    if set(data) != {"v", "adjectives", "nouns"}:
        raise ValueError("names.json: has exactly the keys v, adjectives, nouns")
    lists = []
    for key in ("adjectives", "nouns"):
        words = data[key]
        if not isinstance(words, list) or len(words) != LIST_SIZE:
            raise ValueError(f"names.json: {key} must be a list of {LIST_SIZE} words")
        bad = [w for w in words if not (isinstance(w, str) and WORD.fullmatch(w))]
        if bad:
            raise ValueError(f"names.json: {key} must be 3 to 9 letters a-z, not {bad[0]!r}")
        lists.append(tuple(words))
    adjectives, nouns = lists
    if len(set(adjectives) | set(nouns)) != 2 * LIST_SIZE:
        raise ValueError("names.json: every word must appear only once")
    return adjectives, nouns


@cache
def _names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    return check_names(json.loads(names_path().read_text(encoding="utf-8")))


def load_names() -> tuple[list[str], list[str]]:
    """The adjectives and the nouns, in the file's order (which is part of v1)."""
    adjectives, nouns = _names()
    return list(adjectives), list(nouns)


def list_digest(adjectives: list[str] | tuple[str, ...], nouns: list[str] | tuple[str, ...]) -> str:
    """Hex SHA-256 of every word followed by a line feed, adjectives first."""
    return hashlib.sha256("".join(f"{w}\n" for w in [*adjectives, *nouns]).encode()).hexdigest()


def display_name(adjective: str, noun: str) -> str:
    return f"{adjective.capitalize()} {noun.capitalize()}"


def random_name() -> str:
    """A fresh friendly name, each word drawn uniformly with `secrets`."""
    adjectives, nouns = _names()
    return display_name(secrets.choice(adjectives), secrets.choice(nouns))


def canonical(text: str) -> str:
    """NFKC, full case folding, every run of white space as one space, trimmed."""
    if not isinstance(text, str) or not well_formed(text):
        raise ValueError("the text is not valid Unicode")
    folded = unicodedata.normalize("NFKC", text).casefold()
    return WHITESPACE.sub(" ", folded).strip(" ")


def derived_name(secret: str, board: str) -> str:
    """The name SECRET gives on the board called BOARD (format v1, steps 1 to 5).

    `ValueError` if the phrase is shorter than MIN_SECRET_CHARS once
    canonical, or the board's name is empty; the message never holds either.
    """
    phrase = canonical(secret)
    if len(phrase) < MIN_SECRET_CHARS:
        raise ValueError(f"a private phrase needs at least {MIN_SECRET_CHARS} characters")
    place = canonical(board)
    if not place:
        raise ValueError("the board's name is empty")
    tag = hmac_sha256(phrase.encode(), INFO + b"\x00" + place.encode())
    adjectives, nouns = _names()
    return display_name(adjectives[tag[0]], nouns[tag[1]])
