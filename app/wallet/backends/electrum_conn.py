"""One connection to an Electrum server: newline-delimited JSON-RPC over TCP or TLS.

TLS: a certificate that a public CA vouches for is checked the usual way; a self-signed one
(common among Electrum servers) is pinned on first use, by the SHA-256 of its DER form, in a
small JSON file, and any later different certificate for that server is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from app.wallet.backends.cert_pins import (
    CertChange,
    CertificateChanged,
    CertPins,
    PinFileBroken,
    PinRefused,
)
from app.wallet.errors import NodeResponseError, NodeUnreachableError

LINE_LIMIT = 64 * 1024 * 1024  # a batch of histories can be large
FILLER: tuple[str, tuple[int, int]] = ("blockchain.block.headers", (0, 8))


@dataclass(frozen=True)
class ServerAddress:
    host: str
    port: int
    tls: bool

    @property
    def key(self) -> str:
        return f"{self.host}:{self.port}"


def parse_server(url: str) -> ServerAddress:
    """`tcp://host:port` or `ssl://host:port` (also `tls://`)."""
    parts = urlsplit(url)
    if parts.scheme not in ("tcp", "ssl", "tls") or not parts.hostname or not parts.port:
        raise ValueError(f"not an Electrum server address (tcp:// or ssl://host:port): {url}")
    return ServerAddress(parts.hostname, parts.port, parts.scheme != "tcp")


@dataclass(frozen=True)
class RpcError:
    """One failed request of a batch: the server's error object."""

    code: int | None
    message: str


NotifyFn = Callable[[str, list[Any]], None]


class ElectrumConnection:
    def __init__(
        self,
        url: str,
        *,
        timeout: float,
        connect_timeout: float,
        pins: CertPins,
        on_notify: NotifyFn,
    ) -> None:
        self.url = url
        self.address = parse_server(url)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._pins = pins
        self._on_notify = on_notify
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 0
        self.closed = False
        self.cert_change: CertChange | None = None  # why connect() refused, for the user

    def _unreachable(self, detail: str) -> NodeUnreachableError:
        return NodeUnreachableError(self.url, detail)

    async def _open(self, context: ssl.SSLContext | None) -> None:
        addr = self.address
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(
                addr.host,
                addr.port,
                ssl=context,
                limit=LINE_LIMIT,
                server_hostname=addr.host if context else None,
            ),
            self.connect_timeout,
        )

    async def connect(self) -> None:
        try:
            if not self.address.tls:
                await self._open(None)
            else:
                await self._connect_tls()
        except PinRefused as exc:
            if isinstance(exc, CertificateChanged):
                self.cert_change = exc.change
            raise self._unreachable(str(exc)) from exc
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            raise self._unreachable(repr(exc)) from exc
        self._task = asyncio.ensure_future(self._read_loop())

    async def _connect_tls(self) -> None:
        key = self.address.key
        if self._pins.broken is not None:
            raise PinFileBroken(self._pins.broken)
        if self._pins.get(key) is None:
            try:
                await self._open(ssl.create_default_context())
                return  # a CA-signed certificate: nothing to pin
            except ssl.SSLCertVerificationError:
                pass
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # checked below against the pin instead
        await self._open(context)
        assert self._writer is not None
        sslobj = self._writer.get_extra_info("ssl_object")
        der = sslobj.getpeercert(binary_form=True) if sslobj is not None else None
        if not der:
            raise ssl.SSLError("the server sent no certificate")
        fingerprint = hashlib.sha256(der).hexdigest()
        pinned = self._pins.get(key)
        if pinned is None:
            self._pins.pin(key, fingerprint)
        elif pinned != fingerprint:
            self._writer.close()
            raise CertificateChanged(CertChange(key, pinned, fingerprint))

    async def _read_loop(self) -> None:
        assert self._reader is not None
        try:
            while True:
                line = await self._reader.readline()
                if not line:
                    break
                message = json.loads(line, parse_float=Decimal)
                for item in message if isinstance(message, list) else [message]:
                    self._dispatch(item)
        except (OSError, ValueError, asyncio.LimitOverrunError):
            pass
        finally:
            self._fail_all("the server closed the connection")

    def _dispatch(self, item: Any) -> None:
        if not isinstance(item, dict):
            return
        if "method" in item and item.get("id") is None:
            params = item.get("params")
            self._on_notify(str(item["method"]), params if isinstance(params, list) else [])
            return
        future = self._pending.pop(item.get("id"), None)  # type: ignore[arg-type]
        if future is not None and not future.done():
            future.set_result(item)

    def _fail_all(self, detail: str) -> None:
        self.closed = True
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(self._unreachable(detail))

    async def _send(self, payload: Any, ids: list[int]) -> list[Any]:
        if self.closed or self._writer is None:
            raise self._unreachable("not connected")
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in ids]
        for request_id, future in zip(ids, futures, strict=True):
            self._pending[request_id] = future
        try:
            self._writer.write(json.dumps(payload).encode() + b"\n")
            await self._writer.drain()
            return list(await asyncio.wait_for(asyncio.gather(*futures), self.timeout))
        except (OSError, TimeoutError) as exc:
            await self.close()
            raise self._unreachable(
                f"no answer within {self.timeout}s" if isinstance(exc, TimeoutError) else repr(exc)
            ) from exc
        finally:
            for request_id in ids:
                self._pending.pop(request_id, None)

    def _ids(self, n: int) -> list[int]:
        start = self._next_id
        self._next_id += n
        return list(range(start, start + n))

    async def request(self, method: str, *params: Any) -> Any:
        if method == "server.version":  # must come alone, before anything else
            [request_id] = self._ids(1)
            [reply] = await self._send(
                {"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)},
                [request_id],
            )
            result = _result(reply)
        else:
            [result] = await self.batch([(method, params)])
        if isinstance(result, RpcError):
            raise NodeResponseError(
                result.message, code=result.code, detail=f"{method}: {result.message}"
            )
        return result

    async def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Each call's result, or an RpcError in its place.

        e-x 2 pads its answers against traffic analysis and holds one under 1 KB for up to
        a second while more data gathers; a cheap filler request (8 headers, 1.3 KB) rides
        along in every batch so the answer leaves at once."""
        if not calls:
            return []
        ids = self._ids(len(calls) + 1)
        payload = [
            {"jsonrpc": "2.0", "id": i, "method": m, "params": list(p)}
            for i, (m, p) in zip(ids, [*calls, FILLER], strict=True)
        ]
        replies = await self._send(payload, ids)
        return [_result(reply) for reply in replies[:-1]]

    async def close(self) -> None:
        self.closed = True
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        self._fail_all("closed")


def _result(reply: Any) -> Any:
    if not isinstance(reply, dict):
        raise NodeResponseError("a malformed answer from the Electrum server")
    error = reply.get("error")
    if error:
        if isinstance(error, dict):
            code = error.get("code")
            return RpcError(code if isinstance(code, int) else None, str(error.get("message")))
        return RpcError(None, str(error))
    return reply.get("result")
