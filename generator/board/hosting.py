"""Privacy and security headers, robots rules and their meta-tag fallbacks.

One source for every place they appear: output/_headers (Netlify and
Cloudflare Pages), netlify.toml, the <meta> fallbacks for hosts that cannot
set headers (GitHub Pages), robots.txt, and the audit that checks them.
"""

from __future__ import annotations

from generator.board.config import Board
from generator.board.hostbuild import BUILD_KEY_VARIABLE, PYTHON_VERSION

CSP_DIRECTIVES = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self'"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("media-src", "'none'"),
    ("object-src", "'none'"),
    ("frame-src", "'none'"),
    ("worker-src", "'self'"),
    ("manifest-src", "'self'"),
    ("base-uri", "'none'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)
# Browsers ignore these in a <meta> CSP (and warn about them), so the
# fallback leaves them out.
HEADER_ONLY_DIRECTIVES = frozenset({"frame-ancestors"})

# Only features Chromium recognises: an unknown name makes it log a console
# error on every page (Debian's Chromium, for one, knows no ad-auction or
# attribution features). browsing-topics is the successor of interest-cohort.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera", "microphone", "geolocation", "browsing-topics", "payment", "usb",
        "serial", "hid", "display-capture", "idle-detection",
    )
)  # fmt: skip

AI_CRAWLERS = (
    "GPTBot", "OAI-SearchBot", "ChatGPT-User", "ClaudeBot", "Claude-SearchBot", "Claude-User",
    "anthropic-ai", "Google-Extended", "Applebot-Extended", "CCBot", "PerplexityBot",
    "Perplexity-User", "Bytespider", "meta-externalagent", "meta-externalfetcher", "Amazonbot",
    "cohere-ai", "Diffbot", "FacebookBot", "Omgilibot", "YouBot", "Timpibot", "ImagesiftBot",
    "DuckAssistBot", "MistralAI-User",
)  # fmt: skip
ARCHIVE_CRAWLERS = ("ia_archiver", "archive.org_bot")

# Never cached, nor kept for the back button: the members' area, and the share
# page (which shows a withdrawal code after sending).
NO_STORE_PATHS = ("/members/*", "/share/*")
# Where expiring posts appear (home, sections, posts, feeds) and the scripts
# that hide them on their day: kept, but checked with the host on every
# visit (a cheap 304), so a deploy that removes a post reaches readers at
# once, on every host. Standard pages do not expire and keep the host's default.
SHORT_CACHE_PATHS = ("/", "/index.html", "/s/*", "/p/*", "/feeds/*", "/theme/*")
SHORT_CACHE = "no-cache"


def content_security_policy(*, meta: bool = False) -> str:
    return "; ".join(
        f"{name} {value}"
        for name, value in CSP_DIRECTIVES
        if not (meta and name in HEADER_ONLY_DIRECTIVES)
    )


def robots_directives(board: Board) -> str:
    """The X-Robots-Tag / <meta name="robots"> value for the board's choices."""
    rules = []
    if not board.indexing.search_engines:
        rules += ["noindex", "nofollow"]
    if not board.indexing.archives:
        rules.append("noarchive")
    if not board.indexing.search_engines or not board.indexing.archives:
        rules += ["nosnippet", "noimageindex"]
    if not board.indexing.ai_crawlers:
        rules += ["noai", "noimageai"]
    return ", ".join(rules) or "all"


def security_headers(board: Board) -> dict[str, str]:
    """Headers every response of the site carries."""
    return {
        "Content-Security-Policy": content_security_policy(),
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "X-Robots-Tag": robots_directives(board),
    }


def header_rules(board: Board) -> list[tuple[str, dict[str, str]]]:
    """(path pattern, headers) pairs. Patterns do not overlap in any header."""
    rules = [("/*", security_headers(board))]
    rules += [(path, {"Cache-Control": "no-store"}) for path in NO_STORE_PATHS]
    rules += [(path, {"Cache-Control": SHORT_CACHE}) for path in SHORT_CACHE_PATHS]
    return rules


def headers_file(board: Board) -> str:
    """The `_headers` file read by Netlify and Cloudflare Pages."""
    lines = ["# Written by quietboard on every build; edit board.toml, not this file."]
    for path, headers in header_rules(board):
        lines.append(path)
        lines += [f"  {name}: {value}" for name, value in headers.items()]
    return "\n".join(lines) + "\n"


def netlify_toml(board: Board, build_command: str = "") -> str:
    """netlify.toml with the same headers as `_headers`, for both deploy routes."""
    lines = [
        "# netlify.toml for a quietboard board. The headers repeat output/_headers (which",
        "# every build writes from board.toml); `quietboard build` warns if they differ.",
    ]
    if build_command:
        lines += [
            "# Netlify runs the command when it builds from git (docs/deploying.md, route A).",
            f"# A team board's build key is the {BUILD_KEY_VARIABLE} variable set in Netlify,",
            "# never this file. An upload from a moderator's computer (route B) uses",
            '# "netlify deploy --no-build", which runs no command.',
        ]
    lines += ["[build]", '  publish = "output"']
    if build_command:
        lines += [
            f'  command = "{build_command}"',
            "",
            "[build.environment]",
            f'  PYTHON_VERSION = "{PYTHON_VERSION}"',
        ]
    for path, headers in header_rules(board):
        lines += ["", "[[headers]]", f'  for = "{path}"', "  [headers.values]"]
        lines += [f'    {name} = "{value}"' for name, value in headers.items()]
    return "\n".join(lines) + "\n"


def robots_txt(board: Board) -> str:
    lines = ["# robots.txt written by quietboard from board.toml [indexing]."]
    refused = []
    if not board.indexing.ai_crawlers:
        refused += AI_CRAWLERS
    if not board.indexing.archives:
        refused += ARCHIVE_CRAWLERS
    for agent in refused:
        lines += [f"User-agent: {agent}", "Disallow: /", ""]
    if board.indexing.search_engines:
        lines += ["User-agent: *", "Allow: /"]
        if board.base_url:
            lines.append(f"Sitemap: {board.base_url}/sitemap.xml")
    else:
        # Search engines must be able to fetch a page to read its noindex
        # rule; a Disallow here would let them list bare URLs they find in
        # links elsewhere. Every page and response says noindex instead.
        lines += [
            "# Every page asks not to be indexed (X-Robots-Tag and <meta name=robots>).",
            "User-agent: *",
            "Allow: /",
        ]
    return "\n".join(lines) + "\n"


def netlify_headers_differ(board: Board, netlify_text: str) -> bool:
    """True when a netlify.toml sets other headers than board.toml implies."""
    import tomllib  # noqa: PLC0415

    try:
        blocks = tomllib.loads(netlify_text).get("headers", [])
        found = [(block["for"], block["values"]) for block in blocks]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError):
        return True
    return found != header_rules(board)
