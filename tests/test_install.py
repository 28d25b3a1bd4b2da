"""`pip install .` into a fresh virtual environment, then use it outside the repository."""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.install


def test_installed_package_builds_a_new_board_anywhere(tmp_path):
    env_dir = tmp_path / "venv"
    # System site-packages supply the dependencies already installed for the
    # tests; the quietboard package itself is built and installed from source.
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", str(REPO)],
        check=True,
        cwd=tmp_path,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    quietboard = env_dir / "bin" / "quietboard"
    where = subprocess.run(
        [python, "-c", "import generator, sys; sys.stdout.write(generator.__file__)"],
        cwd=elsewhere,
        env=clean_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(env_dir)), "the test must use the installed copy"
    subprocess.run([quietboard, "init", "my-board"], cwd=elsewhere, env=clean_env, check=True)

    def use(*args: str) -> None:
        result = subprocess.run(
            [quietboard, *args],
            cwd=elsewhere,
            env=clean_env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    use("build", "--board", "my-board")
    output = elsewhere / "my-board" / "output"
    assert (output / "guidelines" / "index.html").is_file()
    assert (output / "theme" / "css" / "board.css").is_file()
    use("demo", "--no-serve", "--dir", "demo")
    assert (elsewhere / "demo" / "output" / "members" / "index.html").is_file()
