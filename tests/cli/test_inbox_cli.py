"""keys init / show, inbox import and queue list, from the command line.

What the form service adds (IP address, user agent, referrer, times, ids,
form name) must never reach the vault; a bad input must leave the queue and
board.toml exactly as they were.
"""

from __future__ import annotations

import json

import pytest

from generator.formats import hpke
from generator.formats import submissions as fmt
from generator.formats.armor import BEGIN, END, armor, find_armored
from tests.helpers.boards import BOARD_TOML, fast_vault
from tests.helpers.cli import (
    AGENT,
    CREATED,
    IP,
    PASSPHRASE,
    POST,
    REFERRER,
    assert_error,
    netlify_csv,
    opened,
    public_key,
    queue,
    run,
    sealed,
    weakly_sealed,
)


@pytest.fixture
def board(keyed_board):
    return keyed_board


def snapshot(root) -> tuple[bytes, bytes]:
    return (root / ".quietboard" / "vault.json").read_bytes(), (root / "board.toml").read_bytes()


def test_keys_init_adds_the_public_key_to_board_toml_and_keeps_comments(make_board):
    root = make_board(toml=BOARD_TOML + "\n# Our own note\n[submissions]\npow_bits = 4\n")
    fast_vault(root, PASSPHRASE)
    result = run("keys", "init", "--board", root)
    assert result.exit_code == 0, result.output
    public = opened(root)["moderator_keys"][-1]["public"]
    assert f"\n    {public}\n" in result.output
    text = (root / "board.toml").read_text()
    assert public in text
    assert "# Our own note" in text
    shown = run("keys", "show", "--board", root)
    assert shown.exit_code == 0
    assert shown.output.strip() == public
    assert opened(root)["moderator_keys"][-1]["secret"] not in result.output + shown.output + text


def test_a_second_keys_init_refuses_and_changes_nothing(board):
    before = snapshot(board)
    assert_error(
        run("keys", "init", "--board", board),
        'this vault already has a moderator key; "quietboard keys show" prints it (replacing '
        "it would leave submissions sealed to it unreadable)",
    )
    assert snapshot(board) == before


def test_a_netlify_csv_export_is_imported_without_any_of_its_metadata(board, tmp_path):
    export = tmp_path / "export.csv"
    export.write_text(netlify_csv([{"envelope": sealed(board)}]))
    result = run("inbox", "import", export, "--board", board)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Imported 1, duplicates 0, spam 0, unreadable 0."
    (item,) = queue(board)
    assert item["body"] == POST["body"]
    assert (item["title"], item["pseudonym"], item["cw"]) == ("Small steps this week", "Wren",
                                                              ["low mood"])  # fmt: skip
    everything = json.dumps(opened(board))
    for trace in (IP, AGENT, REFERRER, CREATED, "2026-11-19", "6740aa", 'quietboard"', "Mozilla"):
        assert trace not in everything
    for path in (board / ".quietboard").rglob("*"):
        assert IP.encode() not in path.read_bytes()


def test_the_api_json_and_plain_sealed_text_are_imported_too(board, tmp_path):
    api = tmp_path / "submissions.json"
    api.write_text(json.dumps([{
        "id": "6740aa01", "number": 4, "form_name": "quietboard", "created_at": CREATED,
        "site_url": "https://board.example.org", "summary": "", "body": "",
        "data": {"envelope": sealed(board), "website": "", "ip": IP, "user_agent": AGENT,
                 "referrer": REFERRER},
        "human_fields": {"Envelope": "…"}, "ordered_human_fields": [],
    }]))  # fmt: skip
    text = tmp_path / "from-a-member.txt"
    text.write_text("Hello moderators, here it is:\n\n" + sealed(board) + "\nThanks\n")
    result = run("inbox", "import", api, text, "--board", board)
    assert result.exit_code == 0, result.output
    assert "Imported 2, duplicates 0" in result.output
    pasted = run("inbox", "import", "-", "--board", board, input=sealed(board))
    assert "Imported 1, duplicates 0" in pasted.output
    assert len(queue(board)) == 3
    assert IP not in json.dumps(opened(board))


