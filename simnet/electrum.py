"""Run an ElectrumX (`e-x`) server over a regtest node, on loopback, for tests and the simnet.

Both regtest chains are Litecoin Core here (the BTC chain is a second Litecoin regtest node),
so every server uses e-x's `Litecoin`/`regtest` coin class over its own node. Peer discovery
and announcement are off; the server listens on one loopback TCP port and keeps its database
in a directory of its own. Synchronous on purpose, like simnet.node.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from simnet.node import RPC_PASSWORD, RPC_USER, NodeError, RegtestNode, free_port


def server_binary() -> Path:
    """`electrumx_server` of the venv running us (installed by `make test`)."""
    return Path(sys.executable).parent / "electrumx_server"


class ElectrumServer:
    """One e-x process following `node`; `url` is what ElectrumBackend is given."""

    def __init__(self, datadir: Path, node: RegtestNode) -> None:
        self.datadir = Path(datadir)
        self.node = node
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "COIN": "Litecoin", "NET": "regtest",
            "DAEMON_URL": f"http://{RPC_USER}:{RPC_PASSWORD}@127.0.0.1:{self.node.rpc_port}/",
            "DB_DIRECTORY": str(self.datadir / "db"), "DB_ENGINE": "leveldb",
            "SERVICES": f"tcp://127.0.0.1:{self.port}",
            "PEER_DISCOVERY": "off", "PEER_ANNOUNCE": "", "ALLOW_ROOT": "1",
            # Follow the regtest node closely and never throttle the test client.
            "DAEMON_POLL_INTERVAL_BLOCKS": "50", "DAEMON_POLL_INTERVAL_MEMPOOL": "50",
            "COST_SOFT_LIMIT": "0", "COST_HARD_LIMIT": "0", "INITIAL_CONCURRENT": "1000",
            "MAX_SEND": "10000000", "CACHE_MB": "100", "LOG_LEVEL": "warning",
        })
        return env

    def start(self, timeout: float = 60.0) -> None:
        (self.datadir / "db").mkdir(parents=True, exist_ok=True)
        with open(self.datadir / "electrumx.log", "ab") as log:
            self.process = subprocess.Popen([str(server_binary())], env=self._env(),
                                            stdout=log, stderr=subprocess.STDOUT)
        self.wait_synced(timeout)

    def height(self) -> int | None:
        """The server's tip height, None while it does not answer."""
        try:
            reply = self.request("blockchain.headers.subscribe")
        except (OSError, ValueError, NodeError):
            return None
        return int(reply["height"])

    def wait_synced(self, timeout: float = 60.0) -> int:
        """Wait until the server reports the node's tip; returns that height."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process is None or self.process.poll() is not None:
                raise NodeError(f"electrumx exited; see {self.datadir}/electrumx.log")
            want = int(self.node.rpc("getblockcount"))
            if self.height() == want:
                return want
            if time.monotonic() > deadline:
                raise NodeError(f"electrumx did not reach height {want} within {timeout}s")
            time.sleep(0.05)

    def request(self, method: str, *params: Any) -> Any:
        """One request on a fresh connection (for harness checks, not for the wallet)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            stream = sock.makefile("rwb")
            for n, (m, p) in enumerate([("server.version", ["cambio-harness", "1.4"]),
                                        (method, list(params))]):
                line = json.dumps({"jsonrpc": "2.0", "id": n, "method": m, "params": p})
                stream.write(line.encode() + b"\n")
                stream.flush()
                reply = json.loads(stream.readline())
            if reply.get("error"):
                raise NodeError(f"{method}: {reply['error']}")
            return reply["result"]

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (e-x flushes its database and exits), SIGKILL if it hangs."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def kill(self) -> None:
        """Die without a goodbye, as a crashed or unplugged server would."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            self.process.wait()
            self.process = None


def start_electrum(datadir: Path, node: RegtestNode, timeout: float = 60.0) -> ElectrumServer:
    server = ElectrumServer(datadir, node)
    try:
        server.start(timeout)
    except BaseException:
        server.kill()
        raise
    return server
