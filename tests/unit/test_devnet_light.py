"""`main.py --simnet --light` joining a simnet another process runs: the app's wallet
(trader1) is pointed at that simnet's Electrum servers, or stays on RPC when it has none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.config import AppConfig, NodeConfig, load_config, save_config
from simnet.devnet import attach_light


def _info(tmp_path: Path, electrum: dict[str, str]) -> dict[str, Any]:
    tdir = tmp_path / "trader1"
    tdir.mkdir()
    save_config(
        tdir,
        AppConfig(
            nodes={
                "ltc": NodeConfig("http://127.0.0.1:19443", "u", "p"),
                "btc": NodeConfig("http://127.0.0.1:18443", "u", "p"),
            }
        ),
    )
    return {"traders": {"trader1": {"datadir": str(tdir)}}, "electrum": electrum}


def test_the_wallet_goes_light_on_the_simnets_servers(tmp_path: Path) -> None:
    servers = {"ltc": "tcp://127.0.0.1:50001", "btc": "tcp://127.0.0.1:50002"}
    info = _info(tmp_path, servers)
    attach_light(info)
    nodes = load_config(tmp_path / "trader1").nodes
    assert {s: (n.rpc_url, n.electrum) for s, n in nodes.items()} == {
        s: ("", url) for s, url in servers.items()
    }


def test_without_servers_the_wallet_stays_on_rpc(tmp_path: Path) -> None:
    info = _info(tmp_path, {})
    attach_light(info)
    nodes = load_config(tmp_path / "trader1").nodes
    assert all(n.rpc_url and not n.electrum for n in nodes.values())
