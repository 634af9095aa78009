"""Start and drive a Litecoin Core (or Bitcoin Core) regtest node on loopback.

Used by the tests, the simnet and the benchmarks. Synchronous on purpose: fixtures and the
harness are plain code; the wallet talks to the node through the async backend instead.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

from dexproto.address import encode_segwit, witness_program
from dexproto.assets import ATOMS_PER_COIN
from simnet import lifecycle
from simnet.errors import NodeError

RPC_USER = "cambio"
RPC_PASSWORD = "cambio-regtest"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def atoms_to_coin_str(atoms: int) -> str:
    whole, frac = divmod(atoms, ATOMS_PER_COIN)
    return f"{whole}.{frac:08d}"


def coin_to_atoms(value: Decimal | int | str) -> int:
    atoms = Decimal(value) * ATOMS_PER_COIN
    if atoms != atoms.to_integral_value():
        raise NodeError(f"amount {value} is not a whole number of atoms")
    return int(atoms)


def find_daemon(kind: str) -> str | None:
    """Path of `litecoind` / `bitcoind`, or None when it is not installed."""
    return shutil.which(f"{kind}d")


class RegtestNode:
    """One regtest daemon in its own data directory with a funded miner wallet."""

    # The node's own bech32 prefix: a Litecoin node standing in for the BTC chain still
    # speaks rltc addresses, so the harness only ever hands it addresses it made itself.
    def __init__(
        self,
        datadir: Path,
        daemon: str = "litecoind",
        label: str = "ltc",
        *,
        die_with_parent: bool = False,
        cookie_auth: bool = False,
    ) -> None:
        self.datadir = Path(datadir)
        self.die_with_parent = die_with_parent  # SIGTERM when the starting thread dies
        # Without rpcuser/rpcpassword the node writes <datadir>/regtest/.cookie at each start.
        self.cookie_auth = cookie_auth
        self.daemon = daemon
        self.label = label
        self.rpc_port = free_port()
        self.p2p_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.hrp = "rltc" if "litecoin" in Path(daemon).name else "bcrt"
        self._mine_address = ""

    @property
    def cookie_file(self) -> Path:
        return self.datadir / "regtest" / ".cookie"

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}"

    def start(self, timeout: float = 60.0) -> None:
        self.datadir.mkdir(parents=True, exist_ok=True)
        args = [
            self.daemon,
            "-regtest",
            f"-datadir={self.datadir}",
            "-server=1",
            "-listen=0",
            f"-port={self.p2p_port}",
            f"-rpcport={self.rpc_port}",
            "-rpcbind=127.0.0.1",
            "-rpcallowip=127.0.0.1",
            "-fallbackfee=0.0002",
            "-txindex=1",
            "-printtoconsole=0",
            "-discover=0",
            "-dnsseed=0",
            "-upnp=0",
            "-acceptnonstdtxn=0",
            "-rpcthreads=8",
            "-rpcworkqueue=64",
        ]
        if not self.cookie_auth:
            args += [f"-rpcuser={RPC_USER}", f"-rpcpassword={RPC_PASSWORD}"]
        if self.hrp == "rltc":
            # Litecoin regtest activates MWEB at block 432, after which plain mining fails
            # (bad-txns-vin-empty); push its deployment window out of reach.
            args.append("-vbparams=mweb:2000000000:2100000000")
        with open(self.datadir / "daemon.out", "ab") as log:
            self.process = subprocess.Popen(
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=lifecycle.die_with_parent() if self.die_with_parent else None,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise NodeError(f"{self.daemon} exited at start; see {self.datadir}/daemon.out")
            try:
                self.rpc("getblockchaininfo")
                break
            except (NodeError, OSError):
                if time.monotonic() > deadline:
                    raise NodeError(f"{self.daemon} did not answer within {timeout}s") from None
                time.sleep(0.1)
        wallets = self.rpc("listwallets")
        if "miner" not in wallets:
            try:
                self.rpc("loadwallet", "miner")
            except NodeError:
                self.rpc("createwallet", "miner")
        self._mine_address = self.rpc("getnewaddress", "", "bech32", wallet="miner")

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(NodeError, OSError):
            self.rpc("stop")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def rpc(self, method: str, *params: Any, wallet: str | None = None) -> Any:
        url = self.rpc_url + (f"/wallet/{wallet}" if wallet else "")
        body = json.dumps({"jsonrpc": "1.0", "id": 1, "method": method, "params": list(params)})
        login = (
            self.cookie_file.read_text().strip()
            if self.cookie_auth
            else f"{RPC_USER}:{RPC_PASSWORD}"
        )
        auth = base64.b64encode(login.encode()).decode()
        request = urllib.request.Request(
            url,
            data=body.encode(),
            headers={"Authorization": f"Basic {auth}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            if not raw:
                raise NodeError(f"{method}: HTTP {exc.code}") from exc
        reply = json.loads(raw, parse_float=Decimal)
        if reply.get("error"):
            raise NodeError(f"{method}: {reply['error'].get('message')}")
        return reply["result"]

    # -- helpers for tests and the simnet --------------------------------------------------
    def mine(self, blocks: int = 1) -> list[str]:
        return list(self.rpc("generatetoaddress", blocks, self._mine_address))

    def ensure_mature_funds(self) -> None:
        """Mine until the miner wallet can spend (coinbase maturity is 100 blocks)."""
        height = int(self.rpc("getblockcount"))
        if height < 101:
            self.mine(101 - height)

    def node_address(self, script: bytes) -> str:
        """The node's own address string for a segwit output script."""
        program = witness_program(script)
        if program is None:
            raise NodeError("only segwit v0 scripts can be funded")
        return encode_segwit(self.hrp, 0, program)

    def fund_script(self, script: bytes, atoms: int, mine: bool = True) -> tuple[str, int]:
        """Pay `atoms` to `script` from the miner wallet; returns (txid, vout)."""
        self.ensure_mature_funds()
        address = self.node_address(script)
        txid = str(self.rpc("sendtoaddress", address, atoms_to_coin_str(atoms), wallet="miner"))
        tx = self.rpc("getrawtransaction", txid, True)
        vout = next(o["n"] for o in tx["vout"] if o["scriptPubKey"]["hex"] == script.hex())
        if mine:
            self.mine(1)
        return txid, int(vout)

    def set_mock_time(self, unix_seconds: int) -> None:
        self.rpc("setmocktime", unix_seconds)

    def median_time_past(self) -> int:
        return int(self.rpc("getblockchaininfo")["mediantime"])


def start_node(
    datadir: Path,
    kind: str = "litecoin",
    label: str = "ltc",
    *,
    die_with_parent: bool = False,
    cookie_auth: bool = False,
) -> RegtestNode:
    daemon = find_daemon(kind)
    if daemon is None:
        raise NodeError(f"{kind}d is not installed; run `make test` or `make run` to install it")
    node = RegtestNode(
        datadir,
        daemon=daemon,
        label=label,
        die_with_parent=die_with_parent,
        cookie_auth=cookie_auth,
    )
    node.start()
    return node


def stop_quietly(node: RegtestNode) -> None:
    try:
        node.stop()
    except Exception:
        node.kill()


os.environ.setdefault("LC_ALL", "C")
