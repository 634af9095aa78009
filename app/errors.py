"""The root of every error the app raises, and the errors of the top-level modules.

    CambioError                      root: `user_message` (short, for the trader, no internal
    │                                detail) and `detail` (for logs); str() is user_message
    ├── ConfigError                  config.json is unreadable or malformed (app/config.py)
    ├── WizardError                  a wizard method called in the wrong step: a bug in the
    │                                view, never user input (app/wizard.py)
    ├── CliError                     app/cli/errors.py
    ├── DexClientError               app/dex/errors.py: the DEX server or our link to it
    │   └── …                        app/client/errors.py, app/safety/errors.py add refusals
    ├── SafetyError                  app/safety/errors.py
    ├── StoreError                   app/store/errors.py
    ├── SwapError                    app/swap/errors.py
    ├── TradingError                 app/trading/errors.py
    ├── UiError                      app/ui/errors.py
    ├── WalletError                  app/wallet/errors.py
    └── …                            app/client/errors.py (settling lock, server keys, matches)

One convention for every class: `str(err)` is `err.user_message`, so an f-string that puts an
error in front of the user never shows internal detail; `detail` says what a log needs (a
node's answer, an HTTP status, expected and actual bytes), never a secret. A few classes keep
a builtin second base (ValueError) because callers catch them as such.

Third-party errors (sqlite3, websockets, OSError, json, ssl) are mapped at the module that
calls the library, with ``raise … from exc``. The DEX protocol package (dexproto) keeps its own
roots (it is shared with the server); app/dex maps them where they leave it. The two edges
that meet the trader are the CLI's `run_cli` (app/cli/__init__.py) and the GUI's `run_op`
(app/ui/client_bridge.py); both show `user_message(exc)` and log `log_text(exc)`.
docs/errors.md draws the whole forest.
"""

from __future__ import annotations


class CambioError(Exception):
    """Root of the app's errors. str() is `user_message`; `detail` is for logs only."""

    def __init__(self, user_message: str, detail: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail

    def __str__(self) -> str:
        return self.user_message


class ConfigError(CambioError, ValueError):
    """config.json is unreadable or malformed (a ValueError too: older callers catch that)."""


class WizardError(CambioError):
    """A wizard method was called in the wrong step: a bug in the view, never user input."""


def user_message(exc: BaseException) -> str:
    """What the trader is shown for `exc`: a CambioError's `user_message`; any other error
    (a library's, mapped nowhere) its own text, or its type when it has none."""
    if isinstance(exc, CambioError):
        return exc.user_message
    return str(exc) or type(exc).__name__


def log_text(exc: BaseException) -> str:
    """One line for a log or an error's detail pane: the user message, then the detail."""
    detail = exc.detail if isinstance(exc, CambioError) else ""
    return user_message(exc) + (f" [{detail}]" if detail else "")
