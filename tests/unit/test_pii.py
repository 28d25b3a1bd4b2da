"""What a moderator is shown before approving: identifying details and crisis language."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from generator.text.crisis import DEFAULT_CRISIS_TERMS, find_crisis, suggested_warnings
from generator.text.hits import KINDS, Hit
from generator.text.pii import find_pii, lookalikes, redact
from generator.text.scrub import clean_text

CORPUS = Path(__file__).parents[1] / "corpus"
IDENTIFYING = json.loads((CORPUS / "identifying.json").read_text(encoding="utf-8"))
ORDINARY = json.loads((CORPUS / "ordinary.json").read_text(encoding="utf-8"))


def pii(text: str, region: str = "GB", watch: tuple[str, ...] = ()) -> list[Hit]:
    """find_pii as the review screen calls it: on the cleaned text."""
    return find_pii(clean_text(text).text, region=region, watch=watch)


# --- the identifying corpus ----------------------------------------------------------------


def test_identifying_corpus_is_well_formed() -> None:
    assert len(IDENTIFYING) >= 90
    assert len({entry["desc"] for entry in IDENTIFYING}) == len(IDENTIFYING)
    assert {entry["kind"] for entry in IDENTIFYING} == set(KINDS) - {"crisis"}
    phone_regions = {entry["region"] for entry in IDENTIFYING if entry["kind"] == "phone"}
    assert {"GB", "US", "DE", "FR", "AU", "IE"} <= phone_regions


@pytest.mark.parametrize("entry", IDENTIFYING, ids=[entry["desc"] for entry in IDENTIFYING])
def test_every_identifying_trace_is_found(entry: dict) -> None:
    cleaned = clean_text(entry["text"]).text
    hits = find_pii(cleaned, region=entry["region"], watch=entry.get("watch", ()))
    assert entry["kind"] in [hit.kind for hit in hits], hits
    for hit in hits:
        assert cleaned[hit.start : hit.end] == hit.text
    # What the moderator publishes after "redact" no longer holds it.
    redacted = redact(cleaned, hits)
    assert "[removed]" in redacted
    assert not [hit for hit in find_pii(redacted, region=entry["region"]) if hit.kind != "name"]


LABELS = {
    "NHS number 943 476 5919": ("943 476 5919", "NHS number"),
    "SSN 536-90-4399": ("536-90-4399", "US social security number"),
    "pay GB82 WEST 1234 5698 7654 32 is mine": ("GB82 WEST 1234 5698 7654 32", "IBAN"),
    "card 4111 1111 1111 1111": ("4111 1111 1111 1111", "card number"),
    "NI AB 12 34 56 C": ("AB 12 34 56 C", "National Insurance number"),
    "07400 123456": ("07400 123456", "phone number"),
    "I live near SW1A 1AA": ("SW1A 1AA", "postcode"),
    "sarah@example.com": ("sarah@example.com", "email address"),
    "my name is Sarah Jones.": ("Sarah Jones", "a name after 'my name is'"),
    "I\u2019m called Kai": ("Kai", "a name after 'i\u2019m called'"),
}


@pytest.mark.parametrize(("text", "expected"), LABELS.items(), ids=LABELS.keys())
def test_hits_cover_the_detail_and_say_what_it_is(text: str, expected: tuple[str, str]) -> None:
    assert [(hit.text, hit.label) for hit in pii(text)] == [expected]


def test_spans_point_into_the_cleaned_text_even_through_lookalikes() -> None:
    text = clean_text("Hi! write to \u0455\u0430r\u0430h\u200b@\u0435x\u0430mple.com, ta").text
    [hit] = find_pii(text)
    assert (hit.kind, hit.text) == ("email", "\u0455\u0430r\u0430h@\u0435x\u0430mple.com")
    assert text[hit.start : hit.end] == hit.text


def test_handle_is_not_taken_from_inside_an_email() -> None:
    assert [hit.kind for hit in pii("sarah@example.com")] == ["email"]


def test_ordinary_at_signs_are_not_handles() -> None:
    for text in ("meet @ the park", "see you @3pm", "@everyone thanks", "@ 10:30"):
        assert pii(text) == [], text


def test_phone_numbers_follow_the_board_region() -> None:
    assert [hit.kind for hit in pii("call 0121 234 5678", region="GB")] == ["phone"]
    # Without a region, a national number dialled like a phone (a trunk "0", ten
    # digits or more in a few groups) is flagged all the same: a board that never set
    # its country must not publish "07911 123456".
    for text in ("call 0121 234 5678", "text me on 07911 123456 tonight"):
        assert [hit.kind for hit in pii(text, region="")] == ["phone"], text
    for text in ("my scores: 0 1 2 3 4 5 6 7 8 9", "isbn 978-0-14-044913-6"):
        assert pii(text, region="") == [], text
    # International numbers are found whatever the region.
    for region in ("", "US", "DE"):
        assert [hit.kind for hit in pii("call +44 121 234 5678", region=region)] == ["phone"]


def test_numbers_possible_for_the_region_are_flagged_not_only_assigned_ones() -> None:
    # Ofcom keeps 07700 900000-900999 unassigned for drama (and docs/configuration.md
    # uses it), so phonenumbers does not call it valid; a member's number from a range
    # newer than phonenumbers' data looks the same. Both must be caught.
    for text in ("ring me on 07700 900123", "ring me on +44 7700 900123", "07700-900-123"):
        hits = pii(text, region="GB")
        assert [hit.kind for hit in hits] == ["phone"], text
        assert "900" not in redact(clean_text(text).text, hits)
    assert [hit.kind for hit in pii("ring me on +44 7700 900123", region="")] == ["phone"]
    assert [hit.kind for hit in pii("ring me on +44 7700 900123", region="DE")] == ["phone"]


def test_region_is_forgiving_about_case_and_uk() -> None:
    expected = [("phone", "0121 234 5678"), ("postcode", "SW1A 1AA")]
    for region in ("GB", "gb", " UK "):
        hits = pii("call 0121 234 5678 at SW1A 1AA", region=region)
        assert [(hit.kind, hit.text) for hit in hits] == expected


def test_dates_are_not_phone_numbers() -> None:
    for region in ("DE", "FR", "GB", "US"):
        assert pii("Termin am 03.04.2024 und 12/03/2024 und 2024-03-12", region=region) == []


def test_checksums_decide() -> None:
    # One digit off: not an NHS number, card or IBAN any more, so not flagged.
    assert pii("NHS 943 476 5918") == []
    assert pii("card 4111 1111 1111 1112") == []
    assert pii("IBAN GB82 WEST 1234 5698 7654 33") == []


def test_nino_prefixes_that_are_never_issued_are_not_flagged() -> None:
    assert pii("QQ 12 34 56 C") == []  # HMRC's specimen prefix
    assert pii("GB 12 34 56 A") == []
    assert [hit.label for hit in pii("AB 12 34 56 C")] == ["National Insurance number"]


def test_weak_national_ids_only_on_their_own_board() -> None:
    assert [hit.label for hit in pii("BSN 111222333", region="NL")] == [
        "Dutch citizen service number (BSN)"
    ]
    assert pii("BSN 111222333", region="GB") == []


def test_postcodes_only_for_the_board_region() -> None:
    assert [hit.text for hit in pii("near SW1A 1AA", region="GB")] == ["SW1A 1AA"]
    assert pii("near SW1A 1AA", region="") == []
    assert pii("near SW1A 1AA", region="IT") == []
    assert [hit.text for hit in pii("Portland, OR 97201", region="US")] == ["97201"]
    assert pii("I walked 97201 steps", region="US") == []


def test_german_count_before_a_noun_is_not_a_postcode() -> None:
    assert pii("Ich bin 12000 Schritte gegangen, 15000 Euro gespart", region="DE") == []
    assert [hit.text for hit in pii("Wir wohnen in 10115 Berlin", region="DE")] == ["10115"]


def test_names_after_an_introduction() -> None:
    assert [hit.text for hit in pii("my name is Sarah. I'm new")] == ["Sarah"]
    assert [hit.text for hit in pii("My name's Tom Baker and I")] == ["Tom Baker"]
    assert [hit.text for hit in pii("Ich heiße Jonas und bin neu", region="DE")] == ["Jonas"]
    for text in ("my name is on the list", "call me when you can", "My kids call me Mum"):
        assert pii(text) == [], text


def test_watch_list_matches_whole_words_only() -> None:
    watch = ("Zoë Müller", "Al")
    assert [hit.text for hit in pii("ZOE MULLER and zoe muller", watch=watch)] == [
        "ZOE MULLER",
        "zoe muller",
    ]
    assert pii("Zoe Mullerson, also algebra", watch=watch) == []
    assert [hit.text for hit in pii("Al said hi", watch=watch)] == ["Al"]


def test_watch_list_spans_survive_letters_that_casefold_longer() -> None:
    text = "Jürgen Straße, JUERGEN STRASSE und jurgen strasse"
    hits = pii(text, region="DE", watch=("Jürgen Straße",))
    assert [hit.text for hit in hits] == ["Jürgen Straße", "JUERGEN STRASSE", "jurgen strasse"]


def test_watch_list_entry_spelled_with_lookalikes_still_matches() -> None:
    assert [hit.label for hit in pii("zoe muller", watch=("Z\u043e\u00eb M\u00fcller",))] == [
        "watch-list name"
    ]


def test_overlapping_hits_are_merged_into_one_covering_both() -> None:
    text = "my page https://example.com/u/sarah_j99 and @sarah@mastodon.social"
    hits = pii(text)
    assert [(hit.kind, hit.text) for hit in hits] == [
        ("url", "https://example.com/u/sarah_j99"),
        ("email", "@sarah@mastodon.social"),
    ]


def test_hits_are_sorted_and_do_not_overlap() -> None:
    text = " ".join(entry["text"] for entry in IDENTIFYING if entry["region"] == "GB")
    hits = pii(text)
    assert len(hits) >= 40
    assert all(a.end <= b.start for a, b in itertools.pairwise(hits))


# --- the ordinary corpus ----------------------------------------------------------------------

REGIONS = ("GB", "US", "DE")

# Each false positive accepted, and why a moderator is better off seeing it.
ACCEPTED_FALSE_POSITIVES = {
    # A member addressing another by pseudonym looks exactly like a social handle
    # ("@Jo" could just as well be an Instagram account): worth a glance.
    ("Thanks @Jo, your reply meant a lot.", "GB"),
    ("Thanks @Jo, your reply meant a lot.", "US"),
    ("Thanks @Jo, your reply meant a lot.", "DE"),
    # A public helpline is a real, valid phone number; nothing can tell it from a
    # member's own without a list of helplines, which would go out of date.
    ("Childline is free on 0800 1111 if you're under 19.", "GB"),
}
# Measured: 4 of 158 sentences x 3 regions = 0.84%. The bound leaves no room for a new one.
MAX_FALSE_POSITIVE_RATE = 0.009


def test_ordinary_corpus_is_big_and_varied() -> None:
    assert len(ORDINARY) >= 80
    assert len(set(ORDINARY)) == len(ORDINARY)


def test_ordinary_support_talk_is_rarely_flagged() -> None:
    flagged = {
        (text, region): [(hit.kind, hit.text) for hit in pii(text, region=region)]
        for text in ORDINARY
        for region in REGIONS
    }
    false_positives = {key for key, hits in flagged.items() if hits}
    assert false_positives <= ACCEPTED_FALSE_POSITIVES, {
        key: flagged[key] for key in false_positives - ACCEPTED_FALSE_POSITIVES
    }
    assert len(false_positives) / len(flagged) <= MAX_FALSE_POSITIVE_RATE


def test_ordinary_support_talk_is_not_crisis_language() -> None:
    for text in ORDINARY:
        assert find_crisis(text, language="de") == [], text


# --- crisis language --------------------------------------------------------------------------

CRISIS = [
    ("en", "suicide", "I want to kill myself"),
    ("en", "suicide", "I've been thinking about killing myself a lot"),
    ("en", "suicide", "I just want to end it all"),
    ("en", "suicide", "I don't want to be here anymore"),
    ("en", "suicide", "i dont want to be here any more"),
    ("en", "suicide", "I do not want to be here anymore."),
    ("en", "suicide", "There's no reason to live."),
    ("en", "suicide", "Everyone would be better off without me."),
    ("en", "suicide", "I've been having suicidal thoughts again"),
    ("en", "suicide", "I can\u2019t go on like this"),
    ("en", "suicide", "I wish I wasn't alive"),
    ("en", "suicide", "I have nothing to live for"),
    ("en", "suicide", "I've been planning to end my life"),
    ("en", "suicide", "I KILL MYSELF in my head every night"),
    ("en", "suicide", "I want to k\u0456ll my\u200bself"),
    ("en", "suicide", "I want to\nkill   myself"),
    ("en", "self-harm", "I started cutting myself again"),
    ("en", "self-harm", "I cut myself last night"),
    ("en", "self-harm", "relapsed on self harm after 3 months"),
    ("en", "self-harm", "my self-harm scars are showing"),
    ("en", "self-harm", "I burned myself with a lighter"),
    ("en", "self-harm", "I keep wanting to hurt myself"),
    ("en", "self-harm", "30 days sh free today"),
    ("en", "abuse", "my partner hits me when he's drunk"),
    ("en", "abuse", "I was sexually assaulted at uni"),
    ("en", "abuse", "I'm scared to go home tonight"),
    ("en", "abuse", "my dad was abusive when I was a kid"),
    ("en", "abuse", "I was raped two years ago"),
    ("en", "eating disorder", "I made myself sick after dinner"),
    ("en", "eating disorder", "my anorexia is getting worse"),
    ("en", "eating disorder", "I'm starving myself to feel in control"),
    ("en", "eating disorder", "struggling with bulimia again"),
    ("en", "eating disorder", "I haven't eaten in days"),
    ("en", "overdose", "I took too many pills last night"),
    ("en", "overdose", "I've been stockpiling pills"),
    ("en", "overdose", "I think I overdosed"),
    ("en", "overdose", "I took all my meds at once"),
    ("de", "suicide", "Ich will nicht mehr leben"),
    ("de", "suicide", "Ich habe Suizidgedanken"),
    ("de", "suicide", "Manchmal denke ich, ich sollte mich umbringen"),
    ("de", "suicide", "Ich bin so lebensmüde"),
    ("de", "suicide", "Ich bin so LEBENSMUDE"),
    ("de", "self-harm", "Ich ritze mich wieder"),
    ("de", "self-harm", "Ich habe mich gestern geritzt"),
    ("de", "self-harm", "Selbstverletzung ist mein Weg damit umzugehen"),
    ("de", "abuse", "Mein Freund schlägt mich"),
    ("de", "abuse", "Ich wurde als Kind missbraucht"),
    ("de", "eating disorder", "Meine Essstörung ist zurück"),
    ("de", "eating disorder", "Ich bin magersüchtig"),
    ("de", "overdose", "Ich habe zu viele Tabletten genommen"),
    ("de", "overdose", "Ich hatte eine Überdosis"),
    ("de", "suicide", "I want to kill myself, sorry für mein Englisch"),
]

NOT_CRISIS = [
    "I feel low today",
    "work was exhausting",
    "I'm so sad about my cat",
    "I've been depressed for years but it's getting better",
    "My anxiety was through the roof at the interview",
    "I cut my hair short and I love it",
    "I cut down on caffeine",
    "It really hit me that I'm doing better",
    "It hits me when I least expect it, the grief",
    "That film killed me, I laughed so much",
    "I'm dying to see my sister next week",
    "I could kill for a cup of tea",
    "I want to be here for my kids",
    "I want to take my life back",
    "I hurt my back at the gym",
    "This post touched me and choked me up",
    "I can't go on holiday this year",
    "I don't want to live with my parents forever",
    "I'm burning myself out at work",
    "I'm purging my wardrobe this weekend",
    "I stopped eating junk food",
    "I can't do maths",
    "I took my pills on time every day this week",
    "I take 20mg of sertraline",
    "I'm tired of being tired",
    "I'm grateful to be alive",
    "I had a panic attack on the bus",
    "Beats me why it works but it does",
    "My doctor went through the side effects",
    "The job fair was at the Ritz",
    "Ich bin heute traurig",
    "Die Arbeit war anstrengend",
    "Ich habe Angst vor der Prüfung",
    "Ich nehme meine Tabletten jeden Morgen",
]


@pytest.mark.parametrize(
    ("language", "topic", "text"), CRISIS, ids=[f"{row[0]}: {row[2]}" for row in CRISIS]
)
def test_crisis_language_is_flagged_with_its_topic(language: str, topic: str, text: str) -> None:
    cleaned = clean_text(text).text
    hits = find_crisis(cleaned, language=language)
    assert topic in suggested_warnings(hits), hits
    assert all(hit.kind == "crisis" and cleaned[hit.start : hit.end] == hit.text for hit in hits)


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_sad_but_not_crisis_is_not_flagged(text: str) -> None:
    assert find_crisis(text, language="en") == []
    assert find_crisis(text, language="de") == []


# --- the crisis corpora -------------------------------------------------------------------

# tests/corpus/crisis-LANG.json: sentences written the way members write, each with its
# expected topic (null for an ordinary one: idioms, bereavement, accidents, diets, news).
# Entries marked "split": "held-out" were written after the rules and measured before
# any rule was changed for them (docs/benchmarks.md has both figures).
CRISIS_CORPORA = {
    language: json.loads((CORPUS / f"crisis-{language}.json").read_text(encoding="utf-8"))
    for language in ("en", "de")
}
CRISIS_TOPICS = {"suicide", "self-harm", "abuse", "eating disorder", "overdose"}
MIN_CRISIS_RECALL = 0.90
MAX_CRISIS_FALSE_ALARMS = 0.02


def crisis_topics(text: str, language: str) -> list[str]:
    return suggested_warnings(find_crisis(clean_text(text).text, language=language))


@pytest.mark.parametrize("language", CRISIS_CORPORA)
def test_crisis_corpus_is_big_and_labelled(language: str) -> None:
    entries = CRISIS_CORPORA[language]
    assert len({entry["text"] for entry in entries}) == len(entries)
    assert {entry["topic"] for entry in entries} == CRISIS_TOPICS | {None}
    assert sum(entry["topic"] is not None for entry in entries) >= 150
    assert sum(entry["topic"] is None for entry in entries) >= 150


@pytest.mark.parametrize("language", CRISIS_CORPORA)
def test_crisis_language_is_found_and_ordinary_sadness_is_not(language: str) -> None:
    entries = CRISIS_CORPORA[language]
    crisis = [entry for entry in entries if entry["topic"]]
    ordinary = [entry["text"] for entry in entries if not entry["topic"]]
    missed = [entry["text"] for entry in crisis if not crisis_topics(entry["text"], language)]
    wrong = [
        entry["text"]
        for entry in crisis
        if entry["topic"] not in crisis_topics(entry["text"], language)
    ]
    # English rules apply on every board, so English ordinary sentences are also read
    # as on a German board.
    alarms = [
        text
        for text in ordinary
        for board in dict.fromkeys([language, "de"])
        if crisis_topics(text, board)
    ]
    assert 1 - len(missed) / len(crisis) >= MIN_CRISIS_RECALL, missed
    assert 1 - len(wrong) / len(crisis) >= MIN_CRISIS_RECALL, wrong
    assert len(alarms) / len(ordinary) <= MAX_CRISIS_FALSE_ALARMS, alarms


def test_default_terms_cover_the_topics_in_english_and_german() -> None:
    topics = {"suicide", "self-harm", "abuse", "eating disorder", "overdose"}
    for language in ("en", "de"):
        assert topics <= set(DEFAULT_CRISIS_TERMS[language])
    every_phrase = {
        p for topics in DEFAULT_CRISIS_TERMS.values() for ps in topics.values() for p in ps
    }
    for too_broad in ("sad", "depressed", "anxious", "die", "cut*", "hurt", "pills"):
        assert too_broad not in every_phrase


def test_english_terms_apply_on_a_german_board_but_not_the_reverse() -> None:
    assert suggested_warnings(find_crisis("I want to kill myself", language="de")) == ["suicide"]
    assert suggested_warnings(find_crisis("Ich ritze mich", language="de-AT")) == ["self-harm"]
    assert find_crisis("Ich ritze mich", language="en") == []


def test_custom_terms_with_inflections() -> None:
    terms = {"en": {"gambling": ("bet* everything", "can't stop gambling")}}
    hits = find_crisis(
        "I bet everything, then betting everything again. I cant stop gambling", terms
    )
    assert [(hit.text, hit.label) for hit in hits] == [
        ("bet everything", "gambling"),
        ("betting everything", "gambling"),
        ("cant stop gambling", "gambling"),
    ]
    assert find_crisis("I kill myself laughing", terms) == []  # only the given terms


def test_a_boards_rules_use_the_rule_language_and_the_built_in_word_classes() -> None:
    terms = {
        "en": {
            "gambling": (
                "gamble+ ~2 (rent|savings) !back",
                "lost # quid",
                "can't stop $",
                "<hurt> <self> [financially] betting",
            )
        }
    }

    def found(text: str) -> list[str]:
        return [hit.text for hit in find_crisis(text, terms)]

    assert found("I gambled away my rent again") == ["gambled away my rent"]
    assert found("I'll gamble my rent back, I swear") == []
    assert found("lost 200 quid tonight") == ["lost 200 quid"]
    assert found("lost 2 quid") == []
    assert found("I just cant stop. Help") == ["cant stop"]
    assert found("I can't stop now, I'm on a roll") == []
    assert found("she is harming herself financially betting") == [
        "harming herself financially betting"
    ]


def test_crisis_phrases_are_whole_words() -> None:
    assert find_crisis("the skill myself and others need") == []
    assert find_crisis("Grapes are my favourite") == []


def test_suggested_warnings_in_order_without_repeats() -> None:
    text = "I took too many pills. I want to kill myself. I overdosed before. I cut myself."
    hits = find_crisis(text)
    assert suggested_warnings(hits) == ["overdose", "suicide", "self-harm"]
    assert suggested_warnings([*pii("sarah@example.com"), *hits]) == [
        "overdose",
        "suicide",
        "self-harm",
    ]


# --- redact -----------------------------------------------------------------------------------


def test_redact_replaces_every_hit() -> None:
    text = clean_text("I'm Sarah\u200b, sarah@example.com, 07400 123456, SW1A 1AA. Thanks!").text
    assert redact(text, pii(text)) == "I'm Sarah, [removed], [removed], [removed]. Thanks!"


def test_redact_merges_overlapping_hits_and_keeps_the_rest() -> None:
    text = "abcdefghij"
    hits = [
        Hit("name", 1, 4, "bcd", "x"),
        Hit("name", 3, 6, "def", "x"),
        Hit("url", 8, 9, "i", "y"),
    ]
    assert redact(text, hits) == "a[removed]gh[removed]j"
    assert redact(text, []) == text


def test_redact_refuses_hits_from_another_text() -> None:
    hits = pii("email sarah@example.com")
    with pytest.raises(ValueError, match="does not match"):
        redact("email SARAH@EXAMPLE.COM!", [Hit("email", 0, 5, "other", "email address")])
    assert redact("email sarah@example.com", hits) == "email [removed]"


# --- lookalikes -------------------------------------------------------------------------------


def test_lookalikes_counts_words_mixing_scripts() -> None:
    assert lookalikes("Contact p\u0430ypal now, Z\u043ee says hi") == 2
    assert lookalikes("\u0391laska and \u0430ll") == 2  # Greek capital alpha; Cyrillic a


def test_lookalikes_ignores_text_in_one_script() -> None:
    assert lookalikes("Привет, как дела? Я сегодня устала, но всё хорошо.") == 0
    assert lookalikes("Καλημέρα σε όλους") == 0
    assert lookalikes("Hello everyone, café naïve Zoë") == 0
    assert lookalikes("日本語のテキストです") == 0
    assert lookalikes("") == 0
