"""`quietboard review`: go through the queue one item at a time.

Each item is shown with its scrub report and its flagged words highlighted
where they are; crisis-flagged items come first, beside the board's
escalation guidance and crisis services. Every action is saved at once, so
quitting (or a crash) keeps what was decided. The board's lock is held only
while an item is read and while a decision is saved, never while the
moderator reads or types: other commands (the nightly build) run meanwhile,
and a decision on an item someone else decided first is refused. Submitted text is only ever
put on screen as plain `rich.text.Text` (never as markup), after clean-up
and `visible()`, so it cannot style the terminal or hide words.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from generator.board import clock
from generator.cli.common import ask_passphrase, board_option, load_board
from generator.cli.moderation import (
    describe_approval,
    edit_privately,
    open_queue,
    visible,
    warn_without_region,
)
from generator.errors import ModerationError, QuietboardError

STYLES = {"crisis": "bold black on yellow", "watch-list": "bold white on magenta"}
PII_STYLE = "bold white on red"
# Cleaned text keeps these (ZWJ in emoji, ZWNJ/ZWJ in Arabic and Indic words).
KEPT = "\n\u200c\u200d"
ESCALATION = (
    "This board is not a crisis service. If this member may be at risk now, follow your "
    "group's escalation plan, and make sure the crisis services are one tap away in any reply."
)
ACTIONS = {
    "post": ("a", "e", "r", "x", "s", "q"),
    "reply": ("a", "e", "r", "x", "s", "q"),
    "report": ("t", "x", "s", "q"),
    "feedback": ("x", "s", "q"),
    "withdraw": ("x", "s", "q"),
}
ACTION_WORDS = {
    "a": "approve",
    "e": "edit",
    "r": "redact",
    "x": "reject",
    "s": "skip",
    "q": "quit",
    "t": "take the post down",
}


def highlighted(field: Any) -> Text:
    """A field's cleaned text with every hit marked where it is."""
    text = Text(visible(field.text, keep=KEPT))
    if len(text.plain) != len(field.text):
        return text  # escapes moved the offsets; the hits are listed below instead
    for hit in field.identifying:
        text.stylize(STYLES.get(hit.kind, PII_STYLE), hit.start, hit.end)
    for hit in field.crisis:
        text.stylize(STYLES["crisis"], hit.start, hit.end)
    return text


def _summary(item_report: Any) -> Text:
    lines = []
    if item_report.removed:
        lines.append(f"{item_report.removed} invisible or control character(s) will be removed.")
    if item_report.lookalikes:
        lines.append(
            f"{item_report.lookalikes} word(s) use lookalike letters from another alphabet."
        )
    for name, hit in item_report.identifying:
        lines.append(f"{hit.label} in the {name}: {hit.text}")
    if item_report.suggested_warnings:
        lines.append("Suggested content warning: " + ", ".join(item_report.suggested_warnings))
    if not lines:
        lines.append("Nothing flagged.")
    return Text(visible("\n".join(lines), keep="\n"))


def show(console: Console, board: Any, item_report: Any, position: str) -> None:
    item = item_report.item
    where = f" · section {item['section']}" if item.get("section") else ""
    flags = f" · flags: {', '.join(item_report.flags)}" if item_report.flags else ""
    edited = " · edited" if item.get("edited") else ""
    console.rule(
        Text(
            f"{position} · {item_report.item_id} · {item['kind']}{where} · imported "
            f"{item['imported']}{flags}{edited}"
        )
    )
    if item_report.crisis:
        topics = ", ".join(item_report.suggested_warnings)
        services = [
            f"{r.name}: {r.contact}" + (f" ({r.hours})" if r.hours else "")
            for r in board.crisis.resources
        ]
        console.print(
            Panel(
                Text(
                    f"Crisis language ({topics}).\n{board.moderation.escalation or ESCALATION}\n"
                    + "\n".join(services)
                ),
                title="Possible risk",
                border_style="yellow",
            )
        )
    if item["kind"] == "report":
        console.print(Text(f"Report about post {item['post']} in {item['section']}:"))
    if item["kind"] == "withdraw":
        console.print(Text("A member withdrew a post (done automatically). Their note:"))
    parts = []
    for field in item_report.fields:
        parts.append(Text(field.name.capitalize() + ":", style="bold"))
        parts.append(highlighted(field))
    console.print(Panel(Group(*parts)))
    console.print(_summary(item_report))


