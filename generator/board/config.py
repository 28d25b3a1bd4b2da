"""Read and validate board.toml.

Every bad value is reported with its key's dotted name and what is allowed,
and unknown keys are rejected, so a typo can never silently turn a protection
off (`member_only = true` must not publish a section openly).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.errors import ConfigError
from generator.formats.members import MAX_ITERATIONS as MAX_KDF_ITERATIONS
from generator.formats.members import MIN_ITERATIONS as DEFAULT_KDF_ITERATIONS
from generator.formats.submissions import MAX_POW_BITS
from generator.formats.submissions import MAX_RECIPIENTS as MAX_MODERATOR_KEYS

BOARD_FILE = "board.toml"

SECTION_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
ROLE_NAME = SECTION_NAME
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
BASE_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~/-]*)?$")
MAX_EXPIRES_DAYS = 3650


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    description: str = ""
    members_only: bool = False
    expires_days: int = 90
    public_label: str = ""


@dataclass(frozen=True)
class CrisisResource:
    name: str
    contact: str
    url: str = ""
    hours: str = ""


# Shown when a board has not yet listed its own services: an international
# directory that covers every country is safer than a wrong local number.
DEFAULT_CRISIS_RESOURCES = (
    CrisisResource(
        name="Find A Helpline",
        contact="Free, confidential helplines in your country",
        url="https://findahelpline.com/",
        hours="directory, any time",
    ),
)


@dataclass(frozen=True)
class Crisis:
    resources: tuple[CrisisResource, ...] = DEFAULT_CRISIS_RESOURCES
    country: str = ""
    last_checked: dt.date | None = None


@dataclass(frozen=True)
class Indexing:
    search_engines: bool = False
    archives: bool = False
    ai_crawlers: bool = False


FORM_SERVICES = ("netlify", "none")
NETLIFY_SITE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$")
# About half a second of hashing on average in a desktop browser (phones are
# slower; docs/benchmarks.md); each extra bit doubles it.
DEFAULT_POW_BITS = 16


@dataclass(frozen=True)
class Submissions:
    keys: tuple[str, ...] = ()
    pow_bits: int = DEFAULT_POW_BITS
    form: str = "netlify"
    send_by_hand: str = ""
    netlify_site_id: str = ""


DATE_PRECISIONS = ("day", "week")
MAX_CRISIS_TERMS = 500


@dataclass(frozen=True)
class Moderation:
    # Two-letter country code for phone numbers and postcodes (default: crisis.country).
    region: str = ""
    # Shown beside a crisis-flagged item during review: what moderators do now.
    escalation: str = ""
    # Added to the built-in crisis phrases: {language: {topic: (phrases...)}}.
    crisis_terms: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)


# Who hosts the site: named in the privacy page with the host's own policy.
HOSTS = {
    "netlify": ("Netlify", "https://www.netlify.com/privacy/"),
    "cloudflare": ("Cloudflare", "https://www.cloudflare.com/privacypolicy/"),
    "github": (
        "GitHub",
        "https://docs.github.com/en/site-policy/privacy-policies/github-general-privacy-statement",
    ),
}
DEFAULT_PENDING_DAYS = 30
MAX_PENDING_DAYS = 365
DEFAULT_REVIEW_DAYS = 180
# Crisis services change numbers and hours; after this many days since
# [crisis] last_checked, status and build ask for them to be checked again.
CRISIS_CHECK_DAYS = 180


@dataclass(frozen=True)
class Privacy:
    host: str = "netlify"
    host_name: str = "Netlify"
    host_policy_url: str = "https://www.netlify.com/privacy/"
    # Submissions not reviewed within this many days are deleted by prune.
    pending_days: int = DEFAULT_PENDING_DAYS
    # The day the moderators last read the privacy page against the facts.
    reviewed: dt.date | None = None
    review_days: int = DEFAULT_REVIEW_DAYS
    contact: str = ""


# GOV.UK's "Exit this page" default: a page anyone might plausibly have open.
DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"
EXIT_URL = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?(/[A-Za-z0-9._~/%?=&+-]*)?$")
DEFAULT_CONFIDENTIALITY = (
    "What members share here stays here. I will not take screenshots or photos of it, copy it "
    "or pass it on, and I will not try to work out who anyone is."
)


@dataclass(frozen=True)
class Safety:
    # Where "Exit this page" (and Shift pressed three times) takes the reader.
    exit_url: str = DEFAULT_EXIT_URL
    # When moderators are usually around, as a phrase: "most evenings, 6 to 10 pm UK time".
    moderator_hours: str = ""
    # The group's promise a member confirms before the members' area opens in a tab.
    confidentiality: str = DEFAULT_CONFIDENTIALITY


@dataclass(frozen=True)
class Board:
    root: Path
    name: str
    language: str = "en"
    base_url: str = ""
    description: str = ""
    members_label: str = ""  # "": the theme's own words, in the board's language
    sections: dict[str, Section] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    max_expires_days: int = 365
    date_precision: str = "day"
    crisis: Crisis = field(default_factory=Crisis)
    indexing: Indexing = field(default_factory=Indexing)
    feeds: bool = False
    kdf_iterations: int = DEFAULT_KDF_ITERATIONS
    submissions: Submissions = field(default_factory=Submissions)
    moderation: Moderation = field(default_factory=Moderation)
    privacy: Privacy = field(default_factory=Privacy)
    safety: Safety = field(default_factory=Safety)

    @property
    def public_sections(self) -> list[Section]:
        return [s for s in self.sections.values() if not s.members_only]

    @property
    def member_sections(self) -> list[Section]:
        return [s for s in self.sections.values() if s.members_only]


_MISSING = object()


def _brief(value: Any) -> str:
    """A bad VALUE as a message shows it: short, and never a number's thousands of
    digits (turning one of those into text fails outright)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        return "a number that large"
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + "...(cut)"


