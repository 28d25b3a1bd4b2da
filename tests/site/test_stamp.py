"""A rebuild with nothing changed leaves output/ as it is; any change builds in full.

Real builds through the command line (tests/helpers/cli.py), asserting what a
moderator sees: the line the build prints, and the pages in output/.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from generator.site.stamp import STAMP
from tests.helpers.boards import BOARD_TOML, EXPIRING_THREAD, fast_vault, issue, post_text
from tests.helpers.cli import PASSPHRASE, heavy_modules_loaded, run

NOTHING_CHANGED = "Nothing changed since the last build today"
MEMBER_TITLE = "Rehearsing a talk with my brother"
MEMBER_BODY = "I practised what I would say on the phone before the call."
MEMBER_PSEUDONYM = "Kestrel"
POSTS = {
    **EXPIRING_THREAD,
    "share/q1w2e3r4t5.md": post_text("Small steps this week", "I went outside every day."),
}


def build(root: Path, *args: str, **kwargs):
    result = run("build", *args, "--board", root, **kwargs)
    assert result.exit_code == 0, result.output
    return result.output


def site(root: Path) -> dict[str, bytes]:
    output = root / "output"
    return {
        path.relative_to(output).as_posix(): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file()
    }


def said(output: str) -> str:
    """The build's last line: what it did."""
    return output.strip().splitlines()[-1]


@pytest.fixture
def public_board(make_board) -> Path:
    root = make_board(posts=POSTS)
    first = build(root)
    assert said(first).startswith("Built ")
    return root


@pytest.fixture
def members_board(make_board) -> Path:
    root = make_board(posts={**POSTS, "circle/c1c2c3c4c5.md": MEMBER})
    fast_vault(root, PASSPHRASE)
    issue(root, PASSPHRASE, "circle", "first member")
    assert said(build(root)).startswith("Built ")
    assert (root / STAMP).is_file()
    return root


MEMBER = post_text(MEMBER_TITLE, MEMBER_BODY, pseudonym=MEMBER_PSEUDONYM)


def test_the_build_after_a_new_vaults_first_build_changes_nothing(members_board):
    """The first build settles a new vault without changing it, so the next one is kept."""
    assert said(build(members_board)).startswith(NOTHING_CHANGED)


def test_a_rebuild_with_nothing_changed_leaves_output_as_it_was_and_says_so(public_board):
    output = public_board / "output"
    built = said(build(public_board, "--full"))
    assert built.startswith(f"Built {output}: ")
    counts = built.removeprefix(f"Built {output}: ").removesuffix(
        ". The output audit found nothing."
    )
    assert counts.startswith("4 post(s) published; ")
    before = site(public_board)
    assert said(build(public_board)) == (
        f"{NOTHING_CHANGED}: {output} is as it was built ({counts}). "
        "To build it again anyway: quietboard build --full"
    )
    assert site(public_board) == before


def test_warnings_are_said_again_when_nothing_changed(public_board):
    first = [line for line in build(public_board, "--full").splitlines() if "Warning" in line]
    again = [line for line in build(public_board).splitlines() if "Warning" in line]
    assert first and again == first  # the privacy page has never been reviewed, say


def test_a_members_board_with_nothing_changed_asks_no_passphrase(members_board):
    before = site(members_board)
    output = build(members_board, env={"QUIETBOARD_PASSPHRASE": ""}, input="")
    assert said(output).startswith(NOTHING_CHANGED)
    assert "1 access code(s)" in said(output)
    assert site(members_board) == before


def _edit(root: Path) -> str:
    post = root / "content/posts/share/q1w2e3r4t5.md"
    post.write_text(post.read_text().replace("every day", "every single day"))
    return "every single day"


def _add(root: Path) -> str:
    (root / "content/posts/share/n1n2n3n4n5.md").write_text(
        post_text("A new post today", "Approved this morning.")
    )
    return "Approved this morning."


def _toml(root: Path) -> str:
    (root / "board.toml").write_text(BOARD_TOML.replace("Test board", "Evening group board"))
    return "Evening group board"


@pytest.mark.parametrize("change", [_edit, _add, _toml], ids=["edited", "added", "board.toml"])
def test_a_changed_input_builds_in_full_and_the_output_shows_it(public_board, change):
    shown = change(public_board)
    output = build(public_board)
    assert said(output).startswith("Built ")
    assert any(shown in page.decode() for page in site(public_board).values())


def test_a_deleted_post_builds_in_full_and_its_page_goes(public_board):
    assert (public_board / "output/p/q1w2e3r4t5/index.html").is_file()
    (public_board / "content/posts/share/q1w2e3r4t5.md").unlink()
    assert said(build(public_board)).startswith("Built ")
    assert not (public_board / "output/p/q1w2e3r4t5").exists()