def _post_in_context(console: Console, board: Any, item: dict[str, Any]) -> None:
    """The published post a report or a reply is about, as readers see it."""
    from generator.board.moderation import read_shown_post  # noqa: PLC0415

    # A reply goes wherever the post it answers is; a report names the section it saw.
    section = item["section"] if item["kind"] == "report" else "*"
    shown = read_shown_post(board, item["post"], section)
    what = "It answers" if item["kind"] == "reply" else "The reported post"
    if shown is None:
        console.print(Text(f"{what} ({item['post']}) is no longer on the board."))
        return
    title, body = shown
    console.print(Panel(Text(visible(f"{title}\n\n{body}".strip(), keep=KEPT)),
                        title=f"{what}: {item['post']}"))  # fmt: skip


class Decision:
    """One item as the moderator was shown it, and how to save a decision on it."""

    def __init__(self, board_dir: Path, passphrase: Any, item_report: Any) -> None:
        self.board_dir = board_dir
        self.passphrase = passphrase
        self.report = item_report
        self.item_id = item_report.item_id
        self.shown = copy.deepcopy(dict(item_report.item))

    def save(self, change: Callable[[Any, Any], Any]) -> Any:
        """Run CHANGE(board, state) in a transaction, if the item is still as shown."""
        from generator.board.actions import check_unchanged  # noqa: PLC0415

        with open_queue(self.board_dir, self.passphrase) as (board, state):
            check_unchanged(state, self.item_id, self.shown)
            return change(board, state)


def _approve(decision: Decision) -> Any:
    from generator.board.actions import approve  # noqa: PLC0415
    from generator.board.moderation import Approval  # noqa: PLC0415

    item_report = decision.report
    item = item_report.item
    section = None
    if item["kind"] == "post":
        section = _ask_section(load_board(decision.board_dir), item["section"])
    current = [f.text for f in item_report.fields if f.name == "content warning"]
    proposed = ", ".join(dict.fromkeys(current + item_report.suggested_warnings))
    typed = click.prompt(
        "Content warnings (comma-separated; '-' for none)", default=proposed or "-", err=True
    )
    warnings = tuple(w.strip() for w in typed.split(",") if w.strip() and w.strip() != "-")
    keep = False
    if item_report.identifying:
        keep = click.confirm(
            f"It still has {len(item_report.identifying)} flagged detail(s). Publish them as "
            "they are?",
            default=False,
            err=True,
        )
        if not keep:
            raise ModerationError('not approved; choose "r" to redact or "e" to edit first')
    choice = Approval(section=section, warnings=warnings, keep_flagged=keep)
    return decision.save(
        lambda board, state: approve(board, state, decision.item_id, choice, clock.today())
    )


def _ask_section(board: Any, suggested: str) -> str:
    """A section of the board, asked again (with the closest name) until it is one."""
    import difflib  # noqa: PLC0415

    names = list(board.sections)
    default = suggested if suggested in names else None
    while True:
        typed = click.prompt("Section", default=default, err=True).strip()
        if typed in names:
            return typed
        close = difflib.get_close_matches(typed, names, n=1)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        click.echo(f'"{typed}" is not a section here ({", ".join(names)}).{hint}', err=True)


def _do_approve(decision: Decision) -> bool:
    click.echo(describe_approval(_approve(decision), decision.board_dir))
    return True


def _do_edit(decision: Decision) -> bool:
    from generator.board.actions import Superseded, edit  # noqa: PLC0415
    from generator.board.moderation import edit_document  # noqa: PLC0415

    document = edit_document(decision.report.item)
    while True:
        document = edit_privately(document)
        try:
            changed = decision.save(
                lambda _, state, text=document: edit(state, decision.item_id, text)
            )
        except Superseded:
            raise
        except QuietboardError as problem:
            click.echo(f"Error: {problem}", err=True)
            if click.confirm("Open your edit again to fix it?", default=True, err=True):
                continue
            return False
        break
    click.echo("Saved your edit." if changed else "No change.")
    return False


