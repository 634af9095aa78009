"""A small DEX protocol client for server tests (not the production app/dex client).

It keeps one websocket, answers the server's `match` / `audit` / `redemption` /
`revoke_match` requests with valid signatures, and collects notifications and server
requests for the test to inspect.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import secrets
import time
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from dexproto import codec, jsonrpc, signing
from dexproto import messages as m
from dexproto._wire import Json
from dexproto.address import p2wpkh_script
from dexproto.crypto import hash160, pubkey_from_secret, xonly_from_secret


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclasses.dataclass
class Coin:
    secret: bytes
    txid: bytes
    vout: int

    @property
    def script(self) -> bytes:
        return p2wpkh_script(hash160(pubkey_from_secret(self.secret)))

    def proof(self, account_id: bytes) -> m.FundingCoin:
        return m.FundingCoin(
            txid=self.txid,
            vout=self.vout,
            pubkey=pubkey_from_secret(self.secret),
            sig=signing.sign_coin(self.secret, account_id, self.txid, self.vout),
        )


class TestClient:
    __test__ = False  # not a pytest class

    def __init__(self, url: str, secret: bytes | None = None) -> None:
        self.url = url
        self.secret = secret or secrets.token_bytes(32)
        self.pubkey = xonly_from_secret(self.secret)
        self.account_id = codec.account_id(self.pubkey)
        self.ws: ClientConnection | None = None
        self.notes: asyncio.Queue[tuple[str, Json]] = asyncio.Queue()
        self.server_requests: list[tuple[str, Json]] = []
        self._waiting: dict[int, asyncio.Future[jsonrpc.Response]] = {}
        self._next = 1
        self._reader: asyncio.Task[None] | None = None

    async def open(self) -> TestClient:
        self.ws = await websockets.connect(self.url, max_size=None)
        self._reader = asyncio.get_running_loop().create_task(self._read())
        return self

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        assert self.ws is not None
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in self.ws:
                msg = jsonrpc.parse_frame(frame, max_size=1 << 30)
                if isinstance(msg, jsonrpc.Response):
                    fut = self._waiting.pop(msg.id or -1, None)
                    if fut is not None and not fut.done():
                        fut.set_result(msg)
                elif isinstance(msg, jsonrpc.Request):
                    self.server_requests.append((msg.method, msg.params))
                    await self.ws.send(jsonrpc.response_frame(msg.id, self._answer(msg)))
                    await self.notes.put((msg.method, msg.params))
                else:
                    await self.notes.put((msg.method, msg.params))

    def _answer(self, msg: jsonrpc.Request) -> Json:
        parsed: Any = m.parse_params(msg.method, msg.params)
        if msg.method == "match":
            return [
                m.MatchAck(matchid=n.matchid, sig=signing.sign(self.secret, n.payload())).to_json()
                for n in parsed
            ]
        return m.MatchAck(
            matchid=parsed.matchid, sig=signing.sign(self.secret, parsed.payload())
        ).to_json()

    async def send_raw(self, frame: str | bytes) -> None:
        assert self.ws is not None
        await self.ws.send(frame)

    async def call_raw(self, method: str, params: Json) -> jsonrpc.Response:
        request_id = self._next
        self._next += 1
        fut: asyncio.Future[jsonrpc.Response] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = fut
        await self.send_raw(jsonrpc.request_frame(method, params, request_id))
        return await asyncio.wait_for(fut, 15)

    async def call(self, method: str, params: Json) -> Any:
        return (await self.call_raw(method, params)).unwrap()

    async def error_code(self, method: str, params: Json) -> int | None:
        """The code of the server's error answer; None when it answered with a result."""
        resp = await self.call_raw(method, params)
        return None if resp.error is None else resp.error.code

    async def wait_note(self, method: str, timeout: float = 10.0, **match: Json) -> Any:
        """The next notification (or server request) of `method` whose params contain match."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            got, params = await asyncio.wait_for(self.notes.get(), max(left, 0.01))
            if got == method and (
                not match
                or (isinstance(params, dict) and all(params.get(k) == v for k, v in match.items()))
            ):
                return params

    # -- signed messages -------------------------------------------------------------------
    def register_params(self, timestamp: int | None = None) -> m.RegisterParams:
        ts = now_ms() if timestamp is None else timestamp
        payload = codec.RegisterPayload(self.pubkey, ts)
        return m.RegisterParams(
            pubkey=self.pubkey, timestamp=ts, sig=signing.sign(self.secret, payload)
        )

    def notifyfee_params(self, txid: bytes, vout: int) -> m.NotifyFeeParams:
        p = m.NotifyFeeParams(
            accountid=self.account_id, txid=txid, vout=vout, timestamp=now_ms(), sig=b"\0" * 64
        )
        return dataclasses.replace(p, sig=signing.sign(self.secret, p.payload()))

    def connect_params(self) -> m.ConnectParams:
        p = m.ConnectParams(accountid=self.account_id, apiver=1, timestamp=now_ms(), sig=b"\0" * 64)
        return dataclasses.replace(p, sig=signing.sign(self.secret, p.payload()))

    def limit_params(
        self,
        side: str,
        qty: int,
        rate: int,
        coins: list[Coin],
        address: str,
        standing: bool = True,
        pair: str = "LTC/BTC",
    ) -> m.LimitParams:
        p = m.LimitParams(
            accountid=self.account_id,
            timestamp=now_ms(),
            tradepair=pair,
            side=m.Side(side),
            ordersize=qty,
            rate=rate,
            timeinforce=m.TimeInForce.STANDING if standing else m.TimeInForce.IMMEDIATE,
            utxos=tuple(c.proof(self.account_id) for c in coins),
            address=address,
            orderid=b"\0" * 32,
            sig=b"\0" * 64,
        )
        oid = codec.order_id(p.payload(0))
        return dataclasses.replace(p, orderid=oid, sig=signing.sign(self.secret, p.payload(0)))

    def market_params(
        self,
        side: str,
        qty: int,
        coins: list[Coin],
        address: str,
        tif: m.TimeInForce | None = None,
        pair: str = "LTC/BTC",
    ) -> m.MarketParams:
        p = m.MarketParams(
            accountid=self.account_id,
            timestamp=now_ms(),
            tradepair=pair,
            side=m.Side(side),
            ordersize=qty,
            utxos=tuple(c.proof(self.account_id) for c in coins),
            address=address,
            orderid=b"\0" * 32,
            sig=b"\0" * 64,
            timeinforce=tif,
        )
        oid = codec.order_id(p.payload(0))
        return dataclasses.replace(p, orderid=oid, sig=signing.sign(self.secret, p.payload(0)))

    def cancel_params(self, target: bytes, pair: str = "LTC/BTC") -> m.CancelParams:
        p = m.CancelParams(
            accountid=self.account_id,
            timestamp=now_ms(),
            tradepair=pair,
            orderid=target,
            sig=b"\0" * 64,
        )
        return dataclasses.replace(p, sig=signing.sign(self.secret, p.payload(0)))

    def init_params(
        self, orderid: bytes, matchid: bytes, txid: bytes, vout: int, contract: bytes
    ) -> m.InitParams:
        p = m.InitParams(
            orderid=orderid,
            matchid=matchid,
            txid=txid,
            vout=vout,
            contract=contract,
            timestamp=now_ms(),
            sig=b"\0" * 64,
        )
        return dataclasses.replace(p, sig=signing.sign(self.secret, p.payload()))

    def redeem_params(
        self, orderid: bytes, matchid: bytes, txid: bytes, vin: int, secret: bytes
    ) -> m.RedeemParams:
        p = m.RedeemParams(
            orderid=orderid,
            matchid=matchid,
            txid=txid,
            vin=vin,
            secret=secret,
            timestamp=now_ms(),
            sig=b"\0" * 64,
        )
        return dataclasses.replace(p, sig=signing.sign(self.secret, p.payload()))
