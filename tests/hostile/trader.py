"""The victim of the hostile-server tests: the real headless client (`app.client.Client`) with a
real wallet funded on the two regtest nodes, and the checks every attack test makes.

`assert_untouched` is the "nothing happened" check, sound without waiting: a swap is stored
before the client answers a `match`, and nothing is funded without a stored swap; so once the
answer is in (or a refusal event), a missing swap record means nothing can reach the chain.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.client.client import Client
from app.client.events import CoreError, CoreEvent, MatchRefused, ServerRefused
from app.client.order_store import LIVE
from app.dex.errors import DexClientError
from app.wallet.coins import Outpoint
from app.wallet.service import SWAP_FUNDING
from app.wallet.session import OpenWallet
from simnet.node import RegtestNode
from tests.hostile.server import HostileServer, MatchAnswer
from tests.waits import until

MARKET = "ltc_btc"
LOT = 1_000_000  # the fake config's LTC lot size (0.01 LTC)
RATE = 10_000_000  # 0.1 BTC per LTC (the fake config's rate step is 100)
SYMBOLS = ("ltc", "btc")


def names(reason: str, *words: str) -> bool:
    """Does a refusal text name the problem (any of the key words / regexes)?"""
    text = reason.lower()
    return any(re.search(w, text) for w in words)


@dataclass(frozen=True)
class Holdings:
    """One asset's wallet coins at a moment."""

    outpoints: frozenset[Outpoint]
    total: int


@dataclass
class Trader:
    core: Client
    wallet: OpenWallet
    server: HostileServer
    nodes: dict[str, RegtestNode]
    events: list[CoreEvent] = field(default_factory=list)
    start: dict[str, Holdings] = field(default_factory=dict)

    # --- what the client said ------------------------------------------------------------
    def match_refusals(self, match_id: str) -> list[MatchRefused]:
        return [e for e in self.events if isinstance(e, MatchRefused) and e.match_id == match_id]

    def server_refusals(self) -> list[ServerRefused]:
        return [e for e in self.events if isinstance(e, ServerRefused)]

    async def refusal(self, match_id: str, timeout: float = 5.0) -> MatchRefused:
        """The MatchRefused event for `match_id` (polled with a deadline)."""
        await until(
            lambda: self.match_refusals(match_id),
            f"a MatchRefused event for match {match_id[:16]}",
            timeout=timeout,
        )
        return self.match_refusals(match_id)[0]

    async def server_refusal(self, timeout: float = 5.0) -> ServerRefused:
        await until(self.server_refusals, "a ServerRefused event", timeout=timeout)
        refused = self.server_refusals()[0]
        assert refused.url == self.server.url, refused
        return refused

    # --- orders --------------------------------------------------------------------------
    async def place(
        self, side: str = "sell", quantity: int = 10 * LOT, rate: int = RATE, otype: str = "limit"
    ) -> str:
        """A real order through the client: stored, its coins locked, sent to the server."""
        oid = await self.core.place_order(MARKET, side, otype, quantity, rate)
        order = self.core.order_store.get(oid)
        assert order is not None and oid in self.server.orders
        locks = self.wallet.asset(order.fund_asset).lock_reasons()
        assert order.lock_reason in locks.values(), "the order's coins are not locked"
        return oid

    async def finish(self, order_id: str) -> None:
        """Cancel the order (a standing limit) and wait until it is over; then its coins
        must be free for another order: no lock left, every coin available. With a match
        accepted (unfunded), the order's own coins stay reserved for its swap, nothing else."""
        order = self.core.order_store.get(order_id)
        assert order is not None
        if (
            order.status in LIVE
            and order.otype == "limit"
            and order.tif == "standing"
            and order.status != "cancelling"
        ):
            await self.core.cancel_order(order_id)
        # The client finishes an order once its epoch closed and it stayed off the book for
        # another epoch (app/client/orders.py): about three epochs at most, plus slack.
        await until(
            lambda: self._status(order_id) not in LIVE,
            f"order {order_id[:16]} to finish",
            timeout=max(10.0, 3 * self.server.epochlen / 1000 + 5),
        )
        asset = self.wallet.asset(order.fund_asset)
        balance = await asset.balance()
        assert balance.total == self.start[order.fund_asset].total
        if self.swaps_of(order_id):  # an accepted match still to fund keeps them reserved
            assert set(asset.lock_reasons().values()) == {order.lock_reason}
            return
        assert asset.lock_reasons() == {}, f"coins still locked: {asset.lock_reasons()}"
        assert balance.available == balance.total

    def _status(self, order_id: str) -> str:
        order = self.core.order_store.get(order_id)
        return "" if order is None else order.status

    # --- the chains ----------------------------------------------------------------------
    async def holdings(self) -> dict[str, Holdings]:
        out = {}
        for symbol in SYMBOLS:
            coins = await self.wallet.asset(symbol).utxos()
            out[symbol] = Holdings(
                frozenset(c.outpoint for c in coins), sum(c.value for c in coins)
            )
        return out

    async def mempools(self) -> dict[str, list[str]]:
        return {
            s: list(await asyncio.to_thread(n.rpc, "getrawmempool")) for s, n in self.nodes.items()
        }

    def swaps_of(self, order_id: str) -> dict[str, str]:
        """match ID -> stored swap state name, for the order's swaps."""
        return {
            str(s["match_id"]): str(s["state"])
            for s in self.core.swap_states()
            if s["order_id"] == order_id
        }

    async def assert_untouched(self, order_id: str, accepted: frozenset[str] = frozenset()) -> None:
        """Nothing of the attack reached the chain or the coin locks: no swap stored for the
        order but the `accepted` matches (left Matched, unfunded), both mempools empty,
        every wallet coin as at the start (to the atom), no `swapfund` lock."""
        swaps = self.swaps_of(order_id)
        assert set(swaps) == set(accepted), f"swaps stored for refused matches: {swaps}"
        assert all(state == "Matched" for state in swaps.values()), swaps
        assert await self.mempools() == {s: [] for s in self.nodes}, "a transaction was sent"
        assert await self.holdings() == self.start, "the wallet's coins changed"
        for symbol in SYMBOLS:
            reasons = self.wallet.asset(symbol).lock_reasons().values()
            assert SWAP_FUNDING not in reasons, f"{symbol} coins locked to fund a swap"


