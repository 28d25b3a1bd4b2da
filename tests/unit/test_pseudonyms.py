"""Pseudonyms (format v1): the word list's rules, random names, derived names and the vectors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.formats import pseudonyms
from generator.formats.codes import DISTRESSING
from tests.vectors.make_pseudonym_vectors import vectors

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "pseudonyms-v1.json").read_text(encoding="utf-8")
)
ADJECTIVES, NOUNS = pseudonyms.load_names()
DISPLAYED = re.compile(r"[A-Z][a-z]{2,8} [A-Z][a-z]{2,8}")

# Words a person in distress could read as about them, or as mockery; words
# that read as a given name; slurs and insults in English and other common
# languages that look like nature words. None may ever be in the list.
NEVER = """
    broken lonely crazy mad insane psycho mental manic sad blue low down dark empty hollow
    lost alone fading falling fallen sinking drowning numb weak fragile frail slow lazy
    sleepy tired dull dumb stupid silly odd weird strange cold frosty icy bitter grim bleak
    gloomy cloudy foggy misty hazy fat chubby plump stout husky fluffy heavy big tiny
    little small thin skinny slim lean bony tall short young old pale sickly ugly pretty
    happy cheerful jolly merry perky bubbly lucky carefree cute sweetie fresh wild feral
    crow ape monkey gorilla baboon chimp pig sow hog swine cow heifer bitch vixen cur
    mongrel rat snake weasel leech louse worm maggot slug toad vulture hyena jackal coyote
    donkey mule ass goose turkey dodo loon cuckoo coot gull booby shag tit titmouse cock
    woodcock peacock cockatoo beaver pussy kitten bunny sloth whale walrus hippo elephant
    shrew mole bat raccoon coon gook slope paddy bog moor jungle cotton tar mud buck spade
    gypsy eskimo squaw frog kraut yank pommy nip chink fairy pansy fruit dyke faggot fag
    queer gay coconut banana apple oreo camel goat sheep razor razorbill blade rope noose
    knife ledge bridge gorge abyss drift undertow ash ashes smoke flame grave
    rose lily iris daisy hazel holly ivy heather willow robin jay wren sage autumn dawn
    summer winter river sky skye brook rowan aspen laurel violet jasmine poppy olive amber
    ruby pearl coral crystal jade sapphire scarlet ginger honey candy cherry misty sandy
    sunny rusty dusty rocky stormy forrest forest heath glen dale cliff reed clay fern
    savanna savannah delta aurora luna stella martin merlin phoebe faith hope joy grace
    felicity patience mercy clement frank earnest august april may june
