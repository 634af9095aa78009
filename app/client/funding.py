"""Coins for orders and swaps, from the wallet's coin locks (table `coin_locks`).

- An order locks the coins that back it (reason `order:<id>`) before it is stored and sent.
- Once an order has a match, its coins are what the swap should spend (§7: the funding proof
  backs exactly the swaps of that order), so the swap engine's `FundingSource` may take free
  coins and coins of matched orders; the coins it hands out are locked as `swapfund` at once,
  so two swaps funding at the same moment never get the same coin.
- An order that leaves the book releases its lock.
- On start, `swapfund` locks that no stored init transaction spends are released: a crash
  between choosing coins and storing the prepared init leaves such locks, and the swap,
  still unfunded, simply funds again.
"""

from __future__ import annotations

import asyncio
import time

from app.client.balances import init_inputs as init_inputs  # re-exported for its older callers
from app.dex import requests as rq
from app.swap.actor import Funding
from app.swap.observer import tx_outputs
from app.wallet.coins import Outpoint, SignedTx, TxOutput, Utxo
from app.wallet.coinselect import select_coins
from app.wallet.errors import InsufficientFundsError, TooManyCoinsError, WalletError
from app.wallet.service import SWAP_FUNDING, AssetWallet
from app.wallet.signing import KeyedUtxo
from dexproto.codec import MAX_COINS
from dexproto.messages import FundingCoin
from dexproto.rules import funding_need

SWAP_FUND = SWAP_FUNDING  # the wallet's balance splits locks by this reason


def lock_reasons(wallet: AssetWallet) -> dict[Outpoint, str]:
    return wallet.lock_reasons()


def relock(wallet: AssetWallet, coins: list[Utxo], reason: str) -> None:
    """Move `coins` to `reason` in one transaction, whatever held them before."""
    now = time.time_ns() // 1_000_000
    with wallet.store.transaction() as db:
        for c in coins:
            db.execute(
                "INSERT OR REPLACE INTO coin_locks (asset, txid, vout, reason, "
                "created_ms) VALUES (?,?,?,?,?)",
                (wallet.asset.symbol, c.outpoint.txid, c.outpoint.vout, reason, now),
            )


class FundingRefused(WalletError):
    """A swap would need more than its order's coins and the fee allowance (documented in
    app/client/errors.py)."""


class WalletFunding:
    """The swap engine's FundingSource for one asset: a swap spends the coins of its own order
    (reason `order:<id>`, including the change of the order's earlier inits, relocked to the
    order by `lock_init_change`) first; free coins only when those are short (in flight for
    another match of the order, or a match rate above what the order reserved), never any
    other order's coins. The amounts are bounded by the intake (no overfill)."""

    def __init__(self, wallet: AssetWallet) -> None:
        self.wallet = wallet
        self._lock = asyncio.Lock()

    async def fund(
        self, amount: int, fee_rate: int, contracts: int, orders: tuple[str, ...] = ()
    ) -> Funding:
        async with self._lock:  # one selection at a time: each sees the previous one's locks
            coins = await self.wallet.utxos()
            reasons = lock_reasons(self.wallet)
            own = {f"order:{oid}" for oid in orders}
            reserved = [c for c in coins if reasons.get(c.outpoint) in own]
            change = self.wallet.change_script()
            # One P2WSH output per contract (34-byte script), the amount split between them.
            each, rest = divmod(amount, contracts)
            dummy = b"\x00\x20" + bytes(32)
            outputs = [TxOutput(dummy, each + (rest if i == 0 else 0)) for i in range(contracts)]
            asset = self.wallet.asset
            try:
                selection = select_coins(reserved, outputs, fee_rate, asset, change)
            except InsufficientFundsError as exc:
                if not orders:  # a swap names its order; nothing else may take coins
                    raise FundingRefused("a swap without an order takes no coins") from exc
                # The order's coins are in flight for another of its matches (its change comes
                # back to the order once that init is stored): free coins for this swap alone.
                # What the order's swaps lock together is bounded by the intake's remainder
                # check (app/safety/match_terms.py), never by this wallet's free balance.
                free = [c for c in coins if c.outpoint not in reasons]
                selection = select_coins(reserved + free, outputs, fee_rate, asset, change)
            relock(self.wallet, list(selection.coins), SWAP_FUND)
            return Funding(tuple(self.wallet.keyed(selection.coins)), change)