def assert_refused(answer: MatchAnswer, *match_ids: str) -> None:
    """The client answered with a JSON-RPC error or at least signed no ack for these
    matches (a partial answer may ack the request's other notes)."""
    assert answer.response is not None, "the client did not answer the `match` request"
    acked = [m for m in match_ids if answer.acked(m)]
    assert not acked, f"the client signed acks for refused matches: {answer.response}"


def assert_error(answer: MatchAnswer) -> None:
    """The whole `match` request was answered with a JSON-RPC error (never a signature)."""
    assert answer.response is not None, "the client did not answer the `match` request"
    assert answer.error is not None, f"the client acked the match: {answer.response}"
    assert answer.response.get("result") is None, answer.response


async def settle(check: Callable[[], object], timeout: float = 6.0) -> bool:
    """Poll `check` up to `timeout`; whether it became true (no failure: the caller goes on
    and asserts what matters)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def refuses_orders(trader: Trader, *words: str) -> None:
    """The client refuses to trade on this server: no order can be placed (nothing sent,
    nothing locked, nothing on chain) and a ServerRefused event names the problem."""
    core = trader.core
    # Until it refuses, connects, or reports the server broke the protocol (a config it
    # cannot even read): then an order is tried anyway.
    await settle(
        lambda: (
            trader.server_refusals()
            or core.dex.ready
            or any(isinstance(e, CoreError) for e in trader.events)
        )
    )
    try:
        oid: str | None = await asyncio.wait_for(
            core.place_order(MARKET, "sell", "limit", 10 * LOT, RATE), 3
        )
    except (DexClientError, TimeoutError, ValueError):
        oid = None
    assert oid is None and not trader.server.orders, (
        f"an order was placed: {[o.method for o in trader.server.orders.values()]}"
    )
    refusal = await trader.server_refusal()
    assert names(refusal.reason, *words), f"the reason does not name the problem: {refusal}"
    for symbol in SYMBOLS:
        assert trader.wallet.asset(symbol).lock_reasons() == {}, f"{symbol} coins locked"
    assert await trader.mempools() == {s: [] for s in trader.nodes}, "a transaction was sent"
    assert await trader.holdings() == trader.start, "the wallet's coins changed"
