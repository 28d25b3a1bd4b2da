"""`python -m generator` and the `quietboard` script: run the command-line tool."""

import sys


def main() -> None:
    # Loading the command line takes a noticeable moment: a Ctrl-C in it gets
    # one line and the shell's status for an interrupted program, not a traceback.
    try:
        from generator.cli import main as run  # noqa: PLC0415
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted; nothing was changed (quietboard was starting)\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