def test_importing_the_same_envelope_twice_keeps_one_item(board, tmp_path):
    envelope = sealed(board)
    export = tmp_path / "export.csv"
    export.write_text(netlify_csv([{"envelope": envelope}, {"envelope": envelope}]))
    first = run("inbox", "import", export, "--board", board)
    assert "Imported 1, duplicates 1, spam 0, unreadable 0." in first.output
    again = run("inbox", "import", export, "--board", board)
    assert "Imported 0, duplicates 2, spam 0, unreadable 0." in again.output
    assert len(queue(board)) == 1


def test_bad_envelopes_are_counted_and_listed_and_the_good_ones_kept(board, tmp_path):
    good = sealed(board)
    raw = fmt.unarmor(next(find_armored(sealed(board, bits=0))))
    tampered = raw[:-9] + bytes([raw[-9] ^ 1]) + raw[-8:]
    tampered_body = tampered[:-8]
    tampered = tampered_body + fmt.find_stamp(tampered_body, 4).to_bytes(8, "big")
    _, stranger = hpke.generate_key_pair()
    weak = weakly_sealed(board)
    rows = [
        {"envelope": good},
        {"envelope": good.replace("\n", "\n", 1)[:-80] + "\n" + END + "\n"},
        {"envelope": armor(tampered)},
        {"envelope": sealed(board, keys=[stranger])},
        {"envelope": weak},
        {"envelope": sealed(board), "website": "https://spam.example"},
        {"envelope": "hello, I could not get the page to work"},
    ]
    export = tmp_path / "export.csv"
    export.write_text(netlify_csv(rows))
    result = run("inbox", "import", export, "--board", board)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:-2] == [
        f"  {export}, row 3: damaged (not a complete quietboard submission)",
        f"  {export}, row 4: could not be opened (damaged or tampered with)",
        f"  {export}, row 5: sealed to a key this vault does not hold",
        f"  {export}, row 6: no valid proof of work (spam, or damaged on the way); not opened",
        f"  {export}, row 7: spam (the hidden field that browsers leave empty was filled)",
        f"  {export}, row 8: damaged (not a complete quietboard submission)",
    ]
    assert lines[-2] == (
        "Imported 1, duplicates 0, spam 1, unreadable 4 (3 damaged, incomplete or tampered "
        "with, 1 sealed to another key). No valid proof of work: 1 (spam, or damaged on the "
        "way; not opened)."
    )
    assert [item["body"] for item in queue(board)] == [POST["body"]]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("export.csv", "name,email\nA,b@example.org\n",
         "{path} holds no sealed submissions; import Netlify's CSV export, its submissions JSON, "
         'or text that contains "-----BEGIN QUIETBOARD SUBMISSION-----"'),
        ("export.csv", "Envelope;created_at\nx;y\n",
         '{path} holds no sealed submissions; import Netlify\'s CSV export, its submissions '
         'JSON, or text that contains "-----BEGIN QUIETBOARD SUBMISSION-----"'),
        ("api.json", '[{"id": "1"}]',
         '{path}: item 1 is not a Netlify submission (it has no "data" object)'),
        ("api.json", '[{"data": ',
         "{path} is not valid JSON; save the API's response whole, or export CSV instead"),
        ("export.csv", b"\xff\xfeenvelope\n",
         "{path} is not UTF-8 text; import Netlify's CSV or JSON export, or a text file holding "
         "sealed submissions"),
    ],
)  # fmt: skip
def test_an_unusable_file_stops_the_whole_import_before_anything_is_stored(
    board, tmp_path, name, content, message
):
    good = tmp_path / "good.txt"
    good.write_text(sealed(board))
    bad = tmp_path / name
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = snapshot(board)
    assert_error(run("inbox", "import", good, bad, "--board", board), message.format(path=bad))
    assert snapshot(board) == before


