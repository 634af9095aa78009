"""WebSocket JSON-RPC server (spec §2): one Connection per client, requests both ways. What a
frame means is decided by the connection's ServerSession (dexserver/session.py, no I/O); the
Connection is the asyncio shell around it.

Limits that keep one hostile client from hurting the others:
- frames over 1 MiB close the connection (websockets `max_size`, close code 1009);
- a token bucket per connection (`rate_limit`/s, burst `rate_burst`) answers frames over the
  limit with error 16; a client that keeps flooding is closed (1008);
- ping every 20 s, a peer that does not answer within 40 s more is dropped (60 s silent);
- outgoing frames go through a bounded queue drained by a writer task, so a client that does
  not read never blocks a broadcast; when its queue fills it is dropped;
- every handler error becomes an error frame (-32603 for the unexpected); nothing a client
  sends can end the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol, assert_never

from websockets.exceptions import ConnectionClosed

from dexproto import jsonrpc
from dexproto._wire import Json
from dexproto.errors import DexError, ErrorCode, ProtocolError
from dexproto.messages import PARAMS
from dexserver.chain import ChainError
from dexserver.session import Answer, Call, Close, Ignore, Resolve, ServerSession

log = logging.getLogger("cambio.dexserver.rpc")
SEND_QUEUE = 4096  # frames waiting for a slow reader before we give up on it

Handler = Callable[["Connection", object], Awaitable[Json]]


class Transport(Protocol):
    async def send(self, message: str) -> None: ...

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


class Connection:
    """One client. `handle(frame)` processes an incoming frame; outgoing frames are queued."""

    def __init__(
        self,
        transport: Transport,
        handlers: dict[str, Handler],
        rate: float,
        burst: int,
        on_close: Callable[[Connection], None] = lambda c: None,
    ) -> None:
        self.transport = transport
        self.handlers = handlers
        self.session = ServerSession(rate, burst, time.monotonic())
        self.on_close = on_close
        self.closed = False
        self.queue: asyncio.Queue[str] = asyncio.Queue(SEND_QUEUE)
        self._next_id = 1
        self._waiting: dict[int, asyncio.Future[jsonrpc.Response]] = {}

    @property
    def account(self) -> bytes | None:
        """The account this client authenticated as (connect), or None."""
        return self.session.account

    @account.setter
    def account(self, account: bytes | None) -> None:
        self.session.account = account

    # -- outgoing -------------------------------------------------------------------------
    def send(self, frame: str) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            log.info("dropping a client that does not read its frames")
            self.close_soon(1008, "send queue full")

    def notify(self, method: str, params: Json) -> None:
        self.send(jsonrpc.notification_frame(method, params))

    async def request(self, method: str, params: Json, timeout: float = 30.0) -> Json:
        """Send a request and wait for its answer; RemoteError if the client refused it."""
        if self.closed:
            raise ConnectionError("connection closed")
        request_id = self._next_id
        self._next_id += 1
        future: asyncio.Future[jsonrpc.Response] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        try:
            self.send(jsonrpc.request_frame(method, params, request_id))
            response = await asyncio.wait_for(future, timeout)
        finally:
            self._waiting.pop(request_id, None)
        return response.unwrap()

    async def writer(self) -> None:
        while True:
            frame = await self.queue.get()
            await self.transport.send(frame)

    def close_soon(self, code: int, reason: str) -> None:
        if not self.closed:
            self.closed = True
            asyncio.get_running_loop().create_task(self.transport.close(code, reason))

    def finish(self) -> None:
        self.closed = True
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(ConnectionError("connection closed"))
        self._waiting.clear()
        self.on_close(self)

    # -- incoming -------------------------------------------------------------------------
    async def handle(self, frame: str | bytes) -> None:
        match self.session.receive(frame, time.monotonic()):
            case Answer(frame=answer):
                self.send(answer)
            case Call(request=request):
                self.send(await self._call(request))
            case Resolve(response=response):
                future = self._waiting.get(response.id) if response.id is not None else None
                if future is not None and not future.done():
                    future.set_result(response)
            case Close(code=code, reason=reason):
                self.close_soon(code, reason)
            case Ignore():
                pass
            case unexpected:
                assert_never(unexpected)

    async def _call(self, req: jsonrpc.Request) -> str:
        handler = self.handlers.get(req.method)
        try:
            if handler is None:
                raise ProtocolError(
                    ErrorCode.METHOD_NOT_FOUND, f"unknown method {req.method[:40]!r}"
                )
            parse = PARAMS.get(req.method)
            params = parse(req.params) if parse else req.params
            result = await handler(self, params)
            return jsonrpc.response_frame(req.id, result)
        except ProtocolError as exc:
            return jsonrpc.error_frame(req.id, exc.code, exc.message)
        except ChainError as exc:
            log.warning("%s: chain backend error: %s", req.method, exc)
            return jsonrpc.error_frame(req.id, ErrorCode.INTERNAL_ERROR, "chain unavailable")
        except (DexError, ValueError) as exc:  # e.g. a result too large for one frame
            log.warning("%s failed: %s", req.method, exc)
            return jsonrpc.error_frame(req.id, ErrorCode.INTERNAL_ERROR, "internal error")
        except Exception:
            log.exception("%s: unexpected error", req.method)
            return jsonrpc.error_frame(req.id, ErrorCode.INTERNAL_ERROR, "internal error")


async def serve_connection(conn: Connection, incoming: AsyncIterator[str | bytes]) -> None:
    """Run one connection: the reader loop here, the writer as a task."""
    writer = asyncio.get_running_loop().create_task(conn.writer())
    try:
        async for frame in incoming:
            await conn.handle(frame)
            if conn.closed:
                break
    except ConnectionClosed:
        pass
    finally:
        conn.finish()
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionClosed, OSError):
            await writer
