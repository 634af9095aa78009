"""The command line's one error handler: what a command's failure prints and exits with.

A CambioError is expected (a wrong password, a node that is down, a server that refused):
`error: <user_message>` on one line of stderr, exit status 1, its detail in the log (debug),
no traceback. So are a few errors from outside the app's tree that a command line meets
every day: a file that cannot be read (OSError), a bad value (ValueError: the server's and
the simnet's own configuration errors are ValueErrors), a timeout. Ctrl-C exits 130. Anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import TextIO

from app.errors import CambioError, log_text, user_message

log = logging.getLogger("cambio.cli")

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
# Not the app's, but expected at a command line (see above).
EXPECTED: tuple[type[BaseException], ...] = (CambioError, OSError, ValueError, TimeoutError)

Command = Callable[[argparse.Namespace], int]


def run_command(command: Command, args: argparse.Namespace, stderr: TextIO) -> int:
    """Run one subcommand; its exit status, an expected failure turned into one line."""
    try:
        return int(command(args))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except EXPECTED as exc:
        log.debug("command failed: %s", log_text(exc), exc_info=True)
        print(f"error: {one_line(exc)}", file=stderr)
        return EXIT_FAILED


def one_line(exc: BaseException) -> str:
    """The user message on one line (a node's or a library's text may hold newlines)."""
    return " ".join(user_message(exc).split())
