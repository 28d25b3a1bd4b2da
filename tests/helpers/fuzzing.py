"""Shared pieces of the property-based and fuzz suite (tests/cli/test_fuzz_*.py).

The property every fuzz test checks: a moderator's command either succeeds or
stops with one of our one-line errors (`Error: ...`, exit status 1, no
traceback, not the "unexpected problem" catch-all), within a second per input.

FUZZ is a repeatable, database-less profile: the same examples run on every
machine and in CI, and nothing is written to .hypothesis/.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from generator.cli.common import UNEXPECTED

FUZZ = settings(
    database=None,
    derandomize=True,
    deadline=1000,  # ms: an input that takes over a second is a failure (issue 16)
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

_SCRATCH = Path(tempfile.mkdtemp(prefix="qb-fuzz-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)


def scratch(name: str) -> Path:
    """A new folder for a test module's boards, removed when the test run ends.

    Hypothesis calls a test many times, so boards are made once per module and
    the file under test is rewritten for each example.
    """
    return Path(tempfile.mkdtemp(prefix=name, dir=_SCRATCH))


# Things that break parsers: control characters, a NUL, a byte-order mark,
# bidi and zero-width characters, a lone surrogate's neighbours, huge and odd
# numbers, deep nesting, quotes and brackets that never close.
ODD = [
    "\x00", "\x01", "\x1b", "\x7f", "\r", "\r\n", "\t", "\ufeff", "\u202e", "\u200b",
    "\u2028", "\ufffd", "\U0001f600", "é", "ﬁ", "\\", '"', "'", "'''", '"""', "[", "]",
    "[[", "{", "}", "=", ",", ":", "#", "\n\n", "-", "9" * 40, "9" * 5000, "-0", "1e999",
    "nan", "inf", "0x" + "f" * 5000, "1979-05-27", "1979-05-27T07:32:00Z", "00:00:00",
    "true", "[" * 3000, "{a=" * 1000, "a" * 10_000,
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, original: str, max_steps: int = 4) -> str:
    """ORIGINAL after a few random edits: flips, cuts, insertions and repeats."""
    text = original
    for _ in range(draw(st.integers(1, max_steps))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "repeat"]))
        if edit == "flip" and at < len(text):
            flipped = chr(ord(text[at]) ^ (1 << draw(st.integers(0, 7))))
            text = text[:at] + flipped + text[at + 1 :]
        elif edit == "truncate":
            text = text[:at]
        elif edit == "insert":
            piece = draw(st.one_of(st.sampled_from(ODD), st.text(max_size=20)))
            text = text[:at] + piece + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        else:
            end = min(len(text), at + draw(st.integers(1, 80)))
            text = text[:at] + text[at:end] * draw(st.integers(2, 50)) + text[end:]
    return text


@st.composite
def mutated_bytes(draw: st.DrawFn, original: bytes, max_steps: int = 4) -> bytes:
    """ORIGINAL after a few random byte edits: flips, cuts, insertions."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, max_steps))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        if edit == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "truncate":
            del data[at:]
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at : at + draw(st.integers(1, 40))]
    return bytes(data)


def assert_one_line_error(result, *, allow_success: bool = True) -> None:
    """RESULT (a CliRunner result) is a success, or one of our one-line errors."""
    output = result.output
    assert "Traceback" not in output, output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {type(result.exception).__name__}: {output}")
    if result.exit_code == 0 and allow_success:
        return
    assert result.exit_code == 1, (result.exit_code, output)
    errors = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, output
    assert_one_line(output[output.index("Error: ") :].removesuffix("\n"))


def assert_one_line(message: str) -> None:
    """An error's text: one printable line that is not the catch-all.

    A control character (a newline, a carriage return, an escape) from the
    input would break the line or drive the moderator's terminal.
    """
    assert not any(unicodedata.category(c) == "Cc" for c in message), repr(message)
    assert message.strip(), "an empty error message says nothing to do"
    assert UNEXPECTED.split("(")[0] not in message, message
