"""E2E helpers: the client daemon and the CLI as separate OS processes, their events, balances.

Each `client run` prints its events as JSON lines; `Client` tails that file so a test can wait
for "the swap of match M reached Complete" without sleeping blindly.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from app.config import load_config, save_config
from app.store.db import Store
from app.swap.states import Complete, Refunded
from app.swap.store import SwapStore, decode_state
from simnet.harness import REG_FEE, ROOT, TRADER_PASSWORD, Simnet

Event = dict[str, Any]
ENV = {**os.environ, "CAMBIO_PASSWORD": TRADER_PASSWORD, "PYTHONUNBUFFERED": "1"}


def cli(*args: str, timeout: float = 60.0) -> Any:
    """Run `main.py ARGS --json`; the parsed JSON output (fails the test on an error)."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args, "--json"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise AssertionError(f"main.py {' '.join(args)} failed: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def cli_fails(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode != 0, proc.stdout
    return proc.stderr


def _brief(event: Event) -> str:
    """An event for a failure message: its name, and its reason when it has one (a refused
    match says why, an error its message and detail)."""
    reason = event.get("reason") or event.get("message")
    detail = event.get("detail")
    if reason and detail:
        reason = f"{reason} [{detail}]"
    return f"{event['event']}: {reason}" if reason else str(event["event"])


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
            [
                sys.executable,
                str(ROOT / "main.py"),
                "client",
                "run",
                "--datadir",
                str(self.datadir),
                "--poll",
                "0.3",
                "--accept-regfee",
                str(REG_FEE),
            ],
            stdout=out,
            stderr=err,
            env=ENV,
            cwd=ROOT,
        )
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

    def wait_for(
        self,
        pred: Callable[[Event], bool],
        timeout: float = 60.0,
        what: str = "event",
        since: int = 0,
    ) -> Event:
        """The first event matching `pred`, from event number `since` on."""
        deadline = time.monotonic() + timeout
        seen = since
        while True:
            events = self.poll()
            for ev in events[seen:]:
                if pred(ev):
                    return ev
            seen = len(events)
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited ({self.proc.returncode}) while waiting for {what}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.name}: no {what} within {timeout}s; last events "
                    f"{[_brief(e) for e in events[-8:]]}"
                )
            time.sleep(0.1)

    def wait_registered(self, timeout: float = 90.0) -> None:
        self.wait_for(
            lambda e: (
                e["event"] == "DexConnection"
                and e["connected"]
                and e["detail"] == "registered and connected"
            ),
            timeout,
            "registration",
        )

    def wait_booked(self, order_id: str, timeout: float = 30.0) -> Event:
        return self.wait_for(
            lambda e: e["event"] == "OrderBooked" and e["order_id"] == order_id,
            timeout,
            f"booking of {order_id[:8]}",
        )

    def wait_state(self, match_id: str, state: str, timeout: float = 90.0) -> Event:
        return self.wait_for(
            lambda e: e["event"] == "SwapStep" and e["match_id"] == match_id and e["new"] == state,
            timeout,
            f"{state} of {match_id[:8]}",
        )

    def matched(self, order_id: str, timeout: float = 60.0) -> list[Event]:
        self.wait_for(
            lambda e: e["event"] == "OrderMatched" and e["order_id"] == order_id,
            timeout,
            f"match of {order_id[:8]}",
        )
        return [
            e for e in self.poll() if e["event"] == "OrderMatched" and e["order_id"] == order_id
        ]


def place(
    datadir: Path, side: str, otype: str, qty: int, rate: int = 0, tif: str = "standing"
) -> str:
    args = [
        "trade",
        "place",
        "--datadir",
        str(datadir),
        "--market",
        "ltc_btc",
        "--side",
        side,
        "--type",
        otype,
        "--qty",
        str(qty),
        "--tif",
        tif,
    ]
    if rate:
        args += ["--rate", str(rate)]
    return str(cli(*args)["order_id"])


def orders(datadir: Path) -> dict[str, dict[str, Any]]:
    return {o["order_id"]: o for o in cli("trade", "orders", "--datadir", str(datadir))["orders"]}


def balance(datadir: Path, asset: str) -> int:
    """Confirmed + unconfirmed atoms of the wallet on `asset` (locks do not matter)."""
    data = cli("wallet", "balance", "--datadir", str(datadir), "--asset", asset)
    return int(data["confirmed"]) + int(data["unconfirmed"])


