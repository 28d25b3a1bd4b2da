"""What a build reports: plain data, so that the build stamp can keep it without the build."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SealReport:
    sections: int = 0
    posts: int = 0
    codes: int = 0
    unopenable: list[str] = field(default_factory=list)  # member sections without codes


@dataclass
class BuildReport:
    output: Path
    published: int
    withheld: dict[str, int] = field(default_factory=dict)
    files: int = 0
    warnings: list[str] = field(default_factory=list)
    sealed: SealReport = field(default_factory=SealReport)
    # True when nothing had changed since the last build (site/stamp.py): output/
    # was left as it was, and this is that build's report.
    unchanged: bool = False
