"""Swap states: one frozen dataclass per state (protocol §9, architecture rule 2).

Every state carries everything the driver needs to act on it and everything that cannot be
fetched again (our contract, signed init and refund transactions, the counterparty's contract,
the maker's secret sealed with the wallet), so a state loaded from the store is enough to resume.
No private key is stored: a match records WHERE its key is in the wallet (`KeyPath`) and the
engine derives the key from the unlocked wallet when it signs (docs/swaps.md).

    maker: Matched -> ContractPrepared -> InitBroadcast -> CounterpartyAudited -> Redeeming
           -> Complete
    taker: Matched -> CounterpartyAudited -> ContractPrepared -> InitBroadcast -> Redeeming
           -> Complete
    after our init: ... -> (AwaitingRefund) -> Refunding -> Refunded
    before our init: ... -> Failed (nothing of ours on chain)

Secrets and keys are excluded from repr so a logged state never leaks them.

Record formats: 1 stored `Match.our_key` and the maker's `secret` in clear; 2 stores the key
path and the sealed secret (`clear_key`/`ClearSecret` only for an old record this wallet could
not take over, see app/swap/rekey.py); 3 adds the fee-bump fields of `Redeeming` (earlier
redeem versions, where the current one was signed) and of `Refunding` (re-signed refunds);
4 adds `CounterpartyAudited.confirmed_ms` (when the taker first saw the maker's contract
confirmed: its client-side btimeout). A format 2 or 3 record is a valid format 4 record with
the newer fields at their defaults, so it is read unchanged; an older Cambio refuses a
format 4 record by its number instead of misreading it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias, get_args

from app.swap.contract import parse_contract
from app.wallet.coins import Outpoint, SignedTx
from dexproto.crypto import hash160, pubkey_from_secret
from dexproto.htlc import Contract

STATE_FORMAT = 4  # format version of the stored state records
FEE_BUMP_FORMAT = 3  # before `confirmed_ms`; read as format 4 (default)
KEYLESS_FORMAT = 2  # first format without keys in clear; read as format 4 (defaults)
LEGACY_FORMAT = 1  # key and maker secret in clear; still read, rewritten when unlocked


class Role(StrEnum):
    MAKER = "maker"
    TAKER = "taker"


@dataclass(frozen=True)
class KeyPath:
    """Where our per-swap key is: index `index` of the receive (`change` False) or change
    branch of the wallet's BIP84 account for `asset` (on the match's network)."""

    asset: str
    change: bool
    index: int

    def __post_init__(self) -> None:
        if not 0 <= self.index < 2**31:
            raise ValueError("key index out of range")


@dataclass(frozen=True)
class SealedSecret:
    """The maker's swap secret encrypted with a key of the wallet (ChaCha20-Poly1305, the
    match id as associated data): the store alone does not reveal it."""

    nonce: bytes
    box: bytes


@dataclass(frozen=True)
class ClearSecret:
    """A maker secret stored in clear: only in an old record this wallet could not take over."""

    value: bytes = field(repr=False)


HeldSecret = SealedSecret | ClearSecret


@dataclass(frozen=True)
class Match:
    """One match from our side (protocol §9), with the keys and scripts we settle it with."""

    order_id: str  # hex
    match_id: str  # hex, 32 bytes
    role: Role
    quantity: int
    rate: int
    network: str
    our_asset: str  # the asset we pay (our contract lives on its chain)
    their_asset: str  # the asset we receive
    our_amount: int  # atoms we lock in our contract
    their_amount: int  # atoms the counterparty must lock for us
    their_pkh: bytes  # counterparty's receiving key hash: recipient of our contract
    our_pkh: bytes  # hash of our key, which redeems their contract and refunds ours
    our_key_path: KeyPath | None  # where the wallet derives that key (None: clear_key)
    redeem_script: bytes  # where redeemed coins go (their chain)
    refund_script: bytes  # where a refund goes (our chain)
    our_fee_rate: int  # atoms/vB for init and refund
    their_fee_rate: int  # atoms/vB for our redeem
    their_swap_conf: int  # confirmations of their contract before we act on it
    match_time_ms: int
    maker_lock_ms: int
    taker_lock_ms: int
    # The key itself, only in an old record (format 1) this wallet could not take over.
    clear_key: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.our_amount <= 0 or self.their_amount <= 0:
            raise ValueError("swap amounts must be positive atoms")
        if len(self.their_pkh) != 20 or len(self.our_pkh) != 20:
            raise ValueError("bad key hash in match")
        if (self.our_key_path is None) == (self.clear_key is None):
            raise ValueError("a match needs exactly one of a key path and a clear key")
        if self.clear_key is not None and (
            len(self.clear_key) != 32 or hash160(pubkey_from_secret(self.clear_key)) != self.our_pkh
        ):
            raise ValueError("the clear key does not fit the match's key hash")
        if self.their_swap_conf < 1:
            raise ValueError("their_swap_conf must be at least 1")


@dataclass(frozen=True)
class OurContract:
    """Our contract and the transactions around it, all signed before the init broadcast."""

    script: bytes
    value: int
    init: SignedTx
    vout: int
    refund: SignedTx  # presigned: refunding needs no wallet unlock and no server
    start_height: int  # our chain's tip when prepared: where spend searches begin

    @property
    def contract(self) -> Contract:
        return parse_contract(self.script)

    @property
    def outpoint(self) -> Outpoint:
        return Outpoint(self.init.txid, self.vout)


@dataclass(frozen=True)
class TheirContract:
    """The counterparty's audited contract on their chain."""

    script: bytes
    value: int
    txid: str
    vout: int
    start_height: int

    @property
    def contract(self) -> Contract:
        return parse_contract(self.script)

    @property
    def outpoint(self) -> Outpoint:
        return Outpoint(self.txid, self.vout)