def balances(keys: list[tuple[Path, str]]) -> dict[tuple[Path, str], int]:
    """`balance` of several (datadir, asset) pairs, read in parallel."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(keys, pool.map(lambda k: balance(*k), keys), strict=True))


def assert_balances(
    net: Simnet, expected: dict[tuple[Path, str], int], timeout: float = 60.0
) -> None:
    """Wallet balances equal `expected`, polled with a block mined between looks (the
    wallets see the last redeems within a block or two); else the differences are named."""
    deadline = time.monotonic() + timeout
    while True:
        got = balances(list(expected))
        if got == expected or time.monotonic() > deadline:
            break
        net.mine(1)
        time.sleep(0.5)
    diff = {
        f"{d.name}/{a}": got[(d, a)] - want
        for (d, a), want in expected.items()
        if got[(d, a)] != want
    }
    assert not diff, f"balances off by (got - expected) {diff}"


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


def point_trader(
    datadir: Path, *, dex_url: str | None = None, node: tuple[str, str] | None = None
) -> None:
    """Rewrite a trader's config.json: its DEX URL, or one chain node's RPC URL (symbol, url).
    Read by processes started afterwards."""
    config = load_config(datadir)
    if dex_url is not None:
        config.dex_url = dex_url
    if node is not None:
        config.nodes[node[0]] = dataclasses.replace(config.nodes[node[0]], rpc_url=node[1])
    save_config(datadir, config)


def _ws_frame(buf: bytes) -> tuple[int, int, bytes] | None:
    """(size, opcode, unmasked payload) of the first complete WebSocket frame, else None."""
    if len(buf) < 2:
        return None
    size, off = buf[1] & 0x7F, 2
    if size in (126, 127):
        width = 2 if size == 126 else 8
        if len(buf) < off + width:
            return None
        size, off = int.from_bytes(buf[off : off + width], "big"), off + width
    mask = b""
    if buf[1] & 0x80:
        if len(buf) < off + 4:
            return None
        mask, off = buf[off : off + 4], off + 4
    if len(buf) < off + size:
        return None
    payload = buf[off : off + size]
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return off + size, buf[0] & 0x0F, payload


class _RequestWatch:
    """Follows one client's (masked, uncompressed) WebSocket frames after the HTTP upgrade and
    spots a JSON-RPC request calling the method `watched()` names at that moment."""

    def __init__(self, watched: Callable[[], str | None]) -> None:
        self.watched = watched
        self.buf = b""
        self.upgraded = False

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        """What to forward, and whether the watched request came (it is not forwarded)."""
        self.buf += data
        out = bytearray()
        if not self.upgraded:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return b"", False
            out += self.buf[: end + 4]
            self.buf, self.upgraded = self.buf[end + 4 :], True
        while (frame := _ws_frame(self.buf)) is not None:
            size, opcode, payload = frame
            method = self.watched()
            if opcode == 1 and method is not None:
                try:
                    hit = json.loads(payload).get("method") == method
                except (ValueError, AttributeError):
                    hit = False
                if hit:
                    return bytes(out), True
            out += self.buf[:size]
            self.buf = self.buf[size:]
        return bytes(out), False


class TcpProxy:
    """A loopback TCP relay between one client and a server (the DEX, or a chain node's RPC)
    that a test can cut and restore without touching either end.

    `cut()` closes every relayed connection and refuses new ones (accepted, then closed at
    once) until `restore()`. With `websocket=True`, `cut_on(method)` arms a trap: the next
    request calling `method` from the client is swallowed, never reaching the server, and the
    link is cut right there."""

    def __init__(self, target_port: int, *, websocket: bool = False) -> None:
        self.target = ("127.0.0.1", target_port)
        self.websocket = websocket
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._live: set[socket.socket] = set()
        self._down = False
        self._closed = False
        self._watch: str | None = None
        self.tripped = threading.Event()
        self.refused = 0  # connection attempts turned away while cut
        self._thread = threading.Thread(target=self._accept, name="e2e-proxy", daemon=True)
        self._thread.start()

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut_on(self, method: str | None) -> None:
        with self._lock:
            self._watch = method

    def cut(self) -> None:
        with self._lock:
            self._down = True
            live, self._live = self._live, set()
        for s in live:
            _close(s)

    def restore(self) -> None:
        with self._lock:
            self._down = False

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._thread.join(timeout=5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                down = self._down
                if down:
                    self.refused += 1
            if down:
                _close(conn)
                continue
            try:
                up = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(conn)
                continue
            up.settimeout(None)
            with self._lock:
                self._live.update((conn, up))
            for src, dst, watch in ((conn, up, self.websocket), (up, conn, False)):
                threading.Thread(target=self._pump, args=(src, dst, watch), daemon=True).start()

    def _watched(self) -> str | None:
        with self._lock:
            return self._watch

    def _pump(self, src: socket.socket, dst: socket.socket, watch: bool) -> None:
        scan = _RequestWatch(self._watched) if watch else None
        try:
            while data := src.recv(65536):
                if scan is None:
                    dst.sendall(data)
                    continue
                out, hit = scan.feed(data)
                if out:
                    dst.sendall(out)
                if hit:
                    with self._lock:
                        self._watch = None
                    self.tripped.set()
                    self.cut()
                    return
        except OSError:
            pass  # cut, or the other side went away
        finally:  # one side ended: end the other too
            with self._lock:
                self._live.difference_update((src, dst))
            _close(src)
            _close(dst)


def _close(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    s.close()
