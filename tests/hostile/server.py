"""A hostile DEX server for attack tests: the real protocol over real websockets on 127.0.0.1
(a free port), every message signed with its own key, every number the test's choice.

Built on tests/fakes/dex_server.py's FakeServer (transport, request/answer plumbing) with the
handlers a trading client needs:

- `assets`: `config()` of the fake server plus the test's overrides (`locktimes`, per-asset
  fields such as `feerate`/`swapconf`/`lotsize`, `regfee`, top-level fields, even `pubkey`);
- `register` / `notifyfee` / `connect`: any account is accepted (no fee needs paying), and
  `connect` reports `connect_matches` (any MatchState objects, e.g. a resync overfill);
- `limit` / `market` / `cancel`: recorded in `orders` / `cancels`; a standing limit is put on
  the book (an `add_limit` notification) and a cancel takes it off (`remove_order`), so the
  client's order life cycle runs as against an honest server;
- `send_match(notes)`: pushes a `match` request with any notes (`note()` signs them with the
  current key) and records the client's whole answer (`MatchAnswer`: acks or an error);
- `change_key(secret)`: a new signing key (and advertised pubkey) from the next connection on.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from dexproto import codec
from dexproto.address import encode_segwit
from dexproto.assets import get_asset
from dexproto.crypto import xonly_from_secret
from dexproto.messages import (
    CancelParams,
    ConnectParams,
    InitParams,
    LimitParams,
    MarketParams,
    MatchAck,
    MatchNote,
    MatchSide,
    MatchState,
    MatchStatus,
    NotifyFeeParams,
    RedeemParams,
    RegisterParams,
    TimeInForce,
)
from dexproto.signing import sign, verify
from tests.fakes.dex_server import SERVER_SECRET, FakeServer, config

MARKET_ID = 0
HONEST_FEERATE = 10  # atoms/vB: what both regtest nodes relay (litecoind's floor)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def counterparty_address(symbol: str) -> str:
    """A fresh P2WPKH address on `symbol`'s regtest chain (stands for the counterparty's)."""
    return encode_segwit(get_asset(symbol, "regtest").hrp, 0, secrets.token_bytes(20))


@dataclass
class MatchAnswer:
    """What the client answered to one `match` request (None: no answer in time, or the
    connection went away)."""

    notes: list[dict[str, Any]]
    response: dict[str, Any] | None

    @property
    def error(self) -> dict[str, Any] | None:
        return None if self.response is None else self.response.get("error")

    @property
    def acks(self) -> list[MatchAck]:
        """The signed acks in the answer (none for an error or no answer)."""
        if self.response is None or self.error is not None:
            return []
        result = self.response.get("result")
        return [MatchAck.from_json(a) for a in result] if isinstance(result, list) else []

    def acked(self, match_id: str) -> bool:
        return any(a.matchid.hex() == match_id for a in self.acks)

    def verified_acks(self, client_pubkey: bytes) -> set[str]:
        """Match IDs whose ack carries the client's valid signature over the note."""
        by_id = {n["matchid"]: MatchNote.from_json(n) for n in self.notes}
        good: set[str] = set()
        for ack in self.acks:
            note = by_id.get(ack.matchid.hex())
            if note is not None:
                verify(client_pubkey, ack.sig, note.payload(), what="client ack")
                good.add(ack.matchid.hex())
        return good


@dataclass
class Order:
    """An order the client placed with us."""

    method: str  # limit | market
    params: LimitParams | MarketParams
    servertime: int
    epoch: int


