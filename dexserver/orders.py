"""Order intake (spec §7): every check before an order reaches the matcher.

Order of checks, cheapest first: market, account standing, timestamp, order ID and
signature, duplicate, lot size and rate step, funding proofs (signatures, then the chain),
funding sum. Coins backing a live order are locked in memory (rebuilt from the store on
start) so one coin cannot back two orders.
"""

from __future__ import annotations

from collections.abc import Callable

from dexproto import codec, signing
from dexproto import messages as m
from dexproto.address import decode_segwit, p2wpkh_script
from dexproto.crypto import hash160
from dexproto.errors import ErrorCode, ProtocolError
from dexproto.rules import (
    backing_fees,
    below_buy_buffer,
    lots,
    market_buy_lots,
    on_lot,
    on_rate_step,
    quote_amount,
    swap_fees,
)
from dexserver.accounts import Accounts, fail
from dexserver.book import MatcherError, Order, Side, Status
from dexserver.chain import ChainView
from dexserver.config import ServerConfig
from dexserver.epochs import Market
from dexserver.store import OrderRow, ServerStore

SIDE = {m.Side.BUY: Side.BUY, m.Side.SELL: Side.SELL}


def coin_key(txid: bytes, vout: int) -> str:
    return f"{txid.hex()}:{vout}"


