"""The wallet against a real Litecoin Core regtest node: fund, restore, send, node down; and a
BTC send checked by Bitcoin Core's own script interpreter on the way to the BTC stand-in."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from app.config import NodeConfig
from app.wallet.backends.corerpc import CoreRpcBackend
from app.wallet.errors import BackendError, CoinLockedError, InsufficientFundsError
from app.wallet.session import OpenWallet, create_wallet, unlock_wallet
from dexproto.address import address_from_script
from dexproto.assets import Network, get_asset
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode
from tests.btc_kernel import KernelCheckedBackend

LTC = get_asset("ltc", Network.REGTEST)
BTC = get_asset("btc", Network.REGTEST)
PASSWORD = "correct horse"
FAST_KDF = 2**10


def _make(datadir: Path, node: RegtestNode, mnemonic: str | None = None) -> str:
    nodes = {"ltc": NodeConfig(node.rpc_url, RPC_USER, RPC_PASSWORD)}
    return create_wallet(
        datadir,
        PASSWORD,
        network=Network.REGTEST,
        mnemonic=mnemonic,
        nodes=nodes,
        scrypt_n=FAST_KDF,
    )


def _open(datadir: Path) -> OpenWallet:
    return unlock_wallet(datadir, PASSWORD)


async def test_fund_restore_beyond_gap_and_send(tmp_path: Path, ltc_node: RegtestNode) -> None:
    phrase = _make(tmp_path / "a", ltc_node)
    wallet = _open(tmp_path / "a")
    ltc = wallet.asset("ltc")
    keys = ltc.keys
    # Funds at receive 0, 19, 38 and change 7: each gap is under 20, the last far beyond it.
    placements = [
        (False, 0, 100_000_000),
        (False, 19, 20_000_000),
        (False, 38, 3_000_000),
        (True, 7, 456_789),
    ]
    for change, index, atoms in placements:
        ltc_node.fund_script(keys.script(change, index), atoms, mine=False)
    ltc_node.mine(1)
    total = sum(a for _, _, a in placements)
    await ltc.discover()
    balance = await ltc.balance()
    assert (balance.confirmed, balance.unconfirmed, balance.locked) == (total, 0, 0)
    await wallet.close()

    # Restore the same words into a fresh directory: the same balance, found by discovery.
    started = time.perf_counter()
    _make(tmp_path / "b", ltc_node, mnemonic=phrase)
    restored = _open(tmp_path / "b")
    found = await restored.asset("ltc").discover()
    restore_seconds = time.perf_counter() - started
    assert (found.last_used_receive, found.last_used_change) == (38, 7)
    r_ltc = restored.asset("ltc")
    assert (await r_ltc.balance()).confirmed == total
    print(f"restore scan: {found.scanned} addresses in {restore_seconds:.2f}s")

    # The next receive address is the first after the last used one.
    assert r_ltc.receive_address() == keys.address(False, 39)

    # Send a payment to an outside address and see it confirmed, to the atom.
    outside = address_from_script(bytes.fromhex("0014") + bytes(range(20)), LTC)
    signed = await r_ltc.send(outside, 50_000_000, 10)
    assert signed.fee >= 10 * signed.vsize
    mempool_balance = await r_ltc.balance()
    assert mempool_balance.total == total - 50_000_000 - signed.fee
    ltc_node.mine(1)
    info = await r_ltc.backend.get_tx(signed.txid)
    assert info is not None and info.confirmations == 1
    after = await r_ltc.balance()
    assert (after.confirmed, after.unconfirmed) == (total - 50_000_000 - signed.fee, 0)
    await restored.close()


async def test_btc_send_passes_bitcoins_interpreter_before_the_node(
    tmp_path: Path,
    btc_node: RegtestNode,
) -> None:
    """A BTC payment from two coins with change: verified by libbitcoinkernel with Bitcoin's
    consensus flags before it reaches the node, then confirmed there, to the atom."""
    nodes = {"btc": NodeConfig(btc_node.rpc_url, RPC_USER, RPC_PASSWORD)}
    create_wallet(tmp_path / "w", PASSWORD, network=Network.REGTEST, nodes=nodes, scrypt_n=FAST_KDF)
    wallet = _open(tmp_path / "w")
    btc = wallet.asset("btc")
    kernel = KernelCheckedBackend(CoreRpcBackend(btc_node.rpc_url, RPC_USER, RPC_PASSWORD))
    await btc.backend.switch(kernel)  # type: ignore[attr-defined]
    btc_node.fund_script(btc.keys.script(False, 0), 30_000_000, mine=False)
    btc_node.fund_script(btc.keys.script(False, 1), 20_000_000, mine=True)
    outside = address_from_script(bytes.fromhex("0014") + bytes(range(20)), BTC)
    signed = await btc.send(outside, 40_000_000, 10)
    kernel.check_clean()
    assert kernel.ledger.verified == {signed.txid: 2}  # both coins' inputs checked
    btc_node.mine(1)
    info = await btc.backend.get_tx(signed.txid)
    assert info is not None and info.confirmations == 1
    after = await btc.balance()
    assert (after.confirmed, after.unconfirmed) == (50_000_000 - 40_000_000 - signed.fee, 0)
    await wallet.close()


async def test_locked_coins_are_never_spent(tmp_path: Path, ltc_node: RegtestNode) -> None:
    _make(tmp_path / "w", ltc_node)
    wallet = _open(tmp_path / "w")
    ltc = wallet.asset("ltc")
    ltc_node.fund_script(ltc.keys.script(False, 0), 10_000_000)
    coins = await ltc.utxos()
    ltc.lock_coins([c.outpoint for c in coins], reason="order:abc")
    with pytest.raises(CoinLockedError):
        ltc.lock_coins([coins[0].outpoint], reason="order:def")
    with pytest.raises(InsufficientFundsError):
        await ltc.create_payment(ltc.receive_address(), 1_000_000, 10)
    assert (await ltc.balance()).available == 0
    ltc.unlock_coins("order:abc")
    assert (await ltc.balance()).available == 10_000_000
    await wallet.close()


async def test_node_down_gives_a_clear_error_and_keeps_state(
    tmp_path: Path, fresh_node: RegtestNode
) -> None:
    fresh_node.ensure_mature_funds()
    _make(tmp_path / "w", fresh_node)
    wallet = _open(tmp_path / "w")
    ltc = wallet.asset("ltc")
    fresh_node.fund_script(ltc.keys.script(False, 0), 7_000_000)
    await ltc.discover()
    address_before = ltc.receive_address()
    # In a thread, so the event loop can close its idle connection and the node stops at once.
    await asyncio.to_thread(fresh_node.stop)
    started = time.perf_counter()
    with pytest.raises(BackendError, match="reach"):
        await ltc.balance()
    assert time.perf_counter() - started < 15
    # The stored state is untouched: same next address, the same known scripts.
    assert ltc.receive_address() == address_before
    fresh_node.start()
    assert (await ltc.balance()).confirmed == 7_000_000
    await wallet.close()