"""


def test_the_word_list_keeps_its_rules():
    assert (len(ADJECTIVES), len(NOUNS)) == (256, 256)
    words = ADJECTIVES + NOUNS
    assert len(set(words)) == 512
    assert all(re.fullmatch(r"[a-z]{3,9}", word) for word in words)
    assert ADJECTIVES == sorted(ADJECTIVES) and NOUNS == sorted(NOUNS)
    assert set(words).isdisjoint(NEVER.split())
    assert set(words).isdisjoint(DISTRESSING)


def test_the_word_list_is_the_one_the_vectors_were_made_with():
    names = VECTORS["names"]
    assert pseudonyms.list_digest(ADJECTIVES, NOUNS) == names["sha256"]
    assert [ADJECTIVES[0], NOUNS[0]] == names["first"]
    assert [ADJECTIVES[-1], NOUNS[-1]] == names["last"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(v=2), "not a version 1 word list"),
        (lambda d: d.update(v=True), "not a version 1 word list"),
        (lambda d: d.update(extra=[]), "exactly the keys"),
        (lambda d: d["nouns"].pop(), "nouns must be a list of 256 words"),
        (lambda d: d["adjectives"].__setitem__(3, "Gentle"), "not 'Gentle'"),
        (lambda d: d["adjectives"].__setitem__(3, "ox"), "not 'ox'"),
        (lambda d: d["nouns"].__setitem__(0, d["adjectives"][0]), "only once"),
    ],
)
def test_a_word_list_that_breaks_a_rule_is_refused(change, message):
    data = {"v": 1, "adjectives": list(ADJECTIVES), "nouns": list(NOUNS)}
    change(data)
    with pytest.raises(ValueError, match=message):
        pseudonyms.check_names(data)


def test_load_names_gives_copies_that_cannot_change_the_list():
    adjectives, _ = pseudonyms.load_names()
    adjectives[0] = "changed"
    assert pseudonyms.load_names()[0][0] == ADJECTIVES[0]


def test_random_names_are_two_words_from_the_list_drawn_afresh():
    drawn = [pseudonyms.random_name() for _ in range(400)]
    for name in drawn:
        assert DISPLAYED.fullmatch(name)
        adjective, noun = name.lower().split()
        assert adjective in ADJECTIVES and noun in NOUNS
    # 400 draws from 65,536 names: a repeat is possible, many are not.
    assert len(set(drawn)) > 390
    assert len({name.split()[0] for name in drawn}) > 150


def test_the_committed_vectors_are_what_the_script_makes():
    assert vectors() == VECTORS


@pytest.mark.parametrize("case", VECTORS["derive"], ids=lambda c: c["desc"])
def test_every_spelling_of_a_phrase_gives_its_name_on_every_spelling_of_its_board(case):
    for secret in case["secrets"]:
        assert pseudonyms.canonical(secret) == case["canonical"]
        for board in case["boards"]:
            assert pseudonyms.canonical(board) == case["canonical_board"]
            assert pseudonyms.derived_name(secret, board) == case["name"]


def test_the_vectors_cover_what_must_differ():
    names = [case["name"] for case in VECTORS["derive"]]
    assert len(set(names)) == len(names)
    boards = {case["canonical_board"] for case in VECTORS["derive"]
              if case["canonical"] == "the kettle sings at seven"}  # fmt: skip
    assert len(boards) == 3
    assert any(len(case["secrets"]) >= 3 and len(case["boards"]) >= 3
               for case in VECTORS["derive"])  # fmt: skip
    shortest = next(c for c in VECTORS["derive"] if c["canonical"] == "abcdefghijkl")
    assert len(shortest["canonical"]) == pseudonyms.MIN_SECRET_CHARS == VECTORS["min_secret_chars"]


@pytest.mark.parametrize("case", VECTORS["canonical"], ids=lambda c: c["desc"])
def test_canonical_forms(case):
    assert pseudonyms.canonical(case["text"]) == case["canonical"]


@pytest.mark.parametrize("case", VECTORS["refuse"], ids=lambda c: c["desc"])
def test_short_phrases_and_empty_boards_are_refused_without_echoing_them(case):
    with pytest.raises(ValueError) as caught:
        pseudonyms.derived_name(case["secret"], case["board"])
    message = str(caught.value)
    for typed in (case["secret"].strip(), case["board"].strip()):
        if typed:
            assert typed not in message


def test_a_derived_name_is_the_hmac_of_the_board_under_the_phrase():
    import hashlib
    import hmac

    tag = hmac.new(b"the kettle sings at seven", b"quietboard pseudonym v1\x00quiet harbour",
                   hashlib.sha256).digest()  # fmt: skip
    expected = f"{ADJECTIVES[tag[0]].capitalize()} {NOUNS[tag[1]].capitalize()}"
    assert pseudonyms.derived_name("The kettle sings at seven", "Quiet Harbour") == expected


def test_whitespace_is_exactly_what_python_calls_white_space():
    spaces = {chr(cp) for cp in range(0x110000) if chr(cp).isspace()}
    matched = {chr(cp) for cp in range(0x110000) if pseudonyms.WHITESPACE.fullmatch(chr(cp))}
    assert matched == spaces


def test_names_json_is_found_in_the_theme_the_build_publishes():
    path = pseudonyms.names_path()
    assert path.is_file()
    assert path.parent.parent.name == "theme"
    assert json.loads(path.read_text(encoding="utf-8"))["v"] == 1
