"""`quietboard review`: go through the queue one item at a time.

Each item is shown with its scrub report and its flagged words highlighted
where they are; crisis-flagged items come first, beside the board's
escalation guidance and crisis services. Every action is saved at once, so
quitting (or a crash) keeps what was decided. Submitted text is only ever
put on screen as plain `rich.text.Text` (never as markup), after clean-up
and `visible()`, so it cannot style the terminal or hide words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from generator.board import clock
from generator.cli.common import board_option
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


def _approve(board: Any, vault: Any, item_report: Any) -> Any:
    from generator.board.moderation import Approval, approve  # noqa: PLC0415

    item = item_report.item
    section = None
    if item["kind"] == "post":
        section = click.prompt("Section", default=item["section"], err=True)
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
    return approve(board, vault.data, item_report.item_id, choice, clock.today())


def _do_approve(board: Any, vault: Any, item_report: Any) -> bool:
    approved = _approve(board, vault, item_report)
    vault.save()
    click.echo(describe_approval(approved))
    return True


def _do_edit(board: Any, vault: Any, item_report: Any) -> bool:
    from generator.board.moderation import apply_edit, edit_document  # noqa: PLC0415

    document = edit_document(item_report.item)
    while True:
        document = edit_privately(document)
        try:
            changed = apply_edit(item_report.item, document)
        except QuietboardError as problem:
            click.echo(f"Error: {problem}", err=True)
            if click.confirm("Open your edit again to fix it?", default=True, err=True):
                continue
            return False
        break
    if changed:
        vault.save()
        click.echo("Saved your edit.")
    else:
        click.echo("No change.")
    return False


def _do_redact(board: Any, vault: Any, item_report: Any) -> bool:
    from generator.board.moderation import redact_item  # noqa: PLC0415

    in_name = sum(1 for name, _ in item_report.identifying if name == "pseudonym")
    count = redact_item(board, vault.data, item_report.item_id) - in_name
    vault.save()
    if count:
        click.echo(f"Replaced {count} detail(s) with [removed].")
    if in_name:
        renamed = vault.data["queue"]["items"][item_report.item_id]["pseudonym"]
        click.echo(f"The pseudonym is now {renamed}, a random friendly name.")
    if not (count or in_name):
        click.echo("Nothing to redact.")
    return False


def _do_reject(board: Any, vault: Any, item_report: Any) -> bool:
    from generator.board.moderation import reject  # noqa: PLC0415

    if item_report.item["kind"] in ("post", "reply") and not click.confirm(
        "Reject it and delete it for good?", default=False, err=True
    ):
        return False
    reject(vault.data, item_report.item_id, clock.today())
    vault.save()
    click.echo("Deleted from the queue.")
    return True


def _do_take_down(board: Any, vault: Any, item_report: Any) -> bool:
    from generator.board.moderation import log, reject, remove_files, take_down  # noqa: PLC0415

    item = item_report.item
    files = take_down(board, item["post"], item["section"])
    if not click.confirm(
        f"Take down the post and its replies ({len(files)} file(s)) for good?",
        default=False,
        err=True,
    ):
        return False
    # Files first: a crash before the save leaves the report to dismiss, never
    # a reported post still up with its report gone.
    remove_files(files)
    log(vault.data, "rejected", clock.today(), len(files))
    reject(vault.data, item_report.item_id, clock.today())
    vault.save()
    click.echo('Taken down. Run "quietboard build" and deploy to take it off the site.')
    return True


# Each returns True when the item is settled and review moves on.
DO = {
    "a": _do_approve,
    "e": _do_edit,
    "r": _do_redact,
    "x": _do_reject,
    "t": _do_take_down,
    "s": lambda board, vault, item_report: True,
}


@click.command()
@board_option
def review(board_dir: Path) -> None:
    """Go through the queue one item at a time: approve, edit, redact, reject, skip or quit.

    Each item shows what the clean-up will remove and highlights possible
    identifying details (red), watch-list names (purple) and crisis language
    (yellow) in place. Edit opens your $EDITOR on a private temporary file
    that is deleted afterwards. Every decision is saved at once.

    Example: quietboard review
    """
    from generator.board.moderation import pending, report  # noqa: PLC0415

    console = Console(highlight=False, emoji=False, markup=False)
    with open_queue(board_dir) as (board, vault):
        warn_without_region(board)
        reports = pending(board, vault.data)
        if not reports:
            click.echo("The queue is empty.")
            return
        done = 0
        for number, first in enumerate(reports, 1):
            item_id = first.item_id
            while item_id in vault.data["queue"]["items"]:
                item_report = report(
                    board, vault.data, item_id, vault.data["queue"]["items"][item_id]
                )
                show(console, board, item_report, f"{number}/{len(reports)}")
                kind = item_report.item["kind"]
                if kind in ("report", "reply"):
                    _post_in_context(console, board, item_report.item)
                letters = ACTIONS[kind]
                words = (
                    ACTION_WORDS if kind in ("post", "reply") else {**ACTION_WORDS, "x": "dismiss"}
                )
                click.echo("  ".join(f"[{k}] {words[k]}" for k in letters))
                action = click.prompt(
                    "Action", type=click.Choice(letters), show_choices=False, err=True
                )
                if action == "q":
                    click.echo(f"Stopped; {done} item(s) settled this time.")
                    return
                try:
                    if DO[action](board, vault, item_report):
                        if action != "s":
                            done += 1
                        break
                except QuietboardError as exc:
                    click.echo(f"Error: {exc}", err=True)
        click.echo(f"End of the queue; {done} item(s) settled this time.")


COMMANDS = (review,)
