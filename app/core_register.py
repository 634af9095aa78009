"""Registration with a DEX server (§5): `register`, pay the fee from the wallet, wait for its
confirmations, `notifyfee`. The fee payment is signed and recorded before it is broadcast, so a
crash or retry never pays twice."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from app.dex.errors import DexError, ErrorCode, RemoteError
from app.events import DexConnection
from app.swap.engine import tx_outputs
from app.wallet.address import script_from_address

if TYPE_CHECKING:
    from app.core import Core


async def register_account(core: Core, timeout: float) -> None:
    config = core.dex.config
    if config is None:
        raise DexError("no configuration from the server")
    store = core.wallet.store
    key = f"regfee:{core.dex_url}"
    reg = await core.dex.register()
    wallet = core.wallet.asset(reg.asset)
    paid = store.get_meta(key)
    if paid is None:
        feerate = next(a.feerate for a in config.assets if a.symbol == reg.asset)
        signed = await wallet.create_payment(reg.address, reg.fee, feerate, min_confirmations=1)
        script = script_from_address(reg.address, wallet.asset)
        vout = next(i for i, o in enumerate(tx_outputs(signed.raw)) if o.script == script)
        with store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                       (key, f"{signed.txid}:{vout}"))
            db.execute("INSERT OR REPLACE INTO wallet_txs (asset, txid, raw, kind, amount, fee, "
                       "created_ms) VALUES (?,?,?,?,?,?,strftime('%s','now') * 1000)",
                       (reg.asset, signed.txid, signed.raw, "regfee", reg.fee, signed.fee))
        await wallet.backend.broadcast(signed.raw)
        paid = f"{signed.txid}:{vout}"
        core.events.emit(DexConnection(False, f"registration fee paid in {signed.txid}"))
    txid, _, vout_text = paid.partition(":")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (await wallet.backend.confirmations(txid) or 0) < config.regfee.confs:
        if loop.time() > deadline:
            raise DexError("the registration fee did not confirm in time")
        await asyncio.sleep(0.5)
    try:
        await core.dex.notify_fee(bytes.fromhex(txid), int(vout_text))
    except RemoteError as exc:
        if exc.code != ErrorCode.DUPLICATE:  # already notified by an earlier attempt
            raise