def test_an_added_image_builds_in_full_and_is_published(public_board):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    (public_board / "content/images").mkdir()
    (public_board / "content/images/walk.png").write_bytes(buffer.getvalue())
    assert said(build(public_board)).startswith("Built ")
    assert (public_board / "output/images/walk.png").is_file()


def test_a_new_day_builds_in_full_and_a_post_that_expired_is_gone(public_board):
    day = {"QUIETBOARD_TODAY": "2026-11-30"}
    build(public_board, env=day)
    assert (public_board / "output/p/a1b2c3d4e5/index.html").is_file()
    assert said(build(public_board, env=day)).startswith(NOTHING_CHANGED)
    output = build(public_board, env={"QUIETBOARD_TODAY": "2026-12-02"})
    assert said(output).startswith("Built ")
    assert not (public_board / "output/p/a1b2c3d4e5").exists()


def test_a_changed_vault_builds_in_full(members_board):
    issue(members_board, PASSPHRASE, "circle", "second member")
    output = build(members_board)
    assert said(output).startswith("Built ")
    assert "for 2 access code(s)" in said(output)


def test_a_changed_theme_builds_in_full(public_board, tmp_path, monkeypatch):
    from generator import resources

    checkout = tmp_path / "checkout"
    for folder in ("theme", "plugins"):
        shutil.copytree(resources._find(folder, folder), checkout / folder)
    monkeypatch.setattr(resources, "_INSTALLED", tmp_path / "not-installed")
    monkeypatch.setattr(resources, "_CHECKOUT", checkout)
    build(public_board)  # the same theme from another folder: the inputs are its bytes
    assert said(build(public_board)).startswith(NOTHING_CHANGED)
    style = checkout / "theme/static/css/board.css"
    assert style.is_file()
    style.write_text(style.read_text() + "\n.changed-by-a-test { color: teal; }\n")
    assert said(build(public_board)).startswith("Built ")
    assert b".changed-by-a-test" in (public_board / "output/theme/css/board.css").read_bytes()


@pytest.mark.parametrize("tamper", ["edited", "deleted", "added"])
def test_a_tampered_output_builds_in_full_and_is_put_right(public_board, tamper):
    before = site(public_board)
    page = public_board / "output/p/q1w2e3r4t5/index.html"
    if tamper == "edited":
        page.write_text(page.read_text().replace("every day", "every day (edited on the host)"))
    elif tamper == "deleted":
        page.unlink()
    else:
        (public_board / "output/p/q1w2e3r4t5/extra.html").write_text("<p>not ours</p>")
    assert said(build(public_board)).startswith("Built ")
    assert site(public_board) == before


def test_full_builds_everything_again(members_board):
    assert said(build(members_board)).startswith(NOTHING_CHANGED)
    assert said(build(members_board, "--full")).startswith("Built ")
    # It opens the vault again, so it needs the passphrase again.
    refused = run("build", "--full", "--board", members_board, env={"QUIETBOARD_PASSPHRASE": ""})
    assert refused.exit_code == 1
    assert "passphrase" in refused.output


def test_the_stamp_holds_no_members_only_text(members_board):
    stamp = (members_board / STAMP).read_bytes()
    assert b'"inputs"' in stamp
    for secret in (MEMBER_TITLE, MEMBER_BODY, MEMBER_PSEUDONYM, PASSPHRASE, "first member"):
        assert secret.encode() not in stamp, secret
    assert (members_board / STAMP).stat().st_mode & 0o077 == 0


def test_a_team_board_never_reuses_its_output(keyed_board):
    from tests.helpers.team import make_team

    make_team(keyed_board)
    assert said(build(keyed_board)).startswith("Built ")
    assert said(build(keyed_board)).startswith("Built ")
    assert not (keyed_board / STAMP).exists()


def test_a_post_linked_from_elsewhere_builds_in_full(public_board, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(post_text("Linked in", "A post kept outside the board."))
    (public_board / "content/posts/share/l1l2l3l4l5.md").symlink_to(outside)
    # A link is not followed: the build says what it says about one, and never reuses output/.
    first = run("build", "--board", public_board)
    second = run("build", "--board", public_board)
    assert NOTHING_CHANGED not in first.output + second.output


def test_nothing_changed_is_decided_without_the_heavy_libraries(public_board):
    result = heavy_modules_loaded(
        ["build", "--board", str(public_board)],
        env={**_environment(), "QUIETBOARD_TODAY": "2026-11-20"},
    )
    assert NOTHING_CHANGED in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def _environment() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if key != "QUIETBOARD_PASSPHRASE"}
