"""A fake Core RPC node: a tiny HTTP server on loopback that answers as the test configures
it (usually wrongly), the replies it is given, and the CoreRpcBackend the tests point at a
node (the regtest credentials, a fast poll)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from app.wallet.backends.corerpc import CoreRpcBackend
from simnet.node import RPC_PASSWORD, RPC_USER

Reply = Callable[[dict[str, Any]], Awaitable[web.StreamResponse]]  # JSON-RPC request -> answer


def make_backend(url: str, password: str = RPC_PASSWORD, **kw: Any) -> CoreRpcBackend:
    return CoreRpcBackend(url, RPC_USER, password, poll_interval=0.05, **kw)


class FakeNode:
    """A tiny HTTP server on loopback that answers as configured, usually wrongly."""

    def __init__(self) -> None:
        self.reply: Reply | None = None
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        assert self.reply is not None
        return await self.reply(await request.json())

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


def answer(result: Any = None, error: Any = None) -> Reply:
    async def reply(request: dict[str, Any]) -> web.StreamResponse:
        return web.json_response({"result": result, "error": error, "id": request["id"]})

    return reply


def by_method(results: dict[str, Any]) -> Reply:
    async def reply(request: dict[str, Any]) -> web.StreamResponse:
        return await answer(result=results[request["method"]])(request)

    return reply
