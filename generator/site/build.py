"""Build a board: validate, settle, plan, stage, render, seal, audit, swap in.

The order is fixed: read the board; settle what the vault says must change
(withdrawals, expired access codes, retired sections: the vault is saved
once, and only then are post files deleted); plan once; render; seal;
audit; swap the new site in. Pelican only ever sees a staging copy holding the posts that may be
published today, written afresh from their validated metadata, so withheld
text (members-only, expired) cannot reach the output by any Pelican path, and
no file time reaches it either. The rendered site is audited before it
replaces output/; a failed build leaves output/ as it was.

The swap exchanges the new site and output/ in one step where the system
can (Linux renameat2), so a crash at any moment leaves the old site or the
new one, never neither. Elsewhere it takes two renames, and a crash between
them leaves the old site in the build's work folder, which the next build
puts back. Each build removes the work folders of builds that died (they
hold copies of posts, some of which may since have been taken down).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import functools
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator.board import access, clock, scratch
from generator.board.config import DEFAULT_CONFIDENTIALITY, Board, is_team_board, read_board
from generator.board.hosting import netlify_headers_differ
from generator.board.post import (
    MEMBERS_ONLY,
    Page,
    Post,
    Publication,
    plan_publication,
    read_pages,
    read_posts,
    render_post,
)
from generator.board.retention import review_warnings, write_build_record
from generator.board.vault import Passphrase, open_vault, sections_held, vault_exists
from generator.errors import AuditError, BuildError
from generator.formats.pseudonyms import load_names
from generator.resources import theme_dir
from generator.site import stamp
from generator.site.audit import (
    Needle,
    WholeWords,
    audit_output,
    leak_haystack,
    normalise,
    visible_text,
)
from generator.site.images import read_images, write_images
from generator.site.minify import minify_theme
from generator.site.report import BuildReport, SealReport
from generator.site.seal import keyring_hint, seal_member_sections
from generator.site.settings import pelican_settings
from generator.site.translations import missing_catalog, theme_messages
from generator.text.sanitise import markdown_to_html

OUTPUT_DIR = "output"
WORK_PREFIX = ".quietboard-build-"
# Where the two-rename swap parks the old site; a crash there leaves it to put back.
PREVIOUS_OUTPUT = "previous-output"
OUTPUT_MARK = "# Written by quietboard"
SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|\n+")
MIN_FRAGMENT = 24
# Titles, section names and pseudonyms are searched for whatever their length
# ("Trans"); descriptions and content warnings only from this length on.
MIN_TITLE = 6
ANY_LENGTH = 1
# Files every build writes besides the pages Pelican's settings name.
FIXED_OUTPUT_NAMES = ("_headers", "robots.txt", "sitemap.xml", "members/keyring.json", "images")

# Runs Pelican on a settings dict; returns its warnings (site.render.render_with_pelican).
Renderer = Callable[[dict[str, Any]], list[str] | None]


def staged_name(post: Post) -> str:
    """Where a published post is staged, relative to the staging folder."""
    return f"posts/{post.section}/{post.id}.md"


def stage(plan: Publication, pages: list[Page], staging: Path) -> None:
    for post in plan.published:
        target = staging / staged_name(post)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Staged with the day it leaves the board (a reply: its thread's, if
        # earlier), which the pages carry for robots and for expiry.js.
        shown = replace(post, expires=plan.tree.visible_until(post))
        target.write_text(render_post(shown, private=False), encoding="utf-8")
    (staging / "pages").mkdir(parents=True, exist_ok=True)
    for page in pages:
        target = staging / "pages" / f"{page.slug}.md"
        target.write_text(f"Title: {page.title}\n\n{page.body}", encoding="utf-8")


def _plain_text(markdown_text: str) -> str:
    # Rendered as it would be published, so a leak is searched for in that form.
    return visible_text(markdown_to_html(markdown_text))


def _fragments(post: Post, published_html: str | None = None) -> list[tuple[str, int, str]]:
    """(normalised text, minimum length, what it is) for what identifies a post.

    PUBLISHED_HTML is the post's body as Pelican published it, if at hand.
    """
    text = _plain_text(post.body) if published_html is None else visible_text(published_html)
    parts = [
        (normalise(post.title), ANY_LENGTH, "the title"),
        (normalise(post.pseudonym), ANY_LENGTH, "the pseudonym"),
    ]
    parts += [(normalise(tag), MIN_TITLE, "a content warning") for tag in post.cw]
    parts += [(part.strip(), MIN_FRAGMENT, "text") for part in SENTENCE_BREAK.split(text)]
    return parts


def withheld_needles(
    board: Board,
    plan: Publication,
    pages: list[Page],
    published_html: Mapping[str, str] | None = None,
) -> list[Needle]:
    """Text that exists only in withheld sources and so must not be in the output.

    Anything that also occurs in published text (a pseudonym used in public
    too, a common phrase) is not a leak and is left out of the search.
    PUBLISHED_HTML holds the bodies Pelican published, by staged_name; a post
    not in it is rendered here.
    """
    published_html = published_html or {}
    public = [_plain_text(page.body) + " " + normalise(page.title) for page in pages]
    for post in plan.published:
        public += [text for text, _, _ in _fragments(post, published_html.get(staged_name(post)))]
    public += [normalise(board.name), normalise(board.description), normalise(board.members_label)]
    # The share page ships the friendly-name word list: its words are public.
    public.append(" ".join(word for words in load_names() for word in words))
    for section in board.sections.values():
        if not section.members_only:
            public += [normalise(section.name), normalise(section.title)]
            public.append(normalise(section.description))
        else:
            public.append(normalise(section.public_label))
    public += [normalise(page.slug) for page in pages]
    # Words every build shows whatever the board holds (a members-only post
    # called "Members" reveals nothing where the theme says "Members").
    # The board's own settings (its confidentiality promise, say) are not among them.
    public += [_theme_text(board.language), _output_names(board)]
    corpus = " \n ".join(public)

    sources: list[tuple[str, str, list[tuple[str, int, str]]]] = []
    for post, why in plan.withheld:
        sources.append((str(post.source), why, _fragments(post)))
    for section in board.member_sections:
        parts = [
            (normalise(section.title), ANY_LENGTH, "the title"),
            (normalise(section.name), ANY_LENGTH, "the name"),
            (normalise(section.description), MIN_TITLE, "the description"),
        ]
        sources.append((f"board.toml [sections.{section.name}]", "members-only", parts))
    needles: dict[str, Needle] = {}  # the first source of each text
    for source, why, parts in sources:
        for text, minimum, part in parts:
            if (
                len(text) >= minimum
                and re.search(r"\w", text)  # "?" as a title names nothing
                and text not in needles
            ):
                needles[text] = Needle(text=text, source=source, why=why, part=part)
    # All of them looked for at once, in one pass over the public text.
    public_too = WholeWords(needles).found_in(corpus)
    return [needle for text, needle in needles.items() if text not in public_too]


_JINJA_COMMENT_OR_STATEMENT = re.compile(r"\{#.*?#\}|\{%.*?%\}", re.DOTALL)
_JINJA_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_STRING_LITERAL = re.compile(r"'([^']*)'|\"([^\"]*)\"")


@functools.cache
def _theme_text(language: str) -> str:
    """The theme's own words in LANGUAGE, normalised as the leak search reads output.

    Templates without their Jinja code (only the strings in its expressions,
    such as _("Exit this page"), stay), the names of the static files, and the
    catalog's translations. The default confidentiality promise is quietboard's
    words too; a board's own promise is not.
    """
    texts = [normalise(message) for message in theme_messages(language)]
    texts.append(normalise(DEFAULT_CONFIDENTIALITY))
    for path in sorted((theme_dir() / "templates").glob("*.html")):
        template = _JINJA_COMMENT_OR_STATEMENT.sub(" ", path.read_text(encoding="utf-8"))
        template = _JINJA_EXPRESSION.sub(
            lambda match: " ".join(a or b for a, b in _STRING_LITERAL.findall(match.group(1))),
            template,
        )
        texts.append(leak_haystack(path.name, template))
    # Scripts and styles are code, not words a reader is shown (their messages
    # come from the catalog): only their published file names are public.
    static = theme_dir() / "static"
    for path in sorted(p for p in static.rglob("*") if p.is_file()):
        texts.append(_path_words(path.relative_to(static).as_posix()))
    return " \n ".join(texts)


def _output_names(board: Board) -> str:
    """The words of the paths every build writes (p/ID/index.html: "p", "index", "html")."""
    settings = pelican_settings(board, Path("content"), Path(OUTPUT_DIR))
    names = [value for key, value in settings.items() if key.endswith("SAVE_AS") and value]
    names += [settings["THEME_STATIC_DIR"], settings.get("CATEGORY_FEED_ATOM") or ""]
    names += FIXED_OUTPUT_NAMES
    return _path_words(re.sub(r"\{[^}]*\}", " ", " ".join(map(str, names))))


def _path_words(path: str) -> str:
    """A path as the leak search reads a file name."""
    return normalise(re.sub(r"[-_/.]+", " ", path))


def _check_replaceable(output: Path) -> None:
    if not output.exists():
        return
    if output.is_symlink() or not output.is_dir():
        raise BuildError(f"{output} is not a folder quietboard wrote; move it away and build again")
    for kept in (".git", "CNAME"):
        if (output / kept).exists():
            raise BuildError(
                f"{output} holds {kept}, which a build would delete (it replaces output/ whole); "
                "deploy from a copy of output/ instead, and move it away"
            )
    mark = output / "_headers"
    is_ours = mark.is_file() and mark.read_text(encoding="utf-8").startswith(OUTPUT_MARK)
    if any(output.iterdir()) and not is_ours:
        raise BuildError(
            f"{output} holds files quietboard did not write; move them away and build again "
            "(a build replaces the whole folder)"
        )


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@functools.cache
def _renameat2() -> Any:
    """Linux's renameat2 from the C library, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library older than glibc 2.28, or not glibc
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step; False where the system or file system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE):
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            return False
        raise OSError(code, os.strerror(code), str(second))
    return True


