"""Balance breakdown: available, locked in orders, locked in swaps, unconfirmed.

Real signed init and refund transactions (htlc_tx, no chain), an in-memory list of wallet
coins and a swap store on a temporary SQLite file, as the GUI and the CLI read them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from app.client.balances import asset_balance, breakdown, contract_in_flight
from app.store.db import Store
from app.swap.htlc_tx import build_init_tx, build_refund_tx
from app.swap.states import (
    AwaitingRefund,
    Complete,
    ContractPrepared,
    CounterpartyAudited,
    Failed,
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
)
from app.swap.store import SwapStore
from app.wallet.coins import Outpoint, Utxo
from app.wallet.hd import HDWallet
from app.wallet.mnemonic import generate_mnemonic
from app.wallet.service import SWAP_FUNDING, AssetWallet, split_coins
from app.wallet.signing import KeyedUtxo
from dexproto.address import p2wpkh_script_for_pubkey
from dexproto.assets import Network, get_asset
from dexproto.crypto import hash160, pubkey_from_secret
from dexproto.htlc import Contract
from tests.fakes.chain_backends import CoinsBackend

LTC = get_asset("ltc", Network.REGTEST)
COIN_KEY = bytes(range(1, 33))
WALLET_SCRIPT = p2wpkh_script_for_pubkey(pubkey_from_secret(COIN_KEY))
LOCK_TIME = 1_900_000_000
FEE_RATE = 10
OUR_KEY = bytes([7]) * 32  # the per-swap key: refunds our contract
OUR_PKH = hash160(pubkey_from_secret(OUR_KEY))


def coin(value: int, confirmations: int = 1) -> Utxo:
    return Utxo(
        Outpoint(os.urandom(32).hex(), 0),
        value,
        WALLET_SCRIPT,
        100 if confirmations else 0,
        confirmations,
    )


def a_match(our_amount: int, role: Role = Role.MAKER, our_asset: str = "ltc") -> Match:
    return Match(
        order_id="ab" * 32,
        match_id=os.urandom(32).hex(),
        role=role,
        quantity=1,
        rate=1,
        network="regtest",
        our_asset=our_asset,
        their_asset="btc" if our_asset == "ltc" else "ltc",
        our_amount=our_amount,
        their_amount=5_000_000,
        their_pkh=bytes(20),
        our_pkh=OUR_PKH,
        our_key_path=None,
        clear_key=OUR_KEY,  # encodable by any store format
        redeem_script=WALLET_SCRIPT,
        refund_script=WALLET_SCRIPT,
        our_fee_rate=FEE_RATE,
        their_fee_rate=FEE_RATE,
        their_swap_conf=1,
        match_time_ms=0,
        maker_lock_ms=1,
        taker_lock_ms=1,
    )


def our_contract(m: Match, funding: Sequence[Utxo]) -> tuple[OurContract, Utxo | None]:
    """A signed init paying `m.our_amount` into a contract, its refund, and the init's change
    as the wallet sees it once the init is in the mempool."""
    contract = Contract(bytes(32), m.their_pkh, m.our_pkh, LOCK_TIME)
    init = build_init_tx(
        [KeyedUtxo(c, COIN_KEY) for c in funding],
        [(contract, m.our_amount)],
        WALLET_SCRIPT,
        FEE_RATE,
        LTC,
    )
    refund = build_refund_tx(
        contract,
        contract.to_script(),
        init.outpoint(0),
        m.our_amount,
        OUR_KEY,
        m.refund_script,
        FEE_RATE,
        LTC,
    )
    ours = OurContract(
        contract.to_script(), m.our_amount, init.tx, init.contract_vouts[0], refund, 0
    )
    change = (
        None
        if init.change_vout is None
        else Utxo(Outpoint(init.tx.txid, init.change_vout), init.change_value, WALLET_SCRIPT, 0, 0)
    )
    return ours, change


def outpoints_of(coins: Sequence[Utxo]) -> set[Outpoint]:
    return {c.outpoint for c in coins}


def theirs() -> TheirContract:
    return TheirContract(b"\x51", 5_000_000, "cd" * 32, 0, 0)


def refund_coin(ours: OurContract, confirmations: int) -> Utxo:
    return Utxo(
        Outpoint(ours.refund.txid, 0),
        ours.value - ours.refund.fee,
        WALLET_SCRIPT,
        100 if confirmations else 0,
        confirmations,
    )


def test_each_coin_is_counted_once_under_its_lock_or_its_confirmations() -> None:
    free, incoming = coin(100_000_000), coin(2_000_000, confirmations=0)
    order_a, order_b = coin(30_000_000), coin(7_000_000)
    for_swap, for_swap_unconfirmed = coin(11_000_000), coin(500_000, confirmations=0)
    coins = [free, incoming, order_a, order_b, for_swap, for_swap_unconfirmed]
    reasons = {
        order_a.outpoint: "order:aa",
        order_b.outpoint: "order:bb",
        for_swap.outpoint: SWAP_FUNDING,
        for_swap_unconfirmed.outpoint: SWAP_FUNDING,
        Outpoint("ee" * 32, 3): "order:cc",
    }  # a lock on a coin already spent: no value
    b = split_coins(coins, reasons)
    assert (b.available, b.locked_orders, b.locked_swaps, b.unconfirmed) == (
        100_000_000,
        37_000_000,
        11_500_000,
        2_000_000,
    )
    assert b.in_contracts == 0
    assert b.total == sum(c.value for c in coins)
    assert b.confirmed + b.unconfirmed == b.total
    assert b.locked == 48_500_000


def test_a_swap_in_each_state_counts_our_contract_only_while_it_is_out() -> None:
    m = a_match(60_000_000)
    funding = coin(100_000_000)
    ours, change = our_contract(m, [funding])
    assert change is not None
    before_init = [funding]  # the init's input is still ours: nothing on chain yet
    after_init = [change]  # the init spent it (mempool or block) and paid us change
    t = theirs()
    cases: list[tuple[SwapState, list[Utxo], int]] = [
        (Matched(m), before_init, 0),
        (ContractPrepared(m, bytes(32), ours, None), before_init, 0),
        # Broadcast just before a crash, the state not yet moved on: the chain decides.
        (ContractPrepared(m, bytes(32), ours, None), after_init, m.our_amount),
        (InitBroadcast(m, bytes(32), ours, None), after_init, m.our_amount),
        # Init dropped from the mempool: its coins are back, counted under their lock.
        (InitBroadcast(m, bytes(32), ours, None), before_init, 0),
        (CounterpartyAudited(m, bytes(32), t, ours), after_init, m.our_amount),
        (AwaitingRefund(m, ours, t, "lock time"), after_init, m.our_amount),
        (Refunding(m, ours, t, "lock time"), after_init, m.our_amount),
        # The refund reached the wallet: it shows as a coin, not as a contract too.
        (Refunding(m, ours, t, "lock time"), [*after_init, refund_coin(ours, 0)], 0),
        (Refunded(m, ours.refund.txid, "lock time"), [*after_init, refund_coin(ours, 1)], 0),
        (Redeeming(m, bytes(32), ours, t, ours.init, bytes(32)), after_init, 0),
        (Complete(m, "ef" * 32, 4_990_000), after_init, 0),
        (Failed(m, "our contract was spent without a usable secret"), after_init, 0),
    ]
    for state, coins, expected in cases:
        assert contract_in_flight(state, outpoints_of(coins)) == expected, type(state).__name__


def test_the_taker_before_funding_and_the_counterparty_side_never_count() -> None:
    taker = a_match(60_000_000, role=Role.TAKER)
    # Audited their contract, ours not made yet: their 0.05 BTC is not ours until we redeem.
    state = CounterpartyAudited(taker, bytes(32), theirs(), None)
    assert contract_in_flight(state, set()) == 0
    # The taker learned the secret: the maker redeemed our contract; it is gone.
    ours, change = our_contract(taker, [coin(100_000_000)])
    redeeming = Redeeming(taker, bytes(32), ours, theirs(), ours.init, bytes(32))
    assert contract_in_flight(redeeming, outpoints_of([change] if change else [])) == 0


def test_only_swaps_paying_from_this_asset_count() -> None:
    ltc_swap, btc_swap = a_match(60_000_000), a_match(3_000_000, our_asset="btc")
    ltc_ours, ltc_change = our_contract(ltc_swap, [coin(100_000_000)])
    btc_ours, _ = our_contract(btc_swap, [coin(10_000_000)])
    swaps: list[SwapState] = [
        InitBroadcast(ltc_swap, bytes(32), ltc_ours, None),
        InitBroadcast(btc_swap, bytes(32), btc_ours, None),
    ]
    coins = [ltc_change] if ltc_change else []
    assert breakdown(coins, {}, swaps, "ltc").in_contracts == 60_000_000
    assert breakdown([], {}, swaps, "btc").in_contracts == 3_000_000


def test_funds_never_vanish_from_init_to_refund() -> None:
    """One swap funded from one reserved coin: the four figures add up to what we hold at
    every step, less the fees paid so far."""
    m = a_match(60_000_000)
    funding = coin(100_000_000)
    ours, change = our_contract(m, [funding])
    assert change is not None
    reasons = {funding.outpoint: SWAP_FUNDING}  # the lock stays after the coin is spent
    init_fee, refund_fee = ours.init.fee, ours.refund.fee
    t = theirs()

    def figures(state: SwapState, coins: list[Utxo]) -> tuple[int, int, int, int]:
        b = breakdown(coins, reasons, [state], "ltc")
        return b.available, b.locked_orders, b.locked_swaps, b.unconfirmed

    settled = replace(change, confirmations=1)
    # (state, our coins on chain, the four figures, fees paid so far)
    steps: list[tuple[SwapState, list[Utxo], tuple[int, int, int, int], int]] = [
        (ContractPrepared(m, bytes(32), ours, None), [funding], (0, 0, 100_000_000, 0), 0),
        (
            InitBroadcast(m, bytes(32), ours, None),
            [change],
            (0, 0, 60_000_000, change.value),
            init_fee,
        ),
        (
            InitBroadcast(m, bytes(32), ours, None),
            [settled],
            (change.value, 0, 60_000_000, 0),
            init_fee,
        ),
        (
            Refunding(m, ours, t, "lock time"),
            [settled, refund_coin(ours, 0)],
            (change.value, 0, 0, 60_000_000 - refund_fee),
            init_fee + refund_fee,
        ),
        (
            Refunded(m, ours.refund.txid, "lock time"),
            [settled, refund_coin(ours, 1)],
            (change.value + 60_000_000 - refund_fee, 0, 0, 0),
            init_fee + refund_fee,
        ),
    ]
    for state, coins, expected, fees in steps:
        got = figures(state, coins)
        assert got == expected, type(state).__name__
        assert sum(got) == 100_000_000 - fees
    assert init_fee > 0 and refund_fee > 0


@pytest.fixture
def wallet(tmp_path: Path) -> AssetWallet:
    keys = HDWallet.from_mnemonic(generate_mnemonic()).account(LTC)
    return AssetWallet(LTC, keys, Store(tmp_path / "c.db"), CoinsBackend([]))


async def test_asset_balance_reads_locks_and_pending_swaps_from_the_store(
    wallet: AssetWallet,
) -> None:
    script = wallet.keys.script(False, 0)

    def mine(value: int, confirmations: int = 1) -> Utxo:
        return replace(coin(value, confirmations), script=script)

    free, order_coin, incoming = mine(50_000_000), mine(20_000_000), mine(1_000_000, 0)
    m_live, m_done = a_match(60_000_000), a_match(70_000_000)
    live, change = our_contract(m_live, [coin(100_000_000)])
    done, _ = our_contract(m_done, [coin(100_000_000)])
    wallet.lock_coins([order_coin.outpoint], "order:ab")
    swaps = SwapStore(wallet.store)
    swaps.create(InitBroadcast(m_live, bytes(32), live, None))
    swaps.create(Refunded(m_done, done.refund.txid, "lock time"))  # terminal: never counts
    assert change is not None
    backend = wallet.backend
    assert isinstance(backend, CoinsBackend)
    backend.coins = [free, order_coin, incoming, replace(change, script=script)]

    balance, coins = await asset_balance(wallet, swaps)
    assert coins == backend.coins
    assert (
        balance.available,
        balance.locked_orders,
        balance.locked_swaps,
        balance.unconfirmed,
    ) == (50_000_000, 20_000_000, 60_000_000, 1_000_000 + change.value)
    # The wallet alone sees its coins but not the contract.
    plain = await wallet.balance()
    assert plain == replace(balance, in_contracts=0)
    wallet.store.close()


def test_a_lock_reason_other_than_swapfund_is_an_order_lock() -> None:
    c = coin(5_000)
    assert split_coins([c], {c.outpoint: "order:ff"}).locked_orders == 5_000
    assert split_coins([c], {c.outpoint: SWAP_FUNDING}).locked_swaps == 5_000
