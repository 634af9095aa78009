"""Transitions until both contracts are locked: funding, our contract and its refund signed
and stored, our init broadcast, the counterparty's contract audited. No I/O.

    maker: Matched -> ContractPrepared -> InitBroadcast -> CounterpartyAudited -> (redeem)
    taker: Matched -> CounterpartyAudited -> ContractPrepared -> InitBroadcast -> (redeem)

Nothing of ours leaves the machine before our init and its refund are stored; the taker
funds only while timing.py allows it, the maker reveals its secret only while it may.
"""

from __future__ import annotations

from dataclasses import replace

from app.safety.rules import rules_for
from app.swap.contract import make_contract, parse_contract
from app.swap.errors import AuditError, AuditField, SwapError
from app.swap.htlc import ExpectedContract, audit_contract_tx
from app.swap.htlc_tx import build_init_tx, build_refund_tx, check_spendable
from app.swap.messages import InitReport
from app.swap.redeem_steps import start_redeem
from app.swap.refund_steps import watch_ours
from app.swap.states import (
    AwaitingRefund,
    ContractPrepared,
    CounterpartyAudited,
    Failed,
    HeldSecret,
    InitBroadcast,
    Match,
    Matched,
    OurContract,
    Role,
    TheirContract,
)
from app.swap.steps import (
    Action,
    Broadcast,
    Fund,
    Observation,
    RefuseAudit,
    Send,
    SharedInit,
    Side,
    Step,
    WaitForNode,
)
from app.swap.timing import KEPT, fund_refusal, min_maker_lock, reveal_refusal, span
from dexproto.assets import get_asset
from dexproto.crypto import sha256
from dexproto.htlc import maker_lock_time, min_taker_lock_time, taker_lock_time

UNCONFIRMED = "could not confirm the match with the server"


def our_lock_time(match: Match) -> int:
    if match.role is Role.MAKER:
        return maker_lock_time(match.match_time_ms, match.maker_lock_ms)
    return taker_lock_time(match.match_time_ms, match.taker_lock_ms)


def init_report(m: Match, ours: OurContract, now_ms: int) -> InitReport:
    return InitReport(m.order_id, m.match_id, ours.init.txid, ours.vout, ours.script, now_ms)


def audit(m: Match, obs: Observation, secret_hash: bytes | None) -> TheirContract:
    """Check the announced counterparty contract against the match; raises SwapError."""
    msg, tx = obs.audit, obs.their_init
    if msg is None or tx is None or tx.txid != msg.txid:
        raise AuditError(AuditField.OUTPUT, "the announced transaction", "not found")
    if secret_hash is None:  # taker: the maker chooses the hash
        secret_hash = parse_contract(msg.contract).secret_hash
    if m.role is Role.TAKER:  # at least our own lock time + the gap, whatever the config
        min_lock = min_maker_lock(m)
    else:
        min_lock = min_taker_lock_time(m.match_time_ms, m.taker_lock_ms)
    expected = ExpectedContract(m.their_amount, secret_hash, m.our_pkh, min_lock)
    audit_contract_tx(msg.contract, tx.outputs, msg.vout, expected)
    # We must be able to redeem it without dust at our fee rate.
    check_spendable(m.their_amount, m.their_fee_rate, get_asset(m.their_asset, m.network))
    return TheirContract(msg.contract, m.their_amount, msg.txid, msg.vout, obs.their_tip or 0)


