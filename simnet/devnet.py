"""A minimal local simnet for the desktop app: two regtest chains and a funded wallet.

The BTC chain is Bitcoin Core when `bitcoind` is installed, else a second Litecoin Core
regtest chain standing in for it (said in the log and the UI). The full simnet with the DEX
server comes with `main.py simnet up`; this is what `make run` starts today.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from app.assets import Network, get_asset
from app.config import NodeConfig, load_config, save_config
from app.wallet.session import create_wallet, unlock_wallet, wallet_exists
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode, find_daemon, start_node

log = logging.getLogger("cambio.simnet")

SIMNET_PASSWORD = "simnet"  # a throwaway regtest wallet; shown to the user on purpose
FUNDING = {"ltc": 25 * 10**8, "btc": 2 * 10**8}


@dataclass
class Devnet:
    datadir: Path
    nodes: dict[str, RegtestNode]
    btc_stand_in: bool

    @property
    def wallet_dir(self) -> Path:
        return self.datadir / "wallet"

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()


def start_devnet(datadir: Path) -> Devnet:
    datadir = Path(datadir)
    btc_kind = "bitcoin" if find_daemon("bitcoin") else "litecoin"
    stand_in = btc_kind != "bitcoin"
    if stand_in:
        log.info("bitcoind is not installed: a Litecoin regtest chain stands in for BTC")
    nodes = {
        "ltc": start_node(datadir / "ltc-node", "litecoin", "ltc"),
        "btc": start_node(datadir / "btc-node", btc_kind, "btc"),
    }
    devnet = Devnet(datadir, nodes, stand_in)
    configs = {
        symbol: NodeConfig(node.rpc_url, RPC_USER, RPC_PASSWORD) for symbol, node in nodes.items()
    }
    wallet_dir = devnet.wallet_dir
    if not wallet_exists(wallet_dir):
        create_wallet(wallet_dir, SIMNET_PASSWORD, network=Network.REGTEST, nodes=configs)
        _fund(devnet)
    else:
        config = load_config(wallet_dir)
        config.nodes.update(configs)  # ports are picked afresh at each start
        save_config(wallet_dir, config)
    config = load_config(wallet_dir)
    config.extra["btc_stand_in"] = stand_in
    save_config(wallet_dir, config)
    return devnet


def _fund(devnet: Devnet) -> None:
    wallet = unlock_wallet(devnet.wallet_dir, SIMNET_PASSWORD)
    try:
        for symbol, node in devnet.nodes.items():
            keys = wallet.hd.account(get_asset(symbol, Network.REGTEST))
            # Two coins per chain, so the app has something to select between.
            for index in (0, 1):
                node.fund_script(keys.script(False, index), FUNDING[symbol] // 2, mine=False)
            node.mine(1)
    finally:
        wallet.store.close()
