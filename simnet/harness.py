"""The full local simnet: two regtest chains, a miner, the DEX server, funded trader dirs.

`Simnet.start(dir)` brings everything up on loopback and writes `<dir>/simnet.json` (endpoints,
directories, pids); `stop()` takes down exactly what it started. The children die with the
process that started them (simnet/lifecycle.py); a start that finds what a crashed owner left
in `dir` stops it first and reuses its chains (funded wallets, pending swaps) and DEX database.
The DEX server runs as its own OS process (`main.py server`); the chains are their own
daemons; the miner is a thread of the process that called `start` (the `simnet up` foreground
process, or a test).

When `bitcoind` is not installed the BTC chain is a second Litecoin Core regtest chain standing
in for Bitcoin: both speak the same RPC and script rules, and the client talks raw scripts only.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config import NodeConfig, load_config, save_config
from app.wallet.session import create_wallet, unlock_wallet, wallet_exists
from dexproto.assets import Network, get_asset
from simnet.electrum import ElectrumServer, start_electrum
from simnet.errors import NodeError
from simnet.lifecycle import OwnerLock, PidFile, die_with_parent, stop_stale
from simnet.node import (
    RPC_PASSWORD,
    RPC_USER,
    RegtestNode,
    atoms_to_coin_str,
    find_daemon,
    free_port,
    start_node,
    stop_quietly,
)

log = logging.getLogger("cambio.simnet")

ROOT = Path(__file__).resolve().parent.parent
INFO_NAME = "simnet.json"
TRADER_PASSWORD = "simnet"  # throwaway regtest wallets; printed on purpose
TRADER_SCRYPT_N = 2**10  # regtest only: cheap unlocks for the many CLI calls of the tests
LOT = 1_000_000  # 0.01 LTC
RATE_STEP = 1_000
FEE_RATE = 20  # atoms/vB on both chains (a Litecoin chain relays nothing under 10)
REG_FEE = 100_000
COINS_PER_CHAIN = 40
COIN_VALUE = 20_000_000  # 0.2 coin each: many coins, so orders and swaps never wait for change
SERVER_START_TIMEOUT = 30.0
FUNDING_KEY = "simnet_funding"  # config.json extra: {symbol: txid} of the trader's funding


def server_config(
    port: int,
    datadir: Path,
    nodes: dict[str, RegtestNode],
    *,
    epochlen: int,
    btimeout: int,
    maker_lock: int,
    taker_lock: int,
) -> dict[str, Any]:
    def asset(symbol: str) -> dict[str, Any]:
        node = nodes[symbol]
        return {
            "symbol": symbol,
            "network": "regtest",
            "lotsize": LOT,
            "ratestep": RATE_STEP,
            "feerate": FEE_RATE,
            "swapsize": 225,
            "swapconf": 1,
            "fundconf": 1,
            "node": {"url": node.rpc_url, "user": RPC_USER, "password": RPC_PASSWORD},
        }

    return {
        "host": "127.0.0.1",
        "port": port,
        "datadir": str(datadir),
        "epochlen": epochlen,
        "btimeout": btimeout,
        "locktimes": {"maker": maker_lock, "taker": taker_lock},
        "regfee": {"asset": "ltc", "amount": REG_FEE, "confs": 1},
        "assets": [asset("ltc"), asset("btc")],
        "markets": [{"base": "ltc", "quote": "btc", "marketid": 0}],
    }


class Miner(threading.Thread):
    """Mines a block on every chain each `interval` seconds; applies the chain time offset
    (`<dir>/time_offset`, seconds) written by `simnet time`, so chain time keeps moving."""

    def __init__(self, nodes: list[RegtestNode], interval: float, offset_file: Path) -> None:
        super().__init__(name="simnet-miner", daemon=True)
        self.nodes = nodes
        self.interval = interval
        self.offset_file = offset_file
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            offset = read_offset(self.offset_file)
            for node in self.nodes:
                try:
                    if offset:
                        node.set_mock_time(int(time.time()) + offset)
                    node.mine(1)
                except (NodeError, OSError) as exc:  # a node stopping: keep trying
                    log.debug("miner: %s", exc)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)


def read_offset(path: Path) -> int:
    try:
        return int(path.read_text().strip() or 0)
    except (OSError, ValueError):
        return 0


@dataclass
class Simnet:
    dir: Path
    nodes: dict[str, RegtestNode]
    btc_stand_in: bool
    server_port: int
    server_config_path: Path
    traders: dict[str, Path]
    miner: Miner | None = None
    server: subprocess.Popen[bytes] | None = None
    info: dict[str, Any] = field(default_factory=dict)
    lock: OwnerLock | None = None
    fresh_chains: set[str] = field(default_factory=set)  # chains this start created
    electrum: dict[str, ElectrumServer] = field(default_factory=dict)  # e-x per chain, if any

    @property
    def dex_url(self) -> str:
        return f"ws://127.0.0.1:{self.server_port}"

    @property
    def info_path(self) -> Path:
        return self.dir / INFO_NAME

    # -- lifecycle -----------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        directory: Path,
        *,
        traders: int = 2,
        epochlen: int = 2000,
        btimeout: int = 60_000,
        maker_lock: int = 20 * 60_000,
        taker_lock: int = 10 * 60_000,
        mine_interval: float = 2.0,
        electrum: bool = False,
    ) -> Simnet:
        """`electrum`: also run an e-x server over each chain, for light traders
        (`make_light`)."""
        directory = Path(directory).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        lock = OwnerLock(directory)
        lock.acquire()  # SimnetBusy when a live process runs this simnet
        try:
            return cls._start_locked(
                directory,
                lock,
                traders,
                epochlen,
                btimeout,
                maker_lock,
                taker_lock,
                mine_interval,
                electrum,
            )
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _start_locked(
        cls,
        directory: Path,
        lock: OwnerLock,
        traders: int,
        epochlen: int,
        btimeout: int,
        maker_lock: int,
        taker_lock: int,
        mine_interval: float,
        electrum: bool = False,
    ) -> Simnet:
        try:
            legacy = load_info(directory)
        except (FileNotFoundError, ValueError):
            legacy = None
        stopped = stop_stale(directory, legacy)  # we hold the lock: their owner is dead
        if stopped:
            log.warning(
                "took over the simnet in %s: stopped %s left by a crashed owner",
                directory,
                ", ".join(stopped),
            )
        pids = PidFile(directory)
        btc_kind = "bitcoin" if find_daemon("bitcoin") else "litecoin"
        stand_in = btc_kind != "bitcoin"
        if stand_in:
            log.warning(
                "bitcoind is not installed: a second Litecoin Core regtest chain stands in for BTC"
            )
        nodes: dict[str, RegtestNode] = {}
        net: Simnet | None = None
        fresh = {s for s in ("ltc", "btc") if not (directory / f"{s}-node").exists()}
        try:
            for symbol, kind in (("ltc", "litecoin"), ("btc", btc_kind)):
                datadir = directory / f"{symbol}-node"
                nodes[symbol] = node = start_node(datadir, kind, symbol, die_with_parent=True)
                assert node.process is not None
                pids.record(f"{symbol}-node", node.process.pid, f"-datadir={datadir}")
            for node in nodes.values():
                node.set_mock_time(0)
                node.ensure_mature_funds()
            cfg_path = directory / "server.json"
            port = previous_port(cfg_path) or free_port()  # the traders' dex_url stays valid
            cfg_path.write_text(
                json.dumps(
                    server_config(
                        port,
                        directory / "dex",
                        nodes,
                        epochlen=epochlen,
                        btimeout=btimeout,
                        maker_lock=maker_lock,
                        taker_lock=taker_lock,
                    ),
                    indent=2,
                )
            )
            net = cls(directory, nodes, stand_in, port, cfg_path, {}, lock=lock, fresh_chains=fresh)
            (directory / "time_offset").write_text("0")
            if electrum:
                net.start_electrum()
            net.start_server()
            for i in range(traders):
                net.traders[f"trader{i + 1}"] = net.make_trader(f"trader{i + 1}")
            for node in nodes.values():
                node.mine(1)
            net.miner = Miner(list(nodes.values()), mine_interval, directory / "time_offset")
            net.miner.start()
            net.write_info(mine_interval)
            return net
        except BaseException:
            if net is not None:
                net.kill_server(signal.SIGTERM)
                net.stop_electrum()
            for node in nodes.values():
                stop_quietly(node)
            pids.clear()
            raise

    def start_server(self) -> None:
        log_file = open(self.dir / "server.log", "ab")  # noqa: SIM115 - owned by the child
        self.server = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "main.py"),
                "server",
                "--config",
                str(self.server_config_path),
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            preexec_fn=die_with_parent(),
        )
        log_file.close()
        PidFile(self.dir).record("server", self.server.pid, str(self.server_config_path))
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise NodeError(f"the DEX server exited; see {self.dir}/server.log")
            try:
                url = f"http://127.0.0.1:{self.server_port}/api/config"
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise NodeError("the DEX server did not start in time")
        if self.info:
            self.info["pids"]["server"] = self.server.pid
            self._save_info()

    def start_electrum(self) -> None:
        """An e-x server over each chain (loopback, peer discovery off). A new chain gets a
        new index: the old one describes blocks that are gone."""
        for symbol, node in self.nodes.items():
            exdir = self.dir / f"{symbol}-electrumx"
            if symbol in self.fresh_chains and exdir.exists():
                shutil.rmtree(exdir)
            server = start_electrum(exdir, node, die_with_parent=True)
            self.electrum[symbol] = server
            assert server.process is not None  # in the pid file: `simnet down` stops it
            PidFile(self.dir).record(f"{symbol}-electrumx", server.process.pid, server.marker)

    def stop_electrum(self) -> None:
        for server in self.electrum.values():
            server.stop()
        self.electrum.clear()

    def make_light(self, name: str) -> Path:
        """Point trader `name` at the e-x servers instead of the chains' RPC (its funding
        stays on chain: the light wallet finds it through the servers)."""
        if not self.electrum:
            raise NodeError("this simnet runs no Electrum server (start it with electrum=True)")
        tdir = self.traders[name]
        config = load_config(tdir)
        config.nodes.update({s: NodeConfig("", electrum=e.url) for s, e in self.electrum.items()})
        save_config(tdir, config)
        if self.info:
            self.info["traders"][name]["light"] = True
            self._save_info()
        return tdir

    def kill_server(self, sig: int = signal.SIGKILL) -> None:
        if self.server is not None:
            self.server.send_signal(sig)
            self.server.wait(timeout=30)
            self.server = None

    def make_trader(self, name: str) -> Path:
        """A wallet dir pointed at the DEX, funded with many coins on both chains once: a
        restart of the simnet finds the funding on its chains and pays nothing again."""
        tdir = self.dir / name
        configs = {s: NodeConfig(n.rpc_url, RPC_USER, RPC_PASSWORD) for s, n in self.nodes.items()}
        created = not wallet_exists(tdir)
        if created:
            create_wallet(
                tdir,
                TRADER_PASSWORD,
                network=Network.REGTEST,
                nodes=configs,
                scrypt_n=TRADER_SCRYPT_N,
            )
        config = load_config(tdir)
        config.nodes.update(configs)
        config.dex_url = self.dex_url
        config.extra["btc_stand_in"] = self.btc_stand_in
        if created:
            config.extra[FUNDING_KEY] = {}  # none yet: a crash before the payment retries it
        save_config(tdir, config)
        recorded = config.extra.get(FUNDING_KEY)
        funding: dict[str, str] = dict(recorded or {})
        if recorded is None:  # a trader of an older simnet: funded on the chains it knew
            todo = [s for s in self.nodes if s in self.fresh_chains]
        else:
            todo = [s for s in self.nodes if not self._known_tx(s, funding.get(s))]
        if todo:
            wallet = unlock_wallet(tdir, TRADER_PASSWORD)
            try:
                for symbol in todo:
                    funding[symbol] = self._fund(
                        symbol, wallet.hd.account(get_asset(symbol, Network.REGTEST))
                    )
            finally:
                wallet.store.close()
            config = load_config(tdir)
            config.extra[FUNDING_KEY] = funding
            save_config(tdir, config)
        return tdir

    def _known_tx(self, symbol: str, txid: str | None) -> bool:
        """Whether this simnet's `symbol` chain has `txid` (a new chain needs new funding)."""
        if not txid:
            return False
        try:
            self.nodes[symbol].rpc("getrawtransaction", txid)
        except NodeError:
            return False
        return True

    def _fund(self, symbol: str, keys: Any) -> str:
        node = self.nodes[symbol]
        # Receive and change scripts 0..19: all inside the discovery gap.
        outputs = {
            node.node_address(keys.script(change, i)): atoms_to_coin_str(COIN_VALUE)
            for i in range(COINS_PER_CHAIN // 2)
            for change in (False, True)
        }
        return str(node.rpc("sendmany", "", outputs, wallet="miner"))

    def write_info(self, mine_interval: float) -> None:
        self.info = {
            "dir": str(self.dir),
            "btc_stand_in": self.btc_stand_in,
            "dex_url": self.dex_url,
            "server_config": str(self.server_config_path),
            "nodes": {
                s: {
                    "rpc_url": n.rpc_url,
                    "user": RPC_USER,
                    "password": RPC_PASSWORD,
                    "datadir": str(n.datadir),
                    "mine_address": n._mine_address,
                    "daemon": n.daemon,
                }
                for s, n in self.nodes.items()
            },
            "traders": {
                name: {"datadir": str(p), "password": TRADER_PASSWORD}
                for name, p in self.traders.items()
            },
            "electrum": {s: e.url for s, e in self.electrum.items()},
            "mine_interval": mine_interval,
            "pids": {
                "simnet": os.getpid(),
                "server": self.server.pid if self.server else None,
                **{
                    f"{s}-node": n.process.pid
                    for s, n in self.nodes.items()
                    if n.process is not None
                },
                **{
                    f"{s}-electrumx": e.process.pid
                    for s, e in self.electrum.items()
                    if e.process is not None
                },
            },
        }
        self._save_info()

    def _save_info(self) -> None:
        tmp = self.info_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.info, indent=2))
        tmp.replace(self.info_path)

    def mine(self, blocks: int = 1) -> None:
        for node in self.nodes.values():
            node.mine(blocks)

    def time_travel(self, seconds: int) -> None:
        travel(self.info, seconds)

    def stop(self) -> None:
        try:
            if self.miner is not None:
                self.miner.stop()
            if self.server is not None and self.server.poll() is None:
                self.server.send_signal(signal.SIGTERM)
                try:
                    self.server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.server.kill()
                    self.server.wait()
        finally:
            self.stop_electrum()
            for node in self.nodes.values():
                stop_quietly(node)
            self.info_path.unlink(missing_ok=True)
            PidFile(self.dir).clear()
            if self.lock is not None:
                self.lock.release()


