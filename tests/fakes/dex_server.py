"""A small scripted DEX server for client tests: real websockets on 127.0.0.1, a free port;
and what the client tests exchange with it (the client's account, a match note the server
signed, a funding coin, the next event of a kind).

It answers the client's requests from `handlers` (method -> function of the params returning a
result, raising RemoteError for an error answer, or returning NO_ANSWER to stay silent; may
be async), records everything it receives, and lets a test send requests and notifications
to the client or drop the connection. Signatures are real (the server key signs).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import ssl
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from typing import Any, TypeVar

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from app.dex.client import DexClient
from app.dex.requests import funding_coin as signed_coin
from dexproto import codec
from dexproto.crypto import xonly_from_secret
from dexproto.errors import RemoteError
from dexproto.messages import (
    CancelParams,
    ConnectParams,
    FundingCoin,
    InitParams,
    LimitParams,
    MarketParams,
    MatchNote,
    MatchSide,
    RedeemParams,
)
from dexproto.signing import sign

SERVER_SECRET = bytes(range(1, 33))
SERVER_PUBKEY = xonly_from_secret(SERVER_SECRET)
REGFEE = 10**7  # what config() advertises: 0.1 LTC, 1 confirmation
NO_ANSWER = object()
Handler = Callable[[Any], Any]
ACCOUNT = bytes([7]) * 32  # the account secret of the client under test
ACCOUNT_PUB = xonly_from_secret(ACCOUNT)
ORDER_ID, MATCH_ID = bytes([0xA1]) * 32, bytes([0xB2]) * 32
E = TypeVar("E")


def config(pubkey: bytes = SERVER_PUBKEY, apiver: int = 1) -> dict[str, Any]:
    return {
        "pubkey": pubkey.hex(),
        "apiver": apiver,
        "epochlen": 60000,
        "buybuffer": "1.25",
        "cancelmax": "0.6",
        "btimeout": 720000,
        "regfee": {"asset": "ltc", "amount": REGFEE, "confs": 1},
        "locktimes": {"maker": 172800000, "taker": 86400000},
        "assets": [
            {
                "symbol": s,
                "network": "regtest",
                "lotsize": 10**6,
                "ratestep": 100,
                "feerate": 10,
                "swapsize": 225,
                "swapconf": 1,
                "fundconf": 1,
                "scripts": ["P2WPKH"],
            }
            for s in ("ltc", "btc")
        ],
        "markets": [
            {"name": "ltc_btc", "base": "ltc", "quote": "btc", "marketid": 0, "epochlen": 60000}
        ],
    }


def book_order(n: int, rate: int = 100_000, side: str = "s", epoch: int = 1) -> dict[str, Any]:
    return {
        "oid": bytes([n]).hex() * 32,
        "otype": "l",
        "side": side,
        "osize": 10**6,
        "rate": rate,
        "tif": "s",
        "epoch": epoch,
        "filled": 0,
    }


class FakeServer:
    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.ssl_context = ssl_context
        self.received: list[tuple[int, str, Any]] = []  # (connection number, method, params)
        self.connections = 0
        self.snapshot_seq = 5
        self.snapshot_orders: list[dict[str, Any]] = [book_order(1)]
        self.servertime = 1_700_000_000_000
        self.handlers: dict[str, Handler] = {
            "assets": lambda p: config(),
            "connect": self._connect,
            "orderbook": lambda p: {
                "book": {"marketid": 0, "epoch": 1, "orders": self.snapshot_orders},
                "seq": self.snapshot_seq,
            },
            "unsub_orderbook": lambda p: None,
            "init": lambda p: self._ack(InitParams.from_json(p)),
            "redeem": lambda p: self._ack(RedeemParams.from_json(p)),
            "match_status": lambda p: [],
            "limit": lambda p: self._order(LimitParams.from_json(p)),
            "market": lambda p: self._order(MarketParams.from_json(p)),
            "cancel": lambda p: self._order(CancelParams.from_json(p)),
        }
        self._server: Server | None = None
        self._ws: ServerConnection | None = None
        self._next_id = 1000
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.connected = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- default handlers -----------------------------------------------------------------
    def _connect(self, params: Any) -> dict[str, Any]:
        payload = ConnectParams.from_json(params).payload()
        return {
            "startepoch": 1,
            "orders": [],
            "matches": [],
            "sig": sign(SERVER_SECRET, payload).hex(),
        }

    def _ack(self, params: InitParams | RedeemParams) -> dict[str, Any]:
        return {"matchid": params.matchid.hex(), "sig": sign(SERVER_SECRET, params.payload()).hex()}

    def _order(self, params: LimitParams | MarketParams | CancelParams) -> dict[str, Any]:
        sig = sign(SERVER_SECRET, params.payload(self.servertime))
        return {"sig": sig.hex(), "servertime": self.servertime}

    # --- life cycle -------------------------------------------------------------------------
    async def start(self) -> None:
        self._server = await serve(
            self._handle, "127.0.0.1", 0, ssl=self.ssl_context, compression=None
        )

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        scheme = "wss" if self.ssl_context else "ws"
        return f"{scheme}://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def drop(self) -> None:
        """Close the current client connection abruptly (the client must reconnect)."""
        ws = self._ws
        if ws is not None:
            ws.transport.abort()

    def methods(self, connection: int | None = None) -> list[str]:
        return [m for c, m, _ in self.received if connection in (None, c)]

    # --- talking to the client ------------------------------------------------------------
    async def notify(self, method: str, params: Any) -> None:
        assert self._ws is not None
        await self._ws.send(json.dumps({"jsonrpc": "2.0", "method": method, "params": params}))

    async def request(self, method: str, params: Any, timeout: float = 5) -> dict[str, Any]:
        """Send a request to the client and return its whole response object."""
        assert self._ws is not None
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        frame = {"jsonrpc": "2.0", "method": method, "params": params, "id": request_id}
        await self._ws.send(json.dumps(frame))
        return await asyncio.wait_for(future, timeout)

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        number = self.connections
        self._ws = ws
        self.connected.set()
        with suppress(ConnectionClosed):
            async for raw in ws:
                msg = json.loads(raw)
                if "method" not in msg:  # the client's answer to one of our requests
                    future = self._waiting.pop(msg["id"], None)
                    if future is not None and not future.done():
                        future.set_result(msg)
                    continue
                self.received.append((number, msg["method"], msg.get("params")))
                task = asyncio.create_task(self._answer(ws, msg))  # a slow handler blocks none
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _answer(self, ws: ServerConnection, msg: dict[str, Any]) -> None:
        handler = self.handlers.get(msg["method"])
        out: dict[str, Any] = {"jsonrpc": "2.0", "id": msg["id"]}
        try:
            if handler is None:
                raise RemoteError(-32601, "unknown method")
            result = handler(msg.get("params"))
            if inspect.isawaitable(result):
                result = await result
            if result is NO_ANSWER:
                return
            out.update(result=result, error=None)
        except RemoteError as exc:
            out.update(result=None, error={"code": exc.code, "message": exc.message})
        with suppress(ConnectionClosed):
            await ws.send(json.dumps(out))


def match_note(secret: bytes = SERVER_SECRET) -> MatchNote:
    """A match of ORDER_ID as the server sends it, signed with `secret`."""
    unsigned = MatchNote(
        orderid=ORDER_ID,
        matchid=MATCH_ID,
        quantity=10**6,
        rate=100_000,
        address="bcrt1qcounterparty",
        side=MatchSide.MAKER,
        feerate=10,
        servertime=1_700_000_000_000,
        sig=bytes(64),
    )
    return replace(unsigned, sig=sign(secret, unsigned.payload()))


def funding_coin() -> FundingCoin:
    """A funding proof for one coin of ACCOUNT's orders."""
    return signed_coin(bytes([5]) * 32, codec.account_id(ACCOUNT_PUB), bytes([6]) * 32, 0)


async def next_event(client: DexClient, kind: type[E], timeout: float = 5) -> E:
    """The next event of `kind` (earlier events of other kinds are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            event = await client.events.get()
            if isinstance(event, kind):
                return event
