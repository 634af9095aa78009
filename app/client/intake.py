"""Match intake: every match the server offers (a `match` request, or a `connect` /
`match_status` resync naming one we do not know) is checked against our own stored order and
our limits before it is stored, acknowledged or funded (app/safety/match_terms.py).

A refused match is recorded nowhere and answered with an error, never a signature (§1, §9);
one refused note never stops the others of the same request. A match we already hold is
taken again only with the very terms we stored (a re-sent request), never changed.
Matches taken within one request count toward the order's remainder at once, so several
notes (or several requests) cannot together overfill it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.client.errors import MatchConversionError
from app.client.matches import MatchInfo, to_swap_match
from app.client.order_store import OrderRecord, OrderStore
from app.safety.errors import LimitsError
from app.safety.fee_rates import FeeBounds, bounds_from, fee_bounds
from app.safety.limits import SafetyLimits
from app.safety.match_terms import PriorMatch, fee_refusal, refusal
from app.swap.states import Match
from app.wallet.errors import WalletError
from app.wallet.session import OpenWallet
from dexproto.assets import get_asset
from dexproto.messages import ConfigResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Taken:
    match: Match
    info: MatchInfo
    new: bool  # False: a match we had stored already (the same terms, sent again)


@dataclass
class Intake:
    taken: list[Taken] = field(default_factory=list)
    refused: dict[str, tuple[str, str]] = field(default_factory=dict)  # match -> (order, why)


class MatchIntake:
    def __init__(
        self, wallet: OpenWallet, orders: OrderStore, clock_ms: Callable[[], int] | None = None
    ) -> None:
        self.wallet = wallet
        self.orders = orders
        self._clock = clock_ms or (lambda: time.time_ns() // 1_000_000)

    async def take(self, infos: Sequence[MatchInfo], config: ConfigResult, dex_url: str) -> Intake:
        out = Intake()
        bounds: dict[str, FeeBounds] = {}
        limits: SafetyLimits | None = None
        broken = ""
        try:
            limits = self.wallet.config.safety_limits()
        except LimitsError as exc:
            broken = f"your safety limits cannot be read: {exc}"
        for info in infos:
            mid, oid = info.matchid.hex(), info.orderid.hex()
            if limits is None:
                reason: str | None = broken
            else:
                order = self.orders.get(oid)
                if order is None:
                    reason = "the match names an order we never placed"
                else:
                    reason = await self._take_one(out, order, info, config, dex_url, limits, bounds)
            if reason is not None:
                log.warning("match %s of order %s refused: %s", mid[:16], oid[:16], reason)
                out.refused[mid] = (oid, reason)
        return out

    async def _take_one(
        self,
        out: Intake,
        order: OrderRecord,
        info: MatchInfo,
        config: ConfigResult,
        dex_url: str,
        limits: SafetyLimits,
        bounds: dict[str, FeeBounds],
    ) -> str | None:
        mid = info.matchid.hex()
        prior = [PriorMatch(m, q, r) for m, q, r in self.orders.match_terms(order.order_id)]
        known = next((p for p in prior if p.match_id == mid), None)
        if known is not None and (known.quantity, known.rate) != (info.quantity, info.rate):
            return "the server changed the terms of a match it had sent before"
        others = [p for p in prior if p.match_id != mid]
        network = self.wallet.config.network.value
        reason = refusal(
            order,
            others,
            info.terms,
            config,
            dex_url=dex_url,
            network=network,
            now_ms=self._clock(),
        )
        if reason is not None and known is None:
            return reason
        if known is None:  # a new match: its fees must pass too
            ours = await self._bounds(order.fund_asset, limits, bounds)
            theirs = await self._bounds(order.receive_asset, limits, bounds)
            reason = fee_refusal(order, info.terms, config, ours=ours, theirs=theirs, limits=limits)
            if reason is not None:
                return reason
        try:
            match = to_swap_match(self.wallet, config, order, info, limits)
        except (MatchConversionError, ValueError) as exc:
            return f"the match cannot be settled by this wallet: {exc}"
        if known is None:
            self.orders.add_match(order.order_id, mid, info.quantity, info.rate)
        out.taken.append(Taken(match, info, known is None))
        return None

    async def _bounds(
        self, symbol: str, limits: SafetyLimits, cache: dict[str, FeeBounds]
    ) -> FeeBounds:
        """The fee bounds of one chain, asked once per request. A node that does not answer
        leaves the static bounds (the asset's relay floor, the user's maximum): the rate
        still cannot burn more than the user allows, and nothing is sent without the node."""
        if symbol not in cache:
            asset = get_asset(symbol, self.wallet.config.network)
            try:
                cache[symbol] = await fee_bounds(self.wallet.asset(symbol).backend, asset, limits)
            except WalletError as exc:
                log.info("fee bounds for %s without the node: %s", asset.ticker, exc)
                cache[symbol] = bounds_from(asset, limits, None, None)
        return cache[symbol]