def test_a_missing_file_or_a_wrong_passphrase_changes_nothing(board, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(sealed(board))
    before = snapshot(board)
    assert_error(
        run("inbox", "import", good, tmp_path / "nope.csv", "--board", board),
        f"{tmp_path / 'nope.csv'} is not a file; give the path of an export or of saved sealed "
        "text",
    )
    result = run("inbox", "import", good, "--board", board,
                 env={"QUIETBOARD_PASSPHRASE": "not the passphrase"})  # fmt: skip
    assert result.exit_code == 1
    assert "not the passphrase" not in result.output
    assert snapshot(board) == before


def test_a_vault_without_a_moderator_key_says_to_make_one(make_board, tmp_path):
    root = make_board()
    fast_vault(root, PASSPHRASE)
    _, stranger = hpke.generate_key_pair()
    text = tmp_path / "sealed.txt"
    text.write_text(armor(fmt.seal(POST, [stranger], 0)))
    assert_error(
        run("inbox", "import", text, "--board", root),
        'this vault has no moderator key, so it cannot open submissions; run "quietboard keys '
        'init" first (submissions sealed before then cannot be opened by this vault)',
    )


def test_an_empty_queue_says_how_to_fill_it(board):
    result = run("queue", "list", "--board", board)
    assert result.output.strip() == (
        'The queue is empty. Import submissions with "quietboard inbox import FILE".'
    )


def test_one_poisoned_envelope_is_counted_and_never_stops_the_others(board, tmp_path):
    from generator.formats import hpke as _hpke

    nested = fmt.seal_from_parts(
        b"[" * 30_000, [public_key(board)], [_hpke.generate_key_pair()], bytes(32), bytes(12)
    )
    nested += fmt.find_stamp(nested, 4).to_bytes(8, "big")
    truncated_then_whole = sealed(board)[:300] + "\n\n> " + sealed(board)
    text = tmp_path / "mixed.txt"
    text.write_text(sealed(board) + armor(nested) + truncated_then_whole + BEGIN * 500)
    result = run("inbox", "import", text, "--board", board)
    assert result.exit_code == 0, result.output
    assert (
        "Imported 2, duplicates 0, spam 0, unreadable 502 (501 damaged, incomplete or tampered "
        "with, 1 not a valid submission)." in result.output
    )
    assert f"  {text}, envelope 2: opened, but it is not a valid submission" in result.output
    assert f"  {text}, envelope 3: damaged (not a complete quietboard submission)" in result.output


def test_an_oversized_row_is_refused_alone(board, tmp_path):
    export = tmp_path / "export.csv"
    huge = BEGIN + "\n" + "A" * 140_000 + "\n" + END
    export.write_text(netlify_csv([{"envelope": sealed(board)}, {"envelope": huge},
                                   {"envelope": sealed(board)}]))  # fmt: skip
    result = run("inbox", "import", export, "--board", board)
    assert f"  {export}, row 3: too large (over 64 KiB)" in result.output
    assert "Imported 2, duplicates 0, spam 0, unreadable 1 (1 too large)." in result.output


def test_without_valid_proof_of_work_an_envelope_is_not_opened_and_called_spam_or_damaged(
    board, tmp_path
):
    # The stamp covers the whole envelope, so a change on the way breaks it
    # like a missing one: from the stamp alone, spam and damage look alike.
    # Opening it anyway let anyone who skipped the work pass for the form
    # service tampering (and cost an HPKE open each); now neither is opened.
    raw = fmt.unarmor(next(find_armored(weakly_sealed(board))))
    for position in range(len(raw) - 9, 0, -1):
        changed = raw[:position] + bytes([raw[position] ^ 1]) + raw[position + 1 :]
        if fmt.parse_envelope(changed).stamp_bits() < 4:
            break
    text = tmp_path / "mixed.txt"
    text.write_text(armor(changed) + weakly_sealed(board))
    result = run("inbox", "import", text, "--board", board)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"  {text}, envelope 1: no valid proof of work (spam, or damaged on the way); not opened",
        f"  {text}, envelope 2: no valid proof of work (spam, or damaged on the way); not opened",
        "Imported 0, duplicates 0, spam 0, unreadable 0. No valid proof of work: 2 (spam, or "
        "damaged on the way; not opened).",
    ]


