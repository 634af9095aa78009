"""One asset's wallet: known addresses, discovery with a gap limit, balance, coin locks, send.

Keys come from `AccountKeys`, chain data from a `ChainBackend`, and everything that must
survive a restart (addresses in use, coin locks, our own transactions) from the store.
A failing node raises a BackendError and leaves the stored state as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.store.db import Store
from app.wallet.backends.base import ChainBackend
from app.wallet.coins import Outpoint, SignedTx, TxOutput, Utxo
from app.wallet.coinselect import select_coins
from app.wallet.errors import CoinLockedError, NoNodeConfiguredError
from app.wallet.hd import AccountKeys
from app.wallet.signing import KeyedUtxo, sign_p2wpkh_tx
from dexproto.address import script_from_address
from dexproto.assets import AssetParams

GAP_LIMIT = 20
RECEIVE, CHANGE = False, True
# `addresses.used`: 0 free, 1 seen on chain, RESERVED given out (named in an order, or the
# refund script of a swap) and not seen on chain yet, so it is not given out again.
CHAIN_USED, RESERVED = 1, 2
SWAP_FUNDING = "swapfund"  # lock reason of coins chosen to fund a swap init


@dataclass(frozen=True)
class Balance:
    """Atoms of one asset as a trader reads them (docs/wallet.md).

    Every wallet coin is in exactly one of `available` (confirmed, not reserved),
    `unconfirmed` (0 confirmations, not reserved), `locked_orders` (reserved for an open
    order) and `swap_coins` (reserved to fund a swap init not yet broadcast): a reserved coin
    counts under its reservation whatever its confirmations. `in_contracts` is value we sent
    into swap contracts that has neither come back nor gone to the counterparty; the wallet
    alone cannot see it (app/client/balances.py fills it in from the swap store).
    """

    available: int
    unconfirmed: int
    locked_orders: int
    swap_coins: int
    in_contracts: int = 0

    @property
    def locked_swaps(self) -> int:
        return self.swap_coins + self.in_contracts

    @property
    def locked(self) -> int:
        """Wallet coins reserved for orders and swaps (not the value in contracts)."""
        return self.locked_orders + self.swap_coins

    @property
    def confirmed(self) -> int:
        """Wallet coins outside `unconfirmed`: confirmed ones and reserved ones."""
        return self.available + self.locked

    @property
    def total(self) -> int:
        """Every wallet coin (contracts excluded)."""
        return self.confirmed + self.unconfirmed


def split_coins(coins: Iterable[Utxo], reasons: Mapping[Outpoint, str]) -> Balance:
    """Put each coin in one bucket: its lock reason first, then its confirmations."""
    buckets = {"available": 0, "unconfirmed": 0, "orders": 0, "swaps": 0}
    for coin in coins:
        reason = reasons.get(coin.outpoint)
        if reason == SWAP_FUNDING:
            key = "swaps"
        elif reason is not None:
            key = "orders"  # `order:<id>`; orders are the only other reason a coin is locked
        else:
            key = "available" if coin.confirmations > 0 else "unconfirmed"
        buckets[key] += coin.value
    return Balance(
        buckets["available"], buckets["unconfirmed"], buckets["orders"], buckets["swaps"]
    )


@dataclass(frozen=True)
class Discovery:
    last_used_receive: int  # -1 when none
    last_used_change: int
    scanned: int  # addresses queried, both chains


@dataclass(frozen=True)
class ScanStep:
    """What discovery asks the chain now (for a progress display)."""

    asset: str  # symbol
    change: bool  # the change branch (else receive addresses)
    first: int  # address indexes asked, first..last
    last: int
    scanned: int  # addresses asked before this batch, both branches


ScanCallback = Callable[[ScanStep], None]


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class AssetWallet:
    def __init__(
        self, asset: AssetParams, keys: AccountKeys, store: Store, backend: ChainBackend | None
    ) -> None:
        self.asset = asset
        self.keys = keys
        self.store = store
        self._backend = backend

    @property
    def backend(self) -> ChainBackend:
        """The chain; addresses and keys work without one, balances and sends do not."""
        if self._backend is None:
            raise NoNodeConfiguredError(self.asset.symbol)
        return self._backend

    @property
    def has_backend(self) -> bool:
        return self._backend is not None

    # -- addresses --------------------------------------------------------------------------
    def _ensure_addresses(self, change: bool, upto: int) -> None:
        """Store scripts for indexes 0..upto-1 of a chain (idempotent)."""
        have = self.store.query(
            "SELECT COUNT(*) FROM addresses WHERE asset = ? AND change = ?",
            (self.asset.symbol, int(change)),
        )[0][0]
        if have >= upto:
            return
        rows = [
            (self.asset.symbol, int(change), i, self.keys.script(change, i))
            for i in range(int(have), upto)
        ]
        with self.store.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO addresses (asset, change, idx, script) VALUES (?,?,?,?)",
                rows,
            )

    def _mark_used(self, scripts: Iterable[bytes]) -> None:
        """Seen on chain (also over RESERVED: the chain is what discovery finds)."""
        with self.store.transaction() as db:
            db.executemany(
                "UPDATE addresses SET used = 1 WHERE asset = ? AND script = ?",
                [(self.asset.symbol, s) for s in scripts],
            )

    def _last_used(self, change: bool, *, chain: bool = False) -> int:
        """The highest index seen on chain (`chain`) or also given out; -1 when none."""
        used = "used = 1" if chain else "used >= 1"
        row = self.store.query(
            f"SELECT MAX(idx) FROM addresses WHERE asset = ? AND change = ? AND {used}",
            (self.asset.symbol, int(change)),
        )[0][0]
        return -1 if row is None else int(row)

    def known_scripts(self) -> dict[bytes, tuple[bool, int]]:
        rows = self.store.query(
            "SELECT script, change, idx FROM addresses WHERE asset = ?", (self.asset.symbol,)
        )
        return {bytes(r["script"]): (bool(r["change"]), int(r["idx"])) for r in rows}

    def _next_unused(self, change: bool) -> int:
        """The first index after the last one used or given out, within a gap limit of the
        last one seen on chain (a restore finds nothing further); past that, the first
        after the chain's."""
        index = self._last_used(change) + 1
        self._ensure_addresses(change, index + GAP_LIMIT)
        chain_last = self._last_used(change, chain=True)
        return index if index <= chain_last + GAP_LIMIT else chain_last + 1

    def receive_address(self) -> str:
        """The first receive address not used or given out (the same until it is)."""
        return self.keys.address(RECEIVE, self._next_unused(RECEIVE))

    def change_script(self) -> bytes:
        return self.keys.script(CHANGE, self._next_unused(CHANGE))

    def _reserve(self, change: bool) -> int:
        """Give out a fresh index: marked RESERVED, so the next caller gets the next one.
        Never beyond GAP_LIMIT past the last index seen on chain, so a restore from the seed
        still finds whatever is paid to it: after GAP_LIMIT indexes given out and never
        paid, they are given out again in turn (a privacy cost only)."""
        self._ensure_addresses(change, self._last_used(change) + 1 + GAP_LIMIT)
        asset, branch = self.asset.symbol, int(change)
        with self.store.transaction() as db:  # one writer at a time, across processes too

            def last(where: str) -> int:
                row = db.execute(
                    f"SELECT MAX(idx) FROM addresses WHERE asset = ? AND change = ? AND {where}",
                    (asset, branch),
                ).fetchone()[0]
                return -1 if row is None else int(row)

            chain_last, index = last("used = 1"), last("used >= 1") + 1
            if index > chain_last + GAP_LIMIT:
                key = f"reserve_turn:{asset}:{branch}"
                row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
                turn = 0 if row is None else int(row[0])
                index = chain_last + 1 + turn % GAP_LIMIT
                db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(turn + 1))
                )
            db.execute(
                "UPDATE addresses SET used = ? WHERE asset = ? AND change = ? AND "
                "idx = ? AND used = 0",
                (RESERVED, asset, branch, index),
            )
        return index

    def order_address(self) -> str:
        """A receive address for one order: each order names a fresh one (privacy: no
        two orders, servers or counterparties share it)."""
        return self.keys.address(RECEIVE, self._reserve(RECEIVE))

    def refund_script(self) -> bytes:
        """A change-branch script for one swap's refund, not shared with any other swap."""
        return self.keys.script(CHANGE, self._reserve(CHANGE))

    # -- chain ------------------------------------------------------------------------------
    async def discover(
        self, gap_limit: int = GAP_LIMIT, progress: ScanCallback | None = None
    ) -> Discovery:
        """Find used addresses on both chains until `gap_limit` unused ones in a row;
        `progress` hears of each batch before it is asked."""
        scanned = 0
        last = {}
        for change in (RECEIVE, CHANGE):
            last_used = self._last_used(change, chain=True)
            start = 0
            while start <= last_used + gap_limit:
                end = last_used + gap_limit + 1
                self._ensure_addresses(change, end)
                batch = {self.keys.script(change, i): i for i in range(start, end)}
                if progress is not None:
                    progress(ScanStep(self.asset.symbol, change, start, end - 1, scanned))
                used = await self.backend.used_scripts(list(batch))
                scanned += len(batch)
                if used:
                    self._mark_used(used)
                    last_used = max(last_used, *(batch[s] for s in used))
                start = end
            last[change] = last_used
        return Discovery(last[RECEIVE], last[CHANGE], scanned)

    async def utxos(self) -> list[Utxo]:
        """Our unspent outputs (confirmed and in the mempool); marks their scripts used."""
        for change in (RECEIVE, CHANGE):
            self._next_unused(change)  # watch a full gap of scripts past the last used one
        known = self.known_scripts()
        coins = await self.backend.utxos(list(known))
        fresh = {c.script for c in coins}
        if fresh:
            self._mark_used(fresh)
        return coins

    def locked_outpoints(self) -> set[Outpoint]:
        return set(self.lock_reasons())

    def lock_reasons(self) -> dict[Outpoint, str]:
        """Every reserved coin of this asset and why (`order:<id>` or `swapfund`)."""
        rows = self.store.query(
            "SELECT txid, vout, reason FROM coin_locks WHERE asset = ?", (self.asset.symbol,)
        )
        return {Outpoint(str(r["txid"]), int(r["vout"])): str(r["reason"]) for r in rows}

    async def balance(self) -> Balance:
        """The wallet's coins by bucket; value in swap contracts is not included here."""
        return split_coins(await self.utxos(), self.lock_reasons())

    # -- coin locks -------------------------------------------------------------------------
    def lock_coins(self, outpoints: Sequence[Outpoint], reason: str) -> None:
        """Reserve coins (for an order or a swap); fails whole if any is already reserved."""
        taken = self.locked_outpoints().intersection(outpoints)
        if taken:
            raise CoinLockedError(str(sorted(taken)[0]))
        with self.store.transaction() as db:
            db.executemany(
                "INSERT INTO coin_locks (asset, txid, vout, reason, created_ms) VALUES (?,?,?,?,?)",
                [(self.asset.symbol, o.txid, o.vout, reason, _now_ms()) for o in outpoints],
            )

    def unlock_coins(self, reason: str) -> None:
        with self.store.transaction() as db:
            db.execute(
                "DELETE FROM coin_locks WHERE asset = ? AND reason = ?", (self.asset.symbol, reason)
            )

    # -- spending ---------------------------------------------------------------------------
    def keyed(self, coins: Sequence[Utxo]) -> list[KeyedUtxo]:
        known = self.known_scripts()
        return [KeyedUtxo(c, self.keys.secret(*known[c.script])) for c in coins]

    async def create_payment(
        self, address: str, amount: int, fee_rate: int, min_confirmations: int = 0
    ) -> SignedTx:
        """Build and sign (not broadcast) a payment; locked coins are never used."""
        dest = script_from_address(address, self.asset)
        coins = await self.utxos()
        change = self.change_script()
        selection = select_coins(
            coins,
            [TxOutput(dest, amount)],
            fee_rate,
            self.asset,
            change,
            locked=self.locked_outpoints(),
            min_confirmations=min_confirmations,
        )
        outputs = [TxOutput(dest, amount)]
        if selection.change_value:
            outputs.append(TxOutput(change, selection.change_value))
        return sign_p2wpkh_tx(self.keyed(selection.coins), outputs)

    async def send(self, address: str, amount: int, fee_rate: int) -> SignedTx:
        """Sign, record, then broadcast. A failed broadcast leaves the record for a retry."""
        signed = await self.create_payment(address, amount, fee_rate)
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO wallet_txs "
                "(asset, txid, raw, kind, amount, fee, created_ms) VALUES (?,?,?,?,?,?,?)",
                (self.asset.symbol, signed.txid, signed.raw, "send", amount, signed.fee, _now_ms()),
            )
        await self.backend.broadcast(signed.raw)
        return signed
