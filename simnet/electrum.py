"""Run an ElectrumX (`e-x`) server over a regtest node, on loopback, for tests and the simnet.

With `tls=True` it serves `ssl://` instead, with a self-signed certificate made for it (as
many public Electrum servers do), which `new_certificate()` replaces, to test pinning.

Both regtest chains are Litecoin Core here (the BTC chain is a second Litecoin regtest node),
so every server uses e-x's `Litecoin`/`regtest` coin class over its own node. Peer discovery
and announcement are off; the server listens on one loopback TCP port and keeps its database
in a directory of its own. Synchronous on purpose, like simnet.node.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from simnet.errors import NodeError
from simnet.lifecycle import die_with_parent as parent_death_signal
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode, free_port


def server_binary() -> Path:
    """`electrumx_server` of the venv running us (installed by `make test`)."""
    return Path(sys.executable).parent / "electrumx_server"


def write_self_signed_cert(certfile: Path, keyfile: Path, common_name: str) -> bytes:
    """A fresh P-256 key and a self-signed certificate for it (PEM files, the key 0600);
    returns the certificate in DER form (what a client pins the SHA-256 of)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert.public_bytes(serialization.Encoding.DER)


class ElectrumServer:
    """One e-x process following `node`; `url` is what ElectrumBackend is given."""

    def __init__(
        self, datadir: Path, node: RegtestNode, *, tls: bool = False, die_with_parent: bool = False
    ) -> None:
        self.datadir = Path(datadir)
        self.node = node
        self.tls = tls
        self.die_with_parent = die_with_parent  # SIGTERM when the starting thread dies
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.cert_der: bytes | None = None  # the certificate served (tls only)

    @property
    def url(self) -> str:
        return f"{'ssl' if self.tls else 'tcp'}://127.0.0.1:{self.port}"

    @property
    def marker(self) -> str:
        """An argv element of the process that names this server's directory, for the
        simnet's pid file (simnet.lifecycle): e-x reads only its environment, so the
        command line would otherwise not tell it from any other e-x."""
        return f"DB_DIRECTORY={self.datadir.resolve() / 'db'}"

    @property
    def certfile(self) -> Path:
        return self.datadir / "server.crt"

    @property
    def keyfile(self) -> Path:
        return self.datadir / "server.key"

    def new_certificate(self) -> bytes:
        """Replace the certificate (and key) by a new self-signed one; it is served from the
        next start(). Returns its DER form."""
        self.datadir.mkdir(parents=True, exist_ok=True)
        self.cert_der = write_self_signed_cert(self.certfile, self.keyfile, "127.0.0.1")
        return self.cert_der

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "COIN": "Litecoin",
                "NET": "regtest",
                "DAEMON_URL": f"http://{RPC_USER}:{RPC_PASSWORD}@127.0.0.1:{self.node.rpc_port}/",
                "DB_DIRECTORY": str(self.datadir / "db"),
                "DB_ENGINE": "leveldb",
                "SERVICES": f"{'ssl' if self.tls else 'tcp'}://127.0.0.1:{self.port}",
                "PEER_DISCOVERY": "off",
                "PEER_ANNOUNCE": "",
                "ALLOW_ROOT": "1",
                # Follow the regtest node closely and never throttle the test client.
                "DAEMON_POLL_INTERVAL_BLOCKS": "50",
                "DAEMON_POLL_INTERVAL_MEMPOOL": "50",
                "COST_SOFT_LIMIT": "0",
                "COST_HARD_LIMIT": "0",
                "INITIAL_CONCURRENT": "1000",
                "MAX_SEND": "10000000",
                "CACHE_MB": "100",
                "LOG_LEVEL": "warning",
            }
        )
        if self.tls:
            env.update({"SSL_CERTFILE": str(self.certfile), "SSL_KEYFILE": str(self.keyfile)})
        return env

    def start(self, timeout: float = 60.0) -> None:
        (self.datadir / "db").mkdir(parents=True, exist_ok=True)
        if self.tls and not self.certfile.exists():
            self.new_certificate()
        with open(self.datadir / "electrumx.log", "ab") as log:
            self.process = subprocess.Popen(
                [str(server_binary()), self.marker],
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=parent_death_signal() if self.die_with_parent else None,
            )
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
        with contextlib.ExitStack() as stack:
            sock = stack.enter_context(
                socket.create_connection(("127.0.0.1", self.port), timeout=5)
            )
            if self.tls:  # the harness only checks liveness: any certificate will do
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                sock = stack.enter_context(context.wrap_socket(sock))
            stream = sock.makefile("rwb")
            for n, (m, p) in enumerate(
                [("server.version", ["cambio-harness", "1.4"]), (method, list(params))]
            ):
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


def start_electrum(
    datadir: Path,
    node: RegtestNode,
    timeout: float = 60.0,
    *,
    tls: bool = False,
    die_with_parent: bool = False,
) -> ElectrumServer:
    server = ElectrumServer(datadir, node, tls=tls, die_with_parent=die_with_parent)
    try:
        server.start(timeout)
    except BaseException:
        server.kill()
        raise
    return server
