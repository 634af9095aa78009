"""What the views show, as plain frozen values built here from the stores and the chain, so
no widget holds a store, runs SQL or asks a chain backend (issue 15, "the UI only binds").

    rows = client.swap_rows()                       # SwapRow per stored swap
    figures = await client.swap_chain(rows)         # confirmations and chain times
    snap = await client.wallet_snapshot("ltc")      # balance, tip, coins, transactions

Errors of the chain read (BackendError, NoNodeConfiguredError, OSError) reach the caller, who
shows them per chain; the swap figures swallow them per transaction (a figure stays unknown).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.client.balances import asset_balance
from app.client.swap_rows import SwapRow, swap_row
from app.store.wallet_txs import WalletTx, read_wallet_txs
from app.swap.store import SwapStore
from app.wallet.backends.base import ChainBackend
from app.wallet.coins import Utxo
from app.wallet.errors import WalletError
from app.wallet.service import AssetWallet
from dexproto.assets import AssetParams

log = logging.getLogger("cambio.client")
RECEIVE = "receive"


@dataclass(frozen=True)
class TxRow:
    txid: str
    kind: str
    amount: int  # signed: what the wallet gained (+) or paid (-), fee not included
    fee: int | None  # None for incoming coins (the sender paid it)
    time_ms: int  # when we made it; for incoming coins estimated from confirmations
    confirmations: int | None  # None: not known (a payment without change)
    time_known: bool = True


def tx_rows(
    sent: Iterable[WalletTx], utxos: Iterable[Utxo], now_ms: int, block_seconds: int
) -> list[TxRow]:
    """Rows newest first: payments from the store, incoming coins grouped by transaction.

    Incoming coins are the unspent outputs not created by our own payments (their change), so
    a received coin that was spent since is no longer listed."""
    coins: dict[str, list[Utxo]] = {}
    for coin in utxos:
        coins.setdefault(coin.outpoint.txid, []).append(coin)
    rows = []
    ours = set()
    for tx in sent:
        ours.add(tx.txid)
        change = coins.get(tx.txid)
        confs = min(c.confirmations for c in change) if change else None
        rows.append(TxRow(tx.txid, tx.kind, -tx.amount, tx.fee, tx.created_ms, confs))
    for txid, outs in coins.items():
        if txid in ours:
            continue
        confs = min(c.confirmations for c in outs)
        # No timestamp for a received coin: place it by its age in blocks.
        when = now_ms - max(0, confs - 1) * block_seconds * 1000 if confs else now_ms
        rows.append(
            TxRow(txid, RECEIVE, sum(c.value for c in outs), None, when, confs, time_known=False)
        )
    rows.sort(key=lambda r: (r.confirmations != 0, -r.time_ms, r.txid))
    return rows


@dataclass(frozen=True)
class WalletSnapshot:
    """One asset's figures after one chain scan."""

    asset: AssetParams
    tip_height: int
    available: int
    locked_orders: int
    locked_swaps: int
    unconfirmed: int
    spendable: tuple[int, ...]  # values of confirmed, unreserved coins (the order form's max)
    address: str  # a fresh receive address
    txs: tuple[TxRow, ...]


async def wallet_snapshot(aw: AssetWallet, swaps: SwapStore) -> WalletSnapshot:
    balance, utxos = await asset_balance(aw, swaps)  # one chain scan
    tip = await aw.backend.tip()
    locked = aw.locked_outpoints()
    txs = tx_rows(
        read_wallet_txs(aw.store, aw.asset.symbol),
        utxos,
        time.time_ns() // 1_000_000,
        aw.asset.block_seconds,
    )
    return WalletSnapshot(
        asset=aw.asset,
        tip_height=tip.height,
        available=balance.available,
        locked_orders=balance.locked_orders,
        locked_swaps=balance.locked_swaps,
        unconfirmed=balance.unconfirmed,
        spendable=tuple(
            u.value for u in utxos if u.confirmations >= 1 and u.outpoint not in locked
        ),
        address=aw.receive_address(),
        txs=tuple(txs),
    )


def swap_rows(swaps: SwapStore) -> list[SwapRow]:
    """Every stored swap, oldest first."""
    times = swaps.times()
    rows = []
    for mid in swaps.all_ids():
        state = swaps.load(mid)
        if state is not None:
            rows.append(swap_row(state, *times.get(mid, (0, 0))))
    return rows


def one_swap_row(swaps: SwapStore, match_id: str) -> SwapRow | None:
    state = swaps.load(match_id)
    if state is None:
        return None
    return swap_row(state, *swaps.times().get(match_id, (0, 0)))


@dataclass(frozen=True)
class SwapChain:
    """Chain figures of swaps in flight: confirmations per txid, median time past per asset.
    A figure that could not be read is missing (the view keeps the last one it had)."""

    confirmations: dict[str, int] = field(default_factory=dict)
    chain_time: dict[str, int] = field(default_factory=dict)


async def swap_chain(rows: Iterable[SwapRow], backend: Callable[[str], ChainBackend]) -> SwapChain:
    """Confirmations of the init transactions (and of the redeem or refund waited on) and
    each chain's time, for the swaps among `rows` not finished."""
    out = SwapChain()
    for row in rows:
        if row.terminal:
            continue
        txs = {row.our_txid: row.pay_asset, row.their_txid: row.receive_asset}
        if row.wait is not None:
            txs[row.wait.txid] = row.wait.asset
        for txid, asset in txs.items():
            if txid:
                try:
                    out.confirmations[txid] = await backend(asset).confirmations(txid) or 0
                except (WalletError, OSError) as exc:
                    log.debug("confirmations of %s: %s", txid, exc)
        if row.lock_time is not None:
            try:
                out.chain_time[row.pay_asset] = await backend(row.pay_asset).median_time_past()
            except (WalletError, OSError) as exc:
                log.debug("chain time of %s: %s", row.pay_asset, exc)
    return out