def _prepare(
    current: Matched | CounterpartyAudited,
    secret_hash: bytes,
    sealed: HeldSecret | None,
    theirs: TheirContract | None,
    obs: Observation,
) -> Step:
    """Build and sign our init (or take our output of a shared one, case B) and our refund;
    nothing leaves the machine before they are stored."""
    m, funded = current.match, obs.funded
    if funded is None:
        return Step(current, (Fund(m.our_amount, secret_needed=m.role is Role.MAKER),))
    if obs.keys is None:  # the refund needs our key: wait for the wallet
        return Step(current)
    asset = get_asset(m.our_asset, m.network)
    try:
        contract = make_contract(secret_hash, m.their_pkh, m.our_pkh, our_lock_time(m))
        script = contract.to_script()
        check_spendable(m.our_amount, m.our_fee_rate, asset)
        if isinstance(funded, SharedInit):
            init, index = funded.init, funded.index
        else:
            init = build_init_tx(
                funded.coins,
                [(contract, m.our_amount)],
                funded.change_script,
                m.our_fee_rate,
                asset,
            )
            index = 0
        refund = build_refund_tx(
            contract,
            script,
            init.outpoint(index),
            m.our_amount,
            obs.keys.our_key,
            m.refund_script,
            m.our_fee_rate,
            asset,
        )
    except SwapError as exc:
        return Step(Failed(m, f"could not prepare our contract: {exc}"))
    ours = OurContract(
        script, m.our_amount, init.tx, init.contract_vouts[index], refund, obs.our_tip or 0
    )
    return Step(
        ContractPrepared(m, secret_hash, ours, theirs, sealed),
        (Broadcast(Side.OURS, init.tx, "init"),),
    )


def matched(s: Matched, obs: Observation) -> Step:
    m = s.match
    if m.role is Role.MAKER:
        if obs.our_node is not None:  # our init must reach a node in step
            return Step(s, (WaitForNode(obs.our_node),))
        funded = obs.funded
        if funded is None or funded.secret_hash is None or funded.sealed_secret is None:
            return Step(s, (Fund(m.our_amount, secret_needed=True),))
        return _prepare(s, funded.secret_hash, funded.sealed_secret, None, obs)
    if obs.fund_allowed is False:
        return Step(Failed(m, UNCONFIRMED))
    refused: tuple[Action, ...] = ()
    if obs.audit is not None and obs.their_init is not None:
        try:
            theirs = audit(m, obs, None)
        except SwapError as exc:  # nothing of ours sent; wait for a correct announcement
            refused = (RefuseAudit(obs.audit, f"{exc} {exc.detail}".strip()),)
        else:
            return Step(CounterpartyAudited(m, theirs.contract.secret_hash, theirs, None))
    if obs.now_ms > m.match_time_ms + m.maker_lock_ms:
        return Step(Failed(m, "the maker never funded its contract"))
    return Step(s, refused)


def _taker_fund(s: CounterpartyAudited, confirmed: bool, obs: Observation) -> Step:
    """The taker locks its side only while the clock allows it (timing.py) and, after a
    restart, once the server confirmed the match; otherwise Failed: nothing of ours is out."""
    m = s.match
    if confirmed and s.confirmed_ms is None:  # the client-side btimeout starts here
        s = replace(s, confirmed_ms=obs.now_ms)
    if obs.fund_allowed is False:
        return Step(Failed(m, UNCONFIRMED))
    problem = fund_refusal(
        m, s.theirs.contract.lock_time, obs.now_ms, obs.their_mtp, s.confirmed_ms
    )
    if problem is not None:
        return Step(Failed(m, problem))
    if not confirmed or obs.fund_allowed is None:
        return Step(s)
    # Our init goes to our node; the maker chain's clock (fund_refusal) comes from theirs.
    behind = tuple(WaitForNode(lag) for lag in (obs.our_node, obs.their_node) if lag)
    if behind:
        return Step(s, behind)
    return _prepare(s, s.secret_hash, None, s.theirs, obs)


