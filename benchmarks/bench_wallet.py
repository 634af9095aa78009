"""Wallet figures: BIP84 address derivation speed, and a restore scan against a regtest node.

wallet.derive_addresses     addresses per second from a cached BIP84 account (pubkey + bech32)
wallet.derive_from_seed     full derivations per second from the seed (m/84'/1'/0'/0/i)
wallet.restore_1000         seconds to rediscover a wallet with 1,000 used receive addresses
                            (each holding a coin) from a fresh data directory, node on loopback
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
from simnet.node import RPC_PASSWORD, RPC_USER, atoms_to_coin_str, start_node

LTC = get_asset("ltc", Network.REGTEST)
USED = 1000


def _derive_rate() -> tuple[float, float]:
    hd = HDWallet.from_mnemonic(generate_mnemonic())
    account = hd.account(LTC)
    started = time.perf_counter()
    n = 5000
    for i in range(n):
        account.address(False, i)
    cached = n / (time.perf_counter() - started)
    started = time.perf_counter()
    m = 500
    for i in range(m):
        hd.derive(f"m/84'/1'/0'/0/{i}")
    full = m / (time.perf_counter() - started)
    return cached, full


def _restore_seconds(workdir: Path) -> float:
    node = start_node(workdir / "node")
    try:
        node.ensure_mature_funds()
        phrase = generate_mnemonic()
        keys = HDWallet.from_mnemonic(phrase).account(LTC)
        # One transaction with 1,000 outputs: far faster than 1,000 sendtoaddress calls.
        outputs = {
            node.node_address(keys.script(False, i)): atoms_to_coin_str(100_000)
            for i in range(USED)
        }
        node.rpc("sendmany", "", outputs, wallet="miner")
        node.mine(1)
        nodes = {"ltc": NodeConfig(node.rpc_url, RPC_USER, RPC_PASSWORD)}
        create_wallet(
            workdir / "w",
            "pw",
            network=Network.REGTEST,
            mnemonic=phrase,
            nodes=nodes,
            scrypt_n=2**10,
        )

        async def restore() -> float:
            wallet = unlock_wallet(workdir / "w", "pw")
            started = time.perf_counter()
            found = await wallet.asset("ltc").discover()
            elapsed = time.perf_counter() - started
            assert found.last_used_receive == USED - 1, found
            await wallet.close()
            return elapsed

        return asyncio.run(restore())
    finally:
        node.stop()


def run() -> list[Result]:
    cached, full = _derive_rate()
    with tempfile.TemporaryDirectory() as tmp:
        restore = _restore_seconds(Path(tmp))
    return [
        Result("wallet.derive_addresses", cached, "addr/s"),
        Result("wallet.derive_from_seed", full, "addr/s"),
        Result("wallet.restore_1000", restore, "s", higher_is_better=False),
    ]
