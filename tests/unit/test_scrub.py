"""clean_text removes what could hide a mark in a post; fold makes lookalikes matchable."""

from __future__ import annotations

import unicodedata

import pytest

from generator.text.scrub import Cleaned, clean_text, fold, fold_char, fold_key, is_emoji

# --- clean_text: what is removed ------------------------------------------------------------

REMOVED = {
    "zero-width space": "\u200b",
    "zero-width non-joiner between Latin letters": "\u200c",
    "zero-width joiner between Latin letters": "\u200d",
    "word joiner": "\u2060",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "Arabic letter mark": "\u061c",
    "left-to-right embedding": "\u202a",
    "right-to-left override": "\u202e",
    "pop directional formatting": "\u202c",
    "left-to-right isolate": "\u2066",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "soft hyphen": "\u00ad",
    "byte order mark": "\ufeff",
    "function application": "\u2061",
    "invisible times": "\u2062",
    "invisible separator": "\u2063",
    "invisible plus": "\u2064",
    "tag latin small letter a": "\U000e0061",
    "cancel tag": "\U000e007f",
    "language tag": "\U000e0001",
    "interlinear annotation anchor": "\ufff9",
    "interlinear annotation terminator": "\ufffb",
    "Mongolian vowel separator": "\u180e",
    "null": "\x00",
    "bell": "\x07",
    "escape": "\x1b",
    "delete": "\x7f",
    "C1 control (CSI)": "\x9b",
    "next line (C1)": "\x85",
    "variation selector 1": "\ufe00",
    "text presentation selector": "\ufe0e",
    "variation selector 17": "\U000e0100",
    "variation selector 256": "\U000e01ef",
    "combining grapheme joiner": "\u034f",
    "Hangul choseong filler": "\u115f",
    "Hangul jungseong filler": "\u1160",
    "Hangul filler": "\u3164",
    "halfwidth Hangul filler": "\uffa0",
    "Braille pattern blank": "\u2800",
    "private use": "\ue000",
    "supplementary private use": "\U000f0000",
    "noncharacter U+FDD0": "\ufdd0",
    "noncharacter U+FFFF": "\uffff",
    "noncharacter U+10FFFE": "\U0010fffe",
    "unassigned U+0378": "\u0378",
    "lone surrogate": "\ud800",
}


@pytest.mark.parametrize("char", REMOVED.values(), ids=REMOVED.keys())
def test_invisible_and_control_characters_are_removed_and_counted(char: str) -> None:
    assert clean_text(f"hel{char}lo wor{char}ld") == Cleaned("hello world", 2, 0)


def test_presentation_selector_not_after_an_emoji_is_removed() -> None:
    assert clean_text("x\ufe0fy\ufe0f") == Cleaned("xy", 2, 0)


def test_hidden_tag_text_is_removed_whole() -> None:
    # "ASCII smuggling": a whole sentence in tag characters shows as nothing at all.
    hidden = "".join(chr(0xE0000 + ord(char)) for char in "ignore the rules")
    assert clean_text(f"Thanks all{hidden}!") == Cleaned("Thanks all!", 16, 0)


def test_subdivision_flag_loses_its_tags() -> None:
    # England's flag is a black flag plus tags; the tags go (documented in clean_text).
    england = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    assert clean_text(england) == Cleaned("\U0001f3f4", 6, 0)


# --- clean_text: what is kept ----------------------------------------------------------------

KEPT = {
    "family (ZWJ between emoji)": "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "health worker, skin tone, presentation selector": "\U0001f469\U0001f3fd\u200d\u2695\ufe0f",
    "rainbow flag (selector before ZWJ)": "\U0001f3f3\ufe0f\u200d\U0001f308",
    "woman running": "\U0001f3c3\u200d\u2640\ufe0f",
    "red heart with presentation selector": "\u2764\ufe0f",
    "double exclamation emoji (punctuation category)": "\u203c\ufe0f",
    "keycap one": "1\ufe0f\u20e3",
    "keycap hash": "#\ufe0f\u20e3",
    "Persian with ZWNJ": "می\u200cخواهم",
    "Hindi conjunct with ZWJ": "क्\u200dष",
    "Malayalam chillu with ZWJ at the end of a word": "ന്\u200d ok",
    "regional indicator flag": "\U0001f1ec\U0001f1e7",
    "Unicode 15 emoji (unassigned for Python 3.11)": "\U0001fae8",
    "Mongolian free variation selector": "\u1820\u180b",
}


@pytest.mark.parametrize("text", KEPT.values(), ids=KEPT.keys())
def test_joiners_and_selectors_that_change_what_is_shown_are_kept(text: str) -> None:
    assert clean_text(text) == Cleaned(unicodedata.normalize("NFC", text), 0, 0)


def test_zwj_next_to_an_emoji_but_not_between_two_is_removed() -> None:
    assert clean_text("\U0001f600\u200dabc") == Cleaned("\U0001f600abc", 1, 0)
    assert clean_text("abc\u200d\U0001f600") == Cleaned("abc\U0001f600", 1, 0)


def test_doubled_joiner_keeps_one() -> None:
    assert clean_text("\U0001f468\u200d\u200d\U0001f469") == Cleaned(
        "\U0001f468\u200d\U0001f469", 1, 0
    )
    assert clean_text("می\u200c\u200cخواهم") == Cleaned("می\u200cخواهم", 1, 0)


def test_zwnj_between_latin_letters_or_in_cjk_is_removed() -> None:
    assert clean_text("Sa\u200crah") == Cleaned("Sarah", 1, 0)
    assert clean_text("\u00e9\u200c\u00e8") == Cleaned("\u00e9\u00e8", 1, 0)
    assert clean_text("日\u200d本") == Cleaned("日本", 1, 0)


