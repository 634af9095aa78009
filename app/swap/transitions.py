"""Pure swap transitions: (state, observation) -> Step(new state, actions). No I/O.

The driver (engine.py) builds an Observation from the chains and the inbox, calls
`transition`, persists the new state, and only then performs the actions. Every handler looks
at what the chains already show first (our contract spent? refunded? the lock time passed?),
so running a transition again after a restart is always safe: actions are idempotent
(broadcasting a known transaction, re-sending a report).

Signing here is deterministic (RFC 6979) computation, not I/O. Keys are not stored: the
driver puts this match's key (and the maker's opened secret) into the observation from the
unlocked wallet; without them (wallet locked) a step that must sign waits, while stored
presigned refunds still go out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from app.safety.rules import rules_for
from app.swap.bump import (
    DEFAULT_BUMP,
    BumpPolicy,
    RedeemClock,
    bump_due,
    next_rate,
    refused_rate,
)
from app.swap.contract import make_contract, parse_contract
from app.swap.errors import AuditError, AuditField, SwapError
from app.swap.htlc import ExpectedContract, audit_contract_tx, find_secret
from app.swap.htlc_tx import (
    build_init_tx,
    build_redeem_tx,
    build_refund_tx,
    check_spendable,
    redeem_vsize,
    refund_vsize,
)
from app.swap.keys import MatchKeys
from app.swap.messages import (
    CounterpartyInit,
    CounterpartyRedeem,
    InitReport,
    OutgoingMessage,
    RedeemReport,
)
from app.swap.node_sync import NodeLag
from app.swap.states import (
    AwaitingRefund,
    Complete,
    ContractPrepared,
    CounterpartyAudited,
    Failed,
    HeldSecret,
    InitBroadcast,
    Match,
    Matched,
    OurContract,
    Redeeming,
    Refunded,
    Refunding,
    Role,
    SwapState,
    TheirContract,
    is_terminal,
)
from app.swap.timing import KEPT, fund_refusal, min_maker_lock, reveal_refusal, span
from app.wallet.backends.base import SpendInfo
from app.wallet.coins import SignedTx, TxOutput
from app.wallet.signing import KeyedUtxo
from dexproto.assets import get_asset
from dexproto.crypto import sha256
from dexproto.htlc import maker_lock_time, min_taker_lock_time, taker_lock_time

UNCONFIRMED = "could not confirm the match with the server"


class Side(StrEnum):
    OURS = "ours"  # the chain of the asset we pay
    THEIRS = "theirs"  # the chain of the asset we receive


@dataclass(frozen=True)
class Broadcast:
    side: Side
    tx: SignedTx
    what: str  # "init", "redeem", "refund"; "redeem-bump", "refund-bump": a replacement


@dataclass(frozen=True)
class Send:
    """Send a report to the server. With `after_accepted` (a txid) only once our node accepted
    the Broadcast of that transaction earlier in the same step (or already knew it): the
    `redeem` report carries the secret and must never outrun a redeem that was refused."""

    message: OutgoingMessage
    after_accepted: str | None = None


@dataclass(frozen=True)
class Fund:
    """Ask the funding source for coins covering `amount` plus the init fee."""

    amount: int
    secret_needed: bool  # maker: the driver also draws a fresh random secret and seals it


@dataclass(frozen=True)
class WaitForNode:
    """A time-critical step waits: this chain's node is behind (the engine tells the user)."""

    lag: NodeLag


@dataclass(frozen=True)
class RefuseAudit:
    """The announced counterparty contract failed our audit: the engine drops that
    announcement (a new one for the match is audited afresh) and tells the user once."""

    audit: CounterpartyInit
    reason: str


Action = Broadcast | Send | Fund | WaitForNode | RefuseAudit


@dataclass(frozen=True)
class Funded:
    coins: tuple[KeyedUtxo, ...] = field(repr=False)
    change_script: bytes
    secret_hash: bytes | None = None  # maker: hash of the fresh secret
    sealed_secret: HeldSecret | None = None  # maker: that secret, sealed by the wallet


@dataclass(frozen=True)
class ChainTx:
    """A transaction as the chain shows it (decoded outputs; 0 confirmations = mempool)."""

    txid: str
    outputs: tuple[TxOutput, ...]
    confirmations: int


