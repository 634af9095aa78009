"""The in-memory chain of the driver tests refuses what a node refuses where a swap depends
on it; otherwise a swap completing on it would prove little."""

from __future__ import annotations

import os

import pytest
from bitcoin.core import CMutableTransaction, CTransaction

from app.swap.htlc_tx import InitTx, build_init_tx, build_redeem_tx, build_refund_tx
from app.wallet.backends.base import TxRejectedError
from app.wallet.coins import SignedTx, Utxo
from app.wallet.signing import KeyedUtxo
from dexproto.address import p2wpkh_script
from dexproto.assets import get_asset
from dexproto.crypto import hash160, pubkey_from_secret, sha256
from dexproto.htlc import Contract
from tests.fakes.chain import MemChain, SimClock

LTC = get_asset("ltc", "regtest")
SECRET = os.urandom(32)
RECIPIENT, REFUNDER = os.urandom(32), os.urandom(32)
OUT = p2wpkh_script(bytes(20))


def _pkh(key: bytes) -> bytes:
    return hash160(pubkey_from_secret(key))


def _coin(chain: MemChain, value: int = 3_000_000) -> KeyedUtxo:
    key = os.urandom(32)
    script = p2wpkh_script(_pkh(key))
    return KeyedUtxo(Utxo(chain.credit(script, value), value, script, 0, 0), key)


def _contract(chain: MemChain, lock: int) -> tuple[Contract, InitTx]:
    contract = Contract(sha256(SECRET), _pkh(RECIPIENT), _pkh(REFUNDER), lock)
    return contract, build_init_tx([_coin(chain)], [(contract, 2_000_000)], OUT, 20, LTC)


def _redeem(contract: Contract, init: InitTx, rate: int) -> SignedTx:
    script = contract.to_script()
    return build_redeem_tx(
        contract, script, init.outpoint(0), 2_000_000, SECRET, RECIPIENT, OUT, rate, LTC
    )


def _refund(contract: Contract, init: InitTx) -> SignedTx:
    script = contract.to_script()
    return build_refund_tx(contract, script, init.outpoint(0), 2_000_000, REFUNDER, OUT, 20, LTC)


async def _refused(chain: MemChain, raw: bytes) -> str:
    with pytest.raises(TxRejectedError) as caught:
        await chain.broadcast(raw)
    return caught.value.reason


async def test_spent_coins_conflicts_and_bad_signatures_are_refused() -> None:
    clock = SimClock()
    chain = MemChain(clock)
    coin = _coin(chain)
    contracts = [
        Contract(sha256(SECRET), _pkh(RECIPIENT), _pkh(REFUNDER), clock.now + n) for n in (1, 2)
    ]
    init, rival = (build_init_tx([coin], [(c, 10**6)], OUT, 20, LTC) for c in contracts)
    assert await chain.broadcast(init.tx.raw) == init.tx.txid
    assert await chain.broadcast(init.tx.raw) == init.tx.txid  # known: success
    assert await _refused(chain, rival.tx.raw) == "txn-mempool-conflict"  # inits do not signal
    chain.mine()
    assert await _refused(chain, rival.tx.raw) == "bad-txns-inputs-missingorspent"
    assert await chain.confirmations(init.tx.txid) == 1
    # A redeem carrying the witness of another version: right key and secret, wrong digest.
    signed, other = (
        build_redeem_tx(
            contracts[0],
            contracts[0].to_script(),
            init.outpoint(0),
            10**6,
            SECRET,
            RECIPIENT,
            OUT,
            rate,
            LTC,
        )
        for rate in (20, 21)
    )
    forged = CMutableTransaction.from_tx(CTransaction.deserialize(signed.raw))
    forged.wit = CTransaction.deserialize(other.raw).wit
    assert "Signature check failed" in await _refused(chain, forged.serialize())


async def test_a_refund_waits_for_the_lock_time_and_a_redeem_reveals_the_secret() -> None:
    clock = SimClock()
    chain = MemChain(clock)
    contract, init = _contract(chain, lock=clock.now + 3600)
    await chain.broadcast(init.tx.raw)
    chain.mine()
    refund = _refund(contract, init)
    assert await _refused(chain, refund.raw) == "non-final"  # the MTP is before the lock time
    redeem = _redeem(contract, init, 20)
    await chain.broadcast(redeem.raw)
    spend = await chain.find_spend(init.outpoint(0), 0)
    assert spend is not None and spend.txid == redeem.txid and SECRET in spend.witness
    clock.advance(7200)
    chain.mine(11)  # the MTP past the lock time: the refund is final, but the redeem is in
    assert await _refused(chain, refund.raw) == "bad-txns-inputs-missingorspent"


async def test_a_replacement_must_pay_more_and_miners_pass_over_a_low_fee() -> None:
    clock = SimClock()
    chain = MemChain(clock)
    contract, init = _contract(chain, lock=clock.now + 3600)
    await chain.broadcast(init.tx.raw)
    chain.mine()
    chain.mine_floor = 30
    low, same, high = (_redeem(contract, init, rate) for rate in (20, 20, 40))
    await chain.broadcast(low.raw)
    chain.mine(3)
    assert await chain.confirmations(low.txid) == 0  # passed over
    assert await chain.broadcast(same.raw) == same.txid  # the same tx (RFC 6979): known
    chain.replacement = False
    assert await _refused(chain, high.raw) == "txn-mempool-conflict"
    chain.replacement = True
    await chain.broadcast(high.raw)
    assert chain.mempool == [high.txid] and await chain.get_tx(low.txid) is None
    chain.mine()
    assert await chain.confirmations(high.txid) == 1
    assert chain.balance(OUT) == init.change_value + 2_000_000 - high.fee
