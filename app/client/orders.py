"""Placing, cancelling and following our orders (§7) for the headless client.

place: pick and lock coins (reason `order:<id>`), store the order, then send it. The order ID
is the hash of the serialization, so it is known (and stored) before the server sees it.
refresh (daemon): once an order's epoch has closed, the subscribed book mirror tells whether it
is booked; an order that left the book (or never got there) is finished and its coins released.
match_revoked: the match leaves the order's fill, with whose step was late (§10) as far as our
swap's state tells; the server does not say.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from app.client.errors import OrderNotPlaced
from app.client.events import CoreError, Dispatcher, OrderBooked, OrderFinished, OrderPlaced
from app.client.funding import coin_ids, funding_proofs, pick_order_coins
from app.client.order_store import FINAL, OrderRecord, OrderStore, RevokeCause, final_status
from app.dex.client import DexClient, PreparedOrder
from app.dex.errors import NotConnected, RequestTimeout, ServerRejected
from app.safety.errors import ServerTermsRefused
from app.safety.server_terms import server_problem
from app.swap.states import (
    AwaitingRefund,
    ContractPrepared,
    CounterpartyAudited,
    InitBroadcast,
    Matched,
    Redeeming,
    Refunding,
    Role,
    SwapState,
    unfunded,
)
from app.swap.store import SwapStore
from app.wallet.errors import CoinLockedError
from app.wallet.service import AssetWallet
from app.wallet.session import OpenWallet
from app.wallet.signing import KeyedUtxo
from dexproto.messages import AssetInfo, ConfigResult, FundingCoin, Side, TimeInForce
from dexproto.rules import lots as lot_count
from dexproto.rules import market_buy_lots, quote_amount

log = logging.getLogger(__name__)
EPOCH_GRACE_MS = 1500  # book notifications of a closed epoch arrive shortly after it closes
LOST_AFTER_MS = 60_000  # an order never acknowledged, and unknown to the server by then


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def revoke_cause(state: SwapState | None) -> RevokeCause:
    """Whose step was due when the server revoked: the maker funds, then the taker funds,
    then the maker redeems (§9); the party that missed its broadcast timeout is at fault."""
    if state is None:
        return RevokeCause.UNKNOWN
    maker = state.match.role is Role.MAKER
    if isinstance(state, Matched):
        return RevokeCause.OURS if maker else RevokeCause.COUNTERPARTY
    if isinstance(state, ContractPrepared | CounterpartyAudited | Redeeming):
        return RevokeCause.OURS  # funding or redeeming was ours to do
    if isinstance(state, InitBroadcast):  # ours is out: their init, or (maker) our redeem
        return RevokeCause.OURS if maker and state.theirs is not None else RevokeCause.COUNTERPARTY
    if isinstance(state, AwaitingRefund | Refunding):
        return RevokeCause.COUNTERPARTY
    return RevokeCause.UNKNOWN


class OrderService:
    """Our orders on the current server. `dex` and `dex_url` are callables: a server switch
    replaces the DEX client; `ready` waits for its configuration."""

    def __init__(
        self,
        wallet: OpenWallet,
        orders: OrderStore,
        swaps: SwapStore,
        events: Dispatcher,
        *,
        dex: Callable[[], DexClient],
        dex_url: Callable[[], str],
        ready: Callable[[], Awaitable[ConfigResult]],
        publish_server_time: Callable[[], None],
    ) -> None:
        self.wallet = wallet
        self.orders = orders
        self.swaps = swaps
        self.events = events
        self.dex = dex
        self.dex_url = dex_url
        self.ready = ready
        self.publish_server_time = publish_server_time
        self._gone_since: dict[str, int] = {}  # order ID -> when the book mirror lost it

    async def place(
        self, market: str, side: str, otype: str, quantity: int, rate: int, tif: str
    ) -> str:
        config = await self.ready()
        dex, url = self.dex(), self.dex_url()  # the order goes to the server it was made for
        problem = server_problem(config, self.wallet.config.network.value)
        if problem is not None:  # refused before any coin is chosen or locked
            raise ServerTermsRefused(url, problem)
        if dex.account is None:
            raise OrderNotPlaced("The DEX account is not connected (not registered yet?).")
        base, _, quote = market.lower().partition("_")
        info = dex.session.market(base, quote)
        assets = {a.symbol: a for a in config.assets}
        fund_asset, recv_asset = (base, quote) if side == "sell" else (quote, base)
        amount, lots, rate, tif = await self._sizing(
            dex, base, quote, assets[base].lotsize, side, otype, quantity, rate, tif
        )
        wallet = self.wallet.asset(fund_asset)
        address = self.wallet.asset(recv_asset).order_address()  # fresh for each order

        def prepare(proofs: list[FundingCoin]) -> PreparedOrder:
            if otype == "limit":
                return dex.prepare_limit(
                    base,
                    quote,
                    side=Side(side),
                    quantity=quantity,
                    rate=rate,
                    tif=TimeInForce(tif),
                    coins=proofs,
                    address=address,
                )
            return dex.prepare_market(
                base, quote, side=Side(side), quantity=quantity, coins=proofs, address=address
            )

        account_id = dex.session.account_id
        assert account_id is not None  # set with the account key at construction
        prepared, coins = await self._reserve(
            wallet, assets[fund_asset], amount, lots, account_id, prepare
        )
        oid = prepared.order_id.hex()
        order = OrderRecord(
            oid,
            url,
            info.name,
            base,
            quote,
            side,
            otype,
            quantity,
            rate,
            tif,
            address,
            fund_asset,
            coin_ids(coins),
            created_ms=now_ms(),
        )
        self.orders.add(order)  # before sending: a crash leaves a record to reconcile
        try:
            placed = await dex.submit(prepared)
        except ServerRejected as exc:
            self.orders.set_status(oid, "failed")
            wallet.unlock_coins(order.lock_reason)
            self.events.emit(CoreError(f"order refused: {exc.meaning}", exc.detail))
            raise
        except (NotConnected, RequestTimeout):
            raise  # unknown outcome: kept as "new" until `connect` tells (refresh)
        self.publish_server_time()  # the result's `servertime` (the epoch countdown)
        self.orders.set_status(oid, "epoch", epoch=placed.epoch)
        self.events.emit(OrderPlaced(oid, info.name, side, otype, quantity, rate, placed.epoch))
        return oid

    async def _sizing(
        self,
        dex: DexClient,
        base: str,
        quote: str,
        lot: int,
        side: str,
        otype: str,
        quantity: int,
        rate: int,
        tif: str,
    ) -> tuple[int, int, int, str]:
        """What the order funds (amount in the funding asset's atoms), its lots, and the rate
        and time in force it goes out with (protocol §7)."""
        sells = side == "sell"
        if otype == "limit":
            if rate <= 0:
                raise ValueError("a limit order needs a positive --rate")
            amount = quantity if sells else quote_amount(quantity, rate)
            return amount, lot_count(quantity, lot), rate, tif
        if sells:
            return quantity, lot_count(quantity, lot), 0, "immediate"
        # A market buy is sized in quote atoms (§7); fees per lot at the best ask.
        best = (await dex.subscribe(base, quote)).best_ask()
        if best is None:
            raise OrderNotPlaced("There is no standing sell order to buy from.")
        return quantity, market_buy_lots(quantity, lot, best.rate), 0, "immediate"

    async def _reserve(
        self,
        wallet: AssetWallet,
        fa: AssetInfo,
        amount: int,
        lots: int,
        account_id: bytes,
        prepare: Callable[[list[FundingCoin]], PreparedOrder],
    ) -> tuple[PreparedOrder, list[KeyedUtxo]]:
        """Coins for the order, locked under its ID: another process may take a coin between
        the pick and the lock, so a few tries."""
        for _attempt in range(5):
            coins = await pick_order_coins(
                wallet, amount, lots, fa.feerate, fa.swapsize, fa.fundconf
            )
            prepared = prepare(funding_proofs(coins, account_id))
            try:
                wallet.lock_coins(
                    [k.utxo.outpoint for k in coins], f"order:{prepared.order_id.hex()}"
                )
            except CoinLockedError:
                continue
            return prepared, coins
        raise OrderNotPlaced("Could not reserve coins for the order; try again.")

    async def cancel(self, order_id: str) -> None:
        await self.ready()
        order = self.orders.get(order_id)
        if order is None:
            raise ValueError(f"unknown order {order_id}")
        await self.dex().cancel(order.base, order.quote, bytes.fromhex(order_id))
        self.publish_server_time()
        self.orders.set_status(order_id, "cancelling")

    def match_revoked(self, match_id: str) -> None:
        """Record the revocation before the engine reacts to it (the state still shows
        whose step was due)."""
        order = self.orders.revoke_match(match_id, revoke_cause(self.swaps.load(match_id)))
        if order is not None:
            log.info(
                "match %s of order %s revoked: order %s, filled %d, revoked %d",
                match_id[:16],
                order.order_id[:16],
                order.status,
                order.filled,
                order.revoked,
            )

    async def refresh(self) -> None:
        """Follow live orders through the book mirror; finish the ones that left it."""
        dex = self.dex()
        if dex.config is None or not dex.ready:
            return
        server_live = {o.oid.hex() for o in dex.account.orders} if dex.account else set()
        for order in self.orders.live():
            mirror = dex.book(order.base, order.quote)
            if mirror is None or not mirror.synced:
                continue
            market = dex.session.market(order.base, order.quote)
            if order.status == "new":
                if order.order_id in server_live or mirror.get(bytes.fromhex(order.order_id)):
                    self.orders.set_status(order.order_id, "booked")
                elif now_ms() - order.created_ms > LOST_AFTER_MS:
                    self._finish(order, "failed")
                continue
            closed = (order.epoch + 1) * market.epochlen + EPOCH_GRACE_MS
            if now_ms() < closed:
                continue
            if mirror.get(bytes.fromhex(order.order_id)) is not None:
                self._gone_since.pop(order.order_id, None)
                if order.status == "epoch":
                    self.orders.set_status(order.order_id, "booked")
                    self.events.emit(OrderBooked(order.order_id))
                continue
            # Matching takes an order off the book before its `match` request reaches us:
            # finished at once, the order would refuse that match as "cancelled" and the
            # server would revoke it with us at fault. So it must stay gone for an epoch.
            gone = self._gone_since.setdefault(order.order_id, now_ms())
            if now_ms() - gone < market.epochlen + EPOCH_GRACE_MS:
                continue
            del self._gone_since[order.order_id]
            self._finish(order, final_status(order))

    def _finish(self, order: OrderRecord, status: str) -> None:
        self.orders.set_status(order.order_id, status)
        self._release(order)
        log.info("order %s %s (filled %d)", order.order_id[:16], status, order.filled)
        self.events.emit(OrderFinished(order.order_id, status, order.filled))

    def _release(self, order: OrderRecord) -> None:
        """Free a finished order's coins, unless a match of it is still to be funded: its
        swap spends those coins (app/client/funding.py), so they wait for `release_finished`."""
        waiting = any(
            s.match.order_id == order.order_id and unfunded(s) for s in self.swaps.pending()
        )
        if not waiting:
            self.wallet.asset(order.fund_asset).unlock_coins(order.lock_reason)

    def release_finished(self) -> None:
        """Free the coins still locked to finished orders whose matches are all funded (and
        the change of their inits)."""
        for symbol in self.wallet.config.nodes:
            held = {
                r.removeprefix("order:")
                for r in self.wallet.asset(symbol).lock_reasons().values()
                if r.startswith("order:")
            }
            for order_id in held:
                order = self.orders.get(order_id)
                if order is not None and order.status in FINAL:
                    self._release(order)
