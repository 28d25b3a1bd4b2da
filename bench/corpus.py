"""Generated boards for the bench: varied posts, public and members-only, as members write.

The text is made from sentence frames whose slots are filled from word lists
(feelings, people, places, times) and from the 7,776 words of the EFF list the
access codes use, so almost no sentence repeats: the costs that grow with the
amount of distinct text (the leak search above all) show up as they would on
a real board. Bodies vary in length (a few lines to a few screens) and carry
the Markdown members use: paragraphs, emphasis, lists, links.

Everything is made from a seed, so a size always gives the same board.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from generator.board.demo import prepare_demo
from generator.board.vault import VAULT_DIR

PUBLIC_SECTION = "share"
MEMBER_SECTION = "circle"
DAYS_SPAN = 60  # posts are dated over the last two months
KEEP_DAYS = 90  # and leave ninety days after their date

FEELINGS = (
    "tired", "anxious", "calmer", "hopeful", "flat", "restless", "lighter", "numb", "proud",
    "overwhelmed", "steady", "raw", "grateful", "lonely", "hopeless", "on edge", "relieved",
    "stuck", "brave", "fragile", "okay", "wobbly", "clear-headed", "heavy",
)  # fmt: skip
PEOPLE = (
    "my sister", "my GP", "the counsellor", "my flatmate", "a colleague", "my dad", "my mum",
    "the nurse", "my partner", "an old friend", "the group", "my neighbour", "my son",
    "my daughter", "the pharmacist", "my manager", "someone on the bus", "the moderators",
)  # fmt: skip
PLACES = (
    "the park", "work", "the kitchen", "the surgery", "the allotment", "the library", "bed",
    "the bus stop", "the corner shop", "the swimming pool", "the garden", "my desk",
    "the waiting room", "the beach", "the canal path", "the supermarket",
)  # fmt: skip
TIMES = (
    "this morning", "last night", "on Sunday", "after lunch", "all week", "yesterday",
    "at three in the morning", "on the way home", "before the appointment", "since Friday",
    "for the first time in months", "again today", "most evenings", "over the weekend",
)  # fmt: skip
ACTIONS = (
    "went for a walk", "made a proper dinner", "rang the helpline", "answered my emails",
    "cleaned one shelf", "took my tablets on time", "sat in the sun", "wrote in my journal",
    "tidied the hallway", "did the breathing exercise", "turned my phone off", "had a bath",
    "read two chapters", "asked for help", "cancelled the plan", "kept the appointment",
    "stretched for ten minutes", "watered the plants", "went to bed early", "cooked soup",
)  # fmt: skip
FRAMES = (
    "I felt {feeling} {time}, and I am not sure why the {thing} matters so much.",
    "{Time} I {action}, which felt like a small win after the {thing}.",
    "I told {person} about the {thing} and they just listened.",
    "Being at {place} {time} with the {thing} made me feel {feeling}.",
    "Does anyone else get {feeling} when {person} mentions the {thing}?",
    "I keep thinking about the {thing} and the {thing2}, round and round.",
    "{Person} said something about the {thing} that stayed with me.",
    "It was a {feeling} sort of day, all {thing} and no {thing2}, but I {action}.",
    "I {action} and then sat at {place} thinking about the {thing}.",
    "The {thing} still reminds me of {place}, and that is {feeling} to carry.",
    "Some days I can only manage one thing, so {time} I {action} and left the {thing}.",
    "I wrote the word {thing} on a note and stuck it on the fridge.",
    "Thank you to whoever suggested the {thing}; it helped more than I expected.",
    "My head was loud {time}, full of {thing}, so I {action} and waited for it to pass.",
    "I am learning that feeling {feeling} about the {thing} does not mean I have failed.",
    "{Person} asked about the {thing} and for once I answered honestly.",
    "There was a {thing} at {place} and I laughed for the first time in days.",
    "I nearly skipped the {thing}, but I {action} anyway.",
    "If you feel {feeling} about your {thing} today, you are not the only one.",
    "The letter about the {thing} came {time}, and I felt {feeling} reading it.",
)  # fmt: skip
TITLE_FRAMES = (
    "Feeling {feeling} {time}",
    "A {feeling} week",
    "About the {thing}",
    "Small win: I {action}",
    "{Person} and the {thing}",
    "Not sure where to start",
    "After {place}",
    "The {thing} again",
    "Anyone else {feeling}?",
    "Notes from {place}",
)  # fmt: skip
CONTENT_WARNINGS = (
    "low mood", "anxiety", "self-harm (mentioned)", "grief", "family conflict", "medication",
    "eating", "work stress", "panic",
)  # fmt: skip
PSEUDONYMS = (
    "Kestrel", "Fern", "Harbour light", "Wren", "Lantern", "Moss", "Otter", "Slow tide",
    "Birch", "Heron", "Little owl", "Pebble", "Marigold", "Quiet fox", "Driftwood", "Juniper",
)  # fmt: skip
LINKS = (
    ("the guidelines", "../../guidelines/"),
    ("the help page", "../../help/"),
    ("Mind's page on low mood", "https://www.mind.org.uk/information-support/"),
    ("the NHS self-help guides", "https://www.nhs.uk/mental-health/self-help/"),
)


def _words() -> list[str]:
    path = Path(__file__).resolve().parents[1] / "generator" / "data" / "eff_large_wordlist.txt"
    words = [line.split()[-1] for line in path.read_text(encoding="utf-8").splitlines()]
    return [word for word in words if word.isalpha()]


WORDS = _words()


@dataclass(frozen=True)
class Shape:
    """How many posts a generated board has, and how they are made."""

    public: int
    members: int
    replies: float = 0.25  # share of posts that answer an earlier post in their section
    warnings: float = 0.15  # share of posts with a content warning
    seed: int = 19

    @property
    def posts(self) -> int:
        return self.public + self.members


def board_shape(posts: int, members_share: float = 0.0) -> Shape:
    """POSTS in all, MEMBERS_SHARE of them in the members-only section."""
    members = round(posts * members_share)
    return Shape(public=posts - members, members=members)


class Writer:
    """Sentences, titles and bodies from one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _fill(self, frame: str) -> str:
        choice = self.rng.choice
        values = {
            "feeling": choice(FEELINGS),
            "person": choice(PEOPLE),
            "place": choice(PLACES),
            "time": choice(TIMES),
            "action": choice(ACTIONS),
            "thing": choice(WORDS),
            "thing2": choice(WORDS),
        }
        values.update({key.title(): value[:1].upper() + value[1:] for key, value in values.items()})
        return frame.format(**values)

    def sentence(self) -> str:
        text = self._fill(self.rng.choice(FRAMES))
        if self.rng.random() < 0.08:  # emphasis, as members add it
            words = text.split(" ")
            at = self.rng.randrange(len(words))
            if words[at].isalpha():
                words[at] = f"*{words[at]}*" if self.rng.random() < 0.7 else f"**{words[at]}**"
            text = " ".join(words)
        return text

    def title(self) -> str:
        return self._fill(self.rng.choice(TITLE_FRAMES))

    def body(self) -> str:
        rng = self.rng
        # Most posts are a few short paragraphs; a few run to several screens.
        paragraphs = min(12, max(1, round(rng.lognormvariate(0.9, 0.6))))
        blocks = []
        for _ in range(paragraphs):
            roll = rng.random()
            if roll < 0.1:
                items = [self.sentence().rstrip(".") for _ in range(rng.randint(2, 5))]
                blocks.append("\n".join(f"- {item}" for item in items))
            else:
                text = " ".join(self.sentence() for _ in range(rng.randint(1, 6)))
                if roll > 0.93:
                    label, url = rng.choice(LINKS)
                    text += f" There is more in [{label}]({url})."
                blocks.append(text)
        return "\n\n".join(blocks) + "\n"