class _Table:
    """One TOML table being validated; remembers its dotted path for messages."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"board.toml: {path} must be a table (a [{path}] section)")
        self.data = data
        self.path = path

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def only(self, *allowed: str) -> None:
        for name in self.data:
            if name not in allowed:
                where = f" in [{self.path}]" if self.path else ""
                raise ConfigError(
                    f'board.toml: unknown key "{self.key(name)}"{where}; '
                    f"allowed keys here: {', '.join(allowed)}"
                )

    def text(
        self,
        name: str,
        default: Any = _MISSING,
        *,
        max_len: int = 200,
        pattern: re.Pattern[str] | None = None,
        allowed: str = "",
    ) -> str:
        value = self.data.get(name, default)
        if value is _MISSING:
            raise ConfigError(f'board.toml: "{self.key(name)}" is required ({allowed or "text"})')
        what = allowed or f"text of at most {max_len} characters"
        if not isinstance(value, str) or len(value) > max_len:
            raise ConfigError(f'board.toml: "{self.key(name)}" must be {what}, not {_brief(value)}')
        if pattern is not None and value != "" and not pattern.fullmatch(value):
            raise ConfigError(f'board.toml: "{self.key(name)}" must be {what}, not {_brief(value)}')
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(
                f'board.toml: "{self.key(name)}" must be true or false, not {_brief(value)}'
            )
        return value

    def number(self, name: str, default: int, low: int, high: int) -> int:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(
                f'board.toml: "{self.key(name)}" must be a whole number from {low} to {high}, '
                f"not {_brief(value)}"
            )
        return value

    def day(self, name: str) -> dt.date | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ConfigError(
                f'board.toml: "{self.key(name)}" must be a date written like 2026-11-01 '
                f"(no quotes, no time), not {_brief(value)}"
            )
        return value

    def table(self, name: str) -> _Table:
        return _Table(self.data.get(name, {}), self.key(name))


def read_board(root: Path) -> Board:
    """Load and validate ROOT/board.toml."""
    path = Path(root) / BOARD_FILE
    if Path(root).is_file():
        raise ConfigError(
            f"{root} is a file; --board takes the folder that holds board.toml, such as "
            f"--board {Path(root).parent}"
        )
    if (
        not path.is_file()
        and (Path(root) / ".git").exists()
        and not any(p.name != ".git" for p in Path(root).iterdir())
    ):
        raise ConfigError(
            f"{Path(root).resolve()} is an empty copy of a git repository: the remote holds no "
            'board yet. The first moderator runs "quietboard team init" and "quietboard '
            'sync" in their board; then clone again (do not start a new board here)'
        )
    if not path.is_file():
        raise ConfigError(
            f"no board.toml in {Path(root).resolve()}; "
            'create a board with "quietboard init DIR" or point to one with --board DIR'
        )
    try:
        # Some editors start UTF-8 files with a byte-order mark; TOML does not allow it.
        data = tomllib.loads(path.read_text(encoding="utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError as exc:
        raise ConfigError("board.toml is not UTF-8 text; save it as UTF-8 and try again") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"board.toml is not valid TOML ({exc}); {_toml_hint(path, exc)}") from exc
    except ValueError:  # tomllib passes on int()'s refusal of numbers over 4300 digits
        raise ConfigError(
            "board.toml holds a number thousands of digits long; fix it and try again"
        ) from None
    except RecursionError:
        raise ConfigError(
            "board.toml is nested too deeply to read (lists or tables inside each other "
            "hundreds of times); fix it and try again"
        ) from None
    _merge_private_sections(data, Path(root))
    return parse_board(data, Path(root))


# A board with a roster is a team board (board/team.py). It keeps its
# members-only sections sealed; a moderator's commands read them from a plain
# copy beside the vault. Defined here, the lowest module that needs them.
TEAM_ROSTER = Path("team") / "recipients.toml"
PRIVATE_SECTIONS = Path(".quietboard") / "sections.toml"


def is_team_board(root: Path) -> bool:
    return (Path(root) / TEAM_ROSTER).is_file()


def _merge_private_sections(data: dict[str, Any], root: Path) -> None:
    """Add a team board's members-only sections (the copy in .quietboard/) to DATA."""
    path = root / PRIVATE_SECTIONS
    if not is_team_board(root) or not path.is_file():
        return
    try:
        private = tomllib.loads(path.read_text(encoding="utf-8")).get("sections", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, OSError):
        raise ConfigError(
            f"{PRIVATE_SECTIONS} is not valid TOML; fix it, or delete it and run "
            '"quietboard sync" to take the team\'s copy again'
        ) from None
    sections = data.setdefault("sections", {})
    if not isinstance(private, dict) or not isinstance(sections, dict):
        return  # parse_board names what is wrong with board.toml's own
    for name, table in private.items():
        if name in sections and sections[name] != table:
            raise ConfigError(
                f'section "{name}" is in board.toml and in the team\'s members-only sections '
                f"({PRIVATE_SECTIONS}); remove it from board.toml"
            )
        sections.setdefault(name, table)