class OrderIntake:
    def __init__(
        self,
        config: ServerConfig,
        store: ServerStore,
        accounts: Accounts,
        chains: dict[str, ChainView],
        markets: dict[str, Market],
        active_matches: Callable[[bytes], int],
    ) -> None:
        self.config = config
        self.store = store
        self.accounts = accounts
        self.chains = chains
        self.markets = markets
        self.active_matches = active_matches
        self.coin_locks: dict[str, bytes] = {}  # coin -> oid of the live order it backs
        for market in markets.values():
            market.on_finished = self.release
            for row in market.restore():
                self._lock(row.coins, row.oid)

    def _lock(self, coins: list[str], oid: bytes) -> None:
        for coin in coins:
            self.coin_locks[coin] = oid

    def release(self, row: OrderRow) -> None:
        for coin in row.coins:
            if self.coin_locks.get(coin) == row.oid:
                del self.coin_locks[coin]

    # -- shared -----------------------------------------------------------------------------
    def _market(self, tradepair: str) -> Market:
        cfg = self.config.market_by_pair(tradepair)
        if cfg is None:
            raise fail(ErrorCode.UNKNOWN_MARKET, f"unknown market {tradepair}")
        market = self.markets[cfg.name]
        if market.suspended:
            raise fail(ErrorCode.MARKET_SUSPENDED, f"market {cfg.name} is suspended")
        return market

    def _prefix(
        self,
        session_account: bytes | None,
        p: m.LimitParams | m.MarketParams | m.CancelParams,
        oid: bytes,
    ) -> int:
        """Checks shared by all orders; returns the server time."""
        if session_account != p.accountid:
            raise fail(
                ErrorCode.UNKNOWN_ACCOUNT,
                "orders need a connection authenticated (connect) as this account",
            )
        row = self.accounts.account(p.accountid)
        if row.banned:
            raise fail(ErrorCode.ACCOUNT_BANNED, "account banned")
        now = self.accounts.check_time(p.timestamp)
        self.accounts.verify(row, p.sig, p.payload(0), p.METHOD)
        if self.store.has_order(oid):
            raise fail(ErrorCode.DUPLICATE, "duplicate order ID")
        if self.active_matches(p.accountid) >= self.config.max_active_matches:
            raise fail(ErrorCode.TOO_MANY_MATCHES, "too many active matches")
        return now

    async def _funding(self, p: m.LimitParams | m.MarketParams, asset: str, need: int) -> int:
        """Check every coin; returns their total value (atoms)."""
        cfg = self.config.assets[asset]
        fees = backing_fees(len(p.utxos), cfg.feerate)
        total = 0
        seen: set[str] = set()
        for coin in p.utxos:
            key = coin_key(coin.txid, coin.vout)
            if key in seen:
                raise fail(ErrorCode.FUNDING_COIN_INVALID, f"coin {key} listed twice")
            seen.add(key)
            signing.verify_coin(coin.pubkey, coin.sig, p.accountid, coin.txid, coin.vout)
            if key in self.coin_locks:
                raise fail(ErrorCode.FUNDING_COIN_INVALID, f"coin {key} backs another order")
        for coin in p.utxos:
            key = coin_key(coin.txid, coin.vout)
            out = await self.chains[asset].unspent(coin.txid.hex(), coin.vout)
            if out is None:
                raise fail(ErrorCode.FUNDING_COIN_INVALID, f"coin {key} unknown or spent")
            if out.confirmations < cfg.fundconf:
                raise fail(
                    ErrorCode.FUNDING_COIN_INVALID,
                    f"coin {key} has {out.confirmations} of {cfg.fundconf} confirmations",
                )
            if out.script != p2wpkh_script(hash160(coin.pubkey)):
                raise fail(
                    ErrorCode.FUNDING_COIN_INVALID,
                    f"coin {key} is not paid to the P2WPKH of its key",
                )
            total += out.value
        if total < need + fees:
            raise fail(
                ErrorCode.INSUFFICIENT_FUNDING,
                f"coins hold {total}, the order needs {need + fees} (amount {need}, fees {fees})",
            )
        for coin in p.utxos:  # checked again after the awaits: another order may have won
            if coin_key(coin.txid, coin.vout) in self.coin_locks:
                raise fail(ErrorCode.FUNDING_COIN_INVALID, "coin backs another order")
        return total

    def _swap_fees(self, asset: str, lot_count: int) -> int:
        cfg = self.config.assets[asset]
        return swap_fees(lot_count, cfg.swapsize, cfg.feerate)

    def _accept(
        self,
        market: Market,
        p: m.LimitParams | m.MarketParams | m.CancelParams,
        oid: bytes,
        now: int,
        register: Callable[[int], Order],
        row: OrderRow,
    ) -> m.OrderResult:
        epoch = market.epoch_now()
        try:
            order = register(epoch)
        except MatcherError as exc:
            raise ProtocolError(ErrorCode(exc.code), str(exc)) from None
        row.epoch = epoch
        self.store.add_order(row)
        market.add(order, row)
        self._lock(row.coins, oid)
        sig = signing.sign(self.accounts.key, p.payload(now))
        return m.OrderResult(sig=sig, servertime=now)

    def _row(
        self,
        market: Market,
        p: m.LimitParams | m.MarketParams,
        oid: bytes,
        kind: int,
        rate: int,
        standing: bool,
        now: int,
    ) -> OrderRow:
        receives = market.cfg.base if p.side is m.Side.BUY else market.cfg.quote
        try:  # the counterparty's contract pays this address: it must be P2WPKH there
            program = decode_segwit(self.config.assets[receives].params.hrp, p.address)
        except ValueError as exc:
            raise fail(ErrorCode.INVALID_PARAMS, f"address: {exc}") from None
        if len(program) != 20:
            raise fail(ErrorCode.INVALID_PARAMS, "address must be P2WPKH")
        return OrderRow(
            oid,
            market.name,
            p.accountid,
            kind,
            int(SIDE[p.side]),
            p.ordersize,
            rate,
            standing,
            0,
            0,
            int(Status.PENDING),
            p.address,
            [coin_key(c.txid, c.vout) for c in p.utxos],
            None,
            now,
            None,
        )

    # -- the three order types ----------------------------------------------------------------
    async def limit(self, account: bytes | None, p: m.LimitParams) -> m.OrderResult:
        market = self._market(p.tradepair)
        oid = codec.order_id(p.payload(0))
        if oid != p.orderid:
            raise fail(ErrorCode.INVALID_PARAMS, "orderid is not the SHA-256 of the order")
        now = self._prefix(account, p, oid)
        base, quote = market.cfg.base, market.cfg.quote
        if not on_lot(p.ordersize, self.config.assets[base].lotsize):
            raise fail(ErrorCode.LOT_SIZE, "quantity is not a multiple of the lot size")
        if not on_rate_step(p.rate, self.config.assets[quote].ratestep):
            raise fail(ErrorCode.RATE_STEP, "rate is not a multiple of the rate step")
        lot_count = lots(p.ordersize, self.config.assets[base].lotsize)
        if p.side is m.Side.SELL:
            asset, amount = base, p.ordersize
        else:
            asset, amount = quote, quote_amount(p.ordersize, p.rate)
        await self._funding(p, asset, amount + self._swap_fees(asset, lot_count))
        standing = p.timeinforce is m.TimeInForce.STANDING
        row = self._row(market, p, oid, 0, p.rate, standing, now)
        side = SIDE[p.side]
        return self._accept(
            market,
            p,
            oid,
            now,
            lambda e: market.matcher.new_limit(
                oid, p.accountid, side, p.ordersize, p.rate, standing, e
            ),
            row,
        )

    async def market(self, account: bytes | None, p: m.MarketParams) -> m.OrderResult:
        market = self._market(p.tradepair)
        oid = codec.order_id(p.payload(0))
        if oid != p.orderid:
            raise fail(ErrorCode.INVALID_PARAMS, "orderid is not the SHA-256 of the order")
        now = self._prefix(account, p, oid)
        base, quote = market.cfg.base, market.cfg.quote
        lot = self.config.assets[base].lotsize
        if p.side is m.Side.SELL:
            if not on_lot(p.ordersize, lot):
                raise fail(ErrorCode.LOT_SIZE, "quantity is not a multiple of the lot size")
            asset, amount, lot_count = base, p.ordersize, lots(p.ordersize, lot)
        else:
            best = market.matcher.best_ask()
            if best is None:
                raise fail(
                    ErrorCode.INSUFFICIENT_FUNDING,
                    "no standing sell order to price a market buy against",
                )
            if below_buy_buffer(p.ordersize, self.config.buybuffer_fraction, lot, best):
                raise fail(
                    ErrorCode.INSUFFICIENT_FUNDING,
                    "market buy below the buy buffer "
                    f"({self.config.buybuffer} lots at the best rate)",
                )
            lot_count = market_buy_lots(p.ordersize, lot, best)
            asset, amount = quote, p.ordersize
        await self._funding(p, asset, amount + self._swap_fees(asset, lot_count))
        row = self._row(market, p, oid, 2, 0, False, now)
        side = SIDE[p.side]
        return self._accept(
            market,
            p,
            oid,
            now,
            lambda e: market.matcher.new_market(oid, p.accountid, side, p.ordersize, e),
            row,
        )

    async def cancel(self, account: bytes | None, p: m.CancelParams) -> m.OrderResult:
        market = self._market(p.tradepair)
        oid = codec.order_id(p.payload(0))
        now = self._prefix(account, p, oid)
        target = market.rows.get(p.orderid)
        if target is None or target.account != p.accountid:
            raise fail(ErrorCode.UNKNOWN_ORDER, "no live order of this account with that ID")
        if target.kind != 0 or not target.standing:
            raise fail(ErrorCode.NOT_CANCELABLE, "only standing limit orders can be cancelled")
        row = OrderRow(
            oid,
            market.name,
            p.accountid,
            3,
            0,
            0,
            0,
            False,
            0,
            0,
            int(Status.PENDING),
            "",
            [],
            p.orderid,
            now,
            None,
        )
        return self._accept(
            market,
            p,
            oid,
            now,
            lambda e: market.matcher.new_cancel(oid, p.accountid, p.orderid, e),
            row,
        )