def previous_port(cfg_path: Path) -> int | None:
    """The DEX port of the last start in this directory, when it is free again."""
    try:
        port = int(json.loads(cfg_path.read_text())["port"])
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            # As the server binds (asyncio sets SO_REUSEADDR): the old run's connections
            # in TIME_WAIT do not keep the port.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return port


# -- used from other processes, through simnet.json ------------------------------------------
def load_info(directory: Path) -> dict[str, Any]:
    path = Path(directory) / INFO_NAME
    if not path.exists():
        raise FileNotFoundError(f"no running simnet in {directory} ({path} not found)")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def remote_node(info: dict[str, Any], symbol: str) -> RegtestNode:
    """A handle on a running simnet node (RPC only; it does not own the process)."""
    spec = info["nodes"][symbol]
    node = RegtestNode(Path(spec["datadir"]), spec["daemon"], symbol)
    node.rpc_port = int(spec["rpc_url"].rsplit(":", 1)[1])
    node._mine_address = spec["mine_address"]
    return node


def travel(info: dict[str, Any], seconds: int) -> int:
    """Move both chains' clocks `seconds` forward and mine past the median-time-past window
    (11 blocks), so contracts whose lock time is now in the past can be refunded."""
    offset_file = Path(info["dir"]) / "time_offset"
    offset = read_offset(offset_file) + seconds
    offset_file.write_text(str(offset))
    for symbol in info["nodes"]:
        node = remote_node(info, symbol)
        base = int(time.time()) + offset
        for i in range(12):  # one second apart: block times must increase for MTP to move
            node.set_mock_time(base + i)
            node.mine(1)
    return offset
