"""inbox fetch against a local stand-in for the Netlify API on 127.0.0.1.

The stand-in serves the documented endpoints (a site's forms, a form's
submissions page by page, verified or spam, and deleting a submission) with
payloads shaped like Netlify's, including ip, user_agent and referrer.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from generator.formats import hpke
from generator.formats import submissions as fmt
from generator.formats.armor import armor
from tests.helpers.cli import (
    AGENT,
    IP,
    POST,
    REFERRER,
    assert_error,
    opened,
    queue,
    run,
    sealed,
    weakly_sealed,
)

TOKEN = "nfp_not-a-real-token-but-secret-all-the-same"
SITE = "5b7f-board"
FORM = "64a0f0c1"


class FakeNetlify:
    def __init__(self) -> None:
        self.verified: list[dict] = []
        self.spam: list[dict] = []
        self.requests: list[tuple[str, str]] = []
        self.status = 200
        self.redirect = ""

    def add(self, envelope: str, *, spam: bool = False, honeypot: str = "") -> str:
        number = len(self.verified) + len(self.spam) + 1
        submission = {
            "id": f"6740aa{number:018d}", "number": number, "title": None, "email": None,
            "name": None, "first_name": None, "last_name": None, "company": None,
            "summary": "<strong>-----BEGIN QUIETBOARD</strong>", "body": envelope[:60],
            "data": {"envelope": envelope, "website": honeypot, "ip": IP, "user_agent": AGENT,
                     "referrer": REFERRER},
            "created_at": "2026-11-19T23:41:07.123Z", "human_fields": {"Envelope": envelope},
            "ordered_human_fields": [{"title": "Envelope", "name": "envelope", "value": envelope}],
            "site_url": "https://board.example.org", "form_id": FORM, "form_name": "quietboard",
        }  # fmt: skip
        (self.spam if spam else self.verified).append(submission)
        return submission["id"]

    def ids(self) -> set[str]:
        return {s["id"] for s in self.verified + self.spam}


@pytest.fixture
def netlify(monkeypatch):
    fake = FakeNetlify()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body=None):
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def handle_one(self, method):  # noqa: PLR0911 - one branch per endpoint
            url = urllib.parse.urlsplit(self.path)
            fake.requests.append((method, self.path, self.headers.get("Authorization")))
            if fake.redirect and not url.path.startswith("/elsewhere"):
                self.send_response(302)
                self.send_header("Location", fake.redirect)
                self.end_headers()
                return None
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self.reply(401, {"code": 401, "message": "Access Denied"})
            if fake.status != 200:
                return self.reply(fake.status, {"message": "nope"})
            query = dict(urllib.parse.parse_qsl(url.query))
            if method == "GET" and url.path == f"/api/v1/sites/{SITE}/forms":
                return self.reply(200, [
                    {"id": "0ther", "name": "contact", "site_id": SITE},
                    {"id": FORM, "name": "quietboard", "site_id": SITE, "submission_count": 1},
                ])  # fmt: skip
            if method == "GET" and url.path.startswith("/api/v1/sites/"):
                return self.reply(404, {"message": "Not Found"})
            if method == "GET" and url.path == f"/api/v1/forms/{FORM}/submissions":
                pool = fake.spam if query.get("state") == "spam" else fake.verified
                page, per_page = int(query.get("page", 1)), int(query.get("per_page", 100))
                return self.reply(200, pool[(page - 1) * per_page : page * per_page])
            if method == "DELETE" and url.path.startswith("/api/v1/submissions/"):
                gone = url.path.rsplit("/", 1)[1]
                fake.verified = [s for s in fake.verified if s["id"] != gone]
                fake.spam = [s for s in fake.spam if s["id"] != gone]
                return self.reply(204)
            return self.reply(404, {"message": "Not Found"})

        def do_GET(self):
            self.handle_one("GET")

        def do_DELETE(self):
            self.handle_one("DELETE")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("QUIETBOARD_NETLIFY_API", f"http://127.0.0.1:{server.server_port}/api/v1")
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def site_board(keyed_board):
    board = keyed_board
    toml = board / "board.toml"
    toml.write_text(
        toml.read_text().replace("pow_bits = 4", f'pow_bits = 4\nnetlify_site_id = "{SITE}"')
    )
    return board


def fetch(root, *extra, token=TOKEN):
    env = {"NETLIFY_AUTH_TOKEN": token} if token is not None else {}
    return run("inbox", "fetch", *extra, "--board", root, env=env)


def test_fetch_imports_without_metadata_and_deletes_nothing_by_default(site_board, netlify):
    netlify.add(sealed(site_board))
    result = fetch(site_board)
    assert result.exit_code == 0, result.output
    assert "Imported 1, duplicates 0, spam 0, unreadable 0." in result.output
    assert [item["body"] for item in queue(site_board)] == [POST["body"]]
    everything = json.dumps(opened(site_board))
    for trace in (IP, AGENT, REFERRER, "2026-11-19", "6740aa", 'quietboard"'):
        assert trace not in everything
    assert len(netlify.ids()) == 1
    assert all(method == "GET" for method, _, _ in netlify.requests)
    assert TOKEN not in result.output


def test_delete_remote_removes_what_is_stored_and_spam_and_keeps_the_unopenable(
    site_board, netlify
):
    stored = netlify.add(sealed(site_board))
    spam = netlify.add(sealed(site_board), spam=True, honeypot="buy now")
    _, stranger = hpke.generate_key_pair()
    foreign = netlify.add(armor(fmt.seal(POST, [stranger], 4)))
    result = fetch(site_board, "--delete-remote")
    assert result.exit_code == 0, result.output
    assert (
        "Imported 1, duplicates 0, spam 1, unreadable 1 (1 sealed to another key)." in result.output
    )
    assert "Deleted 2 from Netlify; 1 left there." in result.output
    assert netlify.ids() == {foreign}
    assert stored not in netlify.ids() and spam not in netlify.ids()
    again = fetch(site_board, "--delete-remote")
    assert (
        "Imported 0, duplicates 0, spam 0, unreadable 1 (1 sealed to another key)." in again.output
    )
    assert len(queue(site_board)) == 1


def test_fetch_reads_every_page(site_board, netlify):
    for _ in range(130):
        netlify.add(sealed(site_board))
    result = fetch(site_board)
    assert "Imported 130, duplicates 0" in result.output
    pages = [path for _, path, _ in netlify.requests if "submissions?page=" in path]
    assert any("page=2" in path for path in pages)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "set NETLIFY_AUTH_TOKEN to a Netlify personal access token (Netlify: User "
               "settings > Applications); it is read only from the environment"),
        ("wrong-token", "Netlify refused the token (HTTP 401); make a new personal access token "
                        "(Netlify: User settings > Applications) and set NETLIFY_AUTH_TOKEN to it"),
    ],
)  # fmt: skip
def test_a_missing_or_refused_token_changes_nothing(site_board, netlify, token, message):
    netlify.add(sealed(site_board))
    before = (site_board / ".quietboard" / "vault.json").read_bytes()
    result = fetch(site_board, "--delete-remote", token=token)
    assert_error(result, message)
    assert "wrong-token" not in result.output
    assert (site_board / ".quietboard" / "vault.json").read_bytes() == before
    assert len(netlify.ids()) == 1


def test_a_server_error_or_a_wrong_site_changes_nothing(site_board, netlify):
    netlify.add(sealed(site_board))
    netlify.status = 503
    assert_error(
        fetch(site_board), "Netlify answered HTTP 503; try again later. Nothing was changed"
    )
    netlify.status = 200
    toml = site_board / "board.toml"
    toml.write_text(toml.read_text().replace(SITE, "another-site"))
    assert_error(
        fetch(site_board),
        "Netlify has no site with the ID in board.toml (HTTP 404); copy the site ID from "
        'Netlify\'s "Site configuration" page into [submissions] netlify_site_id',
    )
    assert queue(site_board) == []


def test_the_token_is_only_ever_sent_over_https_or_to_this_machine(site_board, monkeypatch):
    monkeypatch.setenv("QUIETBOARD_NETLIFY_API", "http://api.example.org/api/v1")
    assert_error(
        fetch(site_board),
        "http://api.example.org/api/v1 is not an https:// address; the Netlify token is only "
        "sent over https",
    )


def test_fetch_needs_the_site_id(keyed_board):
    assert_error(
        fetch(keyed_board),
        "board.toml has no [submissions] netlify_site_id; copy the site ID from Netlify's "
        '"Site configuration" page into it',
    )


def test_weak_proof_of_work_is_counted_but_left_on_netlify(site_board, netlify):
    kept = netlify.add(weakly_sealed(site_board))
    result = fetch(site_board, "--delete-remote")
    assert (
        "Imported 0, duplicates 0, spam 0, unreadable 0. No valid proof of work: 1 (spam, or "
        "damaged on the way; not opened)." in result.output
    )
    assert (
        "Netlify, item 1: no valid proof of work (spam, or damaged on the way); not opened"
        in result.output
    )
    assert netlify.ids() == {kept}


def test_the_token_never_follows_a_redirect(site_board, netlify):
    netlify.add(sealed(site_board))
    port = urllib.parse.urlsplit(os.environ["QUIETBOARD_NETLIFY_API"]).port
    netlify.redirect = f"http://localhost:{port}/elsewhere/"
    assert_error(
        fetch(site_board), "Netlify answered HTTP 302; try again later. Nothing was changed"
    )
    assert [r for r in netlify.requests if r[1].startswith("/elsewhere")] == []


def test_an_api_address_with_a_user_name_is_refused(site_board, monkeypatch):
    monkeypatch.setenv("QUIETBOARD_NETLIFY_API", "http://localhost:80@evil.example/api/v1")
    assert_error(
        fetch(site_board),
        "http://localhost:80@evil.example/api/v1 is not a plain API address (no user name or "
        "password in it)",
    )


def test_a_submission_holding_more_envelopes_than_are_read_stays_on_netlify(site_board, netlify):
    # Its first four are read (one imported, three duplicates), the fifth is
    # only counted: deleting the submission would lose that one unread.
    first = sealed(site_board)
    crowded = netlify.add(first * 4 + sealed(site_board))
    result = fetch(site_board, "--delete-remote")
    assert result.exit_code == 0, result.output
    assert (
        "Imported 1, duplicates 3, spam 0, unreadable 0. Not opened: 1 envelope(s) over the "
        "limit of 10000 a file or 4 a form field." in result.output
    )
    assert "Deleted 0 from Netlify; 1 left there." in result.output
    assert netlify.ids() == {crowded}
