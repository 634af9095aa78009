"""TLS to a real e-x with a self-signed certificate: pinned on first use, accepted again
with the same certificate, refused once the server shows another one (a machine in the
middle would have to), with failover to the next server and the pin left as it was."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.wallet.backends.cert_pins import CertChange
from app.wallet.backends.electrum import ElectrumBackend
from app.wallet.errors import NodeUnreachableError, WalletError
from dexproto.assets import Network
from simnet.electrum import ElectrumServer
from simnet.node import RegtestNode

pytestmark = pytest.mark.regtest


def light(servers: list[str], pins_path: Path) -> ElectrumBackend:
    """A new LTC backend over `servers`, reading and writing the pins at `pins_path`."""
    return ElectrumBackend(
        servers, "ltc", Network.REGTEST, pins_path=pins_path, timeout=5, connect_timeout=3
    )


async def test_a_self_signed_certificate_is_pinned_and_a_new_one_refused(
    electrum_factory: Callable[..., ElectrumServer],
    ltc_node: RegtestNode,
    tmp_path: Path,
) -> None:
    tls = electrum_factory(ltc_node, tls=True)
    plain = electrum_factory(ltc_node)
    assert tls.url.startswith("ssl://") and tls.cert_der is not None
    key = f"127.0.0.1:{tls.port}"
    pins_path = tmp_path / "electrum_certs.json"

    # First use: the certificate's SHA-256 is pinned, in the file.
    async with light([tls.url, plain.url], pins_path) as b:
        assert (await b.tip()).hash == ltc_node.rpc("getbestblockhash")
        assert [s.state for s in b.status()] == ["connected", "idle"]
    assert json.loads(pins_path.read_text()) == {key: hashlib.sha256(tls.cert_der).hexdigest()}
    pinned = pins_path.read_bytes()

    # A reconnect (a new backend reading the pin file) with the same certificate works.
    async with light([tls.url, plain.url], pins_path) as b:
        before = await b.tip()
        assert [s.state for s in b.status()] == ["connected", "idle"]

        # The same port now shows a new self-signed certificate.
        tls.stop()
        old_der = tls.cert_der
        assert tls.new_certificate() != old_der
        tls.start()
        ltc_node.mine(1)
        tls.wait_synced()
        plain.wait_synced()
        after = await b.tip()  # the old connection died: reconnect, refuse, fail over
        assert after.height == before.height + 1
        assert after.hash == ltc_node.rpc("getbestblockhash")
        refused, honest = b.status()
        assert refused.state == "unreachable"
        assert "certificate" in refused.detail and "changed since it was pinned" in refused.detail
        assert honest.state == "connected"
    assert pins_path.read_bytes() == pinned

    # A fresh backend refuses it from the start too.
    async with light([tls.url, plain.url], pins_path) as b:
        assert (await b.tip()).hash == ltc_node.rpc("getbestblockhash")
        assert [s.state for s in b.status()] == ["unreachable", "connected"]
        change = b.status()[0].cert_change
    assert pins_path.read_bytes() == pinned
    assert tls.cert_der is not None and change is not None
    new_fingerprint = hashlib.sha256(tls.cert_der).hexdigest()
    assert (change.key, change.offered) == (key, new_fingerprint)
    assert change.pinned == hashlib.sha256(old_der).hexdigest()

    # The user compares the new fingerprint with the operator's and trusts it: exactly that
    # certificate is pinned, and the server alone (no failover) answers again.
    async with light([tls.url], pins_path) as b:
        with pytest.raises(NodeUnreachableError):
            await b.tip()
        shown = b.status()[0].cert_change
        assert shown == change
        forged = CertChange(key, change.pinned, "ee" * 32)
        with pytest.raises(WalletError, match="no server was refused"):
            b.trust_new_certificate(forged)  # only a certificate actually shown is trusted
        b.trust_new_certificate(shown)
        assert (await b.tip()).hash == ltc_node.rpc("getbestblockhash")
        assert [s.state for s in b.status()] == ["connected"]
        assert b.status()[0].cert_change is None
    assert json.loads(pins_path.read_text()) == {key: new_fingerprint}


async def test_a_damaged_pin_file_refuses_the_tls_server_and_fails_over(
    electrum_factory: Callable[..., ElectrumServer],
    ltc_node: RegtestNode,
    tmp_path: Path,
) -> None:
    """A torn pin file (here: cut mid-write by hand) is not taken as "no pins": the ssl://
    server is refused with the reason, the plain one answers, and the file stays as it was
    for a person to repair."""
    tls = electrum_factory(ltc_node, tls=True)
    plain = electrum_factory(ltc_node)
    pins_path = tmp_path / "electrum_certs.json"
    torn = b'{"127.0.0.1:%d": "ab' % tls.port
    pins_path.write_bytes(torn)
    async with light([tls.url, plain.url], pins_path) as b:
        assert (await b.tip()).hash == ltc_node.rpc("getbestblockhash")
        refused, honest = b.status()
        assert refused.state == "unreachable" and "pin file" in refused.detail
        assert honest.state == "connected"
    assert pins_path.read_bytes() == torn