def lock_init_change(wallet: AssetWallet, init: SignedTx, order_id: str) -> int:
    """Lock the change outputs of our init to its order, so the order's next match spends
    them (and no other order does); returns how many. The order's end releases them."""
    known = wallet.known_scripts()
    outs = [Outpoint(init.txid, i) for i, o in enumerate(tx_outputs(init.raw)) if o.script in known]
    now = time.time_ns() // 1_000_000
    with wallet.store.transaction() as db:
        db.executemany(
            "INSERT OR IGNORE INTO coin_locks (asset, txid, vout, reason, "
            "created_ms) VALUES (?,?,?,?,?)",
            [(wallet.asset.symbol, o.txid, o.vout, f"order:{order_id}", now) for o in outs],
        )
    return len(outs)


def release_stale_swap_locks(wallet: AssetWallet, reserved: set[Outpoint]) -> int:
    """Drop `swapfund` locks on coins no stored init spends; returns how many. Run it before
    swaps resume, when no funding can be in flight."""
    stale = [
        o for o, reason in lock_reasons(wallet).items() if reason == SWAP_FUND and o not in reserved
    ]
    with wallet.store.transaction() as db:
        db.executemany(
            "DELETE FROM coin_locks WHERE asset = ? AND txid = ? AND vout = ?",
            [(wallet.asset.symbol, o.txid, o.vout) for o in stale],
        )
    return len(stale)


async def pick_order_coins(
    wallet: AssetWallet, amount: int, lots: int, feerate: int, swapsize: int, fundconf: int
) -> list[KeyedUtxo]:
    """Unlocked coins with `fundconf` confirmations covering the order: the smallest single
    coin that suffices, else the largest coins until they do, at most MAX_COINS of them
    (an order names its coins with a one-byte count)."""
    locked = set(lock_reasons(wallet))
    coins = [
        c
        for c in await wallet.utxos()
        if c.outpoint not in locked and c.confirmations >= max(fundconf, 1)
    ]
    singles = sorted(
        (c for c in coins if c.value >= funding_need(amount, lots, 1, feerate, swapsize)),
        key=lambda c: (c.value, c.outpoint),
    )
    if singles:
        return wallet.keyed([singles[0]])
    chosen: list[Utxo] = []
    for coin in sorted(coins, key=lambda c: (-c.value, c.outpoint))[:MAX_COINS]:
        chosen.append(coin)
        if sum(c.value for c in chosen) >= funding_need(
            amount, lots, len(chosen), feerate, swapsize
        ):
            return wallet.keyed(chosen)
    total = sum(c.value for c in coins)
    need = funding_need(amount, lots, max(len(chosen), 1), feerate, swapsize)
    if len(coins) > MAX_COINS and total >= funding_need(
        amount, lots, len(coins), feerate, swapsize
    ):
        raise TooManyCoinsError(need, total, MAX_COINS, wallet.asset.ticker)
    raise InsufficientFundsError(need, total, wallet.asset.ticker)


def funding_proofs(coins: list[KeyedUtxo], account_id: bytes) -> list[FundingCoin]:
    return [
        rq.funding_coin(
            k.secret, account_id, bytes.fromhex(k.utxo.outpoint.txid), k.utxo.outpoint.vout
        )
        for k in coins
    ]


def coin_ids(coins: list[KeyedUtxo]) -> tuple[str, ...]:
    return tuple(str(k.utxo.outpoint) for k in coins)
