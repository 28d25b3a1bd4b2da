"""Driving quietboard as a moderator does: sealed submissions, the queue, approvals.

`run` invokes the CLI in-process with the test passphrase and today's date
(2026-11-20) in the environment; `in_terminal` runs it in a child process with
a real pseudo-terminal and $EDITOR. The submission helpers seal to the board's
own moderator key, so a board from the `keyed_board` fixture is ready for them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from generator.board import vault
from generator.cli import cli
from generator.formats import submissions as fmt
from generator.formats.armor import armor, find_armored
from generator.formats.primitives import unb64

PASSPHRASE = "correct horse battery staple"
IP, AGENT, REFERRER = (
    "203.0.113.77",
    "Mozilla/5.0 (Linux; Android 14) Quirky/1.0",
    "https://x.example/",
)
CREATED = "2026-11-19T23:41:07.123Z"
POST = {
    "v": 1, "kind": "post", "section": "share", "title": "Small steps this week",
    "body": "I went outside every day, even when it rained.", "cw": ["low mood"],
    "pseudonym": "Wren", "verifier": fmt.withdrawal_verifier("abcde-fghij-klmno-pqrs2"),
}  # fmt: skip


def run(*args, env=None, **kwargs):
    env = {"QUIETBOARD_PASSPHRASE": PASSPHRASE, "QUIETBOARD_TODAY": "2026-11-20", **(env or {})}
    return CliRunner().invoke(
        cli, [str(a) for a in args], prog_name="quietboard", env=env, **kwargs
    )


def assert_error(result, message):
    assert result.exit_code == 1, result.output
    last = result.output.strip().splitlines()[-1]
    assert last == f"Error: {message}", last
    assert "Traceback" not in result.output


def opened(root):
    with vault.open_vault(root, lambda: PASSPHRASE) as v:
        return v.data


def public_key(root) -> bytes:
    return unb64(opened(root)["moderator_keys"][-1]["public"], 32)


def sealed(root, payload=None, bits=4, keys=None) -> str:
    """A sealed submission; without PAYLOAD, POST as another member wrote it.

    Each call without PAYLOAD carries its own withdrawal code: the same words
    with the same code are one draft sent twice, and import keeps one.
    """
    if payload is None:
        code = secrets.token_hex(10)
        payload = {**POST, "verifier": fmt.withdrawal_verifier(code)}
    return armor(fmt.seal(payload, keys or [public_key(root)], bits))


def weakly_sealed(root) -> str:
    """An envelope whose stamp has fewer than the board's 4 bits of work."""
    while True:
        text = sealed(root, bits=0)
        if fmt.parse_envelope(fmt.unarmor(next(find_armored(text)))).stamp_bits() < 4:
            return text


def netlify_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    fields = [
        "envelope",
        "website",
        "created_at",
        "ip",
        "user_agent",
        "referrer",
        "id",
        "form_name",
    ]
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for number, row in enumerate(rows):
        writer.writerow({"website": "", "created_at": CREATED, "ip": IP, "user_agent": AGENT,
                         "referrer": REFERRER, "id": f"6740aa{number:018d}",
                         "form_name": "quietboard", **row})  # fmt: skip
    return out.getvalue()


def queue(root) -> list[dict]:
    result = run("queue", "list", "--json", "--board", root)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["items"]


def submit(root, **fields) -> str:
    """Seal and import one payload; returns its queue id."""
    payload = {**POST, **fields}
    payload = {key: value for key, value in payload.items() if value is not None}
    path = root / f"sub-{len(list(root.glob('sub-*')))}.txt"
    path.write_text(sealed(root, payload))
    result = run("inbox", "import", path, "--board", root)
    assert result.exit_code == 0, result.output
    return _newest(root, payload)


def _newest(root, payload) -> str:
    for item in queue_rows(root):
        if item["body"] == payload["body"]:
            return item["id"]
    raise AssertionError("not imported")


def queue_rows(root) -> list[dict]:
    result = run("queue", "list", "--json", "--board", root)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["items"]


def queue_ids(root) -> list[str]:
    return [row["id"] for row in queue_rows(root)]


def post_files(root, section="share"):
    return sorted((root / "content" / "posts" / section).glob("*.md"))


def approve(root, item_id, *args):
    return run("approve", item_id, *args, "--board", root)


def in_terminal(*args, editor: str, cwd=None) -> subprocess.CompletedProcess:
    """Run quietboard with a real pseudo-terminal as standard input, as a person would."""
    main, sub = os.openpty()
    env = {**os.environ, "EDITOR": editor, "QUIETBOARD_TODAY": "2026-11-20"}
    env.pop("VISUAL", None)
    try:
        return subprocess.run(
            [sys.executable, "-m", "generator", *map(str, args)], check=False,
            stdin=sub, capture_output=True, text=True, env=env, cwd=cwd, timeout=120,
        )  # fmt: skip
    finally:
        os.close(sub)
        os.close(main)


def editor_writing(tmp_path, text: str, seen=None) -> str:
    """An $EDITOR that types TEXT (and notes where it was opened, in SEEN)."""
    editor = tmp_path / "editor.py"
    editor.write_text(textwrap.dedent(f"""\
        import os, pathlib, stat, sys
        path = pathlib.Path(sys.argv[-1])
        mode = stat.S_IMODE(os.stat(path.parent).st_mode), stat.S_IMODE(os.stat(path).st_mode)
        if {str(seen or "")!r}:
            pathlib.Path({str(seen or "")!r}).write_text(f"{{path}}\\n{{mode}}")
        path.write_text({text!r})
        """))  # fmt: skip
    return f"{sys.executable} {editor}"


# Libraries that `quietboard --help`, and a build with nothing to do, must not load.
HEAVY = ("pelican", "PIL", "phonenumbers", "babel", "nacl")


def heavy_modules_loaded(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run `quietboard ARGV` in a new Python; its last line of output lists the HEAVY
    modules it loaded ("[]" for none). KWARGS go to subprocess.run (cwd, env)."""
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['quietboard', *{argv!r}]\n"
        "try:\n"
        "    runpy.run_module('generator', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, **kwargs
    )
