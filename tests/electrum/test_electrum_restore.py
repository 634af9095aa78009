"""Restore over Electrum: the full history finds funds beyond the gap even when the address
that bridges the gap was spent out in a block (Core's scantxoutset cannot see it)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from app.config import NodeConfig
from app.wallet.backends.electrum import ElectrumBackend
from app.wallet.coins import Outpoint, Utxo
from app.wallet.session import create_wallet, unlock_wallet
from app.wallet.signing import KeyedUtxo
from dexproto.assets import Network
from simnet.electrum import ElectrumServer
from simnet.node import RegtestNode
from tests.fakes.coins import spend

pytestmark = pytest.mark.regtest
PASSWORD = "correct horse"


async def test_restore_finds_funds_beyond_a_spent_out_address(
    tmp_path: Path,
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    nodes = {"ltc": NodeConfig("", electrum=ltc_electrum.url)}
    phrase = create_wallet(
        tmp_path / "a", PASSWORD, network=Network.REGTEST, nodes=nodes, scrypt_n=2**10
    )
    wallet = unlock_wallet(tmp_path / "a", PASSWORD)
    ltc = wallet.asset("ltc")
    assert isinstance(ltc.backend.inner, ElectrumBackend)  # type: ignore[attr-defined]
    keys = ltc.keys
    # Receive 15 is paid, then spent out in a block; receive 30 (beyond the gap of 20 from
    # index 0) holds the funds. Only the history of 15 bridges the gap.
    txid, vout = ltc_node.fund_script(keys.script(False, 15), 5_000_000, mine=False)
    ltc_node.fund_script(keys.script(False, 30), 7_000_000, mine=False)
    ltc_node.mine(1)
    coin = KeyedUtxo(
        Utxo(Outpoint(txid, vout), 5_000_000, keys.script(False, 15), 0, 0),
        ltc.keys.secret(False, 15),
    )
    signed, _ = spend([coin])
    ltc_node.rpc("sendrawtransaction", signed.hex)
    ltc_node.mine(1)
    ltc_electrum.wait_synced()
    await wallet.close()

    create_wallet(
        tmp_path / "b",
        PASSWORD,
        network=Network.REGTEST,
        mnemonic=phrase,
        nodes=nodes,
        scrypt_n=2**10,
    )
    restored = unlock_wallet(tmp_path / "b", PASSWORD)
    r_ltc = restored.asset("ltc")
    deadline = time.monotonic() + 10
    while True:  # e-x indexes the last block a few tens of milliseconds after the node
        found = await r_ltc.discover()
        if found.last_used_receive == 30 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    assert found.last_used_receive == 30
    assert (await r_ltc.balance()).confirmed == 7_000_000
    await restored.close()
