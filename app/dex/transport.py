"""The link's view of a connection: send a frame, read frames, close. Nothing protocol-aware.

`WebSocketTransport` wraps a websockets client connection (what `Link` uses by default, see
app/dex/connection.py, which opens it and checks the pinned certificate); `memory_pair()` is
two connected in-memory ends, so the client's post-connect sequence can be tested without
sockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from app.dex.errors import TransportClosed


class Transport(Protocol):
    async def send(self, frame: str) -> None:
        """Send one frame; TransportClosed when the connection is gone."""

    def frames(self) -> AsyncIterator[str | bytes]:
        """The frames received, until the connection closes."""

    async def close(self) -> None:
        """Close; idempotent. A `frames()` loop on either end ends."""

    @property
    def close_reason(self) -> str:
        """Why the connection closed, for logs and the Disconnected event."""


class WebSocketTransport:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, frame: str) -> None:
        try:
            await self.ws.send(frame)
        except ConnectionClosed as exc:
            raise TransportClosed(str(exc)) from exc

    async def frames(self) -> AsyncIterator[str | bytes]:
        try:
            async for frame in self.ws:
                yield frame
        except ConnectionClosed:
            return

    async def close(self) -> None:
        await self.ws.close()

    @property
    def close_reason(self) -> str:
        return f"code {self.ws.close_code}, {self.ws.close_reason or 'no reason'}"


_CLOSED = object()


class MemoryTransport:
    """One end of an in-memory pair: frames sent here arrive at the peer, in order."""

    def __init__(self) -> None:
        self._inbox: asyncio.Queue[object] = asyncio.Queue()
        self.peer: MemoryTransport | None = None
        self.closed = False
        self._reason = ""

    async def send(self, frame: str) -> None:
        if self.closed or self.peer is None or self.peer.closed:
            raise TransportClosed("in-memory transport closed")
        self.peer._inbox.put_nowait(frame)

    async def frames(self) -> AsyncIterator[str | bytes]:
        while True:
            item = await self._inbox.get()
            if item is _CLOSED:
                return
            assert isinstance(item, str | bytes)
            yield item

    def _shut(self, reason: str) -> None:
        if not self.closed:
            self.closed, self._reason = True, reason
            self._inbox.put_nowait(_CLOSED)

    async def close(self) -> None:
        self._shut("closed here")
        if self.peer is not None:
            self.peer._shut("closed by the peer")

    @property
    def close_reason(self) -> str:
        return self._reason or "open"


def memory_pair() -> tuple[MemoryTransport, MemoryTransport]:
    """Two connected ends (client, server)."""
    a, b = MemoryTransport(), MemoryTransport()
    a.peer, b.peer = b, a
    return a, b
