"""A local preview server on 127.0.0.1 that behaves like the static host.

It sends the headers from output/_headers (so the preview enforces the same
Content-Security-Policy as Netlify), serves 404.html for missing pages, never
lists a directory, never serves the host's own files, dotfiles or anything
outside the folder (however the path is spelled), and logs nothing about
requests. It has no form service: a post is read, dropped and answered 501
with PREVIEW_HEADER, which the share page reads to tell the member that this
copy of the board cannot send.
"""

from __future__ import annotations

import contextlib
import functools
import posixpath
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote

HOST = "127.0.0.1"
# The share page (submit.js) looks for this header on a refused send.
PREVIEW_HEADER = ("Quietboard-Preview", "no-form-service")
# A post is at most this long (a sealed envelope is far smaller); longer ones
# are not read, and the connection closes.
MAX_POST_BYTES = 1 << 20


def parse_headers_file(text: str) -> list[tuple[str, dict[str, str]]]:
    """Read the subset of Netlify's `_headers` syntax that quietboard writes."""
    rules: ClassVar[list[tuple[str, dict[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), {}))
        elif rules:
            name, _, value = line.strip().partition(":")
            rules[-1][1][name.strip()] = value.strip()
    return rules


def path_matches(pattern: str, path: str) -> bool:
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern


# Files the host reads but never serves.
HOST_ONLY = frozenset({"/_headers", "/_redirects"})


def site_path(raw: str) -> str:
    """The path a request names, spelled once: unquoted, dot segments and
    repeated slashes resolved as the file lookup resolves them.

    So "/./_headers", "/%2e/_headers" and "//_headers" are all "/_headers".
    """
    path = unquote(raw.split("?", 1)[0].split("#", 1)[0])
    canonical = posixpath.normpath("/" + path.lstrip("/"))
    if path.endswith("/") and canonical != "/":
        canonical += "/"
    return canonical


def _never_served(path: str) -> bool:
    # Case-folded: on a case-insensitive disk (macOS) /_HEADERS is _headers.
    parts = path.casefold().split("/")
    return (
        "\x00" in path
        or path.rstrip("/").casefold() in HOST_ONLY
        or any(part.startswith(".") for part in parts)
    )


class PreviewHandler(SimpleHTTPRequestHandler):
    rules: ClassVar[list[tuple[str, dict[str, str]]]] = []
    server_version = "quietboard"
    sys_version = ""

    def send_head(self):  # type: ignore[override]
        # Host files, dotfiles and anything a link leads to outside the folder are
        # answered as missing pages, however the path is spelled.
        if _never_served(site_path(self.path)) or not self._inside(self.translate_path(self.path)):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def _inside(self, target: str) -> bool:
        return Path(target).resolve().is_relative_to(Path(self.directory).resolve())

    def send_header(self, keyword: str, value: str) -> None:
        # A file's modification time is the build's time to the second.
        if keyword.lower() != "last-modified":
            super().send_header(keyword, value)

    def end_headers(self) -> None:
        # A malformed request line fails before self.path is set.
        path = site_path(getattr(self, "path", "/"))
        for pattern, headers in self.rules:
            if path_matches(pattern, path):
                for name, value in headers.items():
                    self.send_header(name, value)
        super().end_headers()

    def do_POST(self) -> None:
        """Answer a send from the share page: nothing is kept, and nothing was sent."""
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if 0 <= length <= MAX_POST_BYTES:
            self.rfile.read(length)
        else:
            self.close_connection = True
        body = b"This local preview has no form service: nothing was sent.\n"
        self.send_response(HTTPStatus.NOT_IMPLEMENTED)
        self.send_header(*PREVIEW_HEADER)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def list_directory(self, path):  # type: ignore[override]
        self.send_error(HTTPStatus.NOT_FOUND)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep no log of who asked for what."""


def make_server(directory: Path, port: int = 8000) -> ThreadingHTTPServer:
    """A server for DIRECTORY on 127.0.0.1:PORT (0 picks a free port)."""
    headers = Path(directory) / "_headers"
    rules = parse_headers_file(headers.read_text(encoding="utf-8")) if headers.is_file() else []
    handler = type("BoardHandler", (PreviewHandler,), {"rules": rules})
    return ThreadingHTTPServer((HOST, port), functools.partial(handler, directory=str(directory)))


@contextlib.contextmanager
def serving_in_background(directory: Path) -> Iterator[str]:
    """Serve DIRECTORY on a free port of 127.0.0.1 from a thread; yield its base URL.

    For the browser tests and benchmarks, which drive a browser against it.
    """
    server = make_server(directory, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
