"""A team board built by the host's build key opens in Chromium with the codes the
moderators issued, as a moderator's own build does."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import open_members, serving, unlock
from tests.helpers.cli import approve, run, submit
from tests.helpers.team import make_team, shared_copy

pytestmark = pytest.mark.browser


@pytest.fixture
def host_built(keyed_board, tmp_path):
    root = make_team(keyed_board)
    item = submit(root, section="circle", title="Night shifts", body="The night shift was long.")
    assert approve(root, item).exit_code == 0
    issued = run("access", "issue", "circle", "--label", "Alex", "--board", root)
    code = re.search(r"^    (\S+-\S+)$", issued.output, re.MULTILINE)[1]
    made = run("team", "build-key", "--board", root)
    key = re.search(r"^(AGE-SECRET-KEY-1\S+)$", made.output, re.MULTILINE)[1]
    host = shared_copy(root, tmp_path / "host")
    built = run("build", "--board", host, env={"QUIETBOARD_BUILD_KEY": key,
                                               "QUIETBOARD_PASSPHRASE": ""})  # fmt: skip
    assert built.exit_code == 0, built.output
    with serving(host / "output") as base:
        yield base, code


def test_the_host_built_members_section_opens_with_the_moderators_code(host_built, watched):
    base, code = host_built
    watch = open_members(watched, base)
    unlock(watch.page, code)
    view = watch.page.locator("#member-view")
    expect(view.get_by_role("link", name="Night shifts")).to_be_visible()
    view.get_by_role("link", name="Night shifts").click()
    expect(watch.page.locator("article.post")).to_contain_text("The night shift was long.")
    watch.assert_clean()