def post_id(seed: int, number: int) -> str:
    """A valid, repeatable post id of digits only, so no word of a title can be in it."""
    return str(int(hashlib.sha256(f"{seed} {number}".encode()).hexdigest(), 16))[:12]


@dataclass(frozen=True)
class GeneratedPost:
    section: str
    id: str
    text: str


def generate_posts(shape: Shape, today: dt.date) -> list[GeneratedPost]:
    """The posts of SHAPE, oldest first; replies answer an earlier post of their section."""
    rng = random.Random(shape.seed * 1_000_003 + shape.posts)
    writer = Writer(rng)
    sections = [MEMBER_SECTION] * shape.members + [PUBLIC_SECTION] * shape.public
    rng.shuffle(sections)
    first_day = today - dt.timedelta(days=DAYS_SPAN)
    earlier: dict[str, list[tuple[str, str]]] = {PUBLIC_SECTION: [], MEMBER_SECTION: []}
    posts = []
    for number, section in enumerate(sections):
        day = first_day + dt.timedelta(days=DAYS_SPAN * number // max(1, len(sections)))
        ident = post_id(shape.seed, number)
        lines = []
        threads = earlier[section]
        if threads and rng.random() < shape.replies:
            parent, parent_title = rng.choice(threads[-200:])  # replies go to recent posts
            lines.append(f"Title: Re: {parent_title}")
            reply_to = parent
        else:
            parent_title = writer.title()
            lines.append(f"Title: {parent_title}")
            reply_to = ""
        lines += [f"Date: {day.isoformat()}", f"Expires: {day + dt.timedelta(days=KEEP_DAYS)}"]
        if rng.random() < shape.warnings:
            lines.append(f"CW: {rng.choice(CONTENT_WARNINGS)}")
        if rng.random() < 0.6:
            lines.append(f"Pseudonym: {rng.choice(PSEUDONYMS)}")
        if reply_to:
            lines.append(f"Reply-To: {reply_to}")
        else:
            threads.append((ident, parent_title))
        posts.append(GeneratedPost(section, ident, "\n".join(lines) + "\n\n" + writer.body()))
    return posts


def write_posts(posts: list[GeneratedPost], content: Path) -> None:
    """Each post as content/posts/SECTION/ID.md under CONTENT."""
    for post in posts:
        folder = content / "posts" / post.section
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{post.id}.md").write_text(post.text, encoding="utf-8")


@dataclass(frozen=True)
class Board:
    root: Path
    passphrase: str  # the vault's ('' when the board has no members-only section)
    code: str  # an access code for the members-only section ('' without one)
    posts: int


_MEMBER_BLOCK = re.compile(r"^\[sections\.circle\]\n(?:(?!\[).*\n)*", re.MULTILINE)


def make_board(root: Path, shape: Shape, today: dt.date) -> Board:
    """A board at ROOT holding the posts of SHAPE (and the template's pages).

    Made from the bundled demo's settings (a moderator key, crisis resources,
    privacy facts), with the demo's posts replaced. A board with no
    members-only posts has no members-only section and no vault, as a public
    board would.
    """
    passphrase, code = prepare_demo(root, today)
    shutil.rmtree(root / "content" / "posts")
    if not shape.members:
        board_file = root / "board.toml"
        board_file.write_text(
            _MEMBER_BLOCK.sub("", board_file.read_text(encoding="utf-8")), encoding="utf-8"
        )
        shutil.rmtree(root / VAULT_DIR)
        passphrase = code = ""
    write_posts(generate_posts(shape, today), root / "content")
    (root / "content" / "posts" / PUBLIC_SECTION).mkdir(parents=True, exist_ok=True)
    return Board(root, passphrase, code, shape.posts)


def pelican_site(board: Board, site: Path) -> Path:
    """The same Markdown (posts and pages) as a plain Pelican content folder under SITE."""
    content = site / "content"
    if content.exists():
        shutil.rmtree(content)
    shutil.copytree(board.root / "content", content)
    return content


def extra_post(today: dt.date, number: int = 0) -> GeneratedPost:
    """One new public post, as an approval adds it (the same text every time for NUMBER)."""
    writer = Writer(random.Random(f"extra {number}"))
    text = (
        f"Title: {writer.title()}\nDate: {today.isoformat()}\n"
        f"Expires: {today + dt.timedelta(days=KEEP_DAYS)}\n\n{writer.body()}"
    )
    return GeneratedPost(PUBLIC_SECTION, post_id(-1, number), text)