def _swap_in(new: Path, output: Path, trash: Path) -> None:
    """Replace OUTPUT with NEW; the old output ends in the work folder (same filesystem)."""
    if not output.exists():
        new.rename(output)
        return
    if _exchange(new, output):
        return  # the old site is now at NEW, and goes with the work folder
    output.rename(trash)
    try:
        new.rename(output)
    except BaseException:  # Ctrl-C included: output/ must not stay missing
        trash.rename(output)
        raise


def _clear_dead_builds(root: Path) -> None:
    """Remove the work folders of builds that died, first putting back a parked output/.

    A running build holds a lock on its work folder, so only dead builds' are
    touched. The caller holds the board folder's lock.
    """
    output = root / OUTPUT_DIR
    for work in sorted(root.glob(WORK_PREFIX + "*")):
        if work.is_symlink() or not work.is_dir():
            continue
        handle = os.open(work, os.O_RDONLY)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # another build is running in it
            parked = work / PREVIOUS_OUTPUT
            if parked.is_dir() and not output.exists() and not output.is_symlink():
                parked.rename(output)
            shutil.rmtree(work)
        finally:
            os.close(handle)


@contextlib.contextmanager
def _saying_what_was_done(root: Path, swapped: Callable[[], bool]) -> Iterator[None]:
    """Say, on a fault of the computer (a full disk...) or a Ctrl-C, what the build had done."""
    try:
        yield
    except (OSError, KeyboardInterrupt) as exc:
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(root)  # Pelican's writes, a disk full mid-write: name the board
        exc.add_note(
            "output/ holds the new site, but the record of it that status reads was not updated"
            if swapped()
            else "output/ was not changed"
        )
        raise