@dataclass(frozen=True)
class Observation:
    """Everything the driver saw this tick; None means unknown / not found / not asked."""

    now_ms: int
    resumed: bool = False  # first tick after loading from the store: re-send reports
    our_tip: int | None = None
    our_mtp: int | None = None
    their_tip: int | None = None
    their_mtp: int | None = None
    our_init_confs: int | None = None
    our_spend: SpendInfo | None = None  # spend of our contract output
    their_init: ChainTx | None = None  # the tx holding their (announced or audited) contract
    their_spend: SpendInfo | None = None  # spend of their contract output
    redeem_confs: int | None = None  # of the current redeem version
    confirmed_redeem: str | None = None  # txid of an earlier redeem version seen confirmed
    confirmed_refund: str | None = None  # txid of an earlier refund version seen confirmed
    confirmed_redeem_confs: int | None = None  # its confirmations (None: 1)
    confirmed_refund_confs: int | None = None  # its confirmations (None: 1)
    # Finality (rules.finality_confs, or the engine's override): confirmations our redeem
    # (their chain) or refund (our chain) needs before the swap is Complete / Refunded.
    our_finality: int = 1
    their_finality: int = 1
    # Next-block estimate (atoms/vB, clamped) on the chain of what we may bump: their chain
    # in Redeeming, ours in Refunding.
    fee_estimate: int | None = None
    bump: BumpPolicy = DEFAULT_BUMP  # the driver's fee-bump policy
    refund_confs: int | None = None
    audit: CounterpartyInit | None = None
    redemption: CounterpartyRedeem | None = None
    funded: Funded | None = None
    keys: MatchKeys | None = None  # from the unlocked wallet; None: locked
    # Taker not yet funded: may it fund (the server confirmed the match after a restart)?
    # True: yes; False: never (revoked, or no answer in time); None: not known yet, wait.
    fund_allowed: bool | None = True
    # Our node refused the current version of what we may bump (see fee_estimate) for its fee
    # rate; then also the node's minimum rate (atoms/vB, None: it cannot tell).
    fee_refused: bool = False
    min_fee_rate: int | None = None
    # How long (ms) our node has not known the counterparty's audited init (None: it knows it).
    their_init_missing_ms: int | None = None
    # Our / their chain's node is behind (node_sync.py): time-critical steps on it wait.
    # None: in step (the driver asks in every state with such a step).
    our_node: NodeLag | None = None
    their_node: NodeLag | None = None


@dataclass(frozen=True)
class Step:
    state: SwapState
    actions: tuple[Action, ...] = ()


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
    """Build and sign our init and refund; nothing leaves the machine before they are stored."""
    m = current.match
    if obs.funded is None:
        return Step(current, (Fund(m.our_amount, secret_needed=m.role is Role.MAKER),))
    if obs.keys is None:  # the refund needs our key: wait for the wallet
        return Step(current)
    asset = get_asset(m.our_asset, m.network)
    try:
        contract = make_contract(secret_hash, m.their_pkh, m.our_pkh, our_lock_time(m))
        script = contract.to_script()
        check_spendable(m.our_amount, m.our_fee_rate, asset)
        init = build_init_tx(
            obs.funded.coins,
            [(contract, m.our_amount)],
            obs.funded.change_script,
            m.our_fee_rate,
            asset,
        )
        refund = build_refund_tx(
            contract,
            script,
            init.outpoint(0),
            m.our_amount,
            obs.keys.our_key,
            m.refund_script,
            m.our_fee_rate,
            asset,
        )
    except SwapError as exc:
        return Step(Failed(m, f"could not prepare our contract: {exc}"))
    ours = OurContract(
        script, m.our_amount, init.tx, init.contract_vouts[0], refund, obs.our_tip or 0
    )
    return Step(
        ContractPrepared(m, secret_hash, ours, theirs, sealed),
        (Broadcast(Side.OURS, init.tx, "init"),),
    )


