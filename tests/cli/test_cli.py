"""The command line: every command, its success and its bad input.

Failures must be one line, `Error: ...`, exit status 1, and no traceback.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from generator import __version__
from generator.board import clock
from generator.cli import cli
from generator.formats import members as memberformat
from tests.helpers import unavailable
from tests.helpers.boards import post_text

GOOD_POST = post_text("Weekends feel long", "Saturdays are the hardest.")


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="quietboard", **kwargs)


def assert_error(result, message):
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines()[-1] == f"Error: {message}"
    assert "Traceback" not in result.output


def test_version_and_help():
    assert run("--version").output.strip() == f"quietboard, version {__version__}"
    result = run("--help")
    assert result.exit_code == 0
    for command in ("init", "build", "serve", "demo", "audit"):
        assert command in result.output


def _commands(group, path=()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


def test_every_command_is_documented_with_an_example():
    found = dict(_commands(cli))
    assert {("access", "issue"), ("access", "list"), ("access", "revoke")} <= set(found)
    assert ("section", "add") in found
    for path, command in found.items():
        assert command.help, f"{path} has no help"
        assert "Example: quietboard" in command.help, f"{path} has no example"
        assert run(*path, "--help").exit_code == 0


def test_python_dash_m_generator_works():
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "quietboard" in result.stdout


def test_init_then_build(tmp_path, today):
    board = tmp_path / "new-board"
    result = run("init", board)
    assert result.exit_code == 0, result.output
    assert (board / "board.toml").is_file()
    assert "content/posts/" in (board / ".gitignore").read_text()
    assert ".quietboard/" in (board / ".gitignore").read_text()
    assert sorted(p.name for p in (board / "content" / "pages").iterdir()) == [
        "guidelines.md",
        "moderation.md",
        "staying-safe.md",
    ]
    assert "[[headers]]" in (board / "netlify.toml").read_text()
    result = run("build", "--board", board)
    assert result.exit_code == 0, result.output
    assert "The output audit found nothing." in result.output
    assert (board / "output" / "guidelines" / "index.html").is_file()


def test_build_warns_when_netlify_toml_headers_drift(tmp_path, today):
    board = tmp_path / "b"
    run("init", board)
    assert "Warning: netlify.toml" not in run("build", "--board", board).output
    netlify = board / "netlify.toml"
    netlify.write_text(netlify.read_text().replace('"no-referrer"', '"origin"'))
    result = run("build", "--board", board)
    assert result.exit_code == 0
    assert "Warning: netlify.toml sets other headers than board.toml asks for" in result.output


def test_the_repository_netlify_toml_matches_its_board():
    from pathlib import Path

    from generator.board.config import read_board
    from generator.board.hosting import netlify_toml

    repo = Path(__file__).resolve().parents[2]
    expected = netlify_toml(read_board(repo), "pip install . && quietboard build")
    assert (repo / "netlify.toml").read_text() == expected


def test_init_refuses_an_existing_board(tmp_path):
    run("init", tmp_path / "b")
    (tmp_path / "b" / "board.toml").write_text("# mine\n")
    assert_error(
        run("init", tmp_path / "b"),
        f"{tmp_path / 'b' / 'board.toml'} already exists; choose an empty folder for a new board",
    )
    assert (tmp_path / "b" / "board.toml").read_text() == "# mine\n"


def test_init_refuses_a_folder_in_a_board_or_holding_other_things(tmp_path):
    run("init", tmp_path / "b")
    assert_error(
        run("init", tmp_path / "b" / "content"),
        f"{tmp_path / 'b' / 'content'} is inside the board in {tmp_path / 'b'}; "
        "choose a folder outside it",
    )
    assert not (tmp_path / "b" / "content" / "board.toml").exists()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "diary.txt").write_text("mine\n")
    result = run("init", tmp_path / "notes")
    assert result.exit_code == 1
    assert 'is not empty (it holds 1 file(s) or folder(s), such as "diary.txt")' in result.output
    assert sorted(p.name for p in (tmp_path / "notes").iterdir()) == ["diary.txt"]
    # A new git repository, with its README, licence and .git, is welcome.
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "README.md").write_text("# Our board\n")
    (tmp_path / "repo" / "LICENSE").write_text("MIT\n")
    assert run("init", tmp_path / "repo").exit_code == 0


def test_init_keeps_an_existing_netlify_toml(tmp_path):
    (tmp_path / "netlify.toml").write_text("# mine\n")
    result = run("init", tmp_path)
    assert result.exit_code == 1 and "netlify.toml already exists" in result.output
    assert (tmp_path / "netlify.toml").read_text() == "# mine\n"


def test_build_without_a_board(tmp_path):
    assert_error(
        run("build", "--board", tmp_path),
        f'no board.toml in {tmp_path.resolve()}; create a board with "quietboard init '
        'DIR" or point to one with --board DIR',
    )


def test_build_with_an_unknown_key(make_board):
    root = make_board(toml='name = "B"\ncolour = "blue"\n')
    assert_error(
        run("build", "--board", root),
        'board.toml: unknown key "colour"; allowed keys here: name, language, base_url, '
        "description, members_label, sections, roles, posts, crisis, indexing, feeds, members, "
        "submissions, moderation, privacy, safety",
    )


def test_build_with_an_unknown_section(make_board):
    root = make_board(posts={"gossip/aaaaaaaa11.md": GOOD_POST})
    assert_error(
        run("build", "--board", root),
        "content/posts/gossip: 'gossip' is not a section in board.toml, and its folder holds "
        "1 post(s); put [sections.gossip] back (members_only = true if it was members-only), "
        "or delete the posts if they should go (moving them into another section publishes "
        "them there)",
    )
    # Once its posts are gone, the removed section's empty folder stops nothing.
    (root / "content/posts/gossip/aaaaaaaa11.md").unlink()
    assert run("build", "--board", root).exit_code == 0


def test_build_with_a_post_without_expires(make_board, today):
    root = make_board(posts={"share/aaaaaaaa11.md": "Title: T\nDate: 2026-11-10\n\nHi\n"})
    assert_error(
        run("build", "--board", root),
        "content/posts/share/aaaaaaaa11.md: no 'Expires:' line; every post needs "
        "Expires: YYYY-MM-DD (posts are never dated from the file's time)",
    )
    assert not (root / "output").exists()


def test_a_bad_post_leaves_the_previous_output_alone(make_board, today):
    root = make_board(posts={"share/aaaaaaaa11.md": GOOD_POST})
    assert run("build", "--board", root).exit_code == 0
    before = (root / "output" / "index.html").read_text()
    (root / "content/posts/share/bbbbbbbb22.md").write_text("Title: T\n\nno dates\n")
    assert run("build", "--board", root).exit_code == 1
    assert (root / "output" / "index.html").read_text() == before


def test_bad_quietboard_today(make_board, monkeypatch):
    monkeypatch.setenv("QUIETBOARD_TODAY", "tomorrow")
    assert_error(
        run("build", "--board", make_board()),
        "QUIETBOARD_TODAY must be a day like 2026-11-20, not 'tomorrow'; fix or unset it",
    )


def test_demo_no_serve_builds_the_demo(tmp_path):
    result = run("demo", "--no-serve", "--dir", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    assert "3 members-only post(s) sealed in 1 section(s) for 1 access code(s)" in result.output
    code = result.output.split("opens with this access code: ")[1].split()[0]
    output = tmp_path / "demo" / "output"
    assert len(list((output / "p").iterdir())) == 6
    assert (output / "members" / "index.html").is_file()
    keyring = json.loads((output / "members" / "keyring.json").read_text())
    assert memberformat.open_keyring(keyring, code, clock.today())
    # Building the demo again into the same place replaces the earlier one, with a new code.
    again = run("demo", "--no-serve", "--dir", tmp_path / "demo")
    assert again.exit_code == 0
    assert code not in again.output


def test_audit_passes_a_fresh_build_and_fails_a_tampered_one(make_board, today):
    root = make_board(posts={"share/aaaaaaaa11.md": GOOD_POST})
    run("build", "--board", root)
    result = run("audit", "--board", root)
    assert result.exit_code == 0 and "no findings" in result.output
    index = root / "output" / "index.html"
    index.write_text(
        index.read_text().replace(
            "</head>", '<script src="https://cdn.example.com/a.js"></script></head>'
        )
    )
    result = run("audit", "--board", root)
    assert_error(
        result,
        f"{root / 'output'} has 1 finding(s) (listed above); do not deploy it. "
        'Rebuild with "quietboard build"',
    )
    assert "index.html: <script> src loads from another origin [third-party]" in result.output


def test_audit_finds_a_members_only_post_copied_into_output(make_board, today):
    member = post_text("Rehearsing a talk with my brother", "I practised it twice before.")
    root = make_board(posts={"share/aaaaaaaa11.md": GOOD_POST, "circle/dddddddd44.md": member})
    run("build", "--board", root)
    (root / "output" / "leak.txt").write_text("Rehearsing a talk with my brother")
    result = run("audit", "--board", root)
    assert result.exit_code == 1
    assert (
        "leak.txt: holds the title of content/posts/circle/dddddddd44.md, which is members-only"
        in result.output
    )


def test_audit_findings_cannot_drive_the_terminal(make_board, today):
    """A file name or attribute in output/ with escape sequences is shown escaped."""
    root = make_board(posts={"share/aaaaaaaa11.md": GOOD_POST})
    run("build", "--board", root)
    index = root / "output" / "index.html"
    fake_ok = "\x1b[1A\x1b[2KOK: no findings"
    index.write_text(index.read_text().replace("</main>", f'<input name="{fake_ok}"></main>'))
    (root / "output" / "\x1b[2Knotes.md").write_text("x")
    result = run("audit", "--board", root, color=True)  # as on a terminal: nothing stripped
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    assert "\\x1b[2Knotes.md: source or hidden file in the output [source-file]" in result.output
    assert '<input name="\\x1b[1A\\x1b[2KOK: no findings">' in result.output


def test_audit_of_an_output_folder_finds_its_board(make_board, today, monkeypatch, tmp_path):
    root = make_board(posts={"share/aaaaaaaa11.md": GOOD_POST})
    run("build", "--board", root)
    monkeypatch.chdir(tmp_path)
    result = run("audit", root / "output")
    assert result.exit_code == 0, result.output
    # The board's own folder, named instead of its output/, means the same.
    result = run("audit", root)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{root / 'output'}: no findings."


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    board = tmp_path / "real-board"
    run("init", board)
    before = (board / "board.toml").read_text()
    assert_error(
        run("demo", "--no-serve", "--dir", board),
        f"{board} is not empty and holds no earlier demo; the demo replaces its folder's "
        "board.toml and content/, so choose an empty or new folder with --dir",
    )
    assert (board / "board.toml").read_text() == before
    assert (board / "content" / "pages" / "guidelines.md").is_file()


def test_audit_without_output(make_board):
    root = make_board()
    assert_error(
        run("audit", "--board", root),
        f'{root / "output"} does not exist; run "quietboard build" first',
    )


def test_serve_without_a_build(make_board):
    root = make_board()
    assert_error(
        run("serve", "--board", root),
        f'{root / "output"} has no built site; run "quietboard build" first',
    )


def test_serve_outside_a_board_says_what_every_command_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    build = run("build")
    assert build.output.strip().startswith("Error: no board.toml in ")
    assert_error(run("serve"), build.output.strip().removeprefix("Error: "))


def test_demo_finds_its_port_busy_before_building_and_leaves_no_folder(tmp_path, monkeypatch):
    import tempfile

    # Where the demo makes its temporary folder (tempfile reads TMPDIR only once).
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("demo", "--port", port)
    assert_error(result, f"port {port} on 127.0.0.1 is in use; choose another with --port N")
    assert "Built" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_access_help_names_every_subcommand():
    result = run("access", "--help")
    assert "Issue, list, revoke and rotate members' access codes." in result.output
    assert "rotate" in result.output


def test_init_help_names_only_the_pages_init_writes(tmp_path):
    run("init", tmp_path / "b")
    pages = sorted(page.stem for page in (tmp_path / "b" / "content" / "pages").glob("*.md"))
    assert pages == ["guidelines", "moderation", "staying-safe"]
    words = " ".join(run("init", "--help").output.split())
    assert (
        "the standard pages (guidelines, staying safe, how moderation works; the privacy" in words
    )


def test_serve_on_a_busy_port(make_board, today):
    root = make_board()
    run("build", "--board", root)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert_error(
            run("serve", "--board", root, "--port", port),
            f"port {port} on 127.0.0.1 is in use; choose another with --port N",
        )


def test_serve_serves_the_site_with_its_headers(make_board, today):
    root = make_board(posts={"share/aaaaaaaa11.md": GOOD_POST})
    run("build", "--board", root)
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--board", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = server.stdout.readline()
        url = first.split(" at ")[1].split(" ")[0]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "p/aaaaaaaa11/") as response:
            assert "Saturdays are the hardest." in response.read().decode()
            assert response.headers["Referrer-Policy"] == "no-referrer"
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + "p/nothere/")
        assert missing.value.code == 404
        assert "This page is not here" in missing.value.read().decode()
        with pytest.raises(urllib.error.HTTPError) as host_file:
            urllib.request.urlopen(url + "_headers")
        assert host_file.value.code == 404, "the host reads _headers but never serves it"
        with pytest.raises(urllib.error.HTTPError) as listing:
            urllib.request.urlopen(url + "theme/")
        assert listing.value.code == 404, "directories are never listed"
        # No form service behind a preview: the share page is told so (submit.js).
        send = urllib.request.Request(url + "share/", data=b"envelope=sealed", method="POST")
        with pytest.raises(urllib.error.HTTPError) as posted:
            urllib.request.urlopen(send)
        assert posted.value.code == 501
        assert posted.value.headers["Quietboard-Preview"] == "no-form-service"
        with urllib.request.urlopen(url + "share/") as response:
            assert response.status == 200, "the preview still serves after a send"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_never_serves_host_files_dotfiles_or_anything_outside_output(make_board, today):
    root = make_board(posts={"share/aaaaaaaa11.md": GOOD_POST})
    run("build", "--board", root)
    output = root / "output"
    (output / "_redirects").write_text("/old /new 301\n")
    (output / ".env").write_text("SECRET_FROM_A_DOTFILE\n")
    (output / "board-copy.toml").symlink_to(root / "board.toml")
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--board", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(server.stdout.readline().split(" at ")[1].split(" ")[0].rsplit(":", 1)[1][:-1])

        def get(path: str) -> tuple[int, str, str]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)  # sent as written, never normalised
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            connection.close()
            return response.status, body, response.headers.get("Content-Security-Policy", "")

        headers_text = (output / "_headers").read_text()
        for path in ("/_headers", "/./_headers", "/%2e/_headers", "//_headers", "/p/../_headers",
                     "/%2F_headers", "/_redirects", "/./_redirects", "/.env", "/%2eenv",
                     "//.env", "/_headers%00", "/board-copy.toml"):  # fmt: skip
            status, body, _ = get(path)
            assert status == 404, path
            assert "This page is not here" in body, path
            assert "# Written by quietboard" not in body and "SECRET_FROM_A_DOTFILE" not in body
            assert 'name = "Test board"' not in body, path
            assert headers_text not in body, path
        # A spelling of a real page gets the page and the host's headers, as on Netlify.
        status, body, csp = get("/./p/aaaaaaaa11/")
        assert status == 200 and "Saturdays are the hardest." in body
        assert "frame-ancestors 'none'" in csp
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_an_unexpected_failure_is_one_line_without_details(make_board, monkeypatch):
    root = make_board()

    def explode(*args, **kwargs):
        raise RuntimeError("secret-looking detail")

    monkeypatch.setattr("generator.site.build.build_board", explode)
    result = run("build", "--board", root)
    assert result.exit_code == 1
    assert "secret-looking detail" not in result.output
    assert result.output.startswith("Error: quietboard hit an unexpected problem (RuntimeError)")
    assert "Traceback" not in result.output


def test_a_usage_error_is_one_line_naming_the_option():
    assert_error(
        run("build", "--bord", "x"),
        "No such option '--bord'. Did you mean '--board'? (see \"quietboard build --help\")",
    )
    assert_error(
        run("bulid"), "No such command 'bulid'. Did you mean 'build'? (see \"quietboard --help\")"
    )


def test_section_add_leaves_the_roles_comment_above_roles(tmp_path):
    board = tmp_path / "b"
    run("init", board)
    result = run("section", "add", "circle", "--members-only", "--board", board)
    assert result.exit_code == 0, result.output
    lines = (board / "board.toml").read_text().splitlines()
    roles = lines.index("[roles]")
    assert lines[roles - 1].startswith("# Role badges"), lines[roles - 3 : roles + 1]
    circle = lines.index("[sections.circle]")
    assert circle < roles - 1
    assert lines[circle - 1] == ""  # a blank line after the section before it
    assert lines[circle + 1 : circle + 3] == ['title = "Circle"', "members_only = true"]


# --- faults of the computer, and Ctrl-C, in a real child process -------------------------

PASSPHRASE = "correct horse battery staple"


def quietboard(*args, env=None, **kwargs) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "QUIETBOARD_TODAY": "2026-11-20", **(env or {})}
    environment.pop("QUIETBOARD_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)],
        capture_output=True, text=True, env=environment, timeout=120, check=False, **kwargs,
    )  # fmt: skip


def site_index(output) -> dict[str, bytes]:
    return {
        p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()
    }


def assert_one_line(result, status: int, line: str) -> None:
    assert result.returncode == status, result.stderr
    assert result.stderr.strip().splitlines()[-1] == line
    assert "Traceback" not in result.stderr


def _no_bigger_files(limit: int):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_file_too_large_for_the_system_is_named_with_what_was_done(make_board, today):
    root = make_board(posts={"share/aaaaaaaa11.md": GOOD_POST})
    assert quietboard("build", "--board", root).returncode == 0
    before = site_index(root / "output")
    # Every file this build writes may hold 4 KiB at most (ulimit -f): the pages are larger.
    # --full: with nothing changed, a build would leave output/ as it is and write nothing.
    result = quietboard("build", "--full", "--board", root, preexec_fn=_no_bigger_files(4096))
    assert_one_line(
        result, 1,
        f"Error: File too large at {root}. output/ was not changed. To go on: raise this "
        "computer's file-size limit (ulimit -f), then run the command again",
    )  # fmt: skip
    assert site_index(root / "output") == before
    assert not list(root.glob(".quietboard-build-*"))


@contextlib.contextmanager
def mounted_tmpfs(folder, size: str):
    folder.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", folder],
        capture_output=True,
        check=False,
    )
    if mount.returncode:
        unavailable("a small disk needs mount (root); the file-size test covers the rest")
    try:
        yield folder
    finally:
        subprocess.run(["umount", folder], check=True)


def test_a_full_disk_is_named_with_what_was_done(make_board, today, tmp_path):
    with mounted_tmpfs(tmp_path / "small-disk", "600k") as disk:
        root = shutil.copytree(make_board(posts={"share/aaaaaaaa11.md": GOOD_POST}), disk / "b")
        assert quietboard("build", "--board", root).returncode == 0
        before = site_index(root / "output")
        (disk / "filler").write_bytes(b"\0" * (disk_free(disk) - 4096))
        result = quietboard("build", "--full", "--board", root)  # nothing changed: build anyway
        assert_one_line(
            result, 1,
            f"Error: No space left on device at {root}. output/ was not changed. To go on: free "
            "some space on that disk, then run the command again",
        )  # fmt: skip
        assert site_index(root / "output") == before
        assert not list(root.glob(".quietboard-build-*"))


def disk_free(folder) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize


@contextlib.contextmanager
def read_only(folder):
    """FOLDER made read-only: a read-only bind mount as root (who ignores permissions)."""
    if os.geteuid() != 0:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        try:
            yield
        finally:
            for path in [folder, *folder.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)
        return
    bind = subprocess.run(["mount", "--bind", folder, folder], capture_output=True, check=False)
    if bind.returncode:
        unavailable("root without mount: a read-only board cannot be made here")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", folder], check=True)
        yield
    finally:
        subprocess.run(["umount", folder], check=True)


def test_reading_commands_work_on_a_read_only_board(keyed_board):
    from tests.helpers.cli import POST, sealed
    from tests.helpers.cli import run as run_with_vault

    (keyed_board / "post.txt").write_text(sealed(keyed_board, POST))
    assert (
        run_with_vault(
            "inbox", "import", keyed_board / "post.txt", "--board", keyed_board
        ).exit_code
        == 0
    )
    assert (
        run_with_vault("section", "add", "club", "--members-only", "--board", keyed_board).exit_code
        == 0
    )
    assert (
        run_with_vault("access", "issue", "club", "--label", "R.", "--board", keyed_board).exit_code
        == 0
    )
    env = {"QUIETBOARD_PASSPHRASE": PASSPHRASE}
    with read_only(keyed_board):
        status = quietboard("status", "--board", keyed_board, env=env)
        assert status.returncode == 0, status.stderr
        assert "Queue: 1 waiting" in status.stdout
        queue = quietboard("queue", "list", "--board", keyed_board, env=env)
        assert queue.returncode == 0, queue.stderr
        assert "Small steps this week" in queue.stdout
        codes = quietboard("access", "list", "club", "--board", keyed_board, env=env)
        assert codes.returncode == 0, codes.stderr
        assert codes.stdout.splitlines()[1].startswith("R.")
        # A command that must write says so, naming the file and the cause.
        built = quietboard("build", "--board", keyed_board, env=env)
        assert built.returncode == 1
        assert "output/ was not changed" in built.stderr
        assert "Traceback" not in built.stderr


def interrupt_when(process: subprocess.Popen, ready) -> tuple[str, str]:
    """Send Ctrl-C (SIGINT) to PROCESS as soon as READY() is true; its output."""
    while not ready():
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    return process.communicate(timeout=60)


def start(*args, env=None) -> subprocess.Popen:
    environment = {**os.environ, "QUIETBOARD_TODAY": "2026-11-20", **(env or {})}
    environment = {name: value for name, value in environment.items() if value is not None}
    environment.pop("QUIETBOARD_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "generator", *map(str, args)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=environment,
        # A shell's background job ignores Ctrl-C; a terminal's foreground command does not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )  # fmt: skip


def test_ctrl_c_during_a_build_is_one_line_and_leaves_output_alone(make_board, today):
    root = make_board(posts={"share/aaaaaaaa11.md": GOOD_POST})
    assert quietboard("build", "--board", root).returncode == 0
    before = site_index(root / "output")
    process = start("build", "--full", "--board", root)  # nothing changed: --full builds anyway
    # Its work folder is made before anything is read, and goes when the build ends.
    _, stderr = interrupt_when(process, lambda: any(root.glob(".quietboard-build-*")))
    assert process.returncode == 130, stderr
    assert stderr.splitlines() == ["Interrupted; output/ was not changed"]
    assert site_index(root / "output") == before


def test_ctrl_c_at_the_passphrase_prompt_is_one_line(keyed_board):
    process = start("status", "--board", keyed_board, env={"QUIETBOARD_PASSPHRASE": None})
    prompt = b""
    while b"Vault passphrase:" not in prompt:
        chunk = os.read(process.stderr.fileno(), 4096)
        assert chunk, prompt
        prompt += chunk
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == (
        "Interrupted; nothing was changed (it was asking for the vault passphrase)"
    )
    assert "Traceback" not in prompt.decode() + stderr


def test_usage_errors_name_the_command_they_are_about(make_board):
    assert_error(
        run("approve", "X", "--cw"),
        """Option '--cw' requires an argument. (see "quietboard approve --help")""",
    )
    assert_error(
        run("section", "add", "x", "--title"),
        """Option '--title' requires an argument. (see "quietboard section add --help")""",
    )
    assert_error(
        run("access", "issue"),
        """Missing argument 'SECTION'. (see "quietboard access issue --help")""",
    )
    assert_error(
        run("build", "my-board"),
        "Got unexpected extra argument (my-board); to name the board's folder, use --board DIR "
        '(see "quietboard build --help")',
    )
    assert_error(run("nosuch"), """No such command 'nosuch'. (see "quietboard --help")""")


def test_a_group_without_its_command_shows_what_it_offers():
    for group, command in (("queue", "list"), ("section", "add"), ("access", "issue")):
        result = run(group)
        assert result.exit_code == 0, result.output
        assert "Error" not in result.output
        assert result.output.startswith(f"Usage: quietboard {group} [OPTIONS] COMMAND")
        assert f"  {command} " in result.output
