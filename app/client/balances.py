"""Per-asset balance breakdown: available, locked in orders, locked in swaps, unconfirmed.

The wallet splits its own coins by lock reason (`split_coins`); this module adds the value
that sits in our swap contracts, which the wallet cannot see, so funds in flight never vanish
from view between our init and the end of the swap (docs/wallet.md has the definitions).

Our contract counts from the moment our init is on chain (its inputs have left our coins)
until the swap settles:
- the counterparty redeemed our contract, or we redeemed theirs: the secret is public and
  the contract belongs to the counterparty (taker and maker `Redeeming`, `Complete`);
- our refund reached the wallet: its output is then an ordinary wallet coin (a `Refunding`
  swap whose refund we see among our coins, or `Refunded`);
- or the swap failed with nothing of ours left to take back (`Failed`).
The counterparty's contract never counts: its value arrives as a wallet coin when we redeem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import replace

from app.swap.states import (
    AwaitingRefund,
    ContractPrepared,
    CounterpartyAudited,
    InitBroadcast,
    Refunding,
    SwapState,
)
from app.swap.store import SwapStore
from app.wallet.coins import Outpoint, Utxo
from app.wallet.service import AssetWallet, Balance, split_coins
from app.wallet.txparse import parse_tx


def init_inputs(raw_txs: Iterable[bytes]) -> set[Outpoint]:
    """Outpoints spent by our stored (signed) init transactions."""
    spent: set[Outpoint] = set()
    for raw in raw_txs:
        spent.update(o for o in parse_tx(raw).inputs if o is not None)
    return spent


# States in which our contract may be on chain and still ours to get back.
_CONTRACT_OUT = (ContractPrepared, InitBroadcast, CounterpartyAudited, AwaitingRefund, Refunding)


def contract_in_flight(state: SwapState, outpoints: Set[Outpoint]) -> int:
    """Atoms of our contract in `state` that count as locked in swaps (0 when none do);
    `outpoints` are our wallet coins now."""
    if not isinstance(state, _CONTRACT_OUT) or state.ours is None:
        return 0
    ours = state.ours
    if init_inputs([ours.init.raw]) & outpoints:
        return 0  # init not on chain (prepared, or dropped): its coins still show as reserved
    refunds = {v.txid for v in state.versions} if isinstance(state, Refunding) else set()
    if any(o.txid in refunds for o in outpoints):
        return 0  # the refund is back in the wallet, as an (unconfirmed) coin
    return ours.value


def breakdown(
    coins: Sequence[Utxo], reasons: Mapping[Outpoint, str], swaps: Iterable[SwapState], asset: str
) -> Balance:
    """The four figures of `asset` from its wallet coins, their locks and our swaps."""
    outpoints = {c.outpoint for c in coins}
    in_contracts = sum(
        contract_in_flight(s, outpoints) for s in swaps if s.match.our_asset == asset
    )
    return replace(split_coins(coins, reasons), in_contracts=in_contracts)


async def asset_balance(wallet: AssetWallet, swaps: SwapStore) -> tuple[Balance, list[Utxo]]:
    """Query the chain once: the breakdown and the coins it came from (for other views)."""
    coins = await wallet.utxos()
    # Terminal swaps never count, so only pending records are read.
    return breakdown(coins, wallet.lock_reasons(), swaps.pending(), wallet.asset.symbol), coins
