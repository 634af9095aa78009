"""An Electrum server in front of a real one (e-x) that rewrites chosen answers: the lying
server of the light-wallet tests, and a hook into the moment an answer arrives."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol


class HasPort(Protocol):
    @property
    def port(self) -> int: ...


Lie = Callable[[dict[str, Any], Any], Any]  # (request, honest result) -> result to send


class LyingProxy:
    """Forwards every request to a real server and rewrites the answers of `lies`."""

    def __init__(self, upstream_port: int, lies: dict[str, Lie]) -> None:
        self.upstream_port = upstream_port
        self.lies = lies
        self.server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_r, up_w = await asyncio.open_connection("127.0.0.1", self.upstream_port, limit=2**26)
        try:
            while line := await reader.readline():
                request = json.loads(line)
                up_w.write(line)
                await up_w.drain()
                while True:  # skip notifications until our answer comes
                    reply = json.loads(await up_r.readline())
                    if isinstance(reply, list) or "id" in reply:
                        break
                requests = {
                    r["id"]: r for r in (request if isinstance(request, list) else [request])
                }
                for answer in reply if isinstance(reply, list) else [reply]:
                    asked = requests.get(answer.get("id"))
                    if asked is not None and asked["method"] in self.lies and "result" in answer:
                        answer["result"] = self.lies[asked["method"]](asked, answer["result"])
                writer.write(json.dumps(reply).encode() + b"\n")
                await writer.drain()
        except (OSError, ValueError):
            pass
        finally:
            up_w.close()
            writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@contextlib.asynccontextmanager
async def proxy(upstream: HasPort, lies: dict[str, Lie]) -> AsyncIterator[LyingProxy]:
    """A LyingProxy in front of `upstream` (anything with the `port` of a server)."""
    p = LyingProxy(upstream.port, lies)
    await p.start()
    try:
        yield p
    finally:
        await p.stop()
