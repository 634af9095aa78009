"""Transitions of our redeem: signing it, and `Redeeming` until a version is final. No I/O.

A redeem stuck unconfirmed is re-signed at a higher fee rate (bump.py); every version is
stored before it is broadcast, and any of them may confirm. The `redeem` report (it carries
the secret) goes out only once our node accepted a version.
"""

from __future__ import annotations

from dataclasses import replace

from app.swap.bump import RedeemClock, bump_due, next_rate, refused_rate
from app.swap.errors import SwapError
from app.swap.htlc_tx import build_redeem_tx, redeem_vsize
from app.swap.messages import RedeemReport
from app.swap.states import (
    AwaitingRefund,
    Complete,
    Failed,
    OurContract,
    Redeeming,
    SwapState,
    TheirContract,
)
from app.swap.steps import Broadcast, Observation, Send, Side, Step, deepest, spend_depth
from dexproto.assets import get_asset


def start_redeem(
    current: SwapState,
    secret: bytes,
    secret_hash: bytes,
    ours: OurContract | None,
    theirs: TheirContract,
    obs: Observation,
) -> Step:
    """Sign and store our redeem of their contract; waits in `current` while locked."""
    m = current.match
    if obs.keys is None:
        return Step(current)
    try:
        tx = build_redeem_tx(
            theirs.contract,
            theirs.script,
            theirs.outpoint,
            theirs.value,
            secret,
            obs.keys.our_key,
            m.redeem_script,
            m.their_fee_rate,
            get_asset(m.their_asset, m.network),
        )
    except SwapError as exc:
        return Step(Failed(m, f"could not build our redeem: {exc}"))
    report = RedeemReport(m.order_id, m.match_id, tx.txid, 0, secret, obs.now_ms)
    return Step(
        Redeeming(m, secret_hash, ours, theirs, tx, secret, (), obs.their_tip, obs.their_mtp),
        (Broadcast(Side.THEIRS, tx, "redeem"), Send(report, after_accepted=tx.txid)),
    )


def _redeemed_by(s: Redeeming, obs: Observation) -> Step | None:
    """Complete once a version of our redeem is `their_finality` blocks deep, recording the
    fee that one paid. Mined but shallower: Step(s), watched with nothing sent (a reorg that
    drops it leaves it unconfirmed again, and it is re-broadcast). None: not mined."""
    found = deepest(
        s.versions,
        (
            (s.redeem.txid, obs.redeem_confs or 0),
            (obs.confirmed_redeem, obs.confirmed_redeem_confs or 1),
            (
                obs.their_spend.txid if obs.their_spend else None,
                spend_depth(obs.their_spend, obs.their_tip),
            ),
        ),
    )
    if found is None:
        return None
    tx, confs = found
    if confs < obs.their_finality:
        return Step(s)
    return Step(Complete(s.match, tx.txid, s.theirs.value - tx.fee))


def _bump(s: Redeeming, obs: Observation) -> Step | None:
    """Replace the unconfirmed redeem by one paying a higher fee rate, when bump.py says so;
    re-sign it at once when the node refused it for its fee. The new version is stored (with
    the old ones) before it is broadcast."""
    tip, mtp = obs.their_tip, obs.their_mtp
    if tip is None or mtp is None:
        return None
    if s.signed_height is None or s.first_mtp is None:  # a record from before bumping
        return Step(
            replace(s, signed_height=tip, first_mtp=mtp),
            (Broadcast(Side.THEIRS, s.redeem, "redeem"),),
        )
    spend = obs.their_spend
    known = obs.redeem_confs is not None or (
        spend is not None and spend.txid in {v.txid for v in s.versions}
    )
    if not known:
        if obs.fee_refused:
            return _resign_redeem(s, obs, tip, refused=True)
        if s.signed_height != tip:
            # Not out yet (refused, dropped, or down before it was sent): blocks count from
            # when it goes out; miners cannot have passed over what they never saw.
            return Step(
                replace(s, signed_height=tip), (Broadcast(Side.THEIRS, s.redeem, "redeem"),)
            )
        return None
    clock = RedeemClock(s.signed_height, s.first_mtp, s.theirs.contract.lock_time)
    if not bump_due(clock, tip, mtp, obs.bump):
        return None
    return _resign_redeem(s, obs, tip, refused=False)


def _resign_redeem(s: Redeeming, obs: Observation, tip: int, refused: bool) -> Step | None:
    """A new redeem version at a higher rate (bump.py), stored with the old ones; None while
    locked or at the cap."""
    m, theirs = s.match, s.theirs
    if obs.keys is None:
        return None
    asset = get_asset(m.their_asset, m.network)
    vsize = redeem_vsize(len(theirs.script), m.redeem_script)  # same for every version
    incremental = -(-asset.min_relay_fee // 1000)
    old_rate = s.redeem.fee // vsize
    if refused:
        rate = refused_rate(
            old_rate, obs.fee_estimate, obs.min_fee_rate, incremental, theirs.value, vsize, obs.bump
        )
    else:
        rate = next_rate(old_rate, obs.fee_estimate, incremental, theirs.value, vsize, obs.bump)
    if rate is None:  # at the fee cap: the current version stays
        return None
    try:
        tx = build_redeem_tx(
            theirs.contract,
            theirs.script,
            theirs.outpoint,
            theirs.value,
            s.secret,
            obs.keys.our_key,
            m.redeem_script,
            rate,
            asset,
        )
    except SwapError:  # cannot happen below the cap (no dust); keep the current version
        return None
    bumped = replace(s, redeem=tx, replaced=s.versions, signed_height=tip)
    return Step(bumped, (Broadcast(Side.THEIRS, tx, "redeem-bump"),))


def redeeming(s: Redeeming, obs: Observation) -> Step:
    m = s.match
    mined = _redeemed_by(s, obs)
    if mined is not None and mined.state != s:
        return mined
    spend = obs.their_spend
    if spend is not None and spend.txid not in {v.txid for v in s.versions}:
        reason = "the counterparty refunded before our redeem confirmed"
        if s.ours is not None and obs.our_spend is None:
            return Step(AwaitingRefund(m, s.ours, s.theirs, reason))
        if spend_depth(spend, obs.their_tip) >= obs.their_finality:
            return Step(Failed(m, reason))
        # Our own contract is gone: only our redeem is left, and a reorg may still drop
        # their refund. Keep sending the stored version (no bump against a conflict).
        return Step(s, (Broadcast(Side.THEIRS, s.redeem, "redeem"),))
    if mined is not None:  # in a block, not yet final: nothing to send but the report
        step = Step(s)
    else:
        step = _bump(s, obs) or Step(s, (Broadcast(Side.THEIRS, s.redeem, "redeem"),))
    known = (
        mined is not None
        or obs.redeem_confs is not None
        or (spend is not None and spend.txid in {v.txid for v in s.versions})
    )
    if obs.resumed or not known:
        # The report (the secret) goes out once a version of our redeem is known to the
        # chain: re-sent on resume, or sent the first time our node accepts the newest one.
        redeem = step.state.redeem if isinstance(step.state, Redeeming) else s.redeem
        report = RedeemReport(m.order_id, m.match_id, redeem.txid, 0, s.secret, obs.now_ms)
        send = Send(report) if known else Send(report, after_accepted=redeem.txid)
        step = Step(step.state, (*step.actions, send))
    return step
