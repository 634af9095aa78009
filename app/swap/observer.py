"""The swap observer: what a state needs to know from the chains, and the answer.

`needs(state)` (pure) says what the state's transition reads: our tip before funding, our
contract's init and its spend, their contract and its spend, an announced contract to audit,
the versions of our redeem or refund, which nodes must be in step. `ChainObserver.observe`
asks the nodes exactly that and answers with one typed `Observation` (steps.py).

Kept between ticks: confirmed spends with the tip they were seen at (re-checked when the tip
changes: a reorg may have taken one out), and when each counterparty init was last seen (a
vanished one is given up after a deadline, M7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol, TypeAlias

from app.safety.rules import finality_confs
from app.swap.bump import DEFAULT_BUMP, BumpPolicy, refused_for_fee
from app.swap.htlc import read_tx
from app.swap.keys import MatchKeys
from app.swap.messages import CounterpartyInit, CounterpartyRedeem
from app.swap.node_sync import NodeLag, node_lag
from app.swap.states import (
    AwaitingRefund,
    CounterpartyAudited,
    InitBroadcast,
    Match,
    Matched,
    OurContract,
    Redeeming,
    Refunding,
    Role,
    SwapState,
    TheirContract,
    is_terminal,
    ours_of,
    theirs_of,
)
from app.swap.steps import ChainTx, Funded, Observation, Side, side_asset
from app.wallet.backends.base import BlockInfo, ChainBackend, SpendInfo
from app.wallet.coins import Outpoint, SignedTx, TxOutput
from app.wallet.errors import NodeResponseError
from app.wallet.fees import FeePolicy
from app.wallet.txparse import check_txid
from dexproto.assets import get_asset

log = logging.getLogger(__name__)

# States with a time-critical step on our chain besides funding: a broadcast that must
# reach a node in step, a reveal, a refund at the lock time (review M6).
_OurNodeSteps: TypeAlias = InitBroadcast | CounterpartyAudited | AwaitingRefund


def tx_outputs(raw: bytes) -> tuple[TxOutput, ...]:
    """Outputs of a raw segwit or legacy tx; TxDecodeError for anything else (MWEB too)."""
    return tuple(TxOutput(script, value) for script, value in read_tx(raw).outputs)


# -- what a state needs (pure) ----------------------------------------------------------------
@dataclass(frozen=True)
class Versions:
    """A fee-bumpable transaction of ours on `side`'s chain: its current version and the
    earlier ones (any of them may confirm)."""

    side: Side
    current: SignedTx
    earlier: tuple[SignedTx, ...]


@dataclass(frozen=True)
class Needs:
    """What one state's transition reads this tick (the clock always)."""

    funding: bool  # we may fund now: our tip (where the spend search will begin)
    fund_gate: bool  # a taker not yet funded: may it fund (the resume gate)
    ours: OurContract | None  # our MTP and tip, our init's confirmations, its spend
    theirs: TheirContract | None  # their MTP and tip, their init, its spend
    audit: bool  # their contract is awaited: the announced one, if any, and its tx
    refund: Versions | None  # our refund's versions (Refunding)
    redeem: Versions | None  # our redeem's versions (Redeeming)
    our_node: bool  # is our chain's node in step (a time-critical step there)
    their_node: bool  # is theirs


def needs(state: SwapState) -> Needs:
    m = state.match
    ours, theirs = ours_of(state), theirs_of(state)
    funding = (isinstance(state, Matched) and m.role is Role.MAKER) or (
        isinstance(state, CounterpartyAudited) and ours is None
    )
    audit = theirs is None and (
        (isinstance(state, Matched) and m.role is Role.TAKER)
        or (isinstance(state, InitBroadcast) and m.role is Role.MAKER)
    )
    refund = redeem = None
    if isinstance(state, Refunding):
        refund = Versions(Side.OURS, state.refund, state.versions[:-1])
    if isinstance(state, Redeeming):
        redeem = Versions(Side.THEIRS, state.redeem, state.replaced)
    return Needs(
        funding=funding,
        fund_gate=m.role is Role.TAKER and ours is None and not is_terminal(state),
        ours=ours,
        theirs=theirs,
        audit=audit,
        refund=refund,
        redeem=redeem,
        our_node=funding or isinstance(state, _OurNodeSteps),
        their_node=isinstance(state, CounterpartyAudited),
    )


# -- asking the chains ------------------------------------------------------------------------
class BroadcastMemory(Protocol):
    """What our nodes said about our broadcasts (the actor remembers it)."""

    def refusal(self, txid: str) -> str | None: ...

    def replaces(self, asset: str) -> bool: ...


class FundGate(Protocol):
    """May this taker swap, not yet funded, fund? True: yes; False: never (the server revoked
    the match, or did not confirm it in time after a restart); None: not known yet, wait.
    (app/client/resume_gate.py; the default allows every match.)"""

    def fund_allowed(self, match_id: str) -> bool | None: ...


class AlwaysAllowed:
    def fund_allowed(self, match_id: str) -> bool | None:
        return True


