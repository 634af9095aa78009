"""Light-wallet figures: a restore over Electrum against a loopback e-x.

electrum.restore_1000   seconds to rediscover a wallet with 1,000 used receive addresses
                        from a fresh data directory over one e-x server (batched
                        scripthash.get_history requests; header sync and SPV included)
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from app.config import NodeConfig
from app.wallet.hd import HDWallet
from app.wallet.mnemonic import generate_mnemonic
from app.wallet.session import create_wallet, unlock_wallet
from benchmarks.framework import Result
from dexproto.assets import Network, get_asset
from simnet.electrum import start_electrum
from simnet.node import atoms_to_coin_str, start_node

LTC = get_asset("ltc", Network.REGTEST)
USED = 1000
ROUNDS = 3


def _restore_seconds(workdir: Path) -> float:
    node = start_node(workdir / "node")
    server = None
    try:
        node.ensure_mature_funds()
        phrase = generate_mnemonic()
        keys = HDWallet.from_mnemonic(phrase).account(LTC)
        outputs = {
            node.node_address(keys.script(False, i)): atoms_to_coin_str(100_000)
            for i in range(USED)
        }
        node.rpc("sendmany", "", outputs, wallet="miner")
        node.mine(1)
        server = start_electrum(workdir / "ex", node)
        nodes = {"ltc": NodeConfig("", electrum=server.url)}

        async def restore(n: int) -> float:
            create_wallet(
                workdir / f"w{n}",
                "pw",
                network=Network.REGTEST,
                mnemonic=phrase,
                nodes=nodes,
                scrypt_n=2**10,
            )
            wallet = unlock_wallet(workdir / f"w{n}", "pw")
            started = time.perf_counter()
            found = await wallet.asset("ltc").discover()
            elapsed = time.perf_counter() - started
            assert found.last_used_receive == USED - 1, found
            await wallet.close()
            return elapsed

        return min(asyncio.run(restore(n)) for n in range(ROUNDS))
    finally:
        if server is not None:
            server.stop()
        node.stop()


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        restore = _restore_seconds(Path(tmp))
    return [Result("electrum.restore_1000", restore, "s", higher_is_better=False)]
