"""`main.py swap audit` in a separate process, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dexproto.assets import Network, get_asset
from dexproto.htlc import Contract

ROOT = Path(__file__).resolve().parents[2]


def audit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "swap", "audit", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_audit_prints_every_field_of_a_contract() -> None:
    contract = Contract(bytes(range(32)), b"\x11" * 20, b"\x22" * 20, 1_800_000_000)
    result = audit(
        "--asset", "ltc", "--network", "regtest", "--contract", contract.to_script().hex(), "--json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["secret_hash"] == bytes(range(32)).hex()
    assert data["recipient_pkh"] == "11" * 20 and data["refund_pkh"] == "22" * 20
    assert data["lock_time"] == 1_800_000_000
    assert data["lock_time_utc"] == "2027-01-15 08:00:00 UTC"
    assert data["p2wsh_address"] == contract.address(get_asset("ltc", Network.REGTEST))
    text = audit("--asset", "btc", "--contract", contract.to_script().hex())
    assert "2027-01-15 08:00:00 UTC" in text.stdout and "bc1q" in text.stdout


def test_a_malformed_contract_is_a_one_line_error() -> None:
    contract = Contract(bytes(32), b"\x11" * 20, b"\x22" * 20, 1_800_000_000).to_script()
    for bad in ("zz", contract[:-1].hex(), (b"\x00" + contract[1:]).hex()):
        result = audit("--asset", "btc", "--contract", bad)
        assert result.returncode == 1
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("error: ")
