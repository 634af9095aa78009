"""The Electrum certificate pin file: replaced atomically, and a damaged one refuses TLS
servers instead of starting over with no pins (which would let a machine in the middle get
its certificate pinned)."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from app.wallet.backends.cert_pins import CertChange, CertificateChanged, CertPins, PinFileBroken
from app.wallet.backends.electrum_conn import ElectrumConnection
from app.wallet.errors import NodeUnreachableError
from simnet.node import free_port


def test_pins_survive_a_reload_and_the_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "electrum_certs.json"
    pins = CertPins(path)
    pins.pin("a.example:50002", "aa" * 32)
    pins.pin("b.example:50002", "bb" * 32)
    again = CertPins(path)
    assert again.broken is None
    assert (again.get("a.example:50002"), again.get("b.example:50002")) == ("aa" * 32, "bb" * 32)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left over


def test_a_crash_while_pinning_leaves_the_old_pins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "electrum_certs.json"
    CertPins(path).pin("a.example:50002", "aa" * 32)
    before = path.read_bytes()
    pins = CertPins(path)

    def power_cut(fd: int) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "fsync", power_cut)  # dies after writing, before the rename
    with pytest.raises(OSError, match="power cut"):
        pins.pin("b.example:50002", "bb" * 32)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert CertPins(path).get("b.example:50002") is None


@pytest.mark.parametrize(
    "content",
    [b'{"a.example:50002": "aa', b"\xff\xfe garbage", b'["a list"]', b'{"a.example:50002": 7}'],
)
def test_a_damaged_pin_file_is_reported_and_never_overwritten(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "electrum_certs.json"
    path.write_bytes(content)
    pins = CertPins(path)
    assert pins.broken is not None and str(path) in pins.broken
    assert pins.get("a.example:50002") is None
    with pytest.raises(PinFileBroken):
        pins.pin("a.example:50002", "cc" * 32)
    assert path.read_bytes() == content


async def test_a_damaged_pin_file_refuses_tls_servers_not_tcp_ones(tmp_path: Path) -> None:
    path = tmp_path / "electrum_certs.json"
    path.write_text("{not json")
    pins = CertPins(path)
    port = free_port()  # nothing listens: only the pin check can explain the reason below
    conn = ElectrumConnection(
        f"ssl://127.0.0.1:{port}",
        timeout=2,
        connect_timeout=2,
        pins=pins,
        on_notify=lambda m, p: None,
    )
    with pytest.raises(NodeUnreachableError) as info:
        await conn.connect()
    assert "pin file" in info.value.detail and "repaired or deleted" in info.value.detail
    await conn.close()

    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    tcp_port = server.sockets[0].getsockname()[1]
    plain = ElectrumConnection(
        f"tcp://127.0.0.1:{tcp_port}",
        timeout=2,
        connect_timeout=2,
        pins=pins,
        on_notify=lambda m, p: None,
    )
    try:
        await plain.connect()  # the pins play no part in a plain connection
    finally:
        await plain.close()
        server.close()
        await server.wait_closed()
    assert path.read_text() == "{not json"


def test_two_backends_on_one_pin_file_keep_each_others_pins(tmp_path: Path) -> None:
    """The LTC and BTC backends each hold a CertPins on the datadir's one file: a pin written
    by one must not be dropped when the other pins its own server."""
    path = tmp_path / "electrum_certs.json"
    ltc, btc = CertPins(path), CertPins(path)
    ltc.pin("ltc.example:50002", "aa" * 32)
    btc.pin("btc.example:50002", "bb" * 32)
    again = CertPins(path)
    assert again.get("ltc.example:50002") == "aa" * 32
    assert again.get("btc.example:50002") == "bb" * 32
    assert btc.get("ltc.example:50002") == "aa" * 32  # seen without a restart


def test_pinning_over_a_pin_another_backend_wrote_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "electrum_certs.json"
    first, second = CertPins(path), CertPins(path)
    first.pin("a.example:50002", "aa" * 32)
    with pytest.raises(CertificateChanged):
        second.pin("a.example:50002", "ee" * 32)  # a machine in the middle, second in line
    assert CertPins(path).get("a.example:50002") == "aa" * 32


def test_trusting_a_changed_certificate_pins_exactly_the_refused_one(tmp_path: Path) -> None:
    path = tmp_path / "electrum_certs.json"
    pins = CertPins(path)
    pins.pin("a.example:50002", "aa" * 32)
    pins.trust_offered(CertChange("a.example:50002", "aa" * 32, "bb" * 32))
    assert CertPins(path).get("a.example:50002") == "bb" * 32
    # A refusal the user saw for an older pin no longer applies: nothing changes.
    with pytest.raises(CertificateChanged):
        pins.trust_offered(CertChange("a.example:50002", "aa" * 32, "cc" * 32))
    assert CertPins(path).get("a.example:50002") == "bb" * 32


def test_trusting_into_a_damaged_pin_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "electrum_certs.json"
    path.write_text("{torn")
    with pytest.raises(PinFileBroken):
        CertPins(path).trust_offered(CertChange("a.example:50002", "aa" * 32, "bb" * 32))
    assert path.read_text() == "{torn"
