"""Exceptions of the client's DEX layer (the root is app/errors.py: CambioError).

    DexClientError                   the DEX server, or our link to it, failed a request
    ├── ConnectionFailed             cannot open or keep the connection (retried with backoff)
    │   ├── NotConnected             a request needs a connection and there is none now
    │   │   └── NoServerConfigured   the wallet names no DEX server: nothing to connect to
    │   └── CertificateMismatch      the server's certificate is not the pinned one
    ├── TransportClosed              the connection is gone; what was sent may or may not
    │                                have arrived (transport.py; the link turns it into
    │                                NotConnected for a request)
    ├── RequestTimeout               no answer within the request timeout (.method)
    ├── ServerRejected               the server answered our request with an error (.code,
    │                                .message: the server's own text, .meaning: ours)
    ├── BadServerAnswer              the server's answer broke the protocol: malformed, a bad
    │                                signature, another API version, a key we do not trust
    │                                (.code, the §2 code)
    └── DexNotReady                  asked too early: no account key, no server
                                     configuration yet, or no such market on this server
    Refusals of the client built on it: app/client/errors.py, app/safety/errors.py.

The protocol core of this package (session.py, requests.py, orderbook.py) works with
dexproto's own tree (dexproto/errors.py: DexError, ProtocolError with its §2 code,
RemoteError, ResyncRequired): those are what it answers the server with and reports as
events. They are mapped to this tree where they leave the package, by `from_dexproto`
below (called in `Link._request`, app/dex/connection.py, with ``raise … from exc``). One
class of the core is a dexproto ProtocolError on purpose and not in this tree:
ServerKeyChanged (session.py), raised inside the session's result check of `assets`; the
session reports it as a ServerKeyRefused event and callers get it as BadServerAnswer.
websockets and OSError are mapped in connection.py and
transport.py.
"""

from __future__ import annotations

from app.errors import CambioError
from dexproto.errors import DexError, ProtocolError, RemoteError, describe_code


class DexClientError(CambioError):
    """Base of the client's DEX layer."""


class ConnectionFailed(DexClientError):
    """Could not open (or keep) the connection; the client retries with backoff."""

    def __init__(
        self, detail: str = "", user_message: str = "Cannot reach the DEX server."
    ) -> None:
        super().__init__(user_message, detail)


class NotConnected(ConnectionFailed):
    """A request needs a connection and there is none right now."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail, "Not connected to the DEX server.")


class NoServerConfigured(NotConnected):
    """The wallet names no DEX server (a `wallet create` without one): nothing to connect to
    until the user sets one."""

    def __init__(self) -> None:
        ConnectionFailed.__init__(self, "", "No DEX server configured.")


class CertificateMismatch(ConnectionFailed):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, "The DEX server's certificate does not match the pinned one.")


class TransportClosed(DexClientError):
    """The connection is gone; what was sent may or may not have arrived."""

    def __init__(self, detail: str) -> None:
        super().__init__("The connection to the DEX server closed.", detail)


class RequestTimeout(DexClientError):
    def __init__(self, method: str, seconds: float) -> None:
        super().__init__(
            "The DEX server did not answer in time.", f"no answer to {method} within {seconds:g} s"
        )
        self.method = method


class ServerRejected(DexClientError):
    """The server answered a request with an error object (dexproto's RemoteError). `code` is
    a plain int: a newer server may use codes this client does not know; `message` is the
    server's own text (for logs and for the rules that read it), `meaning` ours."""

    def __init__(self, code: int, message: str, data: object = None) -> None:
        self.code = code
        self.message = message
        self.data = data
        self.meaning = describe_code(code)
        super().__init__(
            f"The DEX server refused: {self.meaning}.", f"server error [{code}] {message}"
        )


class BadServerAnswer(DexClientError):
    """The server's answer to a request broke the protocol (dexproto's ProtocolError)."""

    def __init__(self, code: int, reason: str, detail: str) -> None:
        self.code = code
        super().__init__(f"Refused the DEX server's answer: {reason}.", detail)


class DexNotReady(DexClientError):
    """A call made before what it needs exists: the account key, the server's configuration,
    or the market (on this server)."""


def from_dexproto(method: str, exc: DexError) -> DexClientError:
    """The error a caller of `method` gets for dexproto's `exc` (see the module docstring)."""
    if isinstance(exc, RemoteError):
        return ServerRejected(exc.code, exc.message, exc.data)
    if isinstance(exc, ProtocolError):  # a malformed or badly signed result, a key we refused
        return BadServerAnswer(int(exc.code), exc.user_message, f"{method}: {exc}")
    # the request itself could not be built (too large)
    return DexClientError("The request could not be sent to the DEX server.", f"{method}: {exc}")
