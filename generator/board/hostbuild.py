"""The files with which a host builds a board from its git repository.

`quietboard init` writes them into every board (docs/deploying.md, route A):
requirements.txt pins the quietboard that made the board, netlify.toml's
[build] runs BUILD_COMMAND, and two GitHub Actions workflows build for GitHub
Pages or ask Netlify or Cloudflare Pages for their daily build. None of them
holds a secret: the build key reaches `quietboard build` only from the host's
own secret settings, as BUILD_KEY_VARIABLE, and only in that one step.
"""

from __future__ import annotations

from pathlib import PurePosixPath

BUILD_KEY_VARIABLE = "QUIETBOARD_BUILD_KEY"
# The oldest Python quietboard supports (pyproject.toml), the same on every host.
PYTHON_VERSION = "3.11"
REQUIREMENTS_FILE = "requirements.txt"
# One command for Netlify, Cloudflare Pages and the docs. Both hosts install a
# requirements.txt by themselves as well (the second pip is then a no-op); saying
# so here keeps the build the same wherever it runs and whatever a host detects.
BUILD_COMMAND = f"pip install -r {REQUIREMENTS_FILE} && quietboard build"
PAGES_WORKFLOW = PurePosixPath(".github/workflows/quietboard-pages.yml")
DAILY_WORKFLOW = PurePosixPath(".github/workflows/quietboard-daily.yml")


def requirements_txt(version: str) -> str:
    """requirements.txt naming exactly quietboard VERSION."""
    return (
        "# The quietboard that made this board, which the host installs to build it\n"
        "# (docs/deploying.md in quietboard). Change the version on purpose only: when\n"
        "# every moderator has upgraded to it, and it has built this board once.\n"
        f"quietboard=={version}\n"
    )


# The workflows are written out whole, as a reviewer reads them; a test checks
# that they agree with the constants above. The repository variable
# QUIETBOARD_HOST (not a secret) says which of the two does anything: unset,
# both skip, so a board kept on GitHub but published elsewhere gets no failed
# runs. 03:15 UTC is off the full hour, when GitHub delays scheduled runs most.
PAGES_WORKFLOW_TEXT = """\
# Builds this board and publishes it with GitHub Pages: on every push to main,
# every day at 03:15 UTC (so posts leave on their day when nobody pushes), and
# by hand (Actions > quietboard-pages > Run workflow).
# Written by "quietboard init"; the steps are in quietboard's docs/deploying.md.
#
# It does nothing until the repository has, under Settings > Secrets and
# variables > Actions:
#   - the variable QUIETBOARD_HOST = github-pages
#   - the secret QUIETBOARD_BUILD_KEY (printed once by "quietboard team build-key")
# and Settings > Pages > Source is "GitHub Actions".
#
# Only the build step sees the build key. It opens the members' sections and the
# posts to publish, so nothing that runs in that step may print it.
name: quietboard-pages

on:
  push:
    branches: [main]
  schedule:
    - cron: "15 3 * * *"
  workflow_dispatch:

permissions: {}

# One publication at a time; a newer run waits instead of cancelling one
# that is already publishing.
concurrency:
  group: quietboard-pages
  cancel-in-progress: false

jobs:
  build:
    if: vars.QUIETBOARD_HOST == 'github-pages'
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install the quietboard named in requirements.txt
        run: pip install -r requirements.txt
      - name: Build the board
        env:
          QUIETBOARD_BUILD_KEY: ${{ secrets.QUIETBOARD_BUILD_KEY }}
        run: quietboard build
      - uses: actions/upload-pages-artifact@v3
        with:
          path: output

  deploy:
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""

DAILY_WORKFLOW_TEXT = """\
# Asks Netlify or Cloudflare Pages to build this board once a day, so posts
# leave on their day even when nobody pushes: neither host rebuilds on a
# schedule by itself. It runs every day at 03:15 UTC, and by hand (Actions >
# quietboard-daily > Run workflow).
# Written by "quietboard init"; the steps are in quietboard's docs/deploying.md.
#
# It does nothing until the repository has, under Settings > Secrets and
# variables > Actions:
#   - the variable QUIETBOARD_HOST = netlify (or cloudflare)
#   - the secret QUIETBOARD_BUILD_HOOK: the build hook's address from Netlify
#     (or the deploy hook's from Cloudflare Pages)
# The build key is not needed here: the host builds with its own copy.
name: quietboard-daily

on:
  schedule:
    - cron: "15 3 * * *"
  workflow_dispatch:

permissions: {}

jobs:
  start-build:
    if: vars.QUIETBOARD_HOST == 'netlify' || vars.QUIETBOARD_HOST == 'cloudflare'
    runs-on: ubuntu-latest
    steps:
      - name: Start the host's build
        env:
          BUILD_HOOK: ${{ secrets.QUIETBOARD_BUILD_HOOK }}
        run: curl --fail --silent --show-error --request POST --data '{}' "$BUILD_HOOK"
"""


def host_build_files(version: str) -> dict[PurePosixPath, str]:
    """The files (path in the board, text) a host needs to build the board itself."""
    return {
        PurePosixPath(REQUIREMENTS_FILE): requirements_txt(version),
        PAGES_WORKFLOW: PAGES_WORKFLOW_TEXT,
        DAILY_WORKFLOW: DAILY_WORKFLOW_TEXT,
    }
