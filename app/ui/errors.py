"""Exceptions of the Qt UI (the root is app/errors.py: CambioError).

    UiError                          base
    ├── UnknownLanguageError         a language code that is not one of i18n.LANGUAGES (also
    │                                a ValueError)
    └── SelfTestError                a check of the bundle's `--self-test` found something
                                     wrong (selftest.py prints it, no traceback)

The UI catches the errors of the client by type from their errors modules (the import
contract); what it shows of them goes through `run_op` (client_bridge.py): the user message.
"""

from __future__ import annotations

from app.errors import CambioError


class UiError(CambioError):
    """Base of the UI package."""


class UnknownLanguageError(UiError, ValueError):
    """A language code that is not one of LANGUAGES."""


class SelfTestError(UiError):
    """A check found something wrong (the message says what)."""