def audited(s: CounterpartyAudited, obs: Observation) -> Step:
    m, theirs = s.match, s.theirs
    if s.ours is not None:  # maker: our contract is out there
        watched = watch_ours(s, s.ours, theirs, s.secret_hash, obs, "")
        if watched is not None:
            return watched
    if obs.their_spend is not None:
        reason = "the counterparty's contract was spent before we acted"
        return Step(
            Failed(m, reason) if s.ours is None else AwaitingRefund(m, s.ours, theirs, reason)
        )
    confs = obs.their_init.confirmations if obs.their_init is not None else 0
    if s.ours is None:  # taker: lock our side once their contract is confirmed
        return _taker_fund(s, confs >= m.their_swap_conf, obs)
    if obs.their_mtp is not None:
        # Revealing the secret too close to the taker's lock time lets it refund and redeem.
        refusal = reveal_refusal(m, theirs.contract.lock_time, obs.their_mtp)
        if refusal is not None:
            return Step(AwaitingRefund(m, s.ours, theirs, refusal))
    if confs < m.their_swap_conf or obs.their_mtp is None:  # unknown MTP: no reveal yet
        return Step(s)
    if s.sealed_secret is None:
        return Step(Failed(m, "maker state without its secret"))
    if obs.their_node is not None:  # its MTP may be old: the margin cannot be trusted
        return Step(s, (WaitForNode(obs.their_node),))
    if obs.keys is None or obs.keys.secret is None:  # sealed: wait for the wallet
        return Step(s)
    return start_redeem(s, obs.keys.secret, s.secret_hash, s.ours, theirs, obs)


def prepared(s: ContractPrepared, obs: Observation) -> Step:
    if obs.our_init_confs is None:  # stored, not yet seen by the chain: (re)broadcast it
        return Step(s, (Broadcast(Side.OURS, s.ours.init, "init"),))
    return Step(
        InitBroadcast(s.match, s.secret_hash, s.ours, s.theirs, s.sealed_secret),
        (Send(init_report(s.match, s.ours, obs.now_ms)),),
    )


def init_broadcast(s: InitBroadcast, obs: Observation) -> Step:
    m, ours = s.match, s.ours
    actions: list[Action] = []
    if not obs.our_init_confs:  # until it confirms
        actions.append(Broadcast(Side.OURS, ours.init, "init"))
    if obs.resumed:
        actions.append(Send(init_report(m, ours, obs.now_ms)))
    if m.role is Role.TAKER and s.theirs is not None:
        # The server's `redemption` first: a spend our chain shows oddly must not hide it.
        msg = obs.redemption
        if msg is not None and msg.match_id == m.match_id and sha256(msg.secret) == s.secret_hash:
            redeem = start_redeem(s, msg.secret, s.secret_hash, ours, s.theirs, obs)
            if redeem.state != s:
                return redeem
            # locked: keep watching our contract (the refund at the lock time) meanwhile
    watched = watch_ours(s, ours, s.theirs, s.secret_hash, obs, "")
    if watched is not None:
        return watched
    if m.role is Role.MAKER and obs.audit is not None and obs.their_init is not None:
        try:
            theirs = audit(m, obs, s.secret_hash)
        except SwapError as exc:  # keep our secret; wait for a correct one or the lock time
            actions.append(RefuseAudit(obs.audit, f"{exc} {exc.detail}".strip()))
        else:
            return Step(CounterpartyAudited(m, s.secret_hash, theirs, ours, s.sealed_secret))
    return Step(s, tuple(actions))


def vanished(s: CounterpartyAudited, obs: Observation) -> Step | None:
    """Give up on a counterparty init our node has not known for `init_vanish_ms` (M7):
    double-spent or reorged out after our audit, so it will not confirm, and waiting for it
    only costs a search every tick. Taker: Failed, nothing of ours is on chain. Maker: our
    refund at our lock time, the secret kept. None while it is known or within the deadline."""
    missing = obs.their_init_missing_ms
    deadline = rules_for(s.match.network).init_vanish_ms
    if missing is None or missing < deadline:
        return None
    reason = (
        f"the counterparty's contract {s.theirs.txid} is no longer known to our node "
        f"(not seen for {span(missing // 1000)})"
    )
    if s.ours is None:
        return Step(Failed(s.match, f"{reason}; nothing of ours was sent"))
    return Step(AwaitingRefund(s.match, s.ours, s.theirs, f"{reason}: {KEPT}"))
