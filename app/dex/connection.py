"""The connection to a DEX server (spec §2): URL policy, TLS and pinning, frame limits, and
`Link`, the asyncio shell around app/dex/session.py (architecture rule 4): it owns the socket,
the request timers and the reconnect loop; every protocol decision is the session's.

`ws://` is refused unless the host is loopback (simnet, tests). `wss://` uses the system's
certificate verification by default; `cafile` pins a certificate (or private CA) file instead
of the system store, and `fingerprint` pins the SHA-256 of the server's certificate itself
(for a self-signed operator certificate: chain and host name are then not checked, the exact
certificate is). Third-party errors are mapped to ConnectionFailed here, at the edge, and
dexproto's errors to app/dex/errors.py's tree in `Link._request`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import random
import ssl
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from app.dex.backoff import Backoff, Uniform
from app.dex.errors import (
    BadServerAnswer,
    CertificateMismatch,
    ConnectionFailed,
    DexClientError,
    NoServerConfigured,
    NotConnected,
    RequestTimeout,
    TransportClosed,
    from_dexproto,
)
from app.dex.events import Connected, Disconnected, Event
from app.dex.session import Call, Inbound, Session
from app.dex.transport import Transport, WebSocketTransport
from dexproto.errors import DexError, ErrorCode, RemoteError
from dexproto.jsonrpc import MAX_FRAME, error_frame

log = logging.getLogger(__name__)
T = TypeVar("T")
EventCallback = Callable[[Event], None]
# Awaited before a server request is answered; for a `match` request it returns the refused
# notes (match ID -> reason), answered with an error instead of our signature.
ServerRequestHook = Callable[[Event], Awaitable[Mapping[bytes, str] | None]]

# Server frames may exceed our 1 MiB send limit: an `orderbook` snapshot of a deep book
# takes about 170 bytes per order (docs/protocol.md), so accept up to 16 MiB by default.
DEFAULT_MAX_SIZE = 16 * MAX_FRAME


@dataclass(frozen=True)
class ConnectionOptions:
    url: str
    max_size: int = DEFAULT_MAX_SIZE  # incoming frames; ours are limited to 1 MiB by jsonrpc
    open_timeout: float = 10.0
    ping_interval: float = 20.0  # §2: ping every 20 s ...
    ping_timeout: float = 40.0  # ... and drop a peer silent for 60 s
    cafile: str | None = None
    fingerprint: str | None = None  # SHA-256 of the DER certificate, hex (':' allowed)

    def __post_init__(self) -> None:
        if not self.url and not (self.cafile or self.fingerprint):
            return  # no server configured: the link never connects (Link.configured)
        check_url(self.url)
        if self.fingerprint is not None:
            _fingerprint_bytes(self.fingerprint)
        if (self.cafile or self.fingerprint) and not self.url.startswith("wss://"):
            raise ValueError("a pinned certificate needs a wss:// URL")


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"not a ws:// or wss:// URL: {url!r}")
    if parts.scheme == "ws" and not is_loopback(parts.hostname):
        raise ValueError("plain ws:// is only allowed to a loopback address; use wss://")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _fingerprint_bytes(text: str) -> bytes:
    raw = text.replace(":", "").strip().lower()
    try:
        value = bytes.fromhex(raw)
    except ValueError:
        raise ValueError("certificate fingerprint must be hex") from None
    if len(value) != 32:
        raise ValueError("certificate fingerprint must be a SHA-256 (32 bytes)")
    return value


def tls_context(options: ConnectionOptions) -> ssl.SSLContext | None:
    if not options.url.startswith("wss://"):
        return None
    if options.fingerprint is not None:
        # The certificate is checked by its hash after the handshake instead of by chain.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx = ssl.create_default_context(cafile=options.cafile)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def peer_fingerprint(ws: ClientConnection) -> bytes | None:
    ssl_object = ws.transport.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return hashlib.sha256(der).digest() if der else None


async def open_connection(options: ConnectionOptions) -> ClientConnection:
    """Connect, check the pinned certificate, or raise ConnectionFailed."""
    try:
        ws = await connect(
            options.url,
            ssl=tls_context(options),
            proxy=None,  # never route a loopback or pinned connection through $https_proxy
            open_timeout=options.open_timeout,
            ping_interval=options.ping_interval,
            ping_timeout=options.ping_timeout,
            close_timeout=5,
            max_size=options.max_size,
            compression=None,  # frames are small; avoids decompression bombs
        )
    except (OSError, TimeoutError, WebSocketException, ssl.SSLError) as exc:
        raise ConnectionFailed(f"cannot connect to {options.url}: {exc}") from exc
    if options.fingerprint is not None:
        want = _fingerprint_bytes(options.fingerprint)
        got = peer_fingerprint(ws)
        if got is None or not hmac.compare_digest(got, want):
            await ws.close()
            raise CertificateMismatch(f"certificate of {options.url} does not match the pin")
    return ws


async def open_websocket(options: ConnectionOptions) -> Transport:
    """The default connector of `Link`: a websockets connection, its certificate checked."""
    return WebSocketTransport(await open_connection(options))


Connector = Callable[[ConnectionOptions], Awaitable[Transport]]


@dataclass(frozen=True)
class ClientOptions:
    request_timeout: float = 30.0
    backoff_base: float = 0.5  # seconds; the first retry waits up to this
    backoff_cap: float = 60.0


class Link:
    """Connect, run the post-connect sequence (`_after_connect`, subclass), read frames
    until the connection drops, wait a backed-off delay, repeat until `close()`.

    `connector` opens the transport (websockets by default; an in-memory pair in tests)."""

    def __init__(
        self,
        connection: ConnectionOptions,
        session: Session,
        *,
        options: ClientOptions | None = None,
        on_event: EventCallback | None = None,
        on_server_request: ServerRequestHook | None = None,
        rng: Uniform = random.random,
        connector: Connector = open_websocket,
    ) -> None:
        self.connection = connection
        self._connector = connector
        self.session = session
        self.options = options or ClientOptions()
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self._on_event = on_event
        self._hook = on_server_request
        self._backoff = Backoff(self.options.backoff_base, self.options.backoff_cap, rng)
        self._ws: Transport | None = None
        self._futures: dict[int, asyncio.Future[object]] = {}
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()

    # --- hooks for the subclass -------------------------------------------------------------
    async def _after_connect(self) -> None:
        """The post-connect sequence; raising DexClientError drops the connection and
        retries."""

    def _connected_event(self) -> Connected | None:
        return None

    def _on_resync(self, marketid: int) -> None:
        """A book mirror needs a new snapshot."""

    # --- life cycle -----------------------------------------------------------------------
    @property
    def configured(self) -> bool:
        """False when there is no server to connect to (an empty URL)."""
        return bool(self.connection.url)

    def start(self) -> None:
        """Start connecting (and reconnecting) in the background; nothing without a server."""
        if self._task is None and self.configured:
            self._task = asyncio.create_task(self._run(), name="dex-link")

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until the post-connect sequence has completed on a live connection."""
        if not self.configured:
            raise NoServerConfigured()
        await asyncio.wait_for(self._ready.wait(), timeout)

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def close(self) -> None:
        self._stop.set()
        ws = self._ws
        if ws is not None:
            await ws.close()
        elif self._task is not None:
            self._task.cancel()  # may be stuck in a connect attempt (open_timeout)
        if self._task is not None:
            with suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    async def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    reason = await self._connect_once()
                except Exception as exc:  # whatever one connection hit, keep reconnecting
                    log.exception("DEX connection failed")
                    reason = f"internal error: {exc!r}"
                    ws, self._ws = self._ws, None
                    if ws is not None:
                        with suppress(Exception):
                            await ws.close()
                self._ready.clear()
                self._fail_pending(reason)
                if self._stop.is_set():
                    break
                delay = self._backoff.next_delay()
                log.info("DEX connection lost (%s); retrying in %.1f s", reason, delay)
                self._emit(Disconnected(reason, delay))
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)
        finally:
            self._ready.clear()
            self._emit(Disconnected("closed", None))

    async def _connect_once(self) -> str:
        try:
            ws = await self._connector(self.connection)
        except ConnectionFailed as exc:
            return exc.detail or str(exc)
        self._ws = ws
        reader = asyncio.create_task(self._read(ws), name="dex-reader")
        try:
            await self._after_connect()
        except (DexClientError, DexError) as exc:  # DexError: a request we could not build
            self._ws = None
            reader.cancel()
            await ws.close()
            with suppress(asyncio.CancelledError):
                await reader
            detail = exc.detail if isinstance(exc, DexClientError) else str(exc)
            return f"setup failed: {detail or exc}"
        self._backoff.reset()  # only a connection that got through setup counts as working
        self._ready.set()
        event = self._connected_event()
        if event is not None:
            self._emit(event)
        reason = await reader
        self._ws = None
        return reason

    # --- frames -----------------------------------------------------------------------------
    async def _read(self, ws: Transport) -> str:
        try:
            async for frame in ws.frames():
                await self._dispatch(ws, self.session.receive(frame))
        finally:
            self._fail_pending("connection closed")
        return f"connection closed ({ws.close_reason})"

    async def _dispatch(self, ws: Transport, inbound: Inbound) -> None:
        if inbound.resolved is not None:
            future = self._futures.pop(inbound.resolved.id, None)
            if future is not None and not future.done():
                if inbound.resolved.error is not None:
                    future.set_exception(inbound.resolved.error)
                else:
                    future.set_result(inbound.resolved.result)
        for event in inbound.events:
            self._emit(event)
        answer = inbound.answer
        if inbound.call is not None:
            self._emit(inbound.call)
            refused: Mapping[bytes, str] | None = None
            try:
                if self._hook is not None:
                    refused = await self._hook(inbound.call)
                if inbound.matches is not None and inbound.request_id is not None:
                    answer = self.session.answer_matches(
                        inbound.request_id, inbound.matches, refused or {}
                    )
            except Exception as exc:  # the app's hook failed; the server still gets an answer
                log.exception("server request handler failed")
                answer = error_frame(
                    inbound.request_id,
                    ErrorCode.INTERNAL_ERROR,
                    f"client could not process it: {exc}",
                )
        if answer is not None:
            with suppress(TransportClosed):
                await ws.send(answer)
        if inbound.resync is not None:
            self._on_resync(inbound.resync)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _emit(self, event: Event) -> None:
        if self._on_event is None:
            self.events.put_nowait(event)
            return
        try:
            self._on_event(event)
        except Exception:  # a broken UI callback must not kill the connection
            log.exception("event callback failed")

    # --- requests ---------------------------------------------------------------------------
    async def _call(self, call: Call) -> object:
        ws = self._ws
        if ws is None:
            raise NotConnected("not connected")
        loop = asyncio.get_running_loop()
        timeout = self.options.request_timeout
        request_id, frame = self.session.request(call, loop.time() + timeout)
        future: asyncio.Future[object] = loop.create_future()
        self._futures[request_id] = future
        timer = loop.call_later(timeout, self._expire)
        try:
            await ws.send(frame)
            return await future
        except TransportClosed as exc:
            raise NotConnected(f"connection lost during {call.method}") from exc
        finally:
            timer.cancel()
            self._futures.pop(request_id, None)
            self.session.pending.pop(request_id)

    async def _request(self, call: Call, kind: type[T]) -> T:
        """`_call` with the result's type checked (the session's check decides the type).
        The edge of the package: dexproto's errors leave it mapped to app/dex/errors.py."""
        try:
            value = await self._call(call)
        except DexError as exc:
            if isinstance(exc, RemoteError):
                log.info("server refused %s: %s", call.method, exc)
            raise from_dexproto(call.method, exc) from exc
        if not isinstance(value, kind):
            raise BadServerAnswer(
                int(ErrorCode.INVALID_PARAMS),
                "a result of the wrong type",
                f"{call.method} returned {type(value).__name__}",
            )
        return value

    async def _ready_call(self, call: Call, kind: type[T]) -> T:
        if not self._ready.is_set():
            raise NotConnected("not connected to the DEX server")
        return await self._request(call, kind)

    def _expire(self) -> None:
        now = asyncio.get_running_loop().time()
        for pending in self.session.pending.expire(now):
            future = self._futures.pop(pending.id, None)
            if future is not None and not future.done():
                future.set_exception(RequestTimeout(pending.method, self.options.request_timeout))

    def _fail_pending(self, reason: str) -> None:
        self.session.pending.clear()
        futures, self._futures = self._futures, {}
        for future in futures.values():
            if not future.done():
                future.set_exception(NotConnected(reason))
