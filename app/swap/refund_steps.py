"""Transitions of our contract once it is out: watched for a spend or the lock time, then
`AwaitingRefund` and `Refunding` until a refund version is final. No I/O.

Our presigned refund needs no wallet; a refund stuck unconfirmed (or refused for its fee) is
re-signed at a higher rate when the wallet is unlocked, the presigned one kept as fallback.
A counterparty redeem of our contract reveals the secret: we redeem theirs with it.
"""

from __future__ import annotations

from dataclasses import replace

from app.swap.bump import next_rate, refused_rate
from app.swap.errors import SwapError
from app.swap.htlc import find_secret
from app.swap.htlc_tx import build_refund_tx, refund_vsize
from app.swap.redeem_steps import start_redeem
from app.swap.states import (
    AwaitingRefund,
    Failed,
    OurContract,
    Refunded,
    Refunding,
    SwapState,
    TheirContract,
)
from app.swap.steps import Broadcast, Observation, Side, Step, WaitForNode, deepest, spend_depth
from dexproto.assets import get_asset


def watch_ours(
    current: SwapState,
    ours: OurContract,
    theirs: TheirContract | None,
    secret_hash: bytes,
    obs: Observation,
    reason: str,
) -> Step | None:
    """What the chain says about our contract: spent (secret revealed, or our refund), or
    refundable now. None when nothing happened."""
    m = current.match
    spend = obs.our_spend
    if spend is not None:
        if spend.txid == ours.refund.txid:
            return Step(Refunding(m, ours, theirs, reason, (), obs.our_tip))
        secret = find_secret([spend.witness], ours.contract)  # as the node decoded it
        if secret is not None and theirs is not None:
            return start_redeem(current, secret, secret_hash, ours, theirs, obs)  # learned on chain
        return Step(Failed(m, "our contract was spent without a usable secret"))
    if obs.our_mtp is not None and obs.our_mtp >= ours.contract.lock_time:
        if obs.our_node is not None:  # its clock may be wrong: wait until it is in step
            return Step(current, (WaitForNode(obs.our_node),))
        return Step(
            Refunding(m, ours, theirs, reason or "lock time passed", (), obs.our_tip),
            (Broadcast(Side.OURS, ours.refund, "refund"),),
        )
    return None


def awaiting_refund(s: AwaitingRefund, obs: Observation) -> Step:
    hash_ = s.ours.contract.secret_hash
    watched = watch_ours(s, s.ours, s.theirs, hash_, obs, s.reason)
    return watched if watched is not None else Step(s)


def _refunded_by(s: Refunding, obs: Observation) -> Step | None:
    """Refunded once a version of our refund is `our_finality` blocks deep (its txid
    recorded). Mined but shallower: Step(s), watched with nothing sent (no bump either).
    None: not mined (again, after a reorg): it goes out again."""
    found = deepest(
        s.versions,
        (
            (s.refund.txid, obs.refund_confs or 0),
            (obs.confirmed_refund, obs.confirmed_refund_confs or 1),
            (
                obs.our_spend.txid if obs.our_spend else None,
                spend_depth(obs.our_spend, obs.our_tip),
            ),
        ),
    )
    if found is None:
        return None
    tx, confs = found
    if confs < obs.our_finality:
        return Step(s)
    return Step(Refunded(s.match, tx.txid, s.reason))


def _bump_refund(s: Refunding, obs: Observation) -> Step | None:
    """Re-sign our refund at a higher rate once miners passed over it (`after_blocks` blocks
    with one of our versions in the mempool), or at once when, past the lock time, the node
    refused it for its fee (M2: a presigned refund below the mempool minimum after a fee
    spike). Needs the unlocked wallet; the presigned refund stays the fallback. Stored before
    it is broadcast."""
    tip, spend = obs.our_tip, obs.our_spend
    if tip is None:
        return None
    if s.signed_height is None:  # a record from before bumping: count blocks from now
        return Step(replace(s, signed_height=tip), (Broadcast(Side.OURS, s.refund, "refund"),))
    if spend is None or spend.txid not in {v.txid for v in s.versions}:  # none in a mempool
        # Past the lock time a refusal can only be about the fee (before it: "non-final").
        if obs.fee_refused and obs.our_mtp is not None and obs.our_mtp >= s.ours.contract.lock_time:
            return _resign_refund(s, obs, tip, refused=True)
        if s.signed_height != tip:  # the clock starts when a version is accepted
            return Step(replace(s, signed_height=tip), (Broadcast(Side.OURS, s.refund, "refund"),))
        return None
    if not obs.bump.enabled or tip - s.signed_height < obs.bump.after_blocks:
        return None
    return _resign_refund(s, obs, tip, refused=False)


def _resign_refund(s: Refunding, obs: Observation, tip: int, refused: bool) -> Step | None:
    """A new refund version at a higher rate (bump.py), kept with the presigned one; None
    while locked or at the cap."""
    m, ours = s.match, s.ours
    if obs.keys is None:
        return None
    asset = get_asset(m.our_asset, m.network)
    vsize = refund_vsize(len(ours.script), m.refund_script)  # same for every version
    incremental = -(-asset.min_relay_fee // 1000)
    old_rate = s.refund.fee // vsize
    if refused:
        rate = refused_rate(
            old_rate, obs.fee_estimate, obs.min_fee_rate, incremental, ours.value, vsize, obs.bump
        )
    else:
        rate = next_rate(old_rate, obs.fee_estimate, incremental, ours.value, vsize, obs.bump)
    if rate is None:  # at the fee cap
        return None
    try:
        tx = build_refund_tx(
            ours.contract,
            ours.script,
            ours.outpoint,
            ours.value,
            obs.keys.our_key,
            m.refund_script,
            rate,
            asset,
        )
    except SwapError:
        return None
    return Step(
        replace(s, bumps=(*s.bumps, tx), signed_height=tip),
        (Broadcast(Side.OURS, tx, "refund-bump"),),
    )


def refunding(s: Refunding, obs: Observation) -> Step:
    m, ours = s.match, s.ours
    done = _refunded_by(s, obs)
    if done is not None:
        return done
    spend = obs.our_spend
    if spend is not None and spend.txid not in {v.txid for v in s.versions}:
        # Their redeem won (in the mempool, or a reorg put it in place of our refund).
        secret = find_secret([spend.witness], ours.contract)
        if secret is not None and s.theirs is not None:  # they redeemed first: so do we
            return start_redeem(s, secret, ours.contract.secret_hash, ours, s.theirs, obs)
        if spend_depth(spend, obs.our_tip) < obs.our_finality:  # a reorg may still drop it
            return Step(s, (Broadcast(Side.OURS, s.refund, "refund"),))
        return Step(Failed(m, "our contract was redeemed by the counterparty"))
    return _bump_refund(s, obs) or Step(s, (Broadcast(Side.OURS, s.refund, "refund"),))
