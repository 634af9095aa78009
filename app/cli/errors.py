"""Exceptions of the command line (the root is app/errors.py: CambioError).

    CliError                         a user mistake the command line itself finds: a bad
                                     flag value, a missing password, a file that is not an
                                     export; printed like every other CambioError

Every command's errors reach one handler, `run_command` (app/cli/edge.py): a CambioError
prints `error: <user_message>` on one line and exits 1, with its detail logged, never a
traceback; a bug still shows its traceback.
"""

from __future__ import annotations

from app.errors import CambioError


class CliError(CambioError):
    """A user-facing CLI failure: printed on one line, exit status 1."""
