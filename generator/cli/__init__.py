"""The `quietboard` command: a thin Click layer over the generator library.

One module per command group, each registered here by name. Commands import
the library inside their bodies, so `quietboard --help` loads neither Pelican
nor Pillow, phonenumbers or Babel.
"""

from __future__ import annotations

import click

from generator import __version__
from generator.cli import access, inbox, keys, moderation, retention, review, site, team
from generator.cli.common import Interrupted, QuietGroup


@click.group(cls=QuietGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quietboard")
def cli() -> None:
    """quietboard: a private, static board for an anonymous peer-support group.

    Moderators write and approve posts as Markdown; quietboard builds a site
    that loads nothing from anyone else and leaks nothing that is not meant
    to be public.

    Example: quietboard init myboard && quietboard build --board myboard
    """


for _module in (site, access, keys, inbox, moderation, review, retention, team):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    try:
        cli(prog_name="quietboard")
    except KeyboardInterrupt as exc:  # while Click read the arguments, before any command ran
        interrupted = Interrupted(exc)
        interrupted.show()
        raise SystemExit(interrupted.exit_code) from None


if __name__ == "__main__":
    main()
