"""Fresh order addresses and refund scripts (security review L6) on a real regtest node: a
wallet restored from its words finds the funds paid to each of them."""

from __future__ import annotations

from pathlib import Path

from app.config import NodeConfig
from app.wallet.service import GAP_LIMIT
from app.wallet.session import create_wallet, unlock_wallet
from dexproto.address import script_from_address
from dexproto.assets import Network
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode

PASSWORD = "pw"


def _make(datadir: Path, node: RegtestNode, mnemonic: str | None = None) -> str:
    nodes = {"ltc": NodeConfig(node.rpc_url, RPC_USER, RPC_PASSWORD)}
    return create_wallet(
        datadir, PASSWORD, network=Network.REGTEST, mnemonic=mnemonic, nodes=nodes, scrypt_n=2**10
    )


async def test_restore_finds_funds_on_order_addresses_and_refund_scripts(
    tmp_path: Path, ltc_node: RegtestNode
) -> None:
    phrase = _make(tmp_path / "a", ltc_node)
    wallet = unlock_wallet(tmp_path / "a", PASSWORD)
    ltc = wallet.asset("ltc")
    # Many orders never filled, then one whose swap paid out; refunds of two swaps.
    orders = [ltc.order_address() for _ in range(GAP_LIMIT + 3)]
    refunds = [ltc.refund_script() for _ in range(3)]
    assert len(set(orders[:GAP_LIMIT])) == GAP_LIMIT and len(set(refunds)) == 3
    paid = [
        (script_from_address(orders[-1], ltc.asset), 4_000_000),
        (refunds[0], 1_000_000),
        (refunds[2], 2_500_000),
    ]
    for script, atoms in paid:
        ltc_node.fund_script(script, atoms, mine=False)
    ltc_node.mine(1)
    total = sum(a for _, a in paid)
    assert (await ltc.balance()).confirmed == total
    await wallet.close()

    _make(tmp_path / "b", ltc_node, mnemonic=phrase)
    restored = unlock_wallet(tmp_path / "b", PASSWORD)
    r_ltc = restored.asset("ltc")
    found = await r_ltc.discover()
    assert found.last_used_change == 2
    assert found.last_used_receive == 2  # the 23rd order was given index 2 again, in reach
    assert (await r_ltc.balance()).confirmed == total
    await restored.close()