def _redeem(
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


def _watch_ours(
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
            return _redeem(current, secret, secret_hash, ours, theirs, obs)  # learned on chain
        return Step(Failed(m, "our contract was spent without a usable secret"))
    if obs.our_mtp is not None and obs.our_mtp >= ours.contract.lock_time:
        if obs.our_node is not None:  # its clock may be wrong: wait until it is in step
            return Step(current, (WaitForNode(obs.our_node),))
        return Step(
            Refunding(m, ours, theirs, reason or "lock time passed", (), obs.our_tip),
            (Broadcast(Side.OURS, ours.refund, "refund"),),
        )
    return None


def _matched(s: Matched, obs: Observation) -> Step:
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


def _audited(s: CounterpartyAudited, obs: Observation) -> Step:
    m, theirs = s.match, s.theirs
    if s.ours is not None:  # maker: our contract is out there
        watched = _watch_ours(s, s.ours, theirs, s.secret_hash, obs, "")
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
    return _redeem(s, obs.keys.secret, s.secret_hash, s.ours, theirs, obs)


def _prepared(s: ContractPrepared, obs: Observation) -> Step:
    if obs.our_init_confs is None:  # stored, not yet seen by the chain: (re)broadcast it
        return Step(s, (Broadcast(Side.OURS, s.ours.init, "init"),))
    return Step(
        InitBroadcast(s.match, s.secret_hash, s.ours, s.theirs, s.sealed_secret),
        (Send(init_report(s.match, s.ours, obs.now_ms)),),
    )


def _init_broadcast(s: InitBroadcast, obs: Observation) -> Step:
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
            redeem = _redeem(s, msg.secret, s.secret_hash, ours, s.theirs, obs)
            if redeem.state != s:
                return redeem
            # locked: keep watching our contract (the refund at the lock time) meanwhile
    watched = _watch_ours(s, ours, s.theirs, s.secret_hash, obs, "")
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


def _spend_depth(spend: SpendInfo | None, tip: int | None) -> int:
    """Confirmations of a spend by its block height (0: in the mempool or none; a tip not
    known, or behind the spend's block, counts as 1)."""
    if spend is None or spend.height is None:
        return 0
    return 1 if tip is None else max(1, tip - spend.height + 1)


def _deepest(
    versions: tuple[SignedTx, ...], seen: tuple[tuple[str | None, int], ...]
) -> tuple[SignedTx, int] | None:
    """The version of ours the chain shows confirmed, with its confirmations: the deepest of
    `seen` (txid, confirmations) that is one of `versions`. None: none is in a block now
    (never was, or a reorg took it out: it goes out again)."""
    by_txid = {v.txid: v for v in versions}
    found = [(by_txid[txid], confs) for txid, confs in seen if txid in by_txid and confs > 0]
    return max(found, key=lambda f: f[1]) if found else None


def _redeemed_by(s: Redeeming, obs: Observation) -> Step | None:
    """Complete once a version of our redeem is `their_finality` blocks deep, recording the
    fee that one paid. Mined but shallower: Step(s), watched with nothing sent (a reorg that
    drops it leaves it unconfirmed again, and it is re-broadcast). None: not mined."""
    found = _deepest(
        s.versions,
        (
            (s.redeem.txid, obs.redeem_confs or 0),
            (obs.confirmed_redeem, obs.confirmed_redeem_confs or 1),
            (
                obs.their_spend.txid if obs.their_spend else None,
                _spend_depth(obs.their_spend, obs.their_tip),
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


def _redeeming(s: Redeeming, obs: Observation) -> Step:
    m = s.match
    mined = _redeemed_by(s, obs)
    if mined is not None and mined.state != s:
        return mined
    spend = obs.their_spend
    if spend is not None and spend.txid not in {v.txid for v in s.versions}:
        reason = "the counterparty refunded before our redeem confirmed"
        if s.ours is not None and obs.our_spend is None:
            return Step(AwaitingRefund(m, s.ours, s.theirs, reason))
        if _spend_depth(spend, obs.their_tip) >= obs.their_finality:
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


def _awaiting_refund(s: AwaitingRefund, obs: Observation) -> Step:
    hash_ = s.ours.contract.secret_hash
    watched = _watch_ours(s, s.ours, s.theirs, hash_, obs, s.reason)
    return watched if watched is not None else Step(s)


def _refunded_by(s: Refunding, obs: Observation) -> Step | None:
    """Refunded once a version of our refund is `our_finality` blocks deep (its txid
    recorded). Mined but shallower: Step(s), watched with nothing sent (no bump either).
    None: not mined (again, after a reorg): it goes out again."""
    found = _deepest(
        s.versions,
        (
            (s.refund.txid, obs.refund_confs or 0),
            (obs.confirmed_refund, obs.confirmed_refund_confs or 1),
            (
                obs.our_spend.txid if obs.our_spend else None,
                _spend_depth(obs.our_spend, obs.our_tip),
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


def _refunding(s: Refunding, obs: Observation) -> Step:
    m, ours = s.match, s.ours
    done = _refunded_by(s, obs)
    if done is not None:
        return done
    spend = obs.our_spend
    if spend is not None and spend.txid not in {v.txid for v in s.versions}:
        # Their redeem won (in the mempool, or a reorg put it in place of our refund).
        secret = find_secret([spend.witness], ours.contract)
        if secret is not None and s.theirs is not None:  # they redeemed first: so do we
            return _redeem(s, secret, ours.contract.secret_hash, ours, s.theirs, obs)
        if _spend_depth(spend, obs.our_tip) < obs.our_finality:  # a reorg may still drop it
            return Step(s, (Broadcast(Side.OURS, s.refund, "refund"),))
        return Step(Failed(m, "our contract was redeemed by the counterparty"))
    return _bump_refund(s, obs) or Step(s, (Broadcast(Side.OURS, s.refund, "refund"),))


def _vanished(s: CounterpartyAudited, obs: Observation) -> Step | None:
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


def transition(state: SwapState, obs: Observation) -> Step:
    """The next state and the actions to take once it is stored."""
    if is_terminal(state):
        return Step(state)
    if isinstance(state, Matched):
        return _matched(state, obs)
    if isinstance(state, CounterpartyAudited):
        return _vanished(state, obs) or _audited(state, obs)
    if isinstance(state, ContractPrepared):
        return _prepared(state, obs)
    if isinstance(state, InitBroadcast):
        return _init_broadcast(state, obs)
    if isinstance(state, Redeeming):
        return _redeeming(state, obs)
    if isinstance(state, AwaitingRefund):
        return _awaiting_refund(state, obs)
    if isinstance(state, Refunding):
        return _refunding(state, obs)
    raise TypeError(f"unknown swap state {type(state).__name__}")  # pragma: no cover
