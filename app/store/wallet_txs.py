"""Reads of the `wallet_txs` table (our own payments: sends and registration fees); the
wallet (app/wallet/service.py) and the registration write it."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.db import Store


@dataclass(frozen=True)
class WalletTx:
    txid: str
    kind: str  # "send", "regfee", ...
    amount: int
    fee: int
    created_ms: int


def read_wallet_txs(store: Store, symbol: str) -> list[WalletTx]:
    """Our payments of `symbol`, newest first."""
    rows = store.query(
        "SELECT txid, kind, amount, fee, created_ms FROM wallet_txs "
        "WHERE asset = ? ORDER BY created_ms DESC",
        (symbol,),
    )
    return [
        WalletTx(
            str(r["txid"]), str(r["kind"]), int(r["amount"]), int(r["fee"]), int(r["created_ms"])
        )
        for r in rows
    ]
