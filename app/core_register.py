"""Registration with a DEX server (§5): `register`, pay the fee from the wallet, wait for its
confirmations, `notifyfee`. The fee payment is signed and recorded before it is broadcast, so a
crash or retry never pays twice (one fee record per server URL).

Moving to another server (Settings) is allowed only when nothing is left on the current one:
no open order (it would stay booked there, its coins locked) and no active swap (its reports
go to the server that matched it). `switch_blockers` counts what is in the way.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.dex.errors import DexError, ErrorCode, RemoteError
from app.events import DexConnection
from app.swap.engine import tx_outputs
from app.wallet.address import script_from_address

if TYPE_CHECKING:
    from app.core import Core


@dataclass(frozen=True)
class SwitchBlockers:
    """What keeps us on the current server: open orders there, swaps not settled (or whose
    settlement reports the server has not acknowledged yet)."""

    orders: int
    swaps: int

    def __bool__(self) -> bool:
        return bool(self.orders or self.swaps)


class DexSwitchRefused(DexError):
    def __init__(self, blockers: SwitchBlockers) -> None:
        super().__init__(f"{blockers.orders} open orders and {blockers.swaps} active swaps "
                         "on the current server")
        self.blockers = blockers

    @property
    def user_message(self) -> str:
        return "cannot change the DEX server while orders are open or swaps are active"


def switch_blockers(core: Core) -> SwitchBlockers:
    orders = len(core.order_store.live())  # all live orders are on the current server
    swaps = {s.match.match_id for s in core.swaps.pending()}
    swaps |= {item.matchid.hex() for item in core.outbox.pending()}
    return SwitchBlockers(orders, len(swaps))


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