@dataclass(frozen=True)
class VersionsSeen:
    """What the chain shows of a fee-bumpable transaction (see ChainObserver._versions)."""

    confs: int | None  # of the current version
    confirmed: str | None  # an earlier version seen confirmed instead
    confirmed_confs: int | None
    bump: BumpPolicy
    fee_estimate: int | None
    fee_refused: bool
    min_fee_rate: int | None


@dataclass(frozen=True)
class _Theirs:
    tip: int | None = None
    mtp: int | None = None
    init: ChainTx | None = None
    init_missing_ms: int | None = None
    spend: SpendInfo | None = None
    audit: CounterpartyInit | None = None


class ChainObserver:
    """Asks the chains what each state needs; `backends` keyed by asset symbol."""

    def __init__(
        self,
        backends: Mapping[str, ChainBackend],
        broadcasts: BroadcastMemory,
        gate: FundGate,
        clock_ms: Callable[[], int],
        *,
        bump: BumpPolicy,
        finality: int | None,
    ) -> None:
        self._backends = backends
        self._broadcasts = broadcasts
        self._gate = gate
        self._clock = clock_ms
        self.bump = bump
        # Confirmations before Complete/Refunded on every chain; None: each chain's own
        # (rules.finality_confs). Tests on regtest pass a depth > 1 to exercise reorgs.
        self.finality = finality
        # Confirmed spends, each with the tip hash it was last seen at: re-checked when the
        # tip changes (a reorg may have taken it out), never trusted for good.
        self._spends: dict[Outpoint, tuple[SpendInfo, str]] = {}
        self._seen: dict[str, int] = {}  # counterparty init txid -> our clock when last seen

    async def observe(
        self,
        state: SwapState,
        *,
        resumed: bool,
        funded: Funded | None,
        audit: CounterpartyInit | None,
        redemption: CounterpartyRedeem | None,
        keys: MatchKeys | None,
    ) -> Observation:
        """What `state` needs (see `needs`), read now; `audit` and `redemption` are the
        inbox's, `funded` the coins the actor got for it, `keys` the unlocked wallet's."""
        m, need = state.match, needs(state)
        ours_b = self._backends[m.our_asset]
        theirs_b = self._backends[m.their_asset]
        now_ms = self._clock()
        our_tip = our_mtp = our_init_confs = None
        our_spend: SpendInfo | None = None
        refund: VersionsSeen | None = None
        if need.funding:
            our_tip = (await ours_b.tip()).height
        fund_allowed = self._gate.fund_allowed(m.match_id) if need.fund_gate else True
        if need.ours is not None:
            our_mtp = await ours_b.median_time_past()
            our_init_confs = await ours_b.confirmations(need.ours.init.txid)
            if our_init_confs is not None:
                our_spend = await self.spend(ours_b, need.ours.outpoint, need.ours.start_height)
            if need.refund is not None:
                refund = await self._versions(m, need.refund)
            our_tip = (await ours_b.tip()).height  # a refund records where it began
        theirs = await self._theirs(theirs_b, need, audit)
        redeem = await self._versions(m, need.redeem) if need.redeem is not None else None
        bumpable = refund or redeem
        our_finality, their_finality = self.finality_of(m)
        return Observation(
            now_ms=now_ms,
            resumed=resumed,
            our_tip=our_tip,
            our_mtp=our_mtp,
            their_tip=theirs.tip,
            their_mtp=theirs.mtp,
            our_init_confs=our_init_confs,
            our_spend=our_spend,
            their_init=theirs.init,
            their_spend=theirs.spend,
            redeem_confs=redeem.confs if redeem else None,
            confirmed_redeem=redeem.confirmed if redeem else None,
            confirmed_refund=refund.confirmed if refund else None,
            confirmed_redeem_confs=redeem.confirmed_confs if redeem else None,
            confirmed_refund_confs=refund.confirmed_confs if refund else None,
            our_finality=our_finality,
            their_finality=their_finality,
            fee_estimate=bumpable.fee_estimate if bumpable else None,
            bump=bumpable.bump if bumpable else DEFAULT_BUMP,
            refund_confs=refund.confs if refund else None,
            audit=theirs.audit,
            redemption=redemption,
            funded=funded,
            keys=keys,
            fund_allowed=fund_allowed,
            fee_refused=bumpable.fee_refused if bumpable else False,
            min_fee_rate=bumpable.min_fee_rate if bumpable else None,
            their_init_missing_ms=theirs.init_missing_ms,
            # Is the node in step, wherever a step may fund, reveal or refund (review M6)?
            our_node=await self._lag(m.our_asset, m.network, ours_b) if need.our_node else None,
            their_node=(
                await self._lag(m.their_asset, m.network, theirs_b) if need.their_node else None
            ),
        )

    async def _theirs(
        self, chain: ChainBackend, need: Needs, audit: CounterpartyInit | None
    ) -> _Theirs:
        """Their audited contract on their chain, or the announced one awaiting our audit."""
        theirs = need.theirs
        if theirs is not None:
            return _Theirs(
                mtp=await chain.median_time_past(),
                tip=(await chain.tip()).height,  # a redeem records where it began
                init=await self._chain_tx(chain, theirs.txid),
                init_missing_ms=self._missing_ms(theirs.txid),
                spend=await self.spend(chain, theirs.outpoint, theirs.start_height),
            )
        if need.audit and audit is not None:
            return _Theirs(
                audit=audit,
                tip=(await chain.tip()).height,
                init=await self._chain_tx(chain, audit.txid),
            )
        return _Theirs()

    async def _lag(self, asset: str, network: str, chain: ChainBackend) -> NodeLag | None:
        return node_lag(asset, network, await chain.sync_state(), self._clock())

    async def node_lag(self, asset: str, network: str) -> NodeLag | None:
        """How `asset`'s node is behind, or None when it is in step."""
        return await self._lag(asset, network, self._backends[asset])

    async def _versions(self, m: Match, versions: Versions) -> VersionsSeen:
        """The fee-bumpable redeem or refund: the current version's confirmations, an
        earlier version that confirmed instead, the bump policy for that chain and the
        next-block estimate (clamped: a broken estimate must not set the bump's rate alone)."""
        asset = side_asset(m, versions.side)
        chain = self._backends[asset]
        bump = self._bump_policy(asset)
        confs = await chain.confirmations(versions.current.txid)
        confirmed = confirmed_confs = None
        for old in reversed(versions.earlier):
            if seen := await chain.confirmations(old.txid):
                confirmed, confirmed_confs = old.txid, seen
                break
        fee_estimate = await chain.estimate_fee_rate(1)
        if fee_estimate is not None:
            fee_estimate = FeePolicy.for_asset(get_asset(asset, m.network)).clamp(fee_estimate)
        # Refused for its fee: re-signed above the node's minimum.
        refused = refused_for_fee(self._broadcasts.refusal(versions.current.txid))
        return VersionsSeen(
            confs=confs,
            confirmed=confirmed,
            confirmed_confs=confirmed_confs,
            bump=bump,
            fee_estimate=fee_estimate,
            fee_refused=refused,
            min_fee_rate=await chain.min_fee_rate() if refused else None,
        )

    def finality_of(self, m: Match) -> tuple[int, int]:
        """Confirmations before final on our chain and on theirs."""
        if self.finality is not None:
            return self.finality, self.finality
        return (finality_confs(m.our_asset, m.network), finality_confs(m.their_asset, m.network))

    def _bump_policy(self, asset: str) -> BumpPolicy:
        if not self._broadcasts.replaces(asset):
            return replace(self.bump, enabled=False)
        return self.bump

    # -- spends and the counterparty's init --------------------------------------------------
    async def spend(
        self, backend: ChainBackend, outpoint: Outpoint, start: int
    ) -> SpendInfo | None:
        """The spend of `outpoint` (searched from block `start`), a confirmed one cached."""
        tip = await backend.tip()
        cached = await self._cached_spend(backend, outpoint, tip)
        if cached is not None:
            return cached
        spend = await backend.find_spend(outpoint, start)
        if spend is not None and spend.height is not None:
            self._spends[outpoint] = (spend, tip.hash)
        return spend

    async def _cached_spend(
        self, backend: ChainBackend, outpoint: Outpoint, tip: BlockInfo
    ) -> SpendInfo | None:
        """The confirmed spend seen earlier, if it still is one: as is while the tip is the
        same block; after a tip change only if the node still has it in a block (its height
        read again: a reorg may have moved it). None: search again."""
        entry = self._spends.get(outpoint)
        if entry is None:
            return None
        spend, seen_at = entry
        if seen_at == tip.hash:
            return spend
        info = await backend.get_tx(spend.txid)
        if info is None or info.height is None:  # reorged out: back in the mempool, or gone
            del self._spends[outpoint]
            log.info(
                "spend %s of %s:%d is no longer in a block",
                spend.txid,
                outpoint.txid,
                outpoint.vout,
            )
            return None
        spend = replace(spend, height=info.height)
        self._spends[outpoint] = (spend, tip.hash)
        return spend

    async def _chain_tx(self, backend: ChainBackend, txid: str) -> ChainTx | None:
        """The counterparty's init as the chain shows it, its hex checked against the txid
        asked for (a mismatch: "cannot read the chain", asked again next tick). Remembers
        when it was last seen: a vanished init is given up after a deadline (M7)."""
        info = await backend.get_tx(txid)
        now = self._clock()
        if info is None:
            self._seen.setdefault(txid, now)  # never seen this run: the clock starts now
            return None
        if info.txid != txid:
            raise NodeResponseError(f"the node sent transaction {info.txid} when asked for {txid}")
        check_txid(info.raw, txid, "the node")
        self._seen[txid] = now
        return ChainTx(info.txid, tx_outputs(info.raw), info.confirmations)

    def _missing_ms(self, txid: str) -> int | None:
        """How long (ms) the counterparty init `txid` has been unknown to our node: since it
        was last seen, or since this run first asked; None while the node knows it."""
        seen = self._seen.get(txid)
        return None if seen is None else max(self._clock() - seen, 0)