@contextlib.contextmanager
def _work_folder(root: Path) -> Iterator[Path]:
    """A new, locked work folder in ROOT, removed afterwards; dead builds' go first."""
    board_handle = os.open(root, os.O_RDONLY)
    try:
        # Held only while looking for dead builds and making this one's folder,
        # so that no build takes another's new, not yet locked, folder for dead.
        fcntl.flock(board_handle, fcntl.LOCK_EX)
        _clear_dead_builds(root)
        scratch.remove_stale_folders()  # a killed build's staged copy, in memory
        work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=root))
        work_handle = os.open(work, os.O_RDONLY)
        fcntl.flock(work_handle, fcntl.LOCK_EX)
    finally:
        os.close(board_handle)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)
        os.close(work_handle)


def build_board(
    board_dir: Path,
    render: Renderer,
    today: dt.date | None = None,
    passphrase: Passphrase | None = None,
    *,
    full: bool = False,
) -> BuildReport:
    """Build BOARD_DIR/output with RENDER (which runs Pelican on a settings dict).

    A board with members-only sections and a vault needs PASSPHRASE (a
    callable, asked only then) to seal those sections. If nothing has changed
    since the last build today, output/ is left as it is and that build's
    report returned (site/stamp.py), unless FULL.
    """
    today = today or clock.today()
    # Taken before anything is read, and compared again before the stamp is written.
    inputs = stamp.input_digest(Path(board_dir), today, render)
    if not full and (kept := stamp.kept_report(Path(board_dir), inputs)) is not None:
        return kept
    report, built = _build(Path(board_dir), render, today, passphrase)
    if not is_team_board(report.output.parent):  # a team board's posts open only with an identity
        report.warnings += stamp.write_stamp(
            report.output.parent, inputs, today=today, render=render, output=built, report=report
        )
    return report