@dataclass(frozen=True)
class Matched:
    match: Match


@dataclass(frozen=True)
class CounterpartyAudited:
    """Their contract passed the audit; waiting for its confirmations.

    Taker: before funding (ours None). Maker: after its own init (ours set)."""

    match: Match
    secret_hash: bytes
    theirs: TheirContract
    ours: OurContract | None
    sealed_secret: HeldSecret | None = None  # maker
    # Taker: our clock (ms) when their contract first had its confirmations; funding is
    # refused btimeout after it (None: not yet, or a record from before format 4).
    confirmed_ms: int | None = None


@dataclass(frozen=True)
class ContractPrepared:
    """Sealed secret (maker), contract, signed init and signed refund are on disk: now
    broadcast."""

    match: Match
    secret_hash: bytes
    ours: OurContract
    theirs: TheirContract | None
    sealed_secret: HeldSecret | None = None  # maker


@dataclass(frozen=True)
class InitBroadcast:
    """Our init tx is known to the chain. Maker: awaits the taker's contract. Taker: awaits the
    secret (redemption message or the maker's spend of our contract)."""

    match: Match
    secret_hash: bytes
    ours: OurContract
    theirs: TheirContract | None
    sealed_secret: HeldSecret | None = None  # maker


@dataclass(frozen=True)
class Redeeming:
    """Our signed redeem of their contract is stored; broadcast until it confirms.

    A redeem stuck unconfirmed is replaced by one re-signed at a higher fee rate (bump.py):
    `redeem` is the newest version, `replaced` the earlier ones, oldest first; any of them
    may still confirm and counts as our redeem. Each version is stored before it is sent."""

    match: Match
    secret_hash: bytes
    ours: OurContract | None
    theirs: TheirContract
    redeem: SignedTx
    secret: bytes = field(repr=False)  # in clear: our signed redeem reveals it anyway
    replaced: tuple[SignedTx, ...] = ()
    signed_height: int | None = None  # their chain's tip when `redeem` was signed
    first_mtp: int | None = None  # their chain's MTP when the first version was signed

    @property
    def versions(self) -> tuple[SignedTx, ...]:
        return (*self.replaced, self.redeem)


@dataclass(frozen=True)
class AwaitingRefund:
    """Something went wrong after our init: wait for the lock time, then refund."""

    match: Match
    ours: OurContract
    theirs: TheirContract | None
    reason: str


