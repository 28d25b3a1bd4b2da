"""`quietboard init` writes what a host needs to build the board from git itself.

The files are read as the hosts read them: netlify.toml as TOML, the GitHub
Actions workflows line by line (no YAML library is a dependency), and
requirements.txt as pip does.
"""

from __future__ import annotations

import re
import tomllib

import pytest

import generator
from generator.board import create
from generator.board.config import read_board
from generator.board.hosting import netlify_headers_differ
from tests.helpers.cli import assert_error, run

PAGES = ".github/workflows/quietboard-pages.yml"
DAILY = ".github/workflows/quietboard-daily.yml"
HOST_FILES = ("netlify.toml", "requirements.txt", PAGES, DAILY)
BUILD_STEP = [
    "      - name: Build the board",
    "        env:",
    "          QUIETBOARD_BUILD_KEY: ${{ secrets.QUIETBOARD_BUILD_KEY }}",
    "        run: quietboard build",
]


@pytest.fixture
def board(tmp_path):
    root = tmp_path / "our-group"
    result = run("init", root)
    assert result.exit_code == 0, result.output
    return root


def code_lines(path):
    """The lines of a workflow that GitHub reads (comments and blank lines left out)."""
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def steps(lines, job):
    """JOB's steps, each as its lines, from a workflow's code lines."""
    start = lines.index(f"  {job}:")
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"  \S", lines[i])), None)
    body = lines[start:end]
    found = []
    for line in body[body.index("    steps:") + 1 :]:
        if line.startswith("      - "):
            found.append([line])
        else:
            assert line.startswith("        "), line
            found[-1].append(line)
    return found


def test_init_writes_the_host_build_files(tmp_path):
    written = create.init_board(tmp_path / "our-group")
    for name in HOST_FILES:
        assert tmp_path / "our-group" / name in written, name
        assert (tmp_path / "our-group" / name).is_file(), name


def test_the_host_installs_exactly_the_quietboard_that_made_the_board(board, monkeypatch, tmp_path):
    lines = (board / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        f"quietboard=={generator.__version__}"
    ]
    # The running version, not one written into the template.
    monkeypatch.setattr(create, "__version__", "9.8.7")
    run("init", tmp_path / "later")
    assert "quietboard==9.8.7\n" in (tmp_path / "later" / "requirements.txt").read_text()


def test_netlify_builds_with_the_pinned_quietboard_and_the_headers_the_build_checks(board):
    text = (board / "netlify.toml").read_text(encoding="utf-8")
    settings = tomllib.loads(text)
    assert settings["build"] == {
        "publish": "output",
        "command": "pip install -r requirements.txt && quietboard build",
        "environment": {"PYTHON_VERSION": "3.11"},
    }
    assert not netlify_headers_differ(read_board(board), text)
    # GitHub Actions builds on the same Python as Netlify.
    python = settings["build"]["environment"]["PYTHON_VERSION"]
    assert f'          python-version: "{python}"' in code_lines(board / PAGES)


def test_the_pages_workflow_builds_with_the_key_from_secrets_and_publishes_output(board):
    lines = code_lines(board / PAGES)
    assert lines[: lines.index("jobs:")] == [
        "name: quietboard-pages",
        "on:",
        "  push:",
        "    branches: [main]",
        "  schedule:",
        '    - cron: "15 3 * * *"',
        "  workflow_dispatch:",
        "permissions: {}",
        "concurrency:",
        "  group: quietboard-pages",
        "  cancel-in-progress: false",
    ]
    build = steps(lines, "build")
    assert [step[0] for step in build] == [
        "      - uses: actions/checkout@v4",
        "      - uses: actions/setup-python@v5",
        "      - name: Install the quietboard named in requirements.txt",
        "      - name: Build the board",
        "      - uses: actions/upload-pages-artifact@v3",
    ]
    assert build[2][1:] == ["        run: pip install -r requirements.txt"]
    assert build[3] == BUILD_STEP
    assert build[4][1:] == ["        with:", "          path: output"]
    # The checkout leaves no token behind for the build to find.
    assert build[0][1:] == ["        with:", "          persist-credentials: false"]
    assert [step[0] for step in steps(lines, "deploy")] == [
        "      - id: deployment",
    ]
    assert "        uses: actions/deploy-pages@v4" in steps(lines, "deploy")[0]
    # Each job gets only what it needs; nothing else may write.
    assert [line.strip() for line in lines if re.search(r": (read|write)$", line)] == [
        "contents: read",
        "pages: write",
        "id-token: write",
    ]
    assert lines[lines.index("  deploy:") + 1] == "    needs: build"
    # Off until the repository says it publishes with GitHub Pages.
    assert "    if: vars.QUIETBOARD_HOST == 'github-pages'" in lines