def _build(
    board_dir: Path, render: Renderer, today: dt.date, passphrase: Passphrase | None
) -> tuple[BuildReport, dict[str, str] | None]:
    """The build itself; returns its report and what it put in output/ (stamp.output_manifest)."""
    board = read_board(Path(board_dir))
    warnings: list[str] = []
    swapped = False
    with contextlib.ExitStack() as stack:
        stack.enter_context(_saying_what_was_done(board.root, lambda: swapped))
        work = stack.enter_context(_work_folder(board.root))
        opened, board = _open_team_board(board, passphrase, stack)
        posts = read_posts(board)
        pages = read_pages(board)
        # Re-encoded before Pelican runs, so a bad image stops the build at once.
        images = read_images(board.root)
        output = board.root / OUTPUT_DIR
        _check_replaceable(output)
        untranslated = missing_catalog(board.language)
        if untranslated:
            warnings.append(untranslated)
        vault = opened
        if opened is None and _needs_vault(board):
            if passphrase is None:
                raise BuildError("this board's members-only sections need the vault passphrase")
            vault = stack.enter_context(open_vault(board.root, passphrase))
        # The host's build key reads only: the moderators' sync settles the board.
        if vault is not None and not getattr(vault, "read_only", False):
            settled = settle(board, vault, today)
            warnings += settled.warnings
            posts = [post for post in posts if (post.section, post.id) not in settled.removed]
        plan = plan_publication(board, posts, today)
        # The copy Pelican reads goes in memory where the system offers it
        # (writing thousands of small files to disk costs more than reading them).
        staging, rendered = stack.enter_context(scratch.private_folder()), work / "site"
        stage(plan, pages, staging)
        settings = pelican_settings(
            board, staging, rendered, keyring_hint(board, vault.data) if vault else None
        )
        warnings += render(settings) or []
        _finish_rendered(rendered, images, settings)
        sealed = (
            seal_member_sections(board, vault.data, plan.sealed, rendered)
            if vault
            else SealReport(unopenable=[s.name for s in board.member_sections])
        )
        _audit(rendered, board, plan, pages, settings["QUIETBOARD"]["published_html"])
        files = sum(1 for p in rendered.rglob("*") if p.is_file())
        built = stamp.output_manifest(rendered)
        _swap_in(rendered, output, work / PREVIOUS_OUTPUT)
        swapped = True
        write_build_record(board, plan, sealed.unopenable, today)
    withheld: dict[str, int] = {}
    for post, why in plan.withheld:
        if why != MEMBERS_ONLY or post.section in sealed.unopenable:
            withheld[why] = withheld.get(why, 0) + 1
    report = BuildReport(
        output=output,
        published=len(plan.published),
        withheld=withheld,
        files=files,
        warnings=warnings,
        sealed=sealed,
    )
    for name in sealed.unopenable:
        count = sum(1 for post in plan.sealed if post.section == name)
        report.warnings.append(
            f'members-only section "{name}" has no access codes, so its {count} post(s) were '
            f'left out; give members codes with "quietboard access issue {name} --label NAME"'
        )
    report.warnings += review_warnings(board, today)
    if not board.submissions.keys:
        report.warnings.append(
            "board.toml lists no moderator keys, so the share page says sharing is not open "
            'yet; run "quietboard keys init" to open it'
        )
    netlify = board.root / "netlify.toml"
    if netlify.is_file() and netlify_headers_differ(board, netlify.read_text(encoding="utf-8")):
        report.warnings.append(
            "netlify.toml sets other headers than board.toml asks for; make its [[headers]] "
            "match output/_headers (or delete them: output/_headers already carries them)"
        )
    return report, built


