"""Allow `python -m generator` to run the command-line tool."""

from generator.cli import main

main()
