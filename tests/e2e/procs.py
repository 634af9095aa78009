"""E2E helpers: the client daemon and the CLI as separate OS processes, their events, balances.

Each `client run` prints its events as JSON lines; `Client` tails that file so a test can wait
for "the swap of match M reached Complete" without sleeping blindly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.store.db import Store
from app.swap.states import Complete, Refunded
from app.swap.store import SwapStore, decode_state
from simnet.harness import ROOT, TRADER_PASSWORD

Event = dict[str, Any]
ENV = {**os.environ, "CAMBIO_PASSWORD": TRADER_PASSWORD, "PYTHONUNBUFFERED": "1"}


def cli(*args: str, timeout: float = 60.0) -> Any:
    """Run `main.py ARGS --json`; the parsed JSON output (fails the test on an error)."""
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--json"], env=ENV,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        raise AssertionError(f"main.py {' '.join(args)} failed: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def cli_fails(*args: str) -> str:
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], env=ENV,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode != 0, proc.stdout
    return proc.stderr


class Client:
    """One `main.py client run` process on a trader's data dir."""

    def __init__(self, datadir: Path, name: str) -> None:
        self.datadir = datadir
        self.name = name
        self.proc: subprocess.Popen[bytes] | None = None
        self.events_path = datadir / f"{name}.events.jsonl"
        self._offset = 0
        self.events: list[Event] = []

    def start(self) -> Client:
        self.events_path.unlink(missing_ok=True)
        self._offset = 0
        self.events = []
        out = open(self.events_path, "wb")  # noqa: SIM115 - the child owns it
        err = open(self.datadir / f"{self.name}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "client", "run", "--datadir",
             str(self.datadir), "--poll", "0.3"], stdout=out, stderr=err, env=ENV, cwd=ROOT)
        out.close()
        err.close()
        return self

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def poll(self) -> list[Event]:
        if not self.events_path.exists():
            return self.events
        with open(self.events_path, "rb") as f:
            f.seek(self._offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        self._offset += end
        for line in data[:end].splitlines():
            if line.strip():
                self.events.append(json.loads(line))
        return self.events

    def wait_for(self, pred: Callable[[Event], bool], timeout: float = 60.0,
                 what: str = "event") -> Event:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            events = self.poll()
            for ev in events[seen:]:
                if pred(ev):
                    return ev
            seen = len(events)
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited ({self.proc.returncode}) while "
                                     f"waiting for {what}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: no {what} within {timeout}s; last events "
                                     f"{[e['event'] for e in events[-8:]]}")
            time.sleep(0.1)

    def wait_registered(self, timeout: float = 90.0) -> None:
        self.wait_for(lambda e: e["event"] == "DexConnection" and e["connected"]
                      and e["detail"] == "registered and connected", timeout, "registration")

    def wait_state(self, match_id: str, state: str, timeout: float = 90.0) -> Event:
        return self.wait_for(lambda e: e["event"] == "SwapStep" and e["match_id"] == match_id
                             and e["new"] == state, timeout, f"{state} of {match_id[:8]}")

    def matched(self, order_id: str, timeout: float = 60.0) -> list[Event]:
        self.wait_for(lambda e: e["event"] == "OrderMatched" and e["order_id"] == order_id,
                      timeout, f"match of {order_id[:8]}")
        return [e for e in self.poll() if e["event"] == "OrderMatched"
                and e["order_id"] == order_id]


def place(datadir: Path, side: str, otype: str, qty: int, rate: int = 0,
          tif: str = "standing") -> str:
    args = ["trade", "place", "--datadir", str(datadir), "--market", "ltc_btc", "--side", side,
            "--type", otype, "--qty", str(qty), "--tif", tif]
    if rate:
        args += ["--rate", str(rate)]
    return str(cli(*args)["order_id"])


def orders(datadir: Path) -> dict[str, dict[str, Any]]:
    return {o["order_id"]: o for o in cli("trade", "orders", "--datadir", str(datadir))["orders"]}


def balance(datadir: Path, asset: str) -> int:
    """Confirmed + unconfirmed atoms of the wallet on `asset` (locks do not matter)."""
    data = cli("wallet", "balance", "--datadir", str(datadir), "--asset", asset)
    return int(data["confirmed"]) + int(data["unconfirmed"])


def accounting(datadir: Path, match_id: str) -> dict[str, int]:
    """What one swap moved, from the client's own records: our contract value and init fee,
    what we received (after the redeem fee), what a refund returned."""
    store = Store(datadir / "cambio.db")
    try:
        swaps = SwapStore(store)
        out = {"paid": 0, "init_fee": 0, "received": 0, "refunded": 0}
        for entry in swaps.history(match_id):
            state = decode_state(entry.record, 1)
            ours = getattr(state, "ours", None)
            if ours is not None:
                out["paid"], out["init_fee"] = ours.value, ours.init.fee
                out["refund_value"] = ours.value - ours.refund.fee
            if isinstance(state, Complete):
                out["received"] = state.received
            if isinstance(state, Refunded):
                out["refunded"] = out["refund_value"]
        return out
    finally:
        store.close()
