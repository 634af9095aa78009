"""From the server's view of a match (`match` note, `connect`/`match_status` state) to the
swap engine's `Match`, and the counterparty messages the engine consumes. Pure, no I/O but the
wallet's stored address table. Also the engine's key ring from the unlocked wallet
(`swap_keys`), which first takes over older swap records that held keys in clear."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.client.errors import MatchConversionError
from app.client.order_store import OrderRecord
from app.safety.limits import SafetyLimits
from app.safety.match_terms import MatchTerms, required_confs, swap_amounts
from app.swap.keys import WalletKeys
from app.swap.messages import CounterpartyInit, CounterpartyRedeem
from app.swap.rekey import take_over_clear_keys
from app.swap.states import KeyPath, Match, Role
from app.swap.store import SwapStore
from app.wallet.session import OpenWallet
from dexproto.address import decode_segwit, script_from_address
from dexproto.crypto import hash160
from dexproto.messages import (
    AuditParams,
    ConfigResult,
    MatchNote,
    MatchState,
    RedemptionParams,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MatchInfo:
    """The fields a `match` note and a `connect`/`match_status` state share."""

    orderid: bytes
    matchid: bytes
    quantity: int
    rate: int
    address: str
    side: str
    feerate: int
    servertime: int

    @classmethod
    def of(cls, m: MatchNote | MatchState) -> MatchInfo:
        return cls(
            m.orderid,
            m.matchid,
            m.quantity,
            m.rate,
            m.address,
            m.side.value,
            m.feerate,
            m.servertime,
        )

    @property
    def terms(self) -> MatchTerms:
        return MatchTerms(
            self.matchid.hex(), self.quantity, self.rate, self.side, self.feerate, self.servertime
        )


def to_swap_match(
    wallet: OpenWallet,
    config: ConfigResult,
    order: OrderRecord,
    info: MatchInfo,
    limits: SafetyLimits,
) -> Match:
    """The engine's Match for terms that passed app/safety/match_terms.py."""
    our_asset, their_asset = order.fund_asset, order.receive_asset
    our_amount, their_amount = swap_amounts(order, info.quantity, info.rate)
    pay_wallet, recv_wallet = wallet.asset(our_asset), wallet.asset(their_asset)
    try:  # the counterparty's address is on the chain of what we pay
        their_pkh = decode_segwit(pay_wallet.asset.hrp, info.address)
    except ValueError as exc:
        raise MatchConversionError(f"counterparty address {info.address!r}: {exc}") from None
    if len(their_pkh) != 20:
        raise MatchConversionError("counterparty address is not P2WPKH")
    our_script = script_from_address(order.address, recv_wallet.asset)
    where = recv_wallet.known_scripts().get(our_script)
    if where is None:
        raise MatchConversionError(
            f"order {order.order_id[:16]} pays to an address that is not ours"
        )
    assets = {a.symbol: a for a in config.assets}
    network = wallet.config.network.value
    return Match(
        order_id=order.order_id,
        match_id=info.matchid.hex(),
        role=Role(info.side),
        quantity=info.quantity,
        rate=info.rate,
        network=network,
        our_asset=our_asset,
        their_asset=their_asset,
        our_amount=our_amount,
        their_amount=their_amount,
        their_pkh=their_pkh,
        # The key of our order's address: its hash is in both contracts. Only WHERE it is gets
        # stored; the engine derives it from the unlocked wallet when it signs.
        our_pkh=hash160(recv_wallet.keys.pubkey(*where)),
        our_key_path=KeyPath(their_asset, where[0], where[1]),
        redeem_script=our_script,
        refund_script=pay_wallet.refund_script(),
        our_fee_rate=info.feerate,
        their_fee_rate=assets[their_asset].feerate,
        their_swap_conf=required_confs(config, their_asset, network, limits),
        match_time_ms=info.servertime,
        maker_lock_ms=config.locktimes.maker,
        taker_lock_ms=config.locktimes.taker,
    )


def audit_message(p: AuditParams) -> CounterpartyInit:
    return CounterpartyInit(
        p.orderid.hex(), p.matchid.hex(), p.txid.hex(), p.vout, p.contract, p.timestamp
    )


def redemption_message(p: RedemptionParams) -> CounterpartyRedeem:
    return CounterpartyRedeem(
        p.orderid.hex(), p.matchid.hex(), p.txid.hex(), p.vin, p.secret, p.timestamp
    )


def state_messages(s: MatchState) -> list[CounterpartyInit | CounterpartyRedeem]:
    """What the server's view tells us about the counterparty, for the engine."""
    out: list[CounterpartyInit | CounterpartyRedeem] = []
    if s.contract is not None and s.txid is not None and s.vout is not None:
        out.append(
            CounterpartyInit(s.orderid.hex(), s.matchid.hex(), s.txid.hex(), s.vout, s.contract, 0)
        )
    if s.secret is not None:  # only the secret matters to the engine
        out.append(CounterpartyRedeem(s.orderid.hex(), s.matchid.hex(), "", 0, s.secret, 0))
    return out


def swap_keys(wallet: OpenWallet, swaps: SwapStore) -> WalletKeys:
    """The swap engine's key ring from the unlocked wallet. First takes over swap records
    from before format 2: their clear keys become wallet paths (app/swap/rekey.py)."""
    keys = WalletKeys(wallet.hd)

    def find(asset: str, script: bytes) -> KeyPath | None:
        where = wallet.asset(asset).known_scripts().get(script)
        return None if where is None else KeyPath(asset, where[0], where[1])

    report = take_over_clear_keys(swaps, keys, find)
    if report.taken_over or report.left_in_clear:
        log.info(
            "swap records taken over: %d; keys left in clear: %d",
            len(report.taken_over),
            len(report.left_in_clear),
        )
    return keys
