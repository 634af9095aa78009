"""The client's post-connect sequence over the in-memory transport pair: no sockets.

The peer answers with the scripted server's handlers (tests/fakes/dex_server.py, real
signatures); the connector hands the link a fresh pair on every (re)connect.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.dex.client import DexClient
from app.dex.connection import ClientOptions, ConnectionOptions
from app.dex.errors import TransportClosed
from app.dex.events import Connected, Disconnected, MatchStatuses
from app.dex.outbox import MemoryOutbox
from app.dex.transport import MemoryTransport, Transport, memory_pair
from dexproto import codec
from dexproto.crypto import xonly_from_secret
from dexproto.errors import RemoteError
from tests.fakes.dex_server import FakeServer

ACCOUNT = bytes([7]) * 32
ORDER_ID, MATCH_ID = bytes([0xA1]) * 32, bytes([0xB2]) * 32


class MemoryServer:
    """Serves FakeServer's handlers on the server end of each in-memory pair."""

    def __init__(self) -> None:
        self.script = FakeServer()
        self.ends: list[MemoryTransport] = []
        self.received: list[tuple[int, str, Any]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.gate = asyncio.Event()  # a (re)connect waits for it: the test decides when
        self.gate.set()

    async def connect(self, options: ConnectionOptions) -> Transport:
        await self.gate.wait()
        client_end, server_end = memory_pair()
        self.ends.append(server_end)
        task = asyncio.create_task(self._serve(len(self.ends), server_end))
        self._tasks.add(task)
        return client_end

    def methods(self, connection: int) -> list[str]:
        return [m for c, m, _ in self.received if c == connection]

    async def _serve(self, number: int, end: MemoryTransport) -> None:
        async for raw in end.frames():
            msg = json.loads(raw)
            if "method" not in msg:
                continue
            self.received.append((number, msg["method"], msg.get("params")))
            out: dict[str, Any] = {"jsonrpc": "2.0", "id": msg["id"]}
            try:
                out.update(
                    result=self.script.handlers[msg["method"]](msg.get("params")), error=None
                )
            except RemoteError as exc:
                out.update(result=None, error={"code": exc.code, "message": exc.message})
            try:
                await end.send(json.dumps(out))
            except TransportClosed:
                return

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


@pytest.fixture
async def memory_server() -> AsyncIterator[MemoryServer]:
    server = MemoryServer()
    yield server
    await server.stop()


async def next_event(client: DexClient, kind: type[Any], timeout: float = 5) -> Any:
    async with asyncio.timeout(timeout):
        while True:
            event = await client.events.get()
            if isinstance(event, kind):
                return event


def client_for(server: MemoryServer, **kw: Any) -> DexClient:
    # The URL is never dialled: the connector hands out in-memory pairs.
    return DexClient(
        ConnectionOptions("ws://127.0.0.1:1"),
        account_secret=ACCOUNT,
        options=ClientOptions(request_timeout=2, backoff_base=0.01, backoff_cap=0.02),
        connector=server.connect,
        **kw,
    )


async def test_post_connect_sequence_over_memory(memory_server: MemoryServer) -> None:
    client = client_for(memory_server)
    client.start()
    try:
        connected = await next_event(client, Connected)
        assert connected.account is not None and client.ready
        assert memory_server.methods(1) == ["assets", "connect"]
        params = memory_server.received[1][2]
        assert params["accountid"] == codec.account_id(xonly_from_secret(ACCOUNT)).hex()
    finally:
        await client.close()
    assert memory_server.ends[0].closed  # close() closed the transport, both ends


async def test_reconnect_replays_subscriptions_and_the_outbox(
    memory_server: MemoryServer,
) -> None:
    outbox = MemoryOutbox()
    client = client_for(memory_server, outbox=outbox, rng=lambda: 0.5)
    client.start()
    try:
        await client.wait_ready(5)
        client.track_matches([(MATCH_ID, ORDER_ID)])
        await client.subscribe("ltc", "btc")
        memory_server.gate.clear()  # the reconnect waits until the report is queued
        await memory_server.ends[0].close()  # the server drops the connection
        gone = await next_event(client, Disconnected)
        assert gone.retry_in is not None
        queued = await client.report_init(ORDER_ID, MATCH_ID, bytes([4]) * 32, 0, b"\x63" * 97)
        assert queued is False and len(outbox.pending()) == 1  # stored while not ready
        memory_server.gate.set()
        assert (await next_event(client, MatchStatuses)).states == ()
        await next_event(client, Connected)
        assert len(memory_server.ends) == 2
        assert memory_server.methods(2) == [
            "assets",
            "connect",
            "orderbook",
            "init",
            "match_status",
        ]
        assert outbox.pending() == []
        book = client.book("ltc", "btc")
        assert book is not None and book.synced
    finally:
        await client.close()
