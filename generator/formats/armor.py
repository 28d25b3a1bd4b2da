"""Armor: bytes as text that survives e-mail, chat and copy-and-paste.

docs/formats/armor.md is the specification (the browser's twin is
theme/static/js/formats/armor.js). An armored block is b64u in lines of 64
characters between a BEGIN and an END line. Reading is forgiving: white space
anywhere inside (re-wrapping, quoting with indents) is ignored, and the
blocks are found anywhere in a longer text, in linear time. What a block
holds, and how big it may be, is the business of its format (submissions.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.formats.primitives import b64

BEGIN = "-----BEGIN QUIETBOARD SUBMISSION-----"
END = "-----END QUIETBOARD SUBMISSION-----"
MARKERS = re.compile(f"{re.escape(BEGIN)}|{re.escape(END)}")
LINE = 64


def armor(data: bytes) -> str:
    """DATA as an armored block, ending with a line feed."""
    text = b64(data)
    lines = [text[i : i + LINE] for i in range(0, len(text), LINE)]
    return "\n".join([BEGIN, *lines, END]) + "\n"


def find_armored(text: str) -> Iterator[str]:
    """The inside of every BEGIN/END block in TEXT, in order, in linear time.

    A block that another BEGIN interrupts before its END (a truncated copy
    quoted above the whole one) is yielded as it is, and fails to decode as
    damaged. The markers are found in one pass, so a text of BEGINs with no
    END is read once, not once per BEGIN.
    """
    for start, end in armored_spans(text):
        yield text[start:end]


def armored_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where find_armored's blocks are: (start, end) of each inside, copying nothing."""
    start = None
    for marker in MARKERS.finditer(text):
        if start is not None:
            yield start, marker.start()
        start = marker.end() if marker.group() == BEGIN else None
    if start is not None:
        yield start, len(text)
