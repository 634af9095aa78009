"""`main.py --simnet` (the desktop app with its own simnet, what `make run` starts) killed
mid-swap and started again: the new start takes the simnet over and the swap completes; a
SIGTERMed app leaves no process of its simnet behind (issue: orphaned daemons, then
`NodeError: litecoind exited at start` on the next start)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.store.db import Store
from app.swap.states import Complete, InitBroadcast, Redeeming
from app.swap.store import SwapStore
from simnet.harness import ROOT
from simnet.lifecycle import alive, cmdline
from tests.e2e.procs import ENV, cli

APP_ENV = {**ENV, "QT_QPA_PLATFORM": "offscreen"}
MARKET_BUY_QUOTE = 200_000  # quote atoms: above the buy buffer for one lot at the best ask


class App:
    def __init__(self, datadir: Path) -> None:
        self.datadir = datadir
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> App:
        log = open(self.datadir.parent / "app.log", "ab")  # noqa: SIM115 - the child owns it
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--simnet", "--datadir", str(self.datadir)],
            env=APP_ENV,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        return self

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        self.proc = None

    def info(self, timeout: float = 180.0) -> dict[str, Any]:
        """simnet.json once this start has written it (its server pid is a live one)."""
        path = self.datadir / "simnet.json"
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"the app exited ({self.proc.returncode}); see app.log:\n"
                    + (self.datadir.parent / "app.log").read_text()[-3000:]
                )
            try:
                info: dict[str, Any] = json.loads(path.read_text())
                if info["pids"]["simnet"] == self.proc.pid:
                    return info
            except (OSError, ValueError, KeyError):
                pass
            assert time.monotonic() < deadline, "the app's simnet did not come up"
            time.sleep(0.2)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    running = App(tmp_path / "simnet-data")
    yield running
    if running.proc is not None and running.proc.poll() is None:
        running.signal(signal.SIGTERM)


def until(what: str, check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"no {what} within {timeout}s"
        time.sleep(0.3)


def asks(info: dict[str, Any]) -> int:
    url = info["dex_url"].replace("ws://", "http://") + "/api/markets/ltc_btc/book"
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return len(json.loads(r.read())["asks"])
    except OSError:
        return 0


def place_market_buy(datadir: Path) -> str | None:
    try:
        return str(
            cli(
                "trade",
                "place",
                "--datadir",
                str(datadir),
                "--market",
                "ltc_btc",
                "--side",
                "buy",
                "--type",
                "market",
                "--qty",
                str(MARKET_BUY_QUOTE),
            )["order_id"]
        )
    except AssertionError:  # the app has not registered trader1 yet
        return None


def swap_states(datadir: Path) -> dict[str, object]:
    store = Store(datadir / "cambio.db")
    try:
        swaps = SwapStore(store)
        return {mid: swaps.load(mid) for mid in swaps.all_ids()}
    finally:
        store.close()


def server_statuses(directory: Path) -> dict[str, str]:
    """match id -> status in the DEX server's own database (read-only)."""
    db = sqlite3.connect(f"file:{directory / 'dex' / 'dexserver.sqlite'}?mode=ro", uri=True)
    try:
        return {
            bytes(r[0]).hex(): str(r[1]) for r in db.execute("SELECT matchid, status FROM matches")
        }
    finally:
        db.close()


def simnet_processes(directory: Path) -> list[int]:
    """Live pids whose command line names the simnet directory (daemons, the DEX server)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            pid = int(entry.name)
            if any(str(directory) in arg for arg in cmdline(pid)) and alive(pid):
                found.append(pid)
    return found


def test_the_app_killed_mid_swap_restarts_completes_and_leaves_nothing_on_sigterm(app: App) -> None:
    info = app.start().info()
    trader = Path(info["traders"]["trader1"]["datadir"])
    until("ask on the book (demo maker)", lambda: asks(info), 120)
    until("market buy accepted", lambda: place_market_buy(trader), 120)
    in_flight = until(
        "taker init on chain",
        lambda: [
            mid
            for mid, s in swap_states(trader).items()
            if isinstance(s, InitBroadcast | Redeeming)
        ],
        120,
    )
    app.signal(signal.SIGKILL)  # mid-swap: both sides (trader1, the demo maker) pending

    info = app.start().info()  # was: NodeError: litecoind exited at start
    until(
        "swap complete after the restart",
        lambda: all(isinstance(swap_states(trader).get(mid), Complete) for mid in in_flight),
        180,
    )
    # The server saw every report (re-sent ones acked again, early ones sent again when the
    # counterparty's step was relayed): its match is complete too, and nothing alarmed.
    until(
        "match complete on the server",
        lambda: server_statuses(app.datadir) == {mid: "match_complete" for mid in in_flight},
        60,
    )
    assert "swap problem" not in (app.datadir.parent / "app.log").read_text()

    pids = {k: int(v) for k, v in info["pids"].items() if v and k != "simnet"}
    app.signal(signal.SIGTERM)
    until(
        "simnet processes gone after SIGTERM", lambda: not any(alive(p) for p in pids.values()), 20
    )
    assert simnet_processes(app.datadir) == []
