"""The `factcheck` command (and `python -m factcheck`). Loading the command line takes most
of a second (numpy, the rules, the grammar); it is loaded here, inside
the handler, so that Ctrl-C at any moment ends the run with one line and exit 130, not
a traceback."""
from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130   # 128 + SIGINT, as shells report it


def main() -> int:
    try:
        from .cli import main as command_line

        return command_line()
    except KeyboardInterrupt:
        sys.stderr.write("factcheck: interrupted\n")
        return EXIT_INTERRUPTED
