"""The registration-fee confirmation dialog: it shows what the core is about to pay (amount
with ticker, asset, network fee, address, server) and its Cancel pays nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.client.errors import RegistrationRefused
from app.client.events import Dispatcher, ServerRefused
from app.client.registration import Registration, RegistrationQuote
from app.safety.limits import SafetyLimits
from app.store.db import Store
from app.ui.regfee_dialog import RegistrationConfirm
from app.wallet.coins import SignedTx
from dexproto.address import encode_segwit
from dexproto.assets import Network, get_asset
from dexproto.messages import ConfigResult, RegisterResult
from tests.fakes.dex_server import config

LTC = get_asset("ltc", Network.REGTEST)
ADDRESS = encode_segwit(LTC.hrp, 0, bytes(range(20)))
URL = "wss://dex.example:7232"


class Backend:
    def __init__(self) -> None:
        self.broadcasts: list[bytes] = []

    async def min_fee_rate(self) -> int | None:
        return None

    async def estimate_fee_rate(self, target: int) -> int | None:
        return None

    async def broadcast(self, raw: bytes) -> str:
        self.broadcasts.append(raw)
        return "00" * 32


class Wallet:
    """Signs (a stand-in transaction) and would broadcast through `backend`."""

    def __init__(self) -> None:
        self.asset = LTC
        self.backend = Backend()
        self.signed: list[tuple[str, int, int]] = []

    async def create_payment(
        self, address: str, amount: int, rate: int, min_confirmations: int = 0
    ) -> SignedTx:
        self.signed.append((address, amount, rate))
        return SignedTx(raw=b"\x02" + bytes(80), txid="ab" * 32, vsize=141, fee=141 * rate)


def fake_registration(tmp_path: Path, wallet: Wallet, events: Dispatcher) -> Registration:
    cfg = ConfigResult.from_json(config())  # regfee 0.1 LTC, fee rate 10

    async def register() -> RegisterResult:
        return RegisterResult(
            pubkey=cfg.pubkey, address=ADDRESS, fee=10**7, asset="ltc", timestamp=0, sig=bytes(64)
        )

    dex: Any = SimpleNamespace(config=cfg, register=register)
    fake_wallet: Any = SimpleNamespace(
        store=Store(tmp_path / "db"),
        symbols=lambda: ["btc", "ltc"],
        asset=lambda s: wallet,
        config=SimpleNamespace(safety_limits=lambda: SafetyLimits.default(Network.REGTEST)),
    )
    return Registration(fake_wallet, lambda: dex, lambda: URL, events)


async def wait_dialog(confirm: RegistrationConfirm) -> None:
    deadline = asyncio.get_running_loop().time() + 10
    while confirm.dialog is None or not confirm.dialog.isVisible():
        assert asyncio.get_running_loop().time() < deadline, "no dialog"
        await asyncio.sleep(0.01)


async def test_dialog_shows_the_fee_and_cancel_pays_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    wallet, events = Wallet(), Dispatcher()
    seen: list[object] = []
    events.subscribe(seen.append)
    registration = fake_registration(tmp_path, wallet, events)
    confirm = RegistrationConfirm(None)
    task = asyncio.ensure_future(registration.register_account(5, confirm))
    await wait_dialog(confirm)
    dialog = confirm.dialog
    assert dialog is not None
    values = {k: v.text() for k, v in dialog.values.items()}
    assert values["amount"] == "0.10000000 LTC"
    assert values["asset"] == "Litecoin (LTC)"
    assert values["address"] == ADDRESS
    assert values["server"] == URL
    assert values["fee"] == "0.00001410 LTC (10 sat/vB)"
    assert dialog.cancel_button.isDefault()  # Enter does not pay
    dialog.cancel_button.click()
    with pytest.raises(RegistrationRefused, match="declined"):
        await task
    assert wallet.signed == [(ADDRESS, 10**7, 10)]  # signed for the quote only
    assert wallet.backend.broadcasts == []
    assert registration.wallet.store.get_meta(f"regfee:{URL}") is None
    assert registration.wallet.store.query("SELECT txid FROM coin_locks") == []
    assert [type(e) for e in seen] == [ServerRefused]


async def test_pay_answers_yes(qtbot: QtBot) -> None:
    confirm = RegistrationConfirm(None)
    quote = RegistrationQuote(URL, "ltc", "LTC", "Litecoin", 10**7, ADDRESS, 10, 1410, 1)
    answer = asyncio.ensure_future(confirm(quote))
    await wait_dialog(confirm)
    assert confirm.dialog is not None
    confirm.dialog.pay_button.click()
    assert await answer is True and confirm.dialog is None


def test_bridge_asks_with_the_dialog_and_shows_a_refusal(qtbot: QtBot) -> None:
    from app.ui.client_bridge import ClientBridge
    from app.ui.qt import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    events = Dispatcher()
    identity = SimpleNamespace(pinned_key=lambda url: None, offered_key=lambda url: None)
    core = SimpleNamespace(events=events, identity=identity)
    bridge = ClientBridge(core, window)  # type: ignore[arg-type]
    assert isinstance(bridge.confirm, RegistrationConfirm) and bridge.confirm.parent is window
    with qtbot.waitSignal(bridge.server_refused) as shown:
        events.emit(ServerRefused(URL, "the server asks 1 atoms, but advertises 2 atoms"))
    assert "advertises 2 atoms" in shown.args[0].reason
