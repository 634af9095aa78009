"""Protocol §9 case B: one init transaction funding the contracts of several matches. No I/O.

A maker matched several times in one epoch locks every contract with one transaction (one
output per match, change last), which saves fees and coins. `prepare_batch` builds and signs
that init; then `transition` takes each match from Matched to ContractPrepared with its share
of it, signing its own refund of its own output (with the match's key from the unlocked
wallet; each secret is stored sealed by it); the driver stores all the
resulting `ContractPrepared` states in one database transaction before broadcasting, so a
crash can never leave one match prepared and another funded again from the same coins.
From there each match runs its own loop: they re-broadcast the same init (a known
transaction is success) and settle or refund independently.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.swap.contract import make_contract
from app.swap.errors import SwapError
from app.swap.htlc_tx import build_init_tx, check_spendable
from app.swap.keys import KeyRing, unlock
from app.swap.lock_steps import our_lock_time
from app.swap.states import ContractPrepared, Failed, Match, Matched, Role
from app.swap.steps import Observation, SharedInit
from app.swap.transitions import transition
from app.wallet.signing import KeyedUtxo
from dexproto.assets import get_asset
from dexproto.crypto import sha256


def check_batch(matches: Sequence[Match]) -> None:
    """Matches can share an init only when we are the maker of each, paying the same asset on
    the same network at the same fee rate; raises SwapError otherwise."""
    if not matches:
        raise SwapError("No matches to fund.")
    first = matches[0]
    for m in matches:
        if m.role is not Role.MAKER:
            raise SwapError("Only the maker funds several matches at once.", m.match_id)
        if (m.our_asset, m.network, m.our_fee_rate) != (
            first.our_asset,
            first.network,
            first.our_fee_rate,
        ):
            raise SwapError("These matches cannot share one init transaction.", m.match_id)
    if len({m.match_id for m in matches}) != len(matches):
        raise SwapError("The same match appears twice.")


def prepare_batch(
    matches: Sequence[Match],
    secrets: Sequence[bytes],
    coins: Sequence[KeyedUtxo],
    change_script: bytes,
    tip: int,
    keys: KeyRing,
    now_ms: int = 0,
) -> list[ContractPrepared]:
    """Sign one init funding every match's contract, then take each match from Matched to
    ContractPrepared through `transition`, like a match funded alone: its share of that init
    (`SharedInit`) is its funding, and it signs its own refund of its own output. SwapError
    when an output would be dust, the coins fall short or a match cannot be prepared: then
    nothing was kept for anyone. `tip` (our chain's) and `now_ms` are what the driver saw."""
    check_batch(matches)
    if len(secrets) != len(matches):
        raise ValueError("one secret per match")
    first = matches[0]
    asset = get_asset(first.our_asset, first.network)
    contracts = []
    for m, secret in zip(matches, secrets, strict=True):
        check_spendable(m.our_amount, m.our_fee_rate, asset)
        contract = make_contract(sha256(secret), m.their_pkh, m.our_pkh, our_lock_time(m))
        contracts.append((contract, m.our_amount))
    init = build_init_tx(coins, contracts, change_script, first.our_fee_rate, asset)
    states = []
    for i, (m, secret) in enumerate(zip(matches, secrets, strict=True)):
        matched = Matched(m)
        share = SharedInit(init, i, sha256(secret), keys.seal(m.match_id, secret))
        obs = Observation(now_ms=now_ms, our_tip=tip, funded=share, keys=unlock(matched, keys))
        step = transition(matched, obs)
        if not isinstance(step.state, ContractPrepared):
            why = step.state.reason if isinstance(step.state, Failed) else "not prepared"
            raise SwapError(f"match {m.match_id[:8]}: {why}", m.match_id)
        # Its Broadcast of the shared init is left to the match's own loop, which the
        # driver starts once every state is stored: ContractPrepared repeats it.
        states.append(step.state)
    return states
