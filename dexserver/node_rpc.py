"""The server's JSON-RPC 1.0 client for its chains' nodes (Bitcoin Core, Litecoin Core).

The server's own, so it never imports the client (tests/unit/test_package_boundaries.py):
a server that a client refactor can change is not a reference server. It needs little: one
call at a time with Basic auth and a total timeout, numbers with a fraction parsed as
Decimal (amounts convert to atoms exactly), a bounded reply, and a short keep-alive (a node's
shutdown waits for idle connections to close). Every failure is a NodeRpcError: `code` is the
node's RPC error code, None when there was no RPC answer at all.
"""

from __future__ import annotations

import base64
import itertools
import json
from decimal import Decimal
from typing import Any

import aiohttp

KEEPALIVE_SECONDS = 0.5
MAX_REPLY_BYTES = 16 * 1024 * 1024  # what the server asks (an output, a tx) is small


class NodeRpcError(Exception):
    """The node could not be asked, or answered with an error (`code`)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


def _no_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


class NodeRpc:
    def __init__(self, url: str, user: str, password: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        login = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {login}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=5.0)
        self._session: aiohttp.ClientSession | None = None
        self._ids = itertools.count(1)

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:  # made inside the running loop
            connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
            self._session = aiohttp.ClientSession(connector=connector, headers=self._headers)
        return self._session

    async def call(self, method: str, *params: Any) -> Any:
        request_id = next(self._ids)
        payload = {"jsonrpc": "1.0", "id": request_id, "method": method, "params": list(params)}
        try:
            async with self._open().post(self.url, json=payload, timeout=self._timeout) as response:
                status = response.status
                body = await response.content.read(MAX_REPLY_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise NodeRpcError(f"node {self.url} unreachable: {type(exc).__name__}") from exc
        if len(body) > MAX_REPLY_BYTES:
            raise NodeRpcError(f"{method}: reply over {MAX_REPLY_BYTES} bytes")
        try:  # Core sends RPC errors with HTTP 500/404 and a JSON body
            reply = json.loads(body, parse_float=Decimal, parse_constant=_no_constant)
        except ValueError as exc:
            raise NodeRpcError(f"{method}: not a JSON reply (HTTP {status})") from exc
        if not isinstance(reply, dict) or reply.get("id") != request_id:
            raise NodeRpcError(f"{method}: malformed JSON-RPC reply (HTTP {status})")
        error = reply.get("error")
        if error is not None:
            code = error.get("code") if isinstance(error, dict) else None
            message = error.get("message") if isinstance(error, dict) else error
            raise NodeRpcError(
                f"{method}: {str(message)[:200]}", code if isinstance(code, int) else None
            )
        return reply.get("result")

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