@dataclass(frozen=True)
class Refunding:
    """Our refund goes out until it confirms: the presigned `ours.refund`, or, when that was
    stuck and the wallet unlocked, a re-signed one at a higher rate (`bumps`, oldest first;
    the presigned one stays the fallback). Any version may confirm."""

    match: Match
    ours: OurContract
    theirs: TheirContract | None
    reason: str
    bumps: tuple[SignedTx, ...] = ()
    signed_height: int | None = None  # our chain's tip when the current version was sent

    @property
    def versions(self) -> tuple[SignedTx, ...]:
        return (self.ours.refund, *self.bumps)

    @property
    def refund(self) -> SignedTx:
        return self.versions[-1]


@dataclass(frozen=True)
class Complete:
    match: Match
    redeem_txid: str
    received: int  # atoms credited to redeem_script


@dataclass(frozen=True)
class Refunded:
    match: Match
    refund_txid: str
    reason: str


@dataclass(frozen=True)
class Failed:
    """Terminal with nothing of ours on chain (or nothing left we can do)."""

    match: Match
    reason: str


SwapState = (
    Matched
    | CounterpartyAudited
    | ContractPrepared
    | InitBroadcast
    | Redeeming
    | AwaitingRefund
    | Refunding
    | Complete
    | Refunded
    | Failed
)
STATE_TYPES: tuple[type, ...] = get_args(SwapState)

# The groupings of states, named once (each is a union: a type for mypy and, as Python
# allows, a class tuple for isinstance).
# Final: the loop ends, nothing is signed or sent again.
Terminal: TypeAlias = Complete | Refunded | Failed
# Past Matched, not final: they carry our contract (`ours`; None before our init, in a
# taker's CounterpartyAudited) and theirs (`theirs`; None until audited).
WithContracts: TypeAlias = (
    CounterpartyAudited | ContractPrepared | InitBroadcast | Redeeming | AwaitingRefund | Refunding
)
# They hold the maker's secret, sealed (`sealed_secret`), until our redeem holds it in clear.
WithSealedSecret: TypeAlias = CounterpartyAudited | ContractPrepared | InitBroadcast
# Our redeem or refund is out: they sign only fee bumps (bump.py) and do without a key.
Bumpable: TypeAlias = Redeeming | Refunding
# Our coins come back by our refund: shown as the refund path.
RefundPath: TypeAlias = AwaitingRefund | Refunding | Refunded
# They say why in `reason`.
WithReason: TypeAlias = AwaitingRefund | Refunding | Refunded | Failed


def is_terminal(state: SwapState) -> bool:
    return isinstance(state, Terminal)


def unfunded(state: SwapState) -> bool:
    """Nothing of ours is on chain yet, and none will be unless we fund: Matched, or a
    taker's CounterpartyAudited before its init."""
    return isinstance(state, Matched) or (
        isinstance(state, CounterpartyAudited) and state.ours is None
    )


def ours_of(state: SwapState) -> OurContract | None:
    return state.ours if isinstance(state, WithContracts) else None


def theirs_of(state: SwapState) -> TheirContract | None:
    return state.theirs if isinstance(state, WithContracts) else None


def describe(state: SwapState) -> str:
    """A one-line, secret-free description for events and the CLI."""
    if isinstance(state, WithReason):
        return state.reason
    if isinstance(state, Complete):
        return f"received {state.received} atoms in {state.redeem_txid}"
    ours = ours_of(state)
    return f"our init {ours.init.txid}" if ours is not None else ""


def state_name(state: SwapState) -> str:
    return type(state).__name__


class Stage(StrEnum):
    """Which state a swap is in, for events and views to match on (never a bare string).
    The values are the state class names: logs, the CLI's JSON events and the history table
    carry the same text."""

    MATCHED = "Matched"
    COUNTERPARTY_AUDITED = "CounterpartyAudited"
    CONTRACT_PREPARED = "ContractPrepared"
    INIT_BROADCAST = "InitBroadcast"
    REDEEMING = "Redeeming"
    AWAITING_REFUND = "AwaitingRefund"
    REFUNDING = "Refunding"
    COMPLETE = "Complete"
    REFUNDED = "Refunded"
    FAILED = "Failed"


REFUND_STAGES = frozenset(Stage(t.__name__) for t in get_args(RefundPath))


def stage_of(state: SwapState) -> Stage:
    return Stage(type(state).__name__)