def _finish_rendered(
    rendered: Path, images: list[tuple[str, bytes]], settings: dict[str, Any]
) -> None:
    """What the build adds to Pelican's site before sealing and the audit."""
    # Written straight into the rendered site: Pelican never sees the
    # board's own image files, so no Pelican path can publish them as they are.
    write_images(images, rendered)
    # Smaller scripts and styles for members on phones; theme/ stays readable.
    minify_theme(rendered / settings["THEME_STATIC_DIR"])


def _audit(
    site: Path, board: Board, plan: Publication, pages: list[Page], published_html: dict[str, str]
) -> None:
    """Audit the rendered SITE; any finding stops the build before output/ is touched."""
    findings = audit_output(site, board, withheld_needles(board, plan, pages, published_html))
    if findings:
        raise AuditError(findings)


def _open_team_board(
    board: Board, passphrase: Passphrase | None, stack: contextlib.ExitStack
) -> tuple[Any, Board]:
    """A team board's state, open for the build (None for a one-moderator board), and the
    board as the build must see it.

    A team board's posts and members-only sections are sealed in its team files,
    opened with a moderator's identity or the host's build key before anything is
    read. A build that cannot open them stops: it never publishes a board without them.
    """
    if not is_team_board(board.root):
        return None, board
    if passphrase is None and vault_exists(board.root):
        raise BuildError("this team board's posts are sealed; the build needs your passphrase")
    opened = stack.enter_context(open_vault(board.root, passphrase or _no_passphrase))
    return opened, read_board(board.root)


def _no_passphrase() -> str:
    raise BuildError("this team board's posts are sealed; the build needs your passphrase")


def _needs_vault(board: Board) -> bool:
    """Whether the build must open the vault: to seal, or to retire a gone section.

    The vault's plaintext count of the sections it holds tells a board with
    no members-only section left whether one of them just left board.toml
    (an unknown count, from an older quietboard, counts as "maybe").
    """
    if not vault_exists(board.root):
        return False
    held = sections_held(board.root)
    return bool(board.member_sections) or held is None or held > 0


@dataclass
class Settled:
    warnings: list[str] = field(default_factory=list)
    removed: set[tuple[str, str]] = field(default_factory=set)  # (section, id) of deleted posts


def settle(board: Board, vault: Any, today: dt.date) -> Settled:
    """Carry out what the vault says must change before a build plans anything.

    Sections that left board.toml are retired (one that came back is refused
    before anything is written), expired access codes dropped, withdrawal
    requests carried out. The vault is saved once, and only then are the
    withdrawn posts' files deleted, so a crash in between leaves the request
    on record for the next command to finish.
    """
    from generator.board import actions  # noqa: PLC0415
    from generator.board.state import State  # noqa: PLC0415

    access.check_returning(vault.data, board)
    state = State(vault)
    earlier = sorted(
        name for name, state in access.held_sections(vault.data).items() if state.get("retired")
    )
    # Withdrawals use the one action every command uses: saved once, then the files go.
    settlement = actions.settle(board, state, today)
    withdrawals = settlement.withdrawals
    # Said in full once; later builds (which ask for the passphrase because of
    # them) only remind.
    reminders = [
        f'the vault still keeps the codes of the retired section "{name}": '
        f'"quietboard section restore {name}" or "quietboard section forget {name}"'
        for name in earlier
    ]
    settled = Settled(warnings=settlement.retired + reminders + settlement.expired)
    if sections_held(board.root) is None:
        state.save()  # an older vault: write its count of held sections
    state.commit()
    settled.removed = {(path.parent.name, path.stem) for path in withdrawals.removed_posts}
    if withdrawals.removed_posts:
        settled.warnings.append(
            f"{len(withdrawals.removed_posts)} post(s) were withdrawn at their writers' request "
            "(with the replies below them) and deleted from content/posts"
        )
    return settled


def audit_board(board_dir: Path, output: Path | None = None, today: dt.date | None = None) -> list:
    """Audit an existing output folder against the board's content and settings."""
    board = read_board(Path(board_dir))
    plan = plan_publication(board, read_posts(board), today or clock.today())
    output = Path(output) if output else board.root / OUTPUT_DIR
    if not output.is_dir():
        raise BuildError(f'{output} does not exist; run "quietboard build" first')
    return audit_output(output, board, withheld_needles(board, plan, read_pages(board)))
