"""JSON-RPC 1.0 over HTTP (aiohttp) as Bitcoin Core and Litecoin Core speak it.

The transport maps every failure to the wallet's typed errors at this edge:
connection refused, dropped or timed out -> NodeUnreachableError naming the URL;
HTTP 401/403 -> NodeAuthError (after one more try when a cookie file changed: the node
restarted); anything that is not a well-formed JSON-RPC reply ->
NodeResponseError; an RPC error object -> NodeResponseError with the node's code and message.
A reply larger than `max_reply_bytes` (default 64 MiB; a verbose block of a full mainnet block
is tens of MB) is refused with a NodeResponseError as soon as it is seen to be too large: a
broken or hostile node must not make us buffer whatever it sends.
Numbers with a fraction are parsed as Decimal so amounts convert to atoms exactly.
Also here: small validators for the shapes of node answers.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.wallet.backends.base import NodeAuthError
from app.wallet.backends.rpcauth import PasswordAuth, RpcAuth
from app.wallet.errors import NodeResponseError, NodeUnreachableError
from dexproto.assets import coins_to_atoms as exact_atoms

if TYPE_CHECKING:
    # aiohttp costs ~100 ms to import: it is imported at the first request, after the app's
    # window is up (app/ui/launch.py warms it up in the background), not when a wallet opens.
    import aiohttp

_HEX64 = re.compile(r"[0-9a-f]{64}")
KEEPALIVE_SECONDS = 0.5
MAX_REPLY_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class RpcFailure:
    """One failed call inside a batch: the node's error code and message."""

    code: int | None
    message: str


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