def test_a_file_of_endless_envelopes_opens_the_first_ten_thousand_and_counts_the_rest(
    board, tmp_path
):
    # 25,000 BEGIN markers (0.9 MB): once every one became an object, an
    # "unreadable" count and a printed line, 500,000 of them 400 MB and 41 MB
    # of output. Now the rest are counted unopened and 20 problems printed.
    text = tmp_path / "begins.txt"
    text.write_text(sealed(board) + BEGIN * 25_000)
    result = run("inbox", "import", text, "--board", board)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()  # after "Opening submissions" (the progress bar)
    assert lines[-2] == (
        "Imported 1, duplicates 0, spam 0, unreadable 9999 (9999 damaged, incomplete or "
        "tampered with). Not opened: 15001 envelope(s) over the limit of 10000 a file or 4 a "
        "form field."
    )
    problems = [line for line in lines if line.startswith("  ")]
    assert problems[0] == (
        f"  {text}: 15001 more envelope(s) not opened (at most 10000 are read from one file); "
        "split it and import the parts"
    )
    assert problems[1] == f"  {text}, envelope 2: damaged (not a complete quietboard submission)"
    assert len(problems) == 21
    assert problems[-1] == "  ... and 9980 more"
    assert len(queue(board)) == 1


def test_a_form_field_holding_many_envelopes_is_read_up_to_four_and_the_rest_counted(
    board, tmp_path
):
    export = tmp_path / "export.csv"
    crowded = sealed(board) + BEGIN * 10
    export.write_text(netlify_csv([{"envelope": crowded}, {"envelope": sealed(board)}]))
    result = run("inbox", "import", export, "--board", board)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:-1] == [
        f"  {export}, row 2, envelope 2: damaged (not a complete quietboard submission)",
        f"  {export}, row 2, envelope 3: damaged (not a complete quietboard submission)",
        f"  {export}, row 2, envelope 4: damaged (not a complete quietboard submission)",
        f"  {export}, row 2: 7 more envelope(s) not opened (a form field holds one submission; "
        "at most 4 are read)",
        "Imported 2, duplicates 0, spam 0, unreadable 3 (3 damaged, incomplete or tampered "
        "with). Not opened: 7 envelope(s) over the limit of 10000 a file or 4 a form field.",
    ]


@pytest.mark.parametrize("shape", ["csv", "json"])
def test_a_field_full_of_begin_markers_is_skipped_unsearched_and_counted(board, tmp_path, shape):
    # 1.5 MB of BEGIN markers and no END: once this took minutes and held up the
    # whole import; now the field is skipped at once and the others imported.
    crafted = (BEGIN + "\n") * 40_000
    fields = [sealed(board), crafted, sealed(board)]
    export = tmp_path / f"export.{shape}"
    if shape == "csv":
        export.write_text(netlify_csv([{"envelope": field} for field in fields]))
        where = f"{export}, row 3"
    else:
        export.write_text(json.dumps([{"id": str(n), "data": {"envelope": field, "ip": IP}}
                                      for n, field in enumerate(fields)]))  # fmt: skip
        where = f"{export}, item 2"
    result = run("inbox", "import", export, "--board", board)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"  {where}: skipped without searching: over 174 KiB, more than any submission",
        "Imported 2, duplicates 0, spam 0, unreadable 0. Skipped without searching: 1 field(s) "
        "over 174 KiB, more than any submission.",
    ]
    assert len(queue(board)) == 2


