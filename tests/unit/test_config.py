"""board.toml validation: every bad value is named, nothing is silently ignored."""

from __future__ import annotations

import pytest

from generator.board.config import DEFAULT_CRISIS_RESOURCES, DEFAULT_EXIT_URL, read_board
from generator.errors import ConfigError


def write(tmp_path, text):
    (tmp_path / "board.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_minimal_board_gets_safe_defaults(tmp_path):
    board = read_board(write(tmp_path, 'name = "B"\n'))
    assert board.indexing.search_engines is False
    assert board.indexing.ai_crawlers is False
    assert board.feeds is False
    assert board.crisis.resources == DEFAULT_CRISIS_RESOURCES


def test_sections_keep_their_order_and_kind(tmp_path):
    board = read_board(
        write(
            tmp_path,
            """
name = "B"
[sections.share]
title = "Share"
[sections.circle]
title = "Circle"
members_only = true
public_label = "Tuesday group"
""",
        )
    )
    assert [s.name for s in board.public_sections] == ["share"]
    assert [s.public_label for s in board.member_sections] == ["Tuesday group"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('name = "B"\nnmae = "x"\n', 'unknown key "nmae"'),
        (
            'name = "B"\n[sections.share]\ntitle = "S"\nmember_only = true\n',
            'unknown key "sections.share.member_only"',
        ),
        (
            'name = "B"\n[sections.share]\ntitle = "S"\nexpires_days = "ninety"\n',
            '"sections.share.expires_days" must be a whole number from 1 to 365',
        ),
        (
            'name = "B"\n[sections.share]\ntitle = "S"\nexpires_days = 400\n',
            '"sections.share.expires_days" must be a whole number from 1 to 365',
        ),
        ('name = "B"\n[sections.Share]\ntitle = "S"\n', 'section name "Share"'),
        ('name = "B"\n[sections.share]\n', '"sections.share.title" is required'),
        (
            'name = "B"\n[sections.share]\ntitle = "S"\npublic_label = "x"\n',
            '"sections.share.public_label" is only for members-only sections',
        ),
        (
            'name = "B"\n[sections.share]\ntitle = "S"\nmembers_only = "yes"\n',
            '"sections.share.members_only" must be true or false',
        ),
        (
            'name = "B"\nbase_url = "http://insecure.example"\n',
            '"base_url" must be the site\'s https',
        ),
        ('name = "B"\nlanguage = "English"\n', '"language" must be a language tag'),
        ('name = "B"\n[indexing]\nsearch_engines = 1\n', '"indexing.search_engines" must be true'),
        (
            'name = "B"\n[crisis]\nlast_checked = "last week"\n',
            '"crisis.last_checked" must be a date',
        ),
        (
            'name = "B"\n[[crisis.resources]]\nname = "X"\ncontact = "y"\nurl = "http://x"\n',
            '"crisis.resources[0].url" must start with https://, tel: or sms:',
        ),
        ('name = "B"\n[feeds]\nenabled = true\n', 'feeds need "base_url"'),
        ('language = "en"\n', '"name" is required'),
        ('name = "B"\n[posts]\nmax_expires_days = 0\n', '"posts.max_expires_days" must be a whole'),
        ('name = "B"\n[posts]\ndate_precision = "hour"\n', '"posts.date_precision" must be "day"'),
        ('name = "B"\n[moderation]\nregion = "UK1"\n', '"moderation.region" must be a two-letter'),
        ('name = "B"\n[moderation]\nwatch = ["Leeds"]\n', 'unknown key "moderation.watch"'),
        (
            'name = "B"\n[moderation.crisis_terms.en]\nsuicide = "end it"\n',
            '"moderation.crisis_terms.en.suicide" must be a list of phrases',
        ),
        (
            'name = "B"\n[moderation.crisis_terms.en]\nsuicide = ["want to (vanish"]\n',
            '"moderation.crisis_terms.en.suicide": "(" is not closed by ")" in "want to (vanish"',
        ),
        (
            'name = "B"\n[moderation.crisis_terms.de]\nsuicide = ["<verschwinden> ~2 jetzt"]\n',
            '"moderation.crisis_terms.de.suicide": unknown word class <verschwinden>',
        ),
        (
            'name = "B"\n[safety]\nexit_url = "http://bbc.co.uk/"\n',
            '"safety.exit_url" must be an https',
        ),
        ('name = "B"\n[safety]\nexit_url = ""\n', '"safety.exit_url" must be an https'),
        (
            'name = "B"\n[safety]\nexit_url = "javascript:history.back()"\n',
            '"safety.exit_url" must be an https',
        ),
        (
            'name = "B"\n[safety]\nexit_url = "https://a.example/\\"><b"\n',
            '"safety.exit_url" must be an https',
        ),
        (
            'name = "B"\nbase_url = "https://board.example.org"\n'
            '[safety]\nexit_url = "https://board.example.org/help/"\n',
            '"safety.exit_url" must be another site than the board itself',
        ),
        ('name = "B"\n[safety]\nmoderator_hours = 9\n', '"safety.moderator_hours" must be text'),
        ('name = "B"\n[safety]\nconfidentiality = " "\n', '"safety.confidentiality" must not be'),
        ('name = "B"\n[safety]\nexit = "https://a.example"\n', 'unknown key "safety.exit"'),
    ],
)
def test_bad_values_are_rejected_with_the_key_name(tmp_path, toml, message):
    with pytest.raises(ConfigError) as error:
        read_board(write(tmp_path, toml))
    assert message in str(error.value)


