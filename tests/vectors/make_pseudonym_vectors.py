"""Write tests/vectors/pseudonyms-v1.json: pseudonym format v1 test vectors.

Run from the repository root: python -m tests.vectors.make_pseudonym_vectors
Nothing here is random, so running it again gives the same file. Python
(tests/unit/test_pseudonyms.py) and the browser (tests/browser/test_pseudonym.py)
must both give every name, every canonical form and every refusal.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.formats import pseudonyms

OUT = Path(__file__).with_name("pseudonyms-v1.json")
DEMO_BOARD = "Quiet Harbour"

# Every phrase in a case, on every board in the case, gives the case's name.
DERIVE = [
    ("plain phrase; case, spaces, tabs and line breaks make no difference",
     ["the kettle sings at seven", "The Kettle Sings At Seven", "THE KETTLE SINGS AT SEVEN",
      "  the   kettle\tsings at\nseven \r\n"],
     [DEMO_BOARD, "quiet harbour", "  QUIET\u00a0HARBOUR "]),
    ("the same phrase on another board gives another name",
     ["the kettle sings at seven"], ["Our support board"]),
    ("accents: composed and decomposed forms and capitals are the same phrase",
     ["Crème brûlée à minuit", "Cre\u0300me bru\u0302le\u0301e a\u0300 minuit",
      "CRÈME BRÛLÉE À MINUIT"],
     [DEMO_BOARD]),
    ("an accent is not dropped: the phrase without it is another phrase",
     ["Creme brulee a minuit"], [DEMO_BOARD]),
    ("sharp s folds to ss, capital sharp s too",
     ["Spaziergang an der Straße", "SPAZIERGANG AN DER STRASSE",
      "spaziergang an der stra\u1e9ee"],
     [DEMO_BOARD]),
    ("Greek final sigma folds like any sigma",
     ["ΟΔΥΣΣΕΥΣ ΚΑΙ Η ΘΑΛΑΣΣΑ", "οδυσσευς και η θαλασσα"], [DEMO_BOARD]),
    ("full-width letters and unusual spaces (NFKC)",
     ["ｍｙ ｑｕｉｅｔ ｐｌａｃｅ", "my\u3000quiet\u2003place", "My Quiet Place"],
     [DEMO_BOARD]),
    ("Turkish dotless ı is its own letter: only the other letters fold",
     ["kırmızı balık yüzüyor", "KıRMıZı BALıK YÜZÜYOR"], [DEMO_BOARD]),
    ("... so the same phrase typed with i is another phrase",
     ["kirmizi balik yüzüyor"], [DEMO_BOARD]),
    ("non-Latin scripts and emoji are kept as typed",
     ["雨の日の猫と紅茶 ☕🌧️🐈", "雨の日の猫と紅茶\u3000☕🌧️🐈"], [DEMO_BOARD]),
    ("exactly the shortest phrase allowed", ["abcdefghijkl", "ABCDEFGHIJKL", " abcdefghijkl\n"],
     [DEMO_BOARD]),
    ("a board name with accents", ["the kettle sings at seven"], ["Café des Étoiles"]),
]  # fmt: skip

# (desc, text): the canonical form both sides must give.
CANONICAL = [
    ("control characters Python counts as white space",
     "a\x1cb\x1dc\x1ed\x1ff\x85g\u2028h\u2029i\x0bj\x0ck"),
    ("the byte order mark is not white space", "\ufeffword\ufeff"),
    ("ligatures and the Kelvin sign unfold", "ﬁne ﬂower Ｋ"),
    ("Cherokee folds to its capitals", "ꭰꭱ ᏸ Ꭰ"),
    ("dotted capital I folds to i and a combining dot", "İstanbul"),
    ("Greek with iota subscript folds to two letters", "ᾳ ᾼ ΐ"),
    ("zero-width characters are kept", "a\u200bb\u200dc"),
]  # fmt: skip

REFUSE = [
    ("empty", "", DEMO_BOARD),
    ("only white space", " \t\n\u3000\u00a0 ", DEMO_BOARD),
    ("eleven characters", "abcdefghijk", DEMO_BOARD),
    ("long only because of its spaces", "  a  b  c  d  e  f  ", DEMO_BOARD),
    ("eleven letters once full-width letters are folded", "ｓｈｏｒｔｐｈｒａｓｅ", DEMO_BOARD),
    ("a board name of only spaces", "the kettle sings at seven", " \u3000 "),
    ("a lone surrogate is not text", "the kettle sings\ud800 at seven", DEMO_BOARD),
]  # fmt: skip


def vectors() -> dict:
    adjectives, nouns = pseudonyms.load_names()
    derive = []
    for desc, secrets, boards in DERIVE:
        (canonical,) = {pseudonyms.canonical(s) for s in secrets}
        (board,) = {pseudonyms.canonical(b) for b in boards}
        (name,) = {pseudonyms.derived_name(s, b) for s in secrets for b in boards}
        derive.append({"desc": desc, "secrets": secrets, "boards": boards,
                       "canonical": canonical, "canonical_board": board, "name": name})  # fmt: skip
    return {
        "format": "quietboard pseudonyms v1 (docs/formats/pseudonyms.md)",
        "made_by": "tests/vectors/make_pseudonym_vectors.py",
        "names": {
            "file": "theme/static/names.json",
            "sha256": pseudonyms.list_digest(adjectives, nouns),
            "first": [adjectives[0], nouns[0]],
            "last": [adjectives[-1], nouns[-1]],
        },
        "min_secret_chars": pseudonyms.MIN_SECRET_CHARS,
        "derive": derive,
        "canonical": [
            {"desc": desc, "text": text, "canonical": pseudonyms.canonical(text)}
            for desc, text in CANONICAL
        ],
        "refuse": [
            {"desc": desc, "secret": secret, "board": board} for desc, secret, board in REFUSE
        ],
    }


def main() -> None:
    # ensure_ascii: the file must be able to hold the lone surrogate as an escape.
    OUT.write_text(json.dumps(vectors(), indent=1, ensure_ascii=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
