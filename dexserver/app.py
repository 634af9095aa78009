"""The DEX server wired together: store, chains, accounts, markets, intake, settlement, the
WebSocket JSON-RPC endpoint and the HTTP API on one port. `DexServer.start()` / `stop()`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, cast

import websockets
from websockets.asyncio.server import Server, ServerConnection

from dexproto import messages as m
from dexproto import signing
from dexproto._wire import Json
from dexproto.crypto import xonly_from_secret
from dexproto.errors import ErrorCode, ProtocolError
from dexproto.jsonrpc import MAX_FRAME
from dexserver.accounts import Accounts, fail, now_ms
from dexserver.chain import ChainView
from dexserver.conduct import Conduct
from dexserver.config import ServerConfig, load_or_create_key
from dexserver.epochs import Market, stop_task
from dexserver.feed import Peer, book_order
from dexserver.http_api import HttpApi
from dexserver.marketdata import candles_json, parse_market_params, trades_json
from dexserver.node_rpc import NodeRpc
from dexserver.orders import OrderIntake
from dexserver.rpcserver import Connection, Handler, serve_connection
from dexserver.settlement import Settlement
from dexserver.store import ServerStore

log = logging.getLogger("cambio.dexserver")
PING_INTERVAL = 20.0
PING_TIMEOUT = 40.0  # 20 s to the ping + 40 s: a peer silent for 60 s is dropped


class DexServer:
    def __init__(
        self,
        config: ServerConfig,
        clock: Callable[[], int] = now_ms,
        chains: dict[str, ChainView] | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self._chains = chains
        self.sessions: dict[bytes, set[Connection]] = {}
        self.connections: set[Connection] = set()
        self._server: Server | None = None
        self._tasks: list[asyncio.Task[None]] = []

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        cfg = self.config
        self.key = load_or_create_key(cfg.keyfile)
        self.pubkey = xonly_from_secret(self.key)
        self.store = ServerStore(cfg.datadir / "dexserver.sqlite")
        self.chains = self._chains or {
            sym: ChainView(NodeRpc(a.node.url, a.node.user, a.node.password))
            for sym, a in cfg.assets.items()
        }
        self.accounts = Accounts(cfg, self.store, self.key, self.chains, self.clock)
        self.markets = {
            name: Market(mc, cfg, self.store, self.clock) for name, mc in cfg.markets.items()
        }
        self.settlement = Settlement(
            cfg, self.store, self.accounts, self.chains, self.peers, self.clock
        )
        self.intake = OrderIntake(
            cfg, self.store, self.accounts, self.chains, self.markets, self.settlement.active_count
        )
        for market in self.markets.values():
            market.on_matches = self.settlement.new_matches
        self.conduct = Conduct(
            cfg,
            self.store,
            self.accounts,
            self.markets,
            lambda account: bool(self.sessions.get(account)),
            lambda: list(self.connections),
            self.clock,
        )
        self.http = HttpApi(
            lambda: cfg.config_result(self.pubkey).to_json(), self.markets, self.store
        )
        self._server = await websockets.serve(
            self._serve,
            cfg.host,
            cfg.port,
            max_size=MAX_FRAME,
            compression=None,
            ping_interval=PING_INTERVAL,
            ping_timeout=PING_TIMEOUT,
            max_queue=16,
            process_request=self.http.process_request,
        )
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(mk.run()) for mk in self.markets.values()]
        self._tasks.append(loop.create_task(self.settlement.run()))
        self._tasks.append(loop.create_task(self.conduct.run()))
        log.info("DEX server listening on ws://%s:%d", cfg.host, self.port)

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        for task in self._tasks:
            await stop_task(task)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        await self.settlement.close()
        if self._chains is None:
            for chain in self.chains.values():
                await chain.close()
        self.store.close()

    async def serve_forever(self) -> None:
        await self.start()
        try:
            await asyncio.Future()
        finally:
            await self.stop()

    # -- admin (§11) ------------------------------------------------------------------------
    def suspend(self, market: str, epoch: int | None = None, persist: bool = True) -> int:
        """Stop taking orders on `market` ("ltc_btc") from `epoch` (default: now) and tell
        every connected client; `persist=False` also purges the book. Returns the epoch."""
        if market not in self.markets:
            raise KeyError(f"unknown market {market}")
        return self.conduct.suspend(market, epoch, persist)

    def resume(self, market: str) -> None:
        self.conduct.resume(market)

    # -- connections -------------------------------------------------------------------------
    def peers(self, account: bytes) -> list[Peer]:
        return list(self.sessions.get(account, ()))

    async def _serve(self, ws: ServerConnection) -> None:
        conn = Connection(
            ws, self.handlers(), self.config.rate_limit, self.config.rate_burst, self._closed
        )
        self.connections.add(conn)
        await serve_connection(conn, cast(Any, ws))

    def _closed(self, conn: Connection) -> None:
        self.connections.discard(conn)
        for market in self.markets.values():
            market.feed.unsubscribe(conn)
        if conn.account is not None:
            mine = self.sessions.get(conn.account)
            if mine is not None:
                mine.discard(conn)
                if not mine:
                    del self.sessions[conn.account]
                    self.conduct.on_disconnect(conn.account)

    def handlers(self) -> dict[str, Handler]:
        return {
            "assets": self._assets,
            "register": self._register,
            "notifyfee": self._notifyfee,
            "connect": self._connect,
            "orderbook": self._orderbook,
            "unsub_orderbook": self._unsub,
            "limit": self._limit,
            "market": self._market,
            "cancel": self._cancel,
            "init": self._init,
            "redeem": self._redeem,
            "match_status": self._match_status,
            "trades": self._trades,
            "candles": self._candles,
        }

    # -- handlers (params arrive parsed by dexproto.messages) -------------------------------
    async def _assets(self, conn: Connection, p: object) -> Json:
        return self.config.config_result(self.pubkey).to_json()

    async def _register(self, conn: Connection, p: object) -> Json:
        return self.accounts.register(cast(m.RegisterParams, p)).to_json()

    async def _notifyfee(self, conn: Connection, p: object) -> Json:
        return (await self.accounts.notifyfee(cast(m.NotifyFeeParams, p))).to_json()

    async def _connect(self, conn: Connection, p: object) -> Json:
        params = cast(m.ConnectParams, p)
        row = await self.accounts.check_connect(params)
        if conn.account is not None and conn.account != row.account_id:
            self._closed(conn)  # one account per connection; re-bind cleanly
            self.connections.add(conn)
        conn.account = row.account_id
        self.sessions.setdefault(row.account_id, set()).add(conn)
        self.conduct.on_connect(row.account_id)
        orders = tuple(
            book_order(o)
            for mk in self.markets.values()
            for o in mk.matcher.orders_of(row.account_id)
        )
        startepoch = self.clock() // self.config.epochlen
        return m.ConnectResult(
            startepoch=startepoch,
            orders=orders,
            matches=tuple(self.settlement.states_of(row.account_id)),
            sig=signing.sign(self.key, params.payload()),
        ).to_json()

    async def _orderbook(self, conn: Connection, p: object) -> Json:
        params = cast(m.OrderbookParams, p)
        market = self.markets.get(f"{params.base}_{params.quote}")
        if market is None:
            raise fail(ErrorCode.UNKNOWN_MARKET, f"unknown market {params.base}_{params.quote}")
        market.feed.subscribe(conn)
        bids, asks = market.matcher.snapshot()
        return market.feed.snapshot(bids, asks, market.epoch_now()).to_json()

    async def _unsub(self, conn: Connection, p: object) -> Json:
        mc = self.config.market_by_id(cast(m.UnsubOrderbookParams, p).marketid)
        if mc is None:
            raise fail(ErrorCode.UNKNOWN_MARKET, "unknown market")
        return self.markets[mc.name].feed.unsubscribe(conn)

    async def _limit(self, conn: Connection, p: object) -> Json:
        return (await self.intake.limit(conn.account, cast(m.LimitParams, p))).to_json()

    async def _market(self, conn: Connection, p: object) -> Json:
        return (await self.intake.market(conn.account, cast(m.MarketParams, p))).to_json()

    async def _cancel(self, conn: Connection, p: object) -> Json:
        return (await self.intake.cancel(conn.account, cast(m.CancelParams, p))).to_json()

    def _authed(self, conn: Connection) -> bytes:
        if conn.account is None:
            raise ProtocolError(ErrorCode.UNKNOWN_ACCOUNT, "connect first")
        return conn.account

    async def _init(self, conn: Connection, p: object) -> Json:
        account = self._authed(conn)
        return (await self.settlement.init(account, cast(m.InitParams, p))).to_json()

    async def _redeem(self, conn: Connection, p: object) -> Json:
        account = self._authed(conn)
        return (await self.settlement.redeem(account, cast(m.RedeemParams, p))).to_json()

    async def _match_status(self, conn: Connection, p: object) -> Json:
        account = self._authed(conn)
        return self.settlement.status(account, cast(m.MatchStatusParams, p))

    async def _trades(self, conn: Connection, p: object) -> Json:
        market, _ = parse_market_params("trades", cast(Json, p), self.markets, False)
        return trades_json(self.store, market)

    async def _candles(self, conn: Connection, p: object) -> Json:
        market, width = parse_market_params("candles", cast(Json, p), self.markets, True)
        return candles_json(self.store, market, width)