class JsonRpcClient:
    """One aiohttp session to one node; requests carry Basic auth (from `auth` when given,
    else `user`/`password`) and a total timeout."""

    def __init__(
        self,
        url: str,
        user: str = "",
        password: str = "",
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        max_reply_bytes: int = MAX_REPLY_BYTES,
        auth: RpcAuth | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.max_reply_bytes = max_reply_bytes
        self.connect_timeout = connect_timeout
        self.auth = auth if auth is not None else PasswordAuth(user, password)
        self._headers = {"Content-Type": "application/json"}
        self._session: aiohttp.ClientSession | None = None
        self._ids = itertools.count(1)

    def _get_session(self) -> aiohttp.ClientSession:
        import aiohttp

        # Created lazily: an aiohttp session must be made inside the running event loop.
        if self._session is None or self._session.closed:
            # Core's shutdown waits for idle keep-alive connections to close, so do not hold
            # one for aiohttp's default 15 s: the user's node would take that long to stop.
            connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
            self._session = aiohttp.ClientSession(headers=self._headers, connector=connector)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def _post(self, payload: Any, timeout: float | None) -> Any:
        import aiohttp

        limits = aiohttp.ClientTimeout(
            total=timeout or self.timeout, sock_connect=self.connect_timeout
        )
        retried = False
        while True:
            sent = self.auth.header()
            try:
                async with self._get_session().post(
                    self.url,
                    data=json.dumps(payload),
                    timeout=limits,
                    headers={"Authorization": sent},
                ) as response:
                    status = response.status
                    body = await self._read_bounded(response)
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                self.auth.forget()  # a restarted node has a new cookie
                raise NodeUnreachableError(self.url, f"{type(exc).__name__}: {exc}") from exc
            if status == 401 and not retried and self.auth.reload(sent):
                retried = True  # the cookie changed under us: the node restarted
                continue
            if status in (401, 403):
                raise NodeAuthError(self.url, status, self.auth.hint)
            break
        try:
            return json.loads(
                body.decode("utf-8"), parse_float=Decimal, parse_constant=_reject_constant
            )
        except (UnicodeDecodeError, ValueError) as exc:
            # Core answers RPC errors with HTTP 500/404 *and* a JSON body; anything else
            # (a proxy page, "Work queue depth exceeded") is not an RPC answer.
            snippet = body[:200].decode("utf-8", "replace")
            raise NodeResponseError(
                f"the node at {self.url} sent a reply that is not JSON (HTTP {status})",
                detail=snippet,
            ) from exc

    async def _read_bounded(self, response: aiohttp.ClientResponse) -> bytes:
        """The body, refused once it exceeds the limit: by its announced length before any
        of it is read, else while reading."""
        limit = self.max_reply_bytes
        announced = response.content_length
        if announced is not None and announced > limit:
            raise self._too_large(f"announced {announced} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise self._too_large(f"more than {size - len(chunk)} bytes read")
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, detail: str) -> NodeResponseError:
        return NodeResponseError(
            f"the node at {self.url} sent a reply larger than {self.max_reply_bytes} bytes",
            detail=detail,
        )

    def _request(self, method: str, params: Sequence[Any]) -> dict[str, Any]:
        return {"jsonrpc": "1.0", "id": next(self._ids), "method": method, "params": list(params)}

    async def call(
        self, method: str, params: Sequence[Any] = (), timeout: float | None = None
    ) -> Any:
        request = self._request(method, params)
        reply = await self._post(request, timeout)
        result = _unpack(reply, request["id"], method)
        if isinstance(result, RpcFailure):
            raise NodeResponseError(
                result.message, code=result.code, detail=f"{method}: {result.message}"
            )
        return result

    async def batch(
        self, calls: Sequence[tuple[str, Sequence[Any]]], timeout: float | None = None
    ) -> list[Any]:
        """Results in call order; a failed call is an RpcFailure in its slot."""
        if not calls:
            return []
        requests = [self._request(method, params) for method, params in calls]
        reply = await self._post(requests, timeout)
        if not isinstance(reply, list) or len(reply) != len(requests):
            raise NodeResponseError("the node's batch reply has the wrong shape")
        by_id = {item.get("id"): item for item in reply if isinstance(item, dict)}
        results = []
        for request in requests:
            if request["id"] not in by_id:
                raise NodeResponseError("the node's batch reply misses an answer")
            results.append(_unpack(by_id[request["id"]], request["id"], request["method"]))
        return results


def _unpack(reply: Any, request_id: int, method: str) -> Any:
    if not isinstance(reply, dict) or "result" not in reply or "error" not in reply:
        raise NodeResponseError(f"malformed JSON-RPC reply to {method}", detail=repr(reply)[:200])
    if reply.get("id") != request_id:
        raise NodeResponseError(f"JSON-RPC reply to {method} has the wrong id")
    error = reply["error"]
    if error is None:
        return reply["result"]
    if not isinstance(error, dict):
        raise NodeResponseError(f"malformed error in the reply to {method}")
    code = error.get("code")
    message = error.get("message")
    return RpcFailure(
        code if isinstance(code, int) and not isinstance(code, bool) else None,
        message if isinstance(message, str) else repr(error)[:200],
    )


# -- validators for node answers: every failure is a NodeResponseError naming the field ---


def bad(what: str, value: Any) -> NodeResponseError:
    return NodeResponseError(
        f"unexpected value for {what} in the node's reply", detail=repr(value)[:200]
    )


def as_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad(what, value)
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise bad(what, value)
    return value


def get(obj: dict[str, Any], key: str, what: str) -> Any:
    if key not in obj:
        raise NodeResponseError(f"the node's reply lacks {what}.{key}")
    return obj[key]


def as_int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad(what, value)
    return value


def as_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise bad(what, value)
    return value


def as_hash(value: Any, what: str) -> str:
    """A txid or block hash: 64 lower-case hex digits."""
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise bad(what, value)
    return value


def as_bytes(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise bad(what, value)
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise bad(what, value) from None


def coins_to_atoms(value: Any, what: str) -> int:
    """A node amount (Decimal coins) as exact integer atoms (dexproto's rule), a malformed
    one a NodeResponseError naming `what`."""
    try:
        return exact_atoms(value)
    except ValueError:
        raise bad(what, value) from None