def test_safety_has_a_neutral_exit_and_a_promise_by_default(tmp_path):
    board = read_board(write(tmp_path, 'name = "B"\n'))
    assert board.safety.exit_url == DEFAULT_EXIT_URL
    assert DEFAULT_EXIT_URL.startswith("https://")
    assert "screenshots" in board.safety.confidentiality
    assert board.safety.moderator_hours == ""
    board = read_board(
        write(
            tmp_path,
            'name = "B"\n[safety]\nexit_url = "https://weather.example.com/today?town=x"\n'
            'moderator_hours = "most evenings"\nconfidentiality = "Stays here."\n',
        )
    )
    assert board.safety.exit_url == "https://weather.example.com/today?town=x"
    assert board.safety.moderator_hours == "most evenings"
    assert board.safety.confidentiality == "Stays here."


def test_moderation_region_defaults_to_the_crisis_country(tmp_path):
    board = read_board(
        write(
            tmp_path,
            'name = "B"\n[crisis]\ncountry = "IE"\n'
            '[moderation.crisis_terms.en]\nsuicide = ["want to vanish", "<want> to vanish+"]\n',
        )
    )
    assert board.moderation.region == "IE"
    assert board.moderation.crisis_terms == {
        "en": {"suicide": ("want to vanish", "<want> to vanish+")}
    }
    assert board.date_precision == "day"


def test_missing_board_says_how_to_make_one(tmp_path):
    with pytest.raises(ConfigError, match="quietboard init DIR"):
        read_board(tmp_path)


def test_toml_syntax_error_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_board(write(tmp_path, 'name = "B\n'))


@pytest.mark.parametrize("word", ["yes", "No", "True", "off"])
def test_a_yes_no_word_gets_the_true_false_hint_not_the_quotes_one(tmp_path, word):
    text = f'name = "B"\n[sections.circle]\ntitle = "Circle"\nmembers_only = {word}\n'
    with pytest.raises(ConfigError) as raised:
        read_board(write(tmp_path, text))
    expected = "false" if word.lower() in ("no", "off") else "true"
    assert str(raised.value).endswith(
        "yes/no settings are written true or false, in lower case and without quotes: "
        f"members_only = {expected}"
    )
    assert "need quotes" not in str(raised.value)


@pytest.mark.parametrize("day", ["2026-13-01", "01/12/2026", "2026-1-5"])
def test_a_day_that_is_not_one_gets_the_date_hint_not_the_quotes_one(tmp_path, day):
    text = f'name = "B"\n[privacy]\nreviewed = {day}\n'
    with pytest.raises(ConfigError) as raised:
        read_board(write(tmp_path, text))
    assert str(raised.value).endswith(
        "reviewed must be a real day written year-month-day without quotes, "
        "like reviewed = 2026-11-01"
    )
    assert "need quotes" not in str(raised.value)


def test_a_byte_order_mark_is_accepted(tmp_path):
    (tmp_path / "board.toml").write_text('\ufeffname = "B"\n', encoding="utf-8")
    assert read_board(tmp_path).name == "B"


def test_board_pointing_at_a_file_names_the_folder_to_use(tmp_path):
    (tmp_path / "board.toml").write_text('name = "B"\n')
    with pytest.raises(
        ConfigError,
        match=f"--board takes the folder that holds board.toml, such as --board {tmp_path}",
    ):
        read_board(tmp_path / "board.toml")
