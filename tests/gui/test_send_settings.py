"""The send dialog (inline checks, fee speeds, review with the exact fee, send) driven with
fake wallet coroutines, its pure checks, and the settings dialog writing config.json."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.config import AppConfig, NodeConfig, load_config
from app.ui.chain_settings import check_rpc_url
from app.ui.send_dialog import SendActions, SendDialog
from app.ui.settings_dialog import SettingsDialog
from app.wallet.coins import SignedTx
from app.wallet.errors import InsufficientFundsError, NodeUnreachableError
from app.wallet.fees import FeeQuote, FeeSpeed
from app.wallet.send_check import SendIssue, approx_fee, check_address, check_amount, max_amount
from dexproto.address import encode_segwit
from dexproto.assets import Network, get_asset

LTC = get_asset("ltc", Network.REGTEST)
ADDRESS = encode_segwit(LTC.hrp, 0, bytes(range(20)))
MAINNET_BTC = encode_segwit("bc", 0, bytes(range(20)))
RATES = {FeeSpeed.FAST: 40, FeeSpeed.NORMAL: 20, FeeSpeed.SLOW: 10}


# --- pure checks -----------------------------------------------------------------------------
def test_address_checks_name_the_problem() -> None:
    script, problem = check_address(f"  {ADDRESS} ", LTC)
    assert problem is None and script is not None and len(script) == 22
    assert check_address("", LTC)[1].issue is SendIssue.ADDRESS_EMPTY  # type: ignore[union-attr]
    other = check_address(MAINNET_BTC, LTC)[1]
    assert other is not None and other.issue is SendIssue.ADDRESS_OTHER_NETWORK
    assert other.detail == "Bitcoin mainnet"
    broken = ADDRESS[:-1] + ("q" if ADDRESS[-1] != "q" else "p")
    assert check_address(broken, LTC)[1].issue is SendIssue.ADDRESS_INVALID  # type: ignore[union-attr]


def test_amount_checks_dust_funds_and_format() -> None:
    fee = approx_fee(20)
    assert check_amount("0.5", LTC, 100_000_000, fee) == (50_000_000, None)
    for text, issue in [
        ("", SendIssue.AMOUNT_EMPTY),
        ("1.2.3", SendIssue.AMOUNT_INVALID),
        ("0.000000001", SendIssue.AMOUNT_INVALID),
        ("0.00000100", SendIssue.AMOUNT_DUST),
        ("1", SendIssue.INSUFFICIENT),
    ]:
        amount, problem = check_amount(text, LTC, 100_000_000, fee)
        assert amount is None and problem is not None and problem.issue is issue, text
    assert max_amount(100_000_000, 20) == 100_000_000 - 20 * 141
    assert max_amount(10, 20) == 0


# --- send dialog -----------------------------------------------------------------------------
class FakeWallet:
    def __init__(self) -> None:
        self.sent: list[tuple[str, int, int]] = []
        self.fail_send: Exception | None = None

    async def fee_rate(self, speed: FeeSpeed) -> FeeQuote:
        return FeeQuote(RATES[speed], estimated=speed is not FeeSpeed.SLOW, clamped=False)

    async def preview(self, address: str, amount: int, rate: int) -> SignedTx:
        return SignedTx(b"\x01", "ab" * 32, 141, rate * 141)

    async def send(self, address: str, amount: int, rate: int) -> SignedTx:
        if self.fail_send is not None:
            raise self.fail_send
        self.sent.append((address, amount, rate))
        return SignedTx(b"\x01", "ab" * 32, 141, rate * 141)

    def actions(self) -> SendActions:
        return SendActions(self.fee_rate, self.preview, self.send)


async def opened(qtbot: QtBot, wallet: FakeWallet, available: int = 200_000_000) -> SendDialog:
    dialog = SendDialog(LTC, available, wallet.actions())
    qtbot.addWidget(dialog)
    dialog.start()
    assert dialog.pending is not None
    await dialog.pending
    return dialog


async def test_send_flow_with_fee_choice_review_and_confirm(qtbot: QtBot) -> None:
    wallet = FakeWallet()
    dialog = await opened(qtbot, wallet)
    assert "20 sat/vB" in dialog.speed_buttons[FeeSpeed.NORMAL].text()
    assert "default rate" in dialog.fee_note.text()  # the slow quote was a fallback
    assert not dialog.review_button.isEnabled()
    dialog.address.setText("rltc1qnotanaddress")
    assert "not a valid LTC address" in dialog.address_error.text()
    dialog.address.setText(MAINNET_BTC)
    assert "Bitcoin mainnet" in dialog.address_error.text()
    dialog.address.setText(ADDRESS)
    assert dialog.address_error.text() == ""
    dialog.amount.setText("1.5")
    assert dialog.review_button.isEnabled()
    assert dialog.summary.text() == "Network fee ≈ 0.00002820 LTC"
    dialog.speed_buttons[FeeSpeed.FAST].click()
    assert dialog.rate() == 40 and dialog.total.text() == "Total ≈ 1.50005640 LTC"
    dialog.review_button.click()
    await dialog.pending  # type: ignore[misc]
    assert dialog.pages.currentIndex() == 1
    assert dialog.review_values["total"].text() == "1.50005640 LTC"
    assert "40 sat/vB, 141 vB" in dialog.review_values["fee"].text()
    with qtbot.waitSignal(dialog.sent) as sent:
        dialog.send_button.click()
        await dialog.pending  # type: ignore[misc]
    assert sent.args == ["ab" * 32]
    assert wallet.sent == [(ADDRESS, 150_000_000, 40)]
    assert dialog.pages.currentIndex() == 2 and dialog.txid.text() == "ab" * 32


async def test_send_shows_funds_and_backend_errors_inline(qtbot: QtBot) -> None:
    wallet = FakeWallet()
    dialog = await opened(qtbot, wallet, available=100_000)
    dialog.address.setText(ADDRESS)
    dialog.amount.setText("0.001")
    assert "Not enough funds: 0.00100000 LTC available" in dialog.amount_error.text()
    dialog.max_button.click()
    assert dialog.amount.text() == "0.00097180" and dialog.review_button.isEnabled()
    await dialog.review()
    wallet.fail_send = InsufficientFundsError(200_000, 90_000, "ltc")
    await dialog.confirm()
    assert "0.00090000 LTC available" in dialog.send_error.text()
    assert dialog.send_button.isEnabled() and dialog.pages.currentIndex() == 1
    wallet.fail_send = NodeUnreachableError("http://127.0.0.1:1")
    await dialog.confirm()
    assert dialog.send_error.text() and wallet.sent == []


async def test_send_waits_for_fee_rates(qtbot: QtBot) -> None:
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    wallet = FakeWallet()

    async def slow(speed: FeeSpeed) -> FeeQuote:
        await gate
        return await wallet.fee_rate(speed)

    dialog = SendDialog(LTC, 10**8, SendActions(slow, wallet.preview, wallet.send))
    qtbot.addWidget(dialog)
    dialog.start()
    dialog.address.setText(ADDRESS)
    dialog.amount.setText("0.1")
    assert not dialog.review_button.isEnabled() and "loading" in dialog.summary.text()
    gate.set_result(None)
    await dialog.pending  # type: ignore[misc]
    assert dialog.review_button.isEnabled()


# --- settings --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("", True),
        ("http://127.0.0.1:19443", True),
        ("https://node.example:443", True),
        ("ftp://x", False),
        ("127.0.0.1:9332", False),
        ("http://h:99999", False),
    ],
)
def test_rpc_url_check(url: str, ok: bool) -> None:
    assert (check_rpc_url(url) is None) is ok


def test_settings_save_writes_the_config(qtbot: QtBot, tmp_path: Path) -> None:
    config = AppConfig(
        dex_url="ws://127.0.0.1:7232",
        nodes={"ltc": NodeConfig("http://127.0.0.1:19443", "u", "p")},
        extra={"btc_stand_in": True},
    )
    dialog = SettingsDialog(config, tmp_path)
    qtbot.addWidget(dialog)
    assert set(dialog.nodes) == {"btc", "ltc"}
    assert dialog.nodes["ltc"].password.text() == "p"
    dialog.dex_url.setText("ws://dex.example.org")
    assert not dialog.save_button.isEnabled() and "wss://" in dialog.dex_error.text()
    dialog.dex_url.setText("wss://dex.example.org:7232")
    dialog.nodes["btc"].url.setText("bitcoind:18443")
    assert not dialog.save_button.isEnabled() and dialog.nodes["btc"].error.text()
    dialog.nodes["btc"].url.setText("http://127.0.0.1:18443")
    btc = dialog.nodes["btc"]
    assert btc.login.currentData() == "cookie" and not btc.user.isVisibleTo(dialog)
    btc.login.setCurrentIndex(btc.login.findData("password"))
    btc.user.setText("alice")
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    assert dialog.restart_note.isVisibleTo(dialog)
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    with qtbot.waitSignals([dialog.saved, dialog.theme_changed, dialog.language_changed]):
        dialog.save_button.click()
    saved = load_config(tmp_path)
    assert saved.dex_url == "wss://dex.example.org:7232"
    assert saved.nodes["btc"] == NodeConfig("http://127.0.0.1:18443", "alice", "")
    assert saved.nodes["ltc"] == config.nodes["ltc"]
    assert (saved.language, saved.theme, saved.extra) == ("zh_CN", "light", {"btc_stand_in": True})


def test_settings_clearing_a_node_removes_it(qtbot: QtBot, tmp_path: Path) -> None:
    config = AppConfig(
        dex_url="ws://localhost:7232", nodes={"ltc": NodeConfig("http://127.0.0.1:19443")}
    )
    dialog = SettingsDialog(config, tmp_path)
    qtbot.addWidget(dialog)
    dialog.nodes["ltc"].url.setText("")
    assert dialog.save()
    assert load_config(tmp_path).nodes == {}
    blocked = SettingsDialog(config, tmp_path / "file")
    qtbot.addWidget(blocked)
    (tmp_path / "file").write_text("not a directory")
    assert not blocked.save() and blocked.save_error.text()