def test_no_workflow_step_could_print_the_build_key_or_the_hook(board):
    for name in (PAGES, DAILY):
        lines = code_lines(board / name)
        runs = [line.strip() for line in lines if line.strip().startswith("run:")]
        for command in runs:
            assert command not in {"run: |", "run: >"}, "one command a step, no scripts"
            assert not re.search(r"\b(echo|printf|printenv|env|set -x|cat)\b", command), command
            assert "${{" not in command, "secrets reach a step as environment, never inline"
        uses = [line.split("uses: ")[1] for line in lines if "uses: " in line]
        assert all(re.fullmatch(r"actions/[a-z-]+@(v\d+|[0-9a-f]{40})", u) for u in uses), uses
        secrets = [line.strip() for line in lines if "secrets." in line]
        if name == PAGES:
            assert secrets == [BUILD_STEP[2].strip()]
        else:
            assert secrets == ["BUILD_HOOK: ${{ secrets.QUIETBOARD_BUILD_HOOK }}"]
    assert "QUIETBOARD_BUILD_KEY" not in "\n".join(code_lines(board / DAILY))


def test_the_daily_workflow_only_starts_a_netlify_or_cloudflare_build(board):
    lines = code_lines(board / DAILY)
    assert lines[: lines.index("jobs:")] == [
        "name: quietboard-daily",
        "on:",
        "  schedule:",
        '    - cron: "15 3 * * *"',
        "  workflow_dispatch:",
        "permissions: {}",
    ]
    hosts = "vars.QUIETBOARD_HOST == 'netlify' || vars.QUIETBOARD_HOST == 'cloudflare'"
    assert f"    if: {hosts}" in lines
    [step] = steps(lines, "start-build")
    assert step[-1] == (
        "        run: curl --fail --silent --show-error --request POST --data '{}' \"$BUILD_HOOK\""
    )


def test_no_file_init_writes_holds_a_secret(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    run("init", first)
    run("init", second)
    # A key made for a board would differ between two boards.
    for name in HOST_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    files = [p for p in first.rglob("*") if p.is_file() and ".git" not in p.parts]
    assert {str(p.relative_to(first)) for p in files} >= set(HOST_FILES)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "AGE-SECRET-KEY" not in text.upper(), path
        for line in text.splitlines():
            if "QUIETBOARD_BUILD_KEY" in line and not line.lstrip().startswith("#"):
                assert line.strip().endswith("${{ secrets.QUIETBOARD_BUILD_KEY }}"), (path, line)
            assert not re.search(r"QUIETBOARD_PASSPHRASE\s*[=:]", line), (path, line)


def test_init_keeps_an_existing_workflow_of_that_name_and_any_other(tmp_path):
    workflows = tmp_path / "repo" / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "tests.yml").write_text("# ours\n")
    assert run("init", tmp_path / "repo").exit_code == 0
    assert (workflows / "tests.yml").read_text() == "# ours\n"
    assert (workflows / "quietboard-pages.yml").is_file()

    workflows = tmp_path / "mine" / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "quietboard-pages.yml").write_text("# mine\n")
    assert_error(
        run("init", tmp_path / "mine"),
        f"{workflows / 'quietboard-pages.yml'} already exists; choose an empty folder for a new "
        "board",
    )
    assert (workflows / "quietboard-pages.yml").read_text() == "# mine\n"
    assert not (tmp_path / "mine" / "board.toml").exists()
