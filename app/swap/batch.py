"""Protocol §9 case B: one init transaction funding the contracts of several matches. No I/O.

A maker matched several times in one epoch locks every contract with one transaction (one
output per match, change last), which saves fees and coins. `prepare_batch` builds and signs
that init and, for each match, its own refund of its own output (with the match's key from the
unlocked wallet; each secret is stored sealed by it); the driver stores all the
resulting `ContractPrepared` states in one database transaction before broadcasting, so a
crash can never leave one match prepared and another funded again from the same coins.
From there each match runs its own loop: they re-broadcast the same init (a known
transaction is success) and settle or refund independently.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.swap.contract import make_contract
from app.swap.errors import SwapError
from app.swap.htlc_tx import build_init_tx, build_refund_tx, check_spendable
from app.swap.keys import KeyRing
from app.swap.states import ContractPrepared, Match, OurContract, Role
from app.swap.transitions import our_lock_time
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
) -> list[ContractPrepared]:
    """Sign one init funding every match's contract and each match's refund (SwapError when
    an output would be dust or the coins fall short: then nothing was signed for anyone)."""
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
    for i, (m, secret, (contract, value)) in enumerate(
        zip(matches, secrets, contracts, strict=True)
    ):
        script = contract.to_script()
        refund = build_refund_tx(
            contract,
            script,
            init.outpoint(i),
            value,
            keys.our_key(m),
            m.refund_script,
            m.our_fee_rate,
            asset,
        )
        ours = OurContract(script, value, init.tx, init.contract_vouts[i], refund, tip)
        sealed = keys.seal(m.match_id, secret)
        states.append(ContractPrepared(m, sha256(secret), ours, None, sealed))
    return states
