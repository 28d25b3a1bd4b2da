"""`pip install .` into a fresh virtual environment, then use it outside the repository."""

from __future__ import annotations

import os
import site
import subprocess
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.install


def running_site_packages() -> list[str]:
    """The folders the running interpreter imports installed packages from."""
    folders = [
        *site.getsitepackages(),
        sysconfig.get_path("purelib"),
        sysconfig.get_path("platlib"),
    ]
    if site.ENABLE_USER_SITE:  # a CI job's "pip install --user"
        folders.append(site.getusersitepackages())
    return [folder for folder in dict.fromkeys(folders) if Path(folder).is_dir()]


def test_installed_package_builds_a_new_board_anywhere(tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # The dependencies come from the environment running the tests, which may be
    # a virtual environment itself (system_site_packages would reach past it to
    # the base interpreter, which has none of them): its site-packages folders
    # are listed, after the new environment's own, in a .pth file. Only the
    # folders, not their .pth files, so an editable install of quietboard there
    # stays invisible; quietboard itself is built and installed from source.
    own = subprocess.run(
        [python, "-c", "import sysconfig, sys; sys.stdout.write(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (Path(own) / "running-tests.pth").write_text("\n".join(running_site_packages()) + "\n")
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