_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")
# What people write for true and false in other formats (YAML, INI, Python).
# A value that was meant as a day: 2026-13-01, 01/12/2026, 2026-1-5.
_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
_YES_NO = {"yes": "true", "no": "false", "on": "true", "off": "false", "y": "true", "n": "false"}


def _toml_hint(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    """What to do about a TOML error: a word for true or false needs TOML's spelling."""
    found = _AT_LINE.search(str(exc))
    lines = path.read_text(encoding="utf-8").removeprefix("\ufeff").splitlines()
    if found and int(found.group(1)) <= len(lines):
        key, _, value = lines[int(found.group(1)) - 1].partition("=")
        word = value.split("#")[0].strip()
        if word.lower() in _YES_NO or word in ("True", "False", "TRUE", "FALSE"):
            flag = _YES_NO.get(word.lower(), word.lower())
            return (
                f"yes/no settings are written true or false, in lower case and without "
                f"quotes: {key.strip()} = {flag}"
            )
        if _DATE_LIKE.fullmatch(word):
            return (
                f"{key.strip()} must be a real day written year-month-day without quotes, "
                f"like {key.strip()} = 2026-11-01"
            )
    return 'fix it and try again (text values need quotes: name = "Our board")'


def parse_board(data: dict[str, Any], root: Path) -> Board:
    top = _Table(data, "")
    top.only(
        "name", "language", "base_url", "description", "members_label",
        "sections", "roles", "posts", "crisis", "indexing", "feeds", "members", "submissions",
        "moderation", "privacy", "safety",
    )  # fmt: skip
    members = top.table("members")
    members.only("kdf_iterations")
    posts = top.table("posts")
    posts.only("max_expires_days", "date_precision")
    max_days = posts.number("max_expires_days", 365, 1, MAX_EXPIRES_DAYS)
    precision = posts.text("date_precision", "day", allowed='"day" or "week"')
    if precision not in DATE_PRECISIONS:
        raise ConfigError(
            f'board.toml: "posts.date_precision" must be "day" or "week", not {precision!r}'
        )
    crisis = _crisis(top.table("crisis"))
    sections = _sections(top.table("sections"), max_days)
    feeds = top.table("feeds")
    feeds.only("enabled")
    base_url = top.text(
        "base_url",
        "",
        pattern=BASE_URL,
        allowed='the site\'s https address, such as "https://our-board.netlify.app"',
    ).rstrip("/")
    board = Board(
        root=root,
        name=top.text("name", max_len=80, allowed="the board's name, at most 80 characters"),
        language=top.text(
            "language", "en", pattern=LANGUAGE_TAG, allowed='a language tag such as "en" or "de"'
        ),
        base_url=base_url,
        description=top.text("description", "", max_len=500),
        members_label=top.text("members_label", "", max_len=60),
        sections=sections,
        roles=_roles(top.table("roles")),
        max_expires_days=max_days,
        date_precision=precision,
        crisis=crisis,
        indexing=_indexing(top.table("indexing")),
        feeds=feeds.flag("enabled", False),
        kdf_iterations=members.number(
            "kdf_iterations", DEFAULT_KDF_ITERATIONS, DEFAULT_KDF_ITERATIONS, MAX_KDF_ITERATIONS
        ),
        submissions=_submissions(top.table("submissions")),
        moderation=_moderation(top.table("moderation"), crisis.country),
        privacy=_privacy(top.table("privacy")),
        safety=_safety(top.table("safety"), base_url),
    )
    if board.submissions.form == "netlify" and board.privacy.host != "netlify":
        raise ConfigError(
            f'board.toml: submissions.form = "netlify" needs the site on Netlify, but '
            f'privacy.host is "{board.privacy.host}"; set form = "none" (members send the '
            "locked text themselves) or host the site on Netlify"
        )
    if not board.name.strip():
        raise ConfigError('board.toml: "name" must not be empty')
    if board.feeds and not board.base_url:
        raise ConfigError(
            'board.toml: feeds need "base_url" (the site\'s https address); set it or turn '
            "feeds.enabled off"
        )
    return board


def _sections(table: _Table, max_days: int) -> dict[str, Section]:
    sections = {}
    for name in table.data:
        if not SECTION_NAME.fullmatch(name):
            raise ConfigError(
                f'board.toml: section name "{name}" must be lower-case letters, digits and '
                "hyphens, starting with a letter (at most 31 characters)"
            )
        sec = table.table(name)
        sec.only("title", "description", "members_only", "expires_days", "public_label")
        members_only = sec.flag("members_only", False)
        public_label = sec.text("public_label", "", max_len=60)
        if public_label and not members_only:
            raise ConfigError(
                f'board.toml: "{sec.key("public_label")}" is only for members-only sections; '
                "remove it or set members_only = true"
            )
        sections[name] = Section(
            name=name,
            title=sec.text(
                "title", max_len=80, allowed="the section's title, at most 80 characters"
            ),
            description=sec.text("description", "", max_len=300),
            members_only=members_only,
            expires_days=sec.number("expires_days", min(90, max_days), 1, max_days),
            public_label=public_label,
        )
    return sections


def _roles(table: _Table) -> dict[str, str]:
    roles = {}
    for name in table.data:
        if not ROLE_NAME.fullmatch(name):
            raise ConfigError(
                f'board.toml: role name "{name}" must be lower-case letters, digits and hyphens'
            )
        roles[name] = table.text(name, max_len=40, allowed="the badge text, at most 40 characters")
    return roles


def _crisis(table: _Table) -> Crisis:
    table.only("country", "last_checked", "resources")
    raw = table.data.get("resources")
    if raw is None:
        resources = DEFAULT_CRISIS_RESOURCES
    else:
        if not isinstance(raw, list) or not raw:
            raise ConfigError(
                'board.toml: "crisis.resources" must be a list of [[crisis.resources]] entries '
                "with name and contact; remove it to use the international default"
            )
        resources = tuple(
            _resource(_Table(item, f"crisis.resources[{i}]")) for i, item in enumerate(raw)
        )
    return Crisis(
        resources=resources,
        country=table.text(
            "country", "", pattern=COUNTRY_CODE, allowed='a two-letter country code such as "GB"'
        ),
        last_checked=table.day("last_checked"),
    )


def _resource(item: _Table) -> CrisisResource:
    item.only("name", "contact", "url", "hours")
    url = item.text("url", "", max_len=300)
    if url and not url.startswith(("https://", "tel:", "sms:")):
        raise ConfigError(
            f'board.toml: "{item.key("url")}" must start with https://, tel: or sms:, not {url!r}'
        )
    return CrisisResource(
        name=item.text("name", max_len=80),
        contact=item.text("contact", max_len=120),
        url=url,
        hours=item.text("hours", "", max_len=80),
    )


def _submissions(table: _Table) -> Submissions:
    # Imported here: submitformat pulls in PyNaCl, which only this check needs.
    from generator.formats.submissions import parse_public_key  # noqa: PLC0415

    table.only("keys", "pow_bits", "form", "send_by_hand", "netlify_site_id")
    keys = table.data.get("keys", [])
    if not isinstance(keys, list) or len(keys) > MAX_MODERATOR_KEYS:
        raise ConfigError(
            f'board.toml: "{table.key("keys")}" must be a list of at most {MAX_MODERATOR_KEYS} '
            'moderator public keys ("quietboard keys init" adds yours)'
        )
    for i, key in enumerate(keys):
        try:
            parse_public_key(key)
        except ValueError:
            raise ConfigError(
                f'board.toml: "{table.key("keys")}[{i}]" is not a quietboard public key (43 '
                'letters, digits, "-" and "_"); copy it again from "quietboard keys show"'
            ) from None
    if len(set(keys)) != len(keys):
        raise ConfigError(f'board.toml: "{table.key("keys")}" lists the same key twice')
    form = table.text("form", "netlify", allowed='"netlify" or "none"')
    if form not in FORM_SERVICES:
        raise ConfigError(
            f'board.toml: "{table.key("form")}" must be "netlify" or "none", not {form!r}'
        )
    return Submissions(
        keys=tuple(keys),
        pow_bits=table.number("pow_bits", DEFAULT_POW_BITS, 0, MAX_POW_BITS),
        form=form,
        send_by_hand=table.text("send_by_hand", "", max_len=300),
        netlify_site_id=table.text(
            "netlify_site_id",
            "",
            pattern=NETLIFY_SITE_ID,
            allowed="the site ID from Netlify's Site configuration page",
        ),
    )


def _moderation(table: _Table, country: str) -> Moderation:
    table.only("region", "escalation", "crisis_terms")
    terms: dict[str, dict[str, tuple[str, ...]]] = {}
    by_language = table.table("crisis_terms")
    count = 0
    for language in by_language.data:
        if not LANGUAGE_TAG.fullmatch(language):
            raise ConfigError(
                f'board.toml: "{by_language.key(language)}" must be named by a language tag '
                'such as "en"'
            )
        topics = by_language.table(language)
        terms[language] = {}
        for topic, phrases in topics.data.items():
            if not isinstance(phrases, list) or not all(
                isinstance(p, str) and 2 <= len(p.strip()) <= 80 for p in phrases
            ):
                raise ConfigError(
                    f'board.toml: "{topics.key(topic)}" must be a list of phrases of 2 to 80 '
                    'characters, such as ["want to disappear"]'
                )
            count += len(phrases)
            terms[language][topic] = tuple(p.strip() for p in phrases)
            _check_crisis_rules(terms[language][topic], language, topics.key(topic))
    if count > MAX_CRISIS_TERMS:
        raise ConfigError(
            f'board.toml: "moderation.crisis_terms" lists {count} phrases; keep it to '
            f"{MAX_CRISIS_TERMS}"
        )
    return Moderation(
        region=table.text(
            "region",
            country,
            pattern=COUNTRY_CODE,
            allowed='a two-letter country code such as "GB" (for phone numbers and postcodes)',
        ),
        escalation=table.text("escalation", "", max_len=1000),
        crisis_terms=terms,
    )


def _check_crisis_rules(rules: tuple[str, ...], language: str, key: str) -> None:
    """Reject a board's crisis rule that the rule language cannot read, naming KEY."""
    from generator.text.crisis import CrisisRuleError, check_crisis_rule  # noqa: PLC0415 - slow import

    for rule in rules:
        try:
            check_crisis_rule(rule, language)
        except CrisisRuleError as error:
            raise ConfigError(
                f'board.toml: "{key}": {error} (see docs/configuration.md for the rule language)'
            ) from None


def _privacy(table: _Table) -> Privacy:
    table.only(
        "host", "host_name", "host_policy_url", "pending_days", "reviewed", "review_days",
        "contact",
    )  # fmt: skip
    choices = ", ".join(f'"{name}"' for name in [*HOSTS, "other"])
    host = table.text("host", "netlify", allowed=choices)
    if host not in HOSTS and host != "other":
        raise ConfigError(
            f'board.toml: "{table.key("host")}" must be one of {choices}, not {host!r}'
        )
    name, policy = HOSTS.get(host, ("", ""))
    if host == "other":
        for key in ("host_name", "host_policy_url"):
            if key not in table.data:
                raise ConfigError(
                    f'board.toml: host = "other" needs "{table.key(key)}" (the privacy page '
                    "names the host and links to its privacy policy)"
                )
    elif "host_name" in table.data or "host_policy_url" in table.data:
        raise ConfigError(
            f'board.toml: "{table.key("host_name")}" and "{table.key("host_policy_url")}" are '
            f'only for host = "other"; {host} is already known'
        )
    return Privacy(
        host=host,
        host_name=table.text("host_name", name, max_len=80),
        host_policy_url=table.text(
            "host_policy_url",
            policy,
            max_len=300,
            pattern=re.compile(r"^https://\S+$"),
            allowed="the host's privacy policy, an https:// address",
        ),
        pending_days=table.number("pending_days", DEFAULT_PENDING_DAYS, 1, MAX_PENDING_DAYS),
        reviewed=table.day("reviewed"),
        review_days=table.number("review_days", DEFAULT_REVIEW_DAYS, 30, 730),
        contact=table.text("contact", "", max_len=300),
    )


def _safety(table: _Table, base_url: str) -> Safety:
    table.only("exit_url", "moderator_hours", "confidentiality")
    allowed = (
        f'an https:// address of another, everyday site, such as "{DEFAULT_EXIT_URL}" '
        "(at most 300 characters)"
    )
    exit_url = table.text("exit_url", DEFAULT_EXIT_URL, max_len=300, allowed=allowed)
    if not EXIT_URL.fullmatch(exit_url):
        raise ConfigError(
            f'board.toml: "{table.key("exit_url")}" must be {allowed}, not {exit_url!r}'
        )
    if base_url and urlsplit(exit_url).hostname == urlsplit(base_url).hostname:
        raise ConfigError(
            f'board.toml: "{table.key("exit_url")}" must be another site than the board itself, '
            f"such as {DEFAULT_EXIT_URL}"
        )
    confidentiality = table.text("confidentiality", DEFAULT_CONFIDENTIALITY, max_len=600)
    if not confidentiality.strip():
        raise ConfigError(
            f'board.toml: "{table.key("confidentiality")}" must not be empty; remove it to use '
            "the default promise"
        )
    return Safety(
        exit_url=exit_url,
        moderator_hours=table.text("moderator_hours", "", max_len=120).strip(),
        confidentiality=confidentiality.strip(),
    )


def _indexing(table: _Table) -> Indexing:
    table.only("search_engines", "archives", "ai_crawlers")
    return Indexing(
        search_engines=table.flag("search_engines", False),
        archives=table.flag("archives", False),
        ai_crawlers=table.flag("ai_crawlers", False),
    )