def test_queue_list_shows_control_and_bidi_characters_as_escapes(board, tmp_path):
    sneaky = {**POST, "title": "Hi\x1b]0;pwned\x07 \u202egnp.exe", "body": "a\u200bb\nline two"}
    text = tmp_path / "sneaky.txt"
    text.write_text(sealed(board, payload=sneaky))
    run("inbox", "import", text, "--board", board)
    listed = run("queue", "list", "--board", board).output
    as_json = run("queue", "list", "--json", "--board", board).output
    for output in (listed, as_json):
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
        assert "\u200b" not in output
    assert "Hi\\u001b]0;pwned\\u0007 \\u202egnp.exe" in listed
    assert json.loads(as_json)["items"][0]["title"] == sneaky["title"]


def test_a_withdrawal_is_kept_as_its_verifier_never_as_a_working_code(board, tmp_path):
    request = {"v": 1, "kind": "withdraw", "code": "abcdefghijklmnopqrs2", "body": ""}
    text = tmp_path / "withdraw.txt"
    text.write_text(sealed(board, payload=request))
    result = run("inbox", "import", text, "--board", board)
    # The summary says so, and sends nobody to an empty queue.
    assert (
        "Of those imported, 1 were withdrawal requests, carried out at once (they never wait "
        "in the queue)." in result.output
    )
    assert "queue list" not in result.output
    # Carried out at once: nothing left to read, only the verifier is remembered.
    assert queue(board) == []
    assert list(opened(board)["withdrawn"]) == [fmt.withdrawal_verifier("abcde-fghij-klmno-pqrs2")]
    assert "abcdefghijklmnopqrs2" not in json.dumps(opened(board))


def test_pasted_text_whose_first_line_looks_like_csv_is_still_searched(board):
    pasted = "Here is my envelope, as you asked\n\n" + sealed(board)
    result = run("inbox", "import", "-", "--board", board, input=pasted)
    assert "Imported 1, duplicates 0, spam 0, unreadable 0." in result.output


# Issue 16: each of these was imported without a crisis flag, so it waited behind
# older items.
ISSUE_16_CRISIS = {
    "This post mentions wanting to die; please check on them.": "suicide",
    "I want to be dead": "suicide",
    "I am going to end it tonight": "suicide",
    "I took a lot of pills tonight": "overdose",
    "Nobody would miss me if I was gone": "suicide",
}


def test_crisis_language_as_members_write_it_is_flagged_on_import_and_sorted_first(board, tmp_path):
    calm = {**POST, "title": "Calm", "body": "Had a calm week, walked the dog a lot."}
    urgent = [
        {**POST, "title": f"Item {n}", "body": text} for n, text in enumerate(ISSUE_16_CRISIS)
    ]
    export = tmp_path / "export.csv"
    export.write_text(
        netlify_csv([{"envelope": sealed(board, payload)} for payload in [calm, *urgent]])
    )
    result = run("inbox", "import", export, "--board", board)
    assert result.exit_code == 0, result.output
    rows = queue(board)
    assert [row["title"] for row in rows][-1] == "Calm"
    assert "crisis" not in rows[-1]["flags"]
    for row in rows[:-1]:
        topic = ISSUE_16_CRISIS[urgent[int(row["title"].split()[1])]["body"]]
        assert row["flags"][0] == "crisis", row
        assert topic in row["suggested_cw"], row


def test_a_draft_sealed_twice_is_kept_once(board, tmp_path):
    """Send pressed again after a failed send seals the same draft into a new envelope."""
    first, again = sealed(board, POST), sealed(board, POST)
    assert first != again  # two envelopes, so the envelope id does not catch it
    other_writer = sealed(board)  # the same words from someone else: kept
    export = tmp_path / "export.csv"
    export.write_text(netlify_csv([{"envelope": e} for e in (first, again, other_writer)]))
    result = run("inbox", "import", export, "--board", board)
    assert "Imported 2, duplicates 1, spam 0, unreadable 0." in result.output
    assert len(queue(board)) == 2