def _do_redact(decision: Decision) -> bool:
    from generator.board.actions import redact  # noqa: PLC0415

    def change(board: Any, state: Any) -> tuple[int, str]:
        count = redact(board, state, decision.item_id)
        return count, state.items[decision.item_id].get("pseudonym", "")

    in_name = sum(1 for name, _ in decision.report.identifying if name == "pseudonym")
    count, renamed = decision.save(change)
    count -= in_name
    if count:
        click.echo(f"Replaced {count} detail(s) with [removed].")
    if in_name:
        click.echo(f"The pseudonym is now {renamed}, a random friendly name.")
    if not (count or in_name):
        click.echo("Nothing to redact.")
    return False


def _do_reject(decision: Decision) -> bool:
    from generator.board.actions import reject  # noqa: PLC0415

    if decision.report.item["kind"] in ("post", "reply") and not click.confirm(
        "Reject it and delete it for good?", default=False, err=True
    ):
        return False
    decision.save(lambda board, state: reject(board, state, decision.item_id, clock.today()))
    click.echo("Deleted from the queue.")
    return True


def _do_take_down(decision: Decision) -> bool:
    from generator.board import actions, moderation  # noqa: PLC0415

    item = decision.report.item
    files = moderation.take_down(load_board(decision.board_dir), item["post"], item["section"])
    if not click.confirm(
        f"Take down the post and its replies ({len(files)} file(s)) for good?",
        default=False,
        err=True,
    ):
        return False
    decision.save(
        lambda board, state: actions.take_down(
            board,
            state,
            item["post"],
            clock.today(),
            section=item["section"],
            report_id=decision.item_id,
        )
    )
    click.echo('Taken down. Run "quietboard build" and deploy to take it off the site.')
    return True


# Each returns True when the item is settled and review moves on.
DO = {
    "a": _do_approve,
    "e": _do_edit,
    "r": _do_redact,
    "x": _do_reject,
    "t": _do_take_down,
    "s": lambda decision: True,
}


@click.command()
@board_option
def review(board_dir: Path) -> None:
    """Go through the queue one item at a time: approve, edit, redact, reject, skip or quit.

    Each item shows what the clean-up will remove and highlights possible
    identifying details (red), watch-list names (purple) and crisis language
    (yellow) in place. Edit opens your $EDITOR on a private temporary file
    that is deleted afterwards (also if the terminal is closed). Every
    decision is saved at once. The board is locked only while a decision is
    saved, so other commands (a nightly build) run while you read; a
    decision on an item another command settled meanwhile is refused.

    Example: quietboard review
    """
    from generator.board.moderation import pending, stored_report  # noqa: PLC0415

    console = Console(highlight=False, emoji=False, markup=False)
    passphrase = functools.cache(ask_passphrase)
    with open_queue(board_dir, passphrase) as (board, state):
        order = [item_report.item_id for item_report in pending(board, state.data)]
    warn_without_region(board)
    if not order:
        click.echo("The queue is empty.")
        return
    done = 0
    for number, item_id in enumerate(order, 1):
        while True:
            # Read under the lock, shown and decided without it.
            with open_queue(board_dir, passphrase) as (board, state):
                item = state.items.get(item_id)
                item_report = None if item is None else stored_report(
                    board, state.data, item_id, item
                )  # fmt: skip
            if item_report is None:
                break  # decided meanwhile by another command
            show(console, board, item_report, f"{number}/{len(order)}")
            kind = item_report.item["kind"]
            if kind in ("report", "reply"):
                _post_in_context(console, board, item_report.item)
            letters = ACTIONS[kind]
            words = ACTION_WORDS if kind in ("post", "reply") else {**ACTION_WORDS, "x": "dismiss"}
            click.echo("  ".join(f"[{k}] {words[k]}" for k in letters))
            action = click.prompt(
                "Action", type=click.Choice(letters), show_choices=False, err=True
            )
            if action == "q":
                click.echo(f"Stopped; {done} item(s) settled this time.")
                return
            try:
                if DO[action](Decision(board_dir, passphrase, item_report)):
                    if action != "s":
                        done += 1
                    break
            except QuietboardError as exc:  # Superseded too: the item is read again
                click.echo(f"Error: {exc}", err=True)
    click.echo(f"End of the queue; {done} item(s) settled this time.")


COMMANDS = (review,)