class HostileServer(FakeServer):
    def __init__(self, secret: bytes = SERVER_SECRET, epochlen: int = 2000) -> None:
        super().__init__()
        self.secret = secret
        self.epochlen = epochlen  # short: a cancelled order finishes within seconds
        self.locktimes = {"maker": 172_800_000, "taker": 86_400_000}
        self.asset_fields: dict[str, dict[str, Any]] = {}  # symbol -> field overrides
        self.top_fields: dict[str, Any] = {}  # any top-level override (e.g. "regfee")
        self.connect_matches: list[dict[str, Any]] = []  # MatchState objects for `connect`
        self.orders: dict[str, Order] = {}  # order ID hex -> what the client sent
        self.cancels: list[CancelParams] = []
        self.answers: list[MatchAnswer] = []
        self.accounts: set[str] = set()  # account IDs that connected
        self.book: dict[str, dict[str, Any]] = {}  # our market's standing orders
        self.seq = 0
        self._next_secret: bytes | None = None
        self.handlers.update(
            {
                "assets": lambda p: self.config(),
                "register": self._register,
                "notifyfee": self._notifyfee,
                "connect": self._connect,
                "orderbook": lambda p: {
                    "book": {
                        "marketid": MARKET_ID,
                        "epoch": self.epoch(),
                        "orders": list(self.book.values()),
                    },
                    "seq": self.seq,
                },
                "limit": self._limit,
                "market": self._market,
                "cancel": self._cancel,
                "init": lambda p: self._ack(InitParams.from_json(p)),
                "redeem": lambda p: self._ack(RedeemParams.from_json(p)),
            }
        )

    # --- what the server says ------------------------------------------------------------
    @property
    def pubkey(self) -> bytes:
        return xonly_from_secret(self.secret)

    def epoch(self) -> int:
        return now_ms() // self.epochlen

    def config(self) -> dict[str, Any]:
        cfg = config(self.pubkey)
        cfg["epochlen"] = self.epochlen
        cfg["markets"][0]["epochlen"] = self.epochlen
        cfg["locktimes"] = dict(self.locktimes)
        for asset in cfg["assets"]:
            asset.update(self.asset_fields.get(asset["symbol"], {}))
        cfg.update(self.top_fields)
        return cfg

    def set_asset(self, symbol: str, **fields: Any) -> None:
        self.asset_fields.setdefault(symbol, {}).update(fields)

    def change_key(self, secret: bytes) -> None:
        """Sign with `secret` (and advertise its pubkey) from the next connection on."""
        self._next_secret = secret

    # --- notes -----------------------------------------------------------------------------
    def note(
        self,
        order_id: str,
        *,
        quantity: int,
        rate: int,
        address: str,
        side: str = "maker",
        feerate: int = HONEST_FEERATE,
        servertime: int | None = None,
        match_id: str | None = None,
    ) -> dict[str, Any]:
        """A `match` note signed by our current key (any numbers the test wants)."""
        note = MatchNote(
            orderid=bytes.fromhex(order_id),
            matchid=bytes.fromhex(match_id) if match_id else secrets.token_bytes(32),
            quantity=quantity,
            rate=rate,
            address=address,
            side=MatchSide(side),
            feerate=feerate,
            servertime=now_ms() if servertime is None else servertime,
            sig=bytes(64),
        )
        signed = MatchNote(**{**note.__dict__, "sig": sign(self.secret, note.payload())})
        return signed.to_json()

    @staticmethod
    def state(note: dict[str, Any], status: str = "newly_matched") -> dict[str, Any]:
        """The MatchState `connect`/`match_status` report for a note."""
        fields = {k: v for k, v in note.items() if k != "sig"}
        return MatchState.from_json({**fields, "status": MatchStatus(status).value}).to_json()

    async def send_match(self, notes: list[dict[str, Any]], timeout: float = 10.0) -> MatchAnswer:
        """Push one `match` request; the client's answer (recorded in `answers`)."""
        try:
            response: dict[str, Any] | None = await self.request("match", notes, timeout)
        except (TimeoutError, ConnectionClosed):
            response = None
        answer = MatchAnswer(notes, response)
        self.answers.append(answer)
        return answer

    # --- handlers --------------------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        if self._next_secret is not None:  # a new key from this connection on
            self.secret, self._next_secret = self._next_secret, None
        await super()._handle(ws)

    def _register(self, params: Any) -> dict[str, Any]:
        reg = RegisterParams.from_json(params)
        fee = self.config()["regfee"]
        address = counterparty_address(fee["asset"])
        ts = now_ms()
        payload = codec.RegisterResultPayload(self.pubkey, reg.pubkey, ts, fee["amount"], address)
        return {
            "pubkey": self.pubkey.hex(),
            "address": address,
            "fee": fee["amount"],
            "asset": fee["asset"],
            "timestamp": ts,
            "sig": sign(self.secret, payload).hex(),
        }

    def _notifyfee(self, params: Any) -> dict[str, Any]:
        return {"sig": sign(self.secret, NotifyFeeParams.from_json(params).payload()).hex()}

    def _connect(self, params: Any) -> dict[str, Any]:
        p = ConnectParams.from_json(params)
        self.accounts.add(p.accountid.hex())
        return {
            "startepoch": self.epoch(),
            "orders": [],
            "matches": list(self.connect_matches),
            "sig": sign(self.secret, p.payload()).hex(),
        }

    def _ack(self, params: InitParams | RedeemParams) -> dict[str, Any]:
        return {"matchid": params.matchid.hex(), "sig": sign(self.secret, params.payload()).hex()}

    def _signed_order(
        self, params: LimitParams | MarketParams | CancelParams, method: str
    ) -> dict[str, Any]:
        servertime = now_ms()
        if not isinstance(params, CancelParams):
            oid = codec.order_id(params.payload(0)).hex()
            self.orders[oid] = Order(method, params, servertime, servertime // self.epochlen)
        return {
            "sig": sign(self.secret, params.payload(servertime)).hex(),
            "servertime": servertime,
        }

    async def _limit(self, raw: Any) -> dict[str, Any]:
        params = LimitParams.from_json(raw)
        result = self._signed_order(params, "limit")
        if params.timeinforce is TimeInForce.STANDING:
            oid = codec.order_id(params.payload(0)).hex()
            order = {
                "oid": oid,
                "otype": "l",
                "side": "s" if params.side.value == "sell" else "b",
                "osize": params.ordersize,
                "rate": params.rate,
                "tif": "s",
                "epoch": self.orders[oid].epoch,
                "filled": 0,
            }
            self.book[oid] = order
            await self._book_note("add_limit", {"marketid": MARKET_ID, "order": order})
        return result

    def _market(self, raw: Any) -> dict[str, Any]:
        return self._signed_order(MarketParams.from_json(raw), "market")

    async def _cancel(self, raw: Any) -> dict[str, Any]:
        params = CancelParams.from_json(raw)
        self.cancels.append(params)
        result = self._signed_order(params, "cancel")
        if self.book.pop(params.orderid.hex(), None) is not None:
            await self._book_note(
                "remove_order", {"marketid": MARKET_ID, "orderid": params.orderid.hex()}
            )
        return result

    async def _book_note(self, method: str, params: dict[str, Any]) -> None:
        self.seq += 1
        if self._ws is not None:
            with contextlib.suppress(ConnectionClosed):  # the next snapshot has the book
                await self.notify(method, {**params, "seq": self.seq})

    async def wait_connections(self, count: int, timeout: float = 10.0) -> None:
        """Poll until the client has opened `count` connections in all."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.connections < count:
            assert asyncio.get_running_loop().time() < deadline, (
                f"the client opened {self.connections} connections, not {count}"
            )
            await asyncio.sleep(0.05)
