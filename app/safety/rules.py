"""The client's own timing and confirmation constants, per network (docs/security.md).

The DEX server proposes lock durations, a match time and confirmation counts; none of them is
taken unless it lies inside these constants. They are the client's, never the server's:

- lock durations: the taker's between `taker_lock_min_ms` and `taker_lock_max_ms`, the maker's
  at most `maker_lock_max_ms`, and maker − taker at least `gap_ms(taker)` = max(a network floor,
  taker / 2): the window in which the taker, holding the secret, redeems the maker's contract
  after the maker redeemed the taker's and before the maker can refund;
- the match time within `clock_skew_ms` of our own clock (a server time in the future would
  lengthen every lock, one in the past shorten it);
- the maker reveals its secret only while the taker's lock time is at least
  `reveal_margin_s(taker)` ahead of the taker chain's median-time-past (a redeem that confirms
  after the taker can refund lets the taker take both sides);
- the taker funds only while its own lock time is at least `fund_margin_s(taker)` ahead of now,
  while the maker's lock time still leaves the gap, and not later than `btimeout_ms` after the
  maker's contract reached its confirmations (the server revokes such a match anyway);
- confirmations of the counterparty's contract: at least the asset's own `swap_confs`;
- before funding, revealing the secret or refunding, the node of the chain that step depends
  on must be in step: not in initial block download, its tip at most `max_tip_age_s` old on
  our clock (a lagging node shows an old median-time-past: the maker would believe the
  taker's lock time still far away).
- a counterparty contract that vanished from our node after the audit is given up after
  `init_vanish_ms`.
- finality: a swap is `Complete` or `Refunded` only once our redeem or refund is
  `finality_confs(symbol, network)` blocks deep (`FINALITY_CONFS`); until then a reorg can
  still let the counterparty's conflicting spend win, and the engine keeps watching.

Regtest (the simnet, the tests) runs the same rules scaled down to minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from dexproto.assets import Network, get_asset

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True)
class NetworkRules:
    network: Network
    taker_lock_min_ms: int
    taker_lock_max_ms: int
    maker_lock_max_ms: int
    gap_floor_ms: int  # least maker − taker lock duration, whatever the taker duration
    clock_skew_ms: int  # most |server match time − our clock|
    reveal_floor_ms: int  # least room, before the taker's lock time, to start our redeem
    fund_floor_ms: int  # least room, before our own (taker) lock time, to fund
    btimeout_ms: int  # latest funding after the maker's contract got its confirmations
    resume_wait_ms: int  # an unfunded taker swap at start waits this long for the server
    fee_estimate_factor: int  # a server fee rate may be at most this × the node's estimate
    # A node whose tip is older than max(floor, blocks × the chain's block spacing) is behind.
    tip_age_blocks: int = 12
    tip_age_floor_ms: int = 30 * MINUTE_MS
    # A counterparty init our node has not known for this long after the audit (double-spent,
    # reorged out) is given up: the taker fails, the maker refunds at its lock time.
    init_vanish_ms: int = 2 * HOUR_MS

    def gap_ms(self, taker_ms: int) -> int:
        """Least maker − taker lock duration for a taker duration."""
        return max(self.gap_floor_ms, taker_ms // 2)

    def reveal_margin_s(self, taker_ms: int) -> int:
        """Seconds the taker's lock time must lie ahead of its chain's MTP for the maker to
        start its redeem: max(floor, a quarter of the taker duration)."""
        return max(self.reveal_floor_ms, taker_ms // 4) // 1000

    def fund_margin_s(self, taker_ms: int) -> int:
        """Seconds our (taker) lock time must lie ahead of now for us to fund: max(floor,
        half the taker duration)."""
        return max(self.fund_floor_ms, taker_ms // 2) // 1000

    def max_tip_age_s(self, block_seconds: int) -> int:
        """Seconds the node's best block may lie behind our clock before the node counts as
        behind: 12 blocks (BTC 2 h, LTC 30 min; a 12-block gap happens about once in 160 000
        blocks), on regtest a fixed floor."""
        return max(self.tip_age_floor_ms // 1000, self.tip_age_blocks * block_seconds)

    def lock_problem(self, maker_ms: int, taker_ms: int) -> str | None:
        """Why the server's lock durations are refused, or None when they are acceptable."""
        if not self.taker_lock_min_ms <= taker_ms <= self.taker_lock_max_ms:
            return (
                f"taker lock time {_duration(taker_ms)} is outside "
                f"{_duration(self.taker_lock_min_ms)}–{_duration(self.taker_lock_max_ms)}"
            )
        if maker_ms > self.maker_lock_max_ms:
            return (
                f"maker lock time {_duration(maker_ms)} is longer than "
                f"{_duration(self.maker_lock_max_ms)}"
            )
        gap = self.gap_ms(taker_ms)
        if maker_ms - taker_ms < gap:
            return (
                f"maker lock time {_duration(maker_ms)} leaves less than "
                f"{_duration(gap)} after the taker's {_duration(taker_ms)}"
            )
        return None


