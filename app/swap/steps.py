"""What a swap transition reads and returns: an `Observation` in, a `Step` out. No I/O.

The observer (observer.py) fills an Observation from the chains, the inbox and the wallet;
`transition` (transitions.py) answers with a Step: the next state and the actions the driver
(engine.py) takes once that state is stored; the actor (actor.py) performs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.swap.bump import DEFAULT_BUMP, BumpPolicy
from app.swap.htlc_tx import InitTx
from app.swap.keys import MatchKeys
from app.swap.messages import CounterpartyInit, CounterpartyRedeem, OutgoingMessage
from app.swap.node_sync import NodeLag
from app.swap.states import HeldSecret, Match, SwapState
from app.wallet.backends.base import SpendInfo
from app.wallet.coins import SignedTx, TxOutput
from app.wallet.signing import KeyedUtxo


class Side(StrEnum):
    OURS = "ours"  # the chain of the asset we pay
    THEIRS = "theirs"  # the chain of the asset we receive


def side_asset(m: Match, side: Side) -> str:
    """The asset on whose chain `side` is, for this match."""
    return m.our_asset if side is Side.OURS else m.their_asset


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
    """Coins the actor got for one match's init (and the maker's fresh secret, sealed)."""

    coins: tuple[KeyedUtxo, ...] = field(repr=False)
    change_script: bytes
    secret_hash: bytes | None = None  # maker: hash of the fresh secret
    sealed_secret: HeldSecret | None = None  # maker: that secret, sealed by the wallet


@dataclass(frozen=True)
class SharedInit:
    """Protocol §9 case B (batch.py): one signed init funds the contracts of several of our
    maker matches; this match's is its `index`-th, locked to `secret_hash`."""

    init: InitTx
    index: int
    secret_hash: bytes
    sealed_secret: HeldSecret


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
    funded: Funded | SharedInit | None = None
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


def spend_depth(spend: SpendInfo | None, tip: int | None) -> int:
    """Confirmations of a spend by its block height (0: in the mempool or none; a tip not
    known, or behind the spend's block, counts as 1)."""
    if spend is None or spend.height is None:
        return 0
    return 1 if tip is None else max(1, tip - spend.height + 1)


def deepest(
    versions: tuple[SignedTx, ...], seen: tuple[tuple[str | None, int], ...]
) -> tuple[SignedTx, int] | None:
    """The version of ours the chain shows confirmed, with its confirmations: the deepest of
    `seen` (txid, confirmations) that is one of `versions`. None: none is in a block now
    (never was, or a reorg took it out: it goes out again)."""
    by_txid = {v.txid: v for v in versions}
    found = [(by_txid[txid], confs) for txid, confs in seen if txid in by_txid and confs > 0]
    return max(found, key=lambda f: f[1]) if found else None
