"""`main.py wallet restore|balance|send` as separate processes against a real regtest node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.wallet.hd import HDWallet
from app.wallet.mnemonic import generate_mnemonic
from dexproto.address import address_from_script
from dexproto.assets import Network, get_asset
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode

ROOT = Path(__file__).resolve().parents[2]
LTC = get_asset("ltc", Network.REGTEST)
ENV = {**os.environ, "CAMBIO_PASSWORD": "pw"}


def cambio(*args: str, words: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=ENV,
        timeout=120,
        check=False,
        input=None if words is None else words + "\n",
    )


def test_restore_balance_and_send_from_the_command_line(
    tmp_path: Path, ltc_node: RegtestNode
) -> None:
    phrase = generate_mnemonic()
    keys = HDWallet.from_mnemonic(phrase).account(LTC)
    ltc_node.fund_script(keys.script(False, 15), 80_000_000)
    node_url = ltc_node.rpc_url.replace("http://", f"http://{RPC_USER}:{RPC_PASSWORD}@")
    datadir = str(tmp_path / "w")

    restored = cambio(
        "wallet",
        "restore",
        "--datadir",
        datadir,
        "--mnemonic-file",
        "-",
        "--node",
        f"ltc={node_url}",
        "--json",
        words=phrase,
    )
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["restored"]["ltc"] == {
        "balance": 80_000_000,
        "used_addresses": 16,
    }
    config = (tmp_path / "w" / "config.json").stat()
    assert config.st_mode & 0o077 == 0  # it holds the node password

    outside = address_from_script(bytes.fromhex("0014") + bytes(range(20)), LTC)
    sent = cambio(
        "wallet",
        "send",
        "--datadir",
        datadir,
        "--asset",
        "ltc",
        "--to",
        outside,
        "--amount",
        "0.25",
        "--json",
    )
    assert sent.returncode == 0, sent.stderr
    payment = json.loads(sent.stdout)
    assert payment["amount"] == 25_000_000 and payment["fee"] >= payment["fee_rate"] * 100
    ltc_node.mine(1)
    balance = cambio("wallet", "balance", "--datadir", datadir, "--asset", "ltc", "--json")
    data = json.loads(balance.stdout)
    assert data["confirmed"] == 80_000_000 - 25_000_000 - payment["fee"]
    assert data["unconfirmed"] == 0

    too_much = cambio(
        "wallet", "send", "--datadir", datadir, "--asset", "ltc", "--to", outside, "--amount", "5"
    )
    assert too_much.returncode == 1 and "Not enough funds" in too_much.stderr


def test_a_node_that_is_down_is_a_one_line_error(tmp_path: Path) -> None:
    created = cambio(
        "wallet", "create", "--datadir", str(tmp_path), "--node", "ltc=http://u:p@127.0.0.1:9"
    )
    assert created.returncode == 0, created.stderr
    result = cambio("wallet", "balance", "--datadir", str(tmp_path), "--asset", "ltc")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: Cannot reach the node at http://127.0.0.1:9."