def _duration(ms: int) -> str:
    """'24 h', '90 min', '45 s': for refusal texts."""
    if ms % HOUR_MS == 0:
        return f"{ms // HOUR_MS} h"
    if ms % MINUTE_MS == 0:
        return f"{ms // MINUTE_MS} min"
    return f"{ms / 1000:g} s"


def _real_network(network: Network) -> NetworkRules:
    """Mainnet and testnet: durations of hours, margins that survive an hour of MTP lag."""
    return NetworkRules(
        network,
        taker_lock_min_ms=6 * HOUR_MS,
        taker_lock_max_ms=72 * HOUR_MS,
        maker_lock_max_ms=7 * DAY_MS,
        gap_floor_ms=6 * HOUR_MS,
        clock_skew_ms=5 * MINUTE_MS,
        reveal_floor_ms=2 * HOUR_MS,
        fund_floor_ms=4 * HOUR_MS,
        btimeout_ms=2 * HOUR_MS,
        resume_wait_ms=2 * MINUTE_MS,
        fee_estimate_factor=4,
    )


RULES: dict[Network, NetworkRules] = {
    Network.MAINNET: _real_network(Network.MAINNET),
    Network.TESTNET: _real_network(Network.TESTNET),
    Network.REGTEST: NetworkRules(
        Network.REGTEST,
        taker_lock_min_ms=2 * MINUTE_MS,
        taker_lock_max_ms=72 * HOUR_MS,
        maker_lock_max_ms=7 * DAY_MS,
        gap_floor_ms=MINUTE_MS,
        clock_skew_ms=5 * MINUTE_MS,
        reveal_floor_ms=30_000,
        fund_floor_ms=MINUTE_MS,
        btimeout_ms=10 * MINUTE_MS,
        resume_wait_ms=30_000,
        fee_estimate_factor=4,
        init_vanish_ms=10 * MINUTE_MS,
        # The simnet mines every few seconds, but a test or a developer may pause mining (or
        # leave a node's clock moved) for minutes; an hour still catches a stale node.
        tip_age_blocks=0,
        tip_age_floor_ms=HOUR_MS,
    ),
}


def rules_for(network: str | Network) -> NetworkRules:
    return RULES[Network(network)]


def client_swap_confs(symbol: str, network: str | Network) -> int:
    """The client's own least confirmations of a counterparty contract on this chain."""
    return max(1, get_asset(symbol, network).swap_confs)


# Blocks (counting the one holding it) our redeem or refund must be buried under before the
# swap is final. A shallower spend can be reorged out and replaced by the counterparty's
# conflicting one (their refund instead of our redeem, their redeem instead of our refund),
# so until then the engine keeps watching and acts again. Mainnet: 6 Bitcoin blocks (the
# usual hour), 12 Litecoin blocks (2.5 min blocks: 30 min; more blocks than Bitcoin because
# each is cheaper to redo, the chain having far less hash rate behind it).
# Testnet: the same; its minimum-difficulty blocks make deep reorgs more common, not less.
# Regtest: 1 (the simnet mines on demand and nothing reorgs by itself; tests that reorg pass
# their own depth to the engine).
FINALITY_CONFS: dict[tuple[Network, str], int] = {
    (Network.MAINNET, "btc"): 6,
    (Network.MAINNET, "ltc"): 12,
    (Network.TESTNET, "btc"): 6,
    (Network.TESTNET, "ltc"): 12,
    (Network.REGTEST, "btc"): 1,
    (Network.REGTEST, "ltc"): 1,
}


def finality_confs(symbol: str, network: str | Network) -> int:
    """Confirmations of our redeem or refund on this chain before the swap is final."""
    return FINALITY_CONFS[(Network(network), symbol.lower())]