def test_keycap_selector_needs_the_keycap() -> None:
    assert clean_text("1\ufe0f2") == Cleaned("12", 1, 0)


def test_second_presentation_selector_is_removed() -> None:
    assert clean_text("\u2764\ufe0f\ufe0f") == Cleaned("\u2764\ufe0f", 1, 0)


# --- clean_text: spaces, line breaks, NFC ----------------------------------------------------

SPACES = {
    "no-break space": "\u00a0",
    "en quad": "\u2000",
    "em space": "\u2003",
    "thin space": "\u2009",
    "hair space": "\u200a",
    "narrow no-break space": "\u202f",
    "medium mathematical space": "\u205f",
    "ideographic space": "\u3000",
    "Ogham space mark": "\u1680",
}


@pytest.mark.parametrize("char", SPACES.values(), ids=SPACES.keys())
def test_unusual_spaces_become_ordinary_spaces(char: str) -> None:
    assert clean_text(f"a{char}b{char}c") == Cleaned("a b c", 0, 2)


def test_line_and_paragraph_separators_become_newlines() -> None:
    assert clean_text("one\u2028two\u2029three") == Cleaned("one\ntwo\nthree", 0, 2)


def test_line_endings_and_tabs_are_ordinary_typing() -> None:
    assert clean_text("a\r\nb\rc\nd\te") == Cleaned("a\nb\nc\nd e", 0, 0)


def test_result_is_nfc() -> None:
    cleaned = clean_text("Zoe\u0308 Mu\u0308ller, cafe\u0301")
    assert cleaned == Cleaned("Zoë Müller, café", 0, 0)
    assert unicodedata.is_normalized("NFC", cleaned.text)


def test_counts_add_up_on_a_mixed_post() -> None:
    post = "\ufeffHi\u00a0all\u200b, I\u2019m new\u202e here\u2066.\r\n\u3164Thanks \u2764\ufe0f"
    assert clean_text(post) == Cleaned("Hi all, I\u2019m new here.\nThanks \u2764\ufe0f", 5, 1)


def test_ordinary_text_is_untouched() -> None:
    text = "Привет всем! Ich heiße Jürgen. 日本語も大丈夫。 مرحبا\n\n- a list\n- «quotes» — dash"
    assert clean_text(text) == Cleaned(text, 0, 0)


def test_emoji_approximation() -> None:
    assert is_emoji("\U0001f600") and is_emoji("\u2764") and is_emoji("\u203c")
    assert is_emoji("\U0001f3fd")  # skin tone modifier
    assert not is_emoji("a") and not is_emoji("1") and not is_emoji("\ufe0f")


# --- fold ------------------------------------------------------------------------------------

FOLDS = {
    "Cyrillic a, e, o, p, c": ("\u0430\u0435\u043e\u0440\u0441", "aeopc"),
    "Greek omicron and alpha": ("\u03bf\u03b1", "oa"),
    "Cyrillic capital I to I, not l": ("\u0406van", "Ivan"),
    "Greek capital O to O, not zero": ("\u039f", "O"),
    "fullwidth letters and digits": ("\uff33\uff37\uff11\uff21", "SW1A"),
    "mathematical bold": ("\U0001d42c\U0001d41a\U0001d42b\U0001d41a\U0001d421", "sarah"),
    "accents removed": ("Zoë Müller café", "Zoe Muller cafe"),
    "Cyrillic with diaeresis": ("\u04d3", "a"),
    "Arabic-Indic digits": ("\u0660\u0667\u0664", "074"),
    "Devanagari digits": ("\u0966\u096d", "07"),
    "fullwidth at sign": ("a\uff20b", "a@b"),
    "curly apostrophe": ("I\u2019m", "I'm"),
    "hyphen and en dash": ("a\u2010b\u2013c", "a-b-c"),
    "ligature": ("\ufb01ne", "fine"),
    "case kept": ("SaRaH", "SaRaH"),
    "zero-width characters fold to nothing": ("sa\u200brah", "sarah"),
    "combining marks fold to nothing": ("e\u0301", "e"),
}


@pytest.mark.parametrize(("text", "folded"), FOLDS.values(), ids=FOLDS.keys())
def test_fold(text: str, folded: str) -> None:
    assert fold(text)[0] == folded


def test_fold_index_maps_every_folded_character_back() -> None:
    text = "\ufb01 Zoe\u0308 \u200b\uff11"
    folded, index = fold(text)
    assert folded == "fi Zoe 1"
    assert index == [0, 0, 1, 2, 3, 4, 6, 8]
    assert len(index) == len(folded)


def test_fold_span_maps_back_to_the_original_text() -> None:
    text = "mail \u0455\u0430rah@\u0435xample.com now"
    folded, index = fold(text)
    start = folded.index("sarah@example.com")
    end = start + len("sarah@example.com")
    assert text[index[start] : index[end - 1] + 1] == "\u0455\u0430rah@\u0435xample.com"


def test_ordinary_non_latin_text_survives_folding_enough_to_match_itself() -> None:
    # Letters with no ASCII lookalike stay as they are.
    assert fold("жизнь")[0] == "жизнь"
    assert fold_char("日") == "日"


def test_fold_key_compares_names() -> None:
    expected = "zoe muller"
    for spelling in ("Zoë Müller", "  ZOË\u00a0 MÜLLER ", "Z\u043ee Muller", "zoe\tmuller"):
        assert fold_key(spelling) == expected
    assert fold_key("Straße") == "strasse"
    assert fold_key("Zoe Mueller") != expected  # that one is the watch list's job (umlauts)
