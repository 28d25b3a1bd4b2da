"""section add and access issue / list / revoke / rotate, from the command line.

Secrets (the passphrase, the codes) must never reach an error message, and a
failed command must leave board.toml and the vault exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json

import pytest
from click.testing import CliRunner

from generator.board import vault
from generator.cli import cli
from generator.formats import members as memberformat
from generator.site.seal import open_sealed_section
from tests.helpers.boards import fast_vault, issue, post_text

PASSPHRASE = "correct horse battery staple"
CIRCLE_POST = post_text("Our circle's first meeting", "We met in the usual place and talked.")


def run(*args, env=None, **kwargs):
    env = {"QUIETBOARD_PASSPHRASE": PASSPHRASE, "QUIETBOARD_TODAY": "2026-11-20", **(env or {})}
    return CliRunner().invoke(
        cli, [str(a) for a in args], prog_name="quietboard", env=env, **kwargs
    )


def assert_error(result, message_start):
    assert result.exit_code == 1, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"Error: {message_start}"), last
    assert "Traceback" not in result.output
    assert PASSPHRASE not in result.output


@pytest.fixture
def board(make_board):
    root = make_board(posts={"circle/q8w3e5r7t9.md": CIRCLE_POST})
    fast_vault(root, PASSPHRASE)
    return root


def opened(root):
    with vault.open_vault(root, lambda: PASSPHRASE) as v:
        return v.data


def printed_code(output: str) -> str:
    return next(line.strip() for line in output.splitlines() if line.startswith("    "))


def test_issue_prints_a_code_once_and_the_build_lets_it_open_the_section(board):
    result = run("access", "issue", "circle", "--label", "R.", "--board", board)
    assert result.exit_code == 0, result.output
    code = printed_code(result.output)
    assert len(code.split("-")) == 6
    assert f"Invite link: https://board.example.org/members/#code={code}" in result.output
    # The vault keeps what the code derives to, never the code.
    assert code not in json.dumps(opened(board))
    built = run("build", "--board", board)
    assert built.exit_code == 0, built.output
    assert "1 members-only post(s) sealed in 1 section(s) for 1 access code(s)" in built.output
    keyring = json.loads((board / "output/members/keyring.json").read_text())
    grant = memberformat.open_keyring(
        keyring, code.upper().replace("-", " "), dt.date(2026, 11, 21)
    )
    section = open_sealed_section(board / "output", grant.slot, grant.content_key)
    assert [post["title"] for post in section["posts"]] == ["Our circle's first meeting"]
    # Nothing readable of the section anywhere in output/.
    for path in (board / "output").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"first meeting" not in data and b"Inner circle" not in data, path


def test_list_shows_labels_and_dates_never_codes(board):
    code = issue(board, PASSPHRASE, "circle", "R.")
    issue(board, PASSPHRASE, "circle", "Tuesday group", expires=dt.date(2027, 3, 1))
    result = run("access", "list", "circle", "--board", board)
    assert result.exit_code == 0, result.output
    assert "R." in result.output and "Tuesday group" in result.output
    assert "2027-03-01" in result.output and "never" in result.output
    assert code not in result.output
    as_json = json.loads(run("access", "list", "circle", "--json", "--board", board).output)
    assert [row["label"] for row in as_json["codes"]] == ["R.", "Tuesday group"]
    assert as_json["codes"][1] == {
        "label": "Tuesday group", "issued": "2026-11-20", "expires": "2027-03-01", "status": "live"
    }  # fmt: skip


def test_revoke_removes_one_code_and_rotates_the_key(board):
    kept = issue(board, PASSPHRASE, "circle", "K.")
    gone = issue(board, PASSPHRASE, "circle", "G.")
    before = opened(board)["members"]["sections"]["circle"]["key"]
    # Typed loosely, as labels are matched; the answer names the label as it is stored.
    result = run("access", "revoke", "circle", "g.", "--board", board)
    assert result.exit_code == 0, result.output
    assert 'Revoked "G." in "circle"; 1 other code(s) keep working' in result.output
    assert opened(board)["members"]["sections"]["circle"]["key"] != before
    assert run("build", "--board", board).exit_code == 0
    keyring = json.loads((board / "output/members/keyring.json").read_text())
    assert memberformat.open_keyring(keyring, kept, dt.date(2026, 11, 21))
    with pytest.raises(memberformat.Unopenable):
        memberformat.open_keyring(keyring, gone, dt.date(2026, 11, 21))
    assert "G." not in run("access", "list", "circle", "--board", board).output


def test_rotate_keeps_every_code_working(board):
    code = issue(board, PASSPHRASE, "circle", "R.")
    assert run("build", "--board", board).exit_code == 0
    old_files = {p.name for p in (board / "output/members").glob("*.bin")}
    assert run("access", "rotate", "circle", "--board", board).exit_code == 0
    assert run("build", "--board", board).exit_code == 0
    assert {p.name for p in (board / "output/members").glob("*.bin")}.isdisjoint(old_files)
    keyring = json.loads((board / "output/members/keyring.json").read_text())
    assert memberformat.open_keyring(keyring, code, dt.date(2026, 11, 21))


def test_an_expired_code_is_dropped_at_the_next_build(board):
    issue(board, PASSPHRASE, "circle", "Short", expires=dt.date(2026, 11, 25))
    issue(board, PASSPHRASE, "circle", "Long")
    result = run("build", "--board", board, env={"QUIETBOARD_TODAY": "2026-11-25"})
    assert result.exit_code == 0, result.output
    assert 'the access code "Short" for "circle" has expired and was removed' in result.output
    assert [c["label"] for c in opened(board)["members"]["sections"]["circle"]["codes"]] == ["Long"]


def test_a_wrong_passphrase_is_one_clear_error_and_changes_nothing(board):
    issue(board, PASSPHRASE, "circle", "R.")
    stored = vault.vault_path(board).read_bytes()
    for args in (
        ("access", "issue", "circle", "--label", "S."),
        ("access", "list", "circle"),
        ("access", "revoke", "circle", "R."),
        ("build",),
    ):
        result = run(*args, "--board", board, env={"QUIETBOARD_PASSPHRASE": "not the passphrase"})
        assert_error(result, "the passphrase in QUIETBOARD_PASSPHRASE (set in the environment")
        assert "not the passphrase" not in result.output
    assert vault.vault_path(board).read_bytes() == stored
    assert not (board / "output").exists()


def test_the_passphrase_is_asked_for_hidden_when_not_in_the_environment(board):
    issue(board, PASSPHRASE, "circle", "R.")
    result = CliRunner().invoke(
        cli,
        ["access", "list", "circle", "--board", str(board)],
        input=PASSPHRASE + "\n",
        env={"QUIETBOARD_PASSPHRASE": None},
    )
    assert result.exit_code == 0, result.output
    assert "Vault passphrase:" in result.output
    assert PASSPHRASE not in result.output
    no_input = CliRunner().invoke(
        cli,
        ["access", "list", "circle", "--board", str(board)],
        env={"QUIETBOARD_PASSPHRASE": None},
    )
    assert_error(no_input, "no passphrase was given")


def test_the_first_code_creates_the_vault_with_a_passphrase_typed_twice(make_board):
    root = make_board()
    short = CliRunner().invoke(
        cli,
        ["access", "issue", "circle", "--label", "R.", "--board", str(root)],
        input="too short\ntoo short\n" * 3,  # asked three times, then refused
        env={"QUIETBOARD_PASSPHRASE": None},
    )
    assert_error(short, "a vault passphrase needs at least 12 characters")
    assert not vault.vault_path(root).exists()
    result = CliRunner().invoke(
        cli,
        ["access", "issue", "circle", "--label", "R.", "--board", str(root)],
        input=f"{PASSPHRASE}\n{PASSPHRASE}\n",
        env={"QUIETBOARD_PASSPHRASE": None},
    )
    assert result.exit_code == 0, result.output
    assert "This board has no vault yet" in result.output
    assert len(printed_code(result.output).split("-")) == 6
    assert oct(vault.vault_path(root).stat().st_mode & 0o777) == "0o600"
    assert (root / ".quietboard/.gitignore").read_text() == "*\n"
    assert len(opened(root)["members"]["sections"]["circle"]["codes"]) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("access", "issue", "nowhere", "--label", "R."), 'there is no section "nowhere"'),
        (("access", "issue", "share", "--label", "R."), 'section "share" is public'),
        (("access", "issue", "circle", "--label", "  "), "a label must be 1 to 40"),
        (
            ("access", "issue", "circle", "--label", "R.", "--expires", "2026-11-20"),
            "--expires 2026-11-20 is not after today",
        ),
        (
            ("access", "issue", "circle", "--label", "R.", "--expires", "next week"),
            "Invalid value for '--expires'",
        ),
        (("access", "issue", "circle"), "Missing option '--label'"),
        (
            ("access", "revoke", "circle", "Nobody"),
            'section "circle" has no code labelled "Nobody"',
        ),
        (("access", "list", "nowhere"), 'there is no section "nowhere"'),
    ],
)
def test_bad_access_requests_are_one_line_and_change_nothing(board, args, message):
    issue(board, PASSPHRASE, "circle", "Existing")
    stored = vault.vault_path(board).read_bytes()
    assert_error(run(*args, "--board", board), message)
    assert vault.vault_path(board).read_bytes() == stored


def test_a_label_cannot_be_used_twice(board):
    issue(board, PASSPHRASE, "circle", "R.")
    assert_error(
        run("access", "issue", "circle", "--label", "r.", "--board", board),
        'section "circle" already has a code labelled "r."',
    )


def test_list_and_revoke_without_a_vault_say_how_to_start(make_board):
    root = make_board()
    assert_error(run("access", "list", "circle", "--board", root), "this board has no vault yet")


def test_a_busy_vault_is_an_error_not_a_wait_forever(board, monkeypatch):
    monkeypatch.setattr(vault, "LOCK_WAIT_SECONDS", 0.0)
    with open(board / ".quietboard" / "lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run("access", "issue", "circle", "--label", "R.", "--board", board)
    assert_error(result, "another quietboard command is using this board's vault")


def test_a_member_section_without_codes_is_left_out_with_a_warning(make_board, today):
    root = make_board(posts={"circle/q8w3e5r7t9.md": CIRCLE_POST})
    result = run("build", "--board", root)
    assert result.exit_code == 0, result.output
    assert 'Warning: members-only section "circle" has no access codes' in result.output
    assert not (root / "output/members/keyring.json").exists()


def test_section_add_keeps_comments_and_is_validated(make_board):
    root = make_board()
    toml = root / "board.toml"
    toml.write_text("# Our board, edited by hand\n" + toml.read_text())
    result = run("section", "add", "evening", "--members-only", "--expires-days", "30",
                 "--board", root)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert 'Added the members-only section "evening" ("Evening")' in result.output
    assert "quietboard access issue evening" in result.output
    text = toml.read_text()
    assert text.startswith("# Our board, edited by hand\n")
    assert "[sections.evening]" in text and "members_only = true" in text
    assert (root / "content/posts/evening").is_dir()
    assert (
        run("section", "add", "open-chat", "--title", "Open chat", "--board", root).exit_code == 0
    )
    before = toml.read_text()
    assert_error(
        run("section", "add", "evening", "--board", root),
        'board.toml already has a section "evening"',
    )
    assert_error(
        run("section", "add", "Bad Name", "--board", root), '"Bad Name" cannot be a section name'
    )
    # A name must match whole: a trailing newline is not a section name.
    result = run("section", "add", "late\n", "--board", root)
    assert result.exit_code == 1 and "cannot be a section name" in result.output
    assert_error(
        run("section", "add", "later", "--expires-days", "999", "--board", root),
        'board.toml: "sections.later.expires_days" must be a whole number from 1 to 365',
    )
    assert toml.read_text() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("memlimit", 2**40), ("opslimit", 2**32 - 1), ("memlimit", True), ("salt", "00" * 4096)],
)
def test_a_vault_header_asking_for_a_huge_key_derivation_is_called_damaged(board, field, value):
    # The header is not authenticated: anyone who can write the file could make
    # every command ask for a terabyte, so the limits are checked before Argon2id runs.
    path = vault.vault_path(board)
    document = json.loads(path.read_text())
    document[field] = value
    path.write_text(json.dumps(document))
    stored = path.read_bytes()
    for args in (("access", "list", "circle"), ("build",)):
        assert_error(
            run(*args, "--board", board),
            f"{path} is damaged: its key-derivation settings are outside what quietboard "
            "writes, so it was not opened; restore .quietboard/ from your backup",
        )
    assert path.read_bytes() == stored


def without_circle(root) -> None:
    toml = root / "board.toml"
    text = toml.read_text()
    start = text.index("[sections.circle]")
    end = text.find("\n[", start + 1)
    toml.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""))
    # The build refuses posts of a section board.toml does not have.
    (root / "content/posts/circle").rename(root / "old-circle-posts")


def opens(root, code: str) -> bool:
    keyring = json.loads((root / "output/members/keyring.json").read_text())
    try:
        memberformat.open_keyring(keyring, code, dt.date(2026, 11, 21))
    except memberformat.Unopenable:
        return False
    return True


def put_circle_back(root) -> None:
    toml = root / "board.toml"
    toml.write_text(
        toml.read_text() + '\n[sections.circle]\ntitle = "Circle"\nmembers_only = true\n'
    )
    (root / "old-circle-posts").rename(root / "content/posts/circle")


def test_a_deleted_and_re_created_members_section_gets_new_keys_and_no_codes(board):
    old = issue(board, PASSPHRASE, "circle", "R.")
    assert run("build", "--board", board).exit_code == 0
    old_files = {p.name for p in (board / "output/members").glob("*.bin")}
    without_circle(board)
    assert run("build", "--board", board).exit_code == 0
    # Codes are forgotten only when a person says so; without a terminal, --yes.
    refused = run("section", "add", "circle", "--members-only", "--board", board)
    assert refused.exit_code == 1
    assert (
        'Error: the vault still holds 1 access code(s) of an earlier section "circle", which a '
        "new section never reuses: adding it deletes them for good; to keep them, put "
        '[sections.circle] back in board.toml by hand and run "quietboard section restore '
        'circle", or add --yes to start afresh'
    ) in refused.output
    assert "circle" in opened(board)["members"]["sections"]
    assert "[sections.circle]" not in (board / "board.toml").read_text()
    added = run("section", "add", "circle", "--members-only", "--yes", "--board", board)
    assert added.exit_code == 0, added.output
    assert (
        'The vault still held the keys and 1 access code(s) of an earlier section "circle"; '
        "they were forgotten, so no old code opens the new section." in added.output
    )
    assert "circle" not in opened(board)["members"]["sections"]
    (board / "content/posts/circle").rmdir()
    (board / "old-circle-posts").rename(board / "content/posts/circle")
    assert run("access", "list", "circle", "--board", board).output.strip() == (
        '"circle" has no access codes yet.'
    )
    new = issue(board, PASSPHRASE, "circle", "S.")
    built = run("build", "--board", board)
    assert built.exit_code == 0, built.output
    assert opens(board, new)
    assert not opens(board, old)
    assert {p.name for p in (board / "output/members").glob("*.bin")}.isdisjoint(old_files)


@pytest.mark.parametrize("command", [("build",), ("access", "issue", "garden", "--label", "U.")])
def test_a_section_that_left_board_toml_is_retired_not_forgotten_and_says_so(board, command):
    toml = board / "board.toml"
    toml.write_text(
        toml.read_text() + '\n[sections.garden]\ntitle = "Garden"\nmembers_only = true\n'
    )
    issue(board, PASSPHRASE, "circle", "R.")
    issue(board, PASSPHRASE, "circle", "S.")
    issue(board, PASSPHRASE, "garden", "T.")
    without_circle(board)
    result = run(*command, "--board", board)
    assert result.exit_code == 0, result.output
    assert (
        'Warning: members-only section "circle" is no longer in board.toml: the vault keeps its '
        "keys and 2 access code(s), retired, and nothing is published for it. To bring it back, "
        'put [sections.circle] back in board.toml and run "quietboard section restore circle"; '
        'to delete its keys and codes, run "quietboard section forget circle"'
    ) in result.output
    circle = opened(board)["members"]["sections"]["circle"]
    assert circle["retired"] is True and len(circle["codes"]) == 2
    again = (
        run(*command[:-1], "V.", "--board", board)
        if "issue" in command
        else run(*command, "--board", board)
    )
    assert "no longer in board.toml" not in again.output
    if command == ("build",):
        assert (
            'Warning: the vault still keeps the codes of the retired section "circle": '
            '"quietboard section restore circle" or "quietboard section forget circle"'
        ) in again.output


def test_a_read_only_command_never_deletes_codes(board):
    # The reviewer's case: a board.toml without the section (an old checkout, a
    # typo), "access list", then board.toml put right: every code still works.
    code = issue(board, PASSPHRASE, "circle", "R.")
    without_circle(board)
    stored = vault.vault_path(board).read_bytes()
    assert_error(
        run("access", "list", "circle", "--board", board),
        'there is no section "circle" in board.toml',
    )
    assert vault.vault_path(board).read_bytes() == stored
    put_circle_back(board)
    listed = run("access", "list", "circle", "--board", board)
    assert listed.exit_code == 0, listed.output
    assert "R." in listed.output
    built = run("build", "--board", board)
    assert built.exit_code == 0, built.output
    assert opens(board, code)


def test_a_retired_section_back_in_board_toml_is_restored_or_forgotten_never_silently(board):
    code = issue(board, PASSPHRASE, "circle", "R.")
    without_circle(board)
    assert run("build", "--board", board).exit_code == 0  # retires circle
    put_circle_back(board)
    output_before = {p: p.read_bytes() for p in (board / "output").rglob("*") if p.is_file()}
    for args in (
        ("build",),
        ("access", "list", "circle"),
        ("access", "issue", "circle", "--label", "X."),
    ):
        assert_error(
            run(*args, "--board", board),
            'section "circle" is in board.toml again, but the vault keeps the keys and 1 access '
            'code(s) of the earlier "circle", retired: run "quietboard section restore circle" '
            'to let those codes open it again, or "quietboard section forget circle" to give it '
            "new keys and no codes",
        )
    assert {
        p: p.read_bytes() for p in (board / "output").rglob("*") if p.is_file()
    } == output_before
    restored = run("section", "restore", "circle", "--board", board)
    assert restored.exit_code == 0, restored.output
    assert 'Restored "circle": its 1 access code(s) open it again after the next build' in (
        restored.output
    )
    assert run("build", "--board", board).exit_code == 0
    assert opens(board, code)

    without_circle(board)
    assert run("build", "--board", board).exit_code == 0
    put_circle_back(board)
    forgot = run("section", "forget", "circle", "--yes", "--board", board)
    assert forgot.exit_code == 0, forgot.output
    assert (
        'Forgot the keys and 1 access code(s) of "circle": no code given for it before opens it'
        in forgot.output
    )
    assert "circle" not in opened(board)["members"]["sections"]
    new = issue(board, PASSPHRASE, "circle", "S.")
    assert run("build", "--board", board).exit_code == 0
    assert opens(board, new) and not opens(board, code)


def test_forget_and_restore_refuse_what_they_cannot_do(board):
    assert_error(
        run("section", "forget", "circle", "--yes", "--board", board),
        'the vault holds no keys for a section "circle"',
    )
    issue(board, PASSPHRASE, "circle", "R.")
    assert_error(
        run("section", "restore", "circle", "--board", board),
        '"circle" is not retired',
    )
    without_circle(board)
    assert run("build", "--board", board).exit_code == 0
    stored = vault.vault_path(board).read_bytes()
    assert_error(
        run("section", "restore", "circle", "--board", board),
        "put [sections.circle] back in board.toml (with members_only = true) first",
    )
    # Without --yes and without a terminal to ask on, nothing is deleted.
    assert_error(
        run("section", "forget", "circle", "--board", board),
        'this deletes the keys and 1 access code(s) of "circle" for good; add --yes',
    )
    assert vault.vault_path(board).read_bytes() == stored


def test_a_build_opens_the_vault_when_the_last_members_section_left(board):
    # With no members-only section left, the build still notices that the
    # vault holds one (from a marker that counts, never names, them).
    issue(board, PASSPHRASE, "circle", "R.")
    assert (board / ".quietboard/sections-held").read_text() == "1\n"
    without_circle(board)
    no_passphrase = run("build", "--board", board, env={"QUIETBOARD_PASSPHRASE": None})
    assert_error(no_passphrase, "no passphrase was given")
    built = run("build", "--board", board)
    assert built.exit_code == 0, built.output
    assert 'members-only section "circle" is no longer in board.toml' in built.output
    assert opened(board)["members"]["sections"]["circle"]["retired"] is True
    # Still held (retired), so a public section of that name is refused below.
    assert (board / ".quietboard/sections-held").read_text() == "1\n"


def test_a_public_section_never_publishes_a_members_sections_old_posts(board):
    issue(board, PASSPHRASE, "circle", "R.")
    without_circle(board)
    assert run("build", "--board", board).exit_code == 0
    (board / "old-circle-posts").rename(board / "content/posts/circle")
    toml = board / "board.toml"
    before = toml.read_text()
    assert_error(
        run("section", "add", "circle", "--board", board),
        'the vault holds "circle" as a members-only section, and content/posts/circle/ holds '
        "1 post(s) written for its members: move or delete them first",
    )
    assert toml.read_text() == before
    # Added by hand instead: the build refuses, and output/ keeps no trace.
    toml.write_text(before + '\n[sections.circle]\ntitle = "Circle"\n')
    assert_error(
        run("build", "--board", board),
        'section "circle" is public in board.toml, but the vault holds it as a members-only '
        "section with 1 access code(s)",
    )
    assert b"first meeting" not in b"".join(
        p.read_bytes() for p in (board / "output").rglob("*") if p.is_file()
    )
    # Its posts moved away, it may start again as a public section, explicitly.
    toml.write_text(before)
    (board / "content/posts/circle").rename(board / "old-circle-posts")
    assert run("section", "add", "circle", "--board", board).exit_code == 1  # asks first
    added = run("section", "add", "circle", "--yes", "--board", board)
    assert added.exit_code == 0, added.output
    assert "forgotten" in added.output
    assert "circle" not in opened(board)["members"]["sections"]
    assert run("build", "--board", board).exit_code == 0


def test_a_public_section_add_asks_before_publishing_posts_already_there(make_board):
    root = make_board(posts={"circle/q8w3e5r7t9.md": CIRCLE_POST})
    (root / "content/posts/circle").rename(root / "content/posts/letters")
    toml = root / "board.toml"
    before = toml.read_text()
    assert_error(
        run("section", "add", "letters", "--board", root),
        "content/posts/letters/ holds 1 post(s), which a public section publishes at the next "
        "build; add --publish-existing if they are meant for everyone, or move them away first",
    )
    assert toml.read_text() == before
    added = run("section", "add", "letters", "--publish-existing", "--board", root)
    assert added.exit_code == 0, added.output
    assert "[sections.letters]" in toml.read_text()


class Killed(BaseException):
    """Stands for a SIGKILL: nothing after it runs, no handler catches it."""


def test_a_crash_between_the_vault_and_board_toml_leaves_nothing_an_old_code_opens(
    board, monkeypatch
):
    from generator.board import edit as boardedit

    old = issue(board, PASSPHRASE, "circle", "R.")
    without_circle(board)
    assert run("build", "--board", board).exit_code == 0  # circle retired
    (board / "content/posts/circle").mkdir()

    def killed(*args, **kwargs):
        raise Killed

    with monkeypatch.context() as patched:
        patched.setattr(boardedit, "write_atomically", killed)
        with pytest.raises(Killed):
            CliRunner().invoke(
                cli,
                ["section", "add", "circle", "--members-only", "--yes", "--board", str(board)],
                env={"QUIETBOARD_PASSPHRASE": PASSPHRASE, "QUIETBOARD_TODAY": "2026-11-20"},
                catch_exceptions=False,
            )
    # The vault forgot circle first; board.toml was never written. The
    # moderator adds it again (by hand, or with the same command).
    assert "circle" not in opened(board)["members"]["sections"]
    (board / "content/posts/circle").rmdir()
    put_circle_back(board)
    new = issue(board, PASSPHRASE, "circle", "S.")
    built = run("build", "--board", board)
    assert built.exit_code == 0, built.output
    assert opens(board, new) and not opens(board, old)


def test_a_crash_inside_a_vault_save_never_leaves_the_held_count_too_low(board, monkeypatch):
    from generator.board import files

    issue(board, PASSPHRASE, "circle", "R.")
    assert (board / ".quietboard/sections-held").read_text() == "1\n"
    real = files.write_atomically

    def killed_at_the_vault(path, data, mode):
        if path.name == vault.VAULT_FILE:
            raise Killed
        real(path, data, mode)

    monkeypatch.setattr(vault, "write_atomically", killed_at_the_vault)
    toml = board / "board.toml"
    toml.write_text(
        toml.read_text() + '\n[sections.garden]\ntitle = "Garden"\nmembers_only = true\n'
    )
    with pytest.raises(Killed):
        issue(board, PASSPHRASE, "garden", "T.")
    # The count went up before the vault was written: one needless prompt at
    # worst, never a section that leaves board.toml without being retired.
    assert (board / ".quietboard/sections-held").read_text() == "2\n"
    assert set(opened(board)["members"]["sections"]) == {"circle"}


def test_a_wrong_passphrase_from_the_environment_says_where_it_came_from(board):
    issue(board, PASSPHRASE, "circle", "R.")
    wrong = run("access", "list", "circle", "--board", board, env={
        "QUIETBOARD_PASSPHRASE": "not the right one at all"})  # fmt: skip
    assert_error(
        wrong,
        "the passphrase in QUIETBOARD_PASSPHRASE (set in the environment; unset it to be asked "
        "instead) does not open this board's vault",
    )
    assert "not the right one" not in wrong.output
    # Typed at the prompt, the message stays as it was.
    typed = run("access", "list", "circle", "--board", board, env={"QUIETBOARD_PASSPHRASE": ""},
                input="not the right one at all\n")  # fmt: skip
    assert_error(typed, "the passphrase does not open this board's vault")
    # An empty QUIETBOARD_PASSPHRASE means: ask.
    asked = run("access", "list", "circle", "--board", board, env={"QUIETBOARD_PASSPHRASE": ""},
                input=f"{PASSPHRASE}\n")  # fmt: skip
    assert asked.exit_code == 0, asked.output
    assert "Vault passphrase" in asked.output and "R." in asked.output


def test_a_new_passphrase_that_is_too_short_is_asked_for_again(make_board):
    root = make_board()
    typed = f"short\nshort\n{PASSPHRASE}\n{PASSPHRASE}\n"
    result = run("access", "issue", "circle", "--label", "R.", "--board", root,
                 env={"QUIETBOARD_PASSPHRASE": ""}, input=typed)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Use at least 12 characters" in result.output
    assert "That has 5 characters; a vault passphrase needs at least 12." in result.output
    assert opened(root)["members"]["sections"]["circle"]["codes"]


def test_the_cli_knows_how_the_vaults_refusal_starts():
    from generator.board.vault import UNOPENED_MESSAGE
    from generator.cli.common import UNOPENED_START

    assert UNOPENED_MESSAGE.startswith(UNOPENED_START)


def test_a_mistyped_section_gets_the_closest_name(board):
    assert_error(
        run("access", "issue", "circel", "--label", "R.", "--board", board),
        'there is no section "circel" in board.toml (members-only sections: circle); '
        'did you mean "circle"?',
    )
