"""Settings → Safety limits: the network's defaults shown, valid values saved to config.json
(and, through the window's live-apply path, to the wallet's config the core reads at each
match), an out-of-range or malformed value refused under its field with nothing saved, and
"Restore defaults"."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.client.client import Client
from app.config import AppConfig, load_config, save_config
from app.safety.limits import SafetyLimits
from app.ui.main_window import MainWindow
from app.ui.safety_model import format_bp, parse_count, parse_percent_bp
from app.ui.settings_dialog import SettingsDialog
from app.ui.window_actions import open_settings
from dexproto.assets import Network

URL = "ws://127.0.0.1:7232"


def dialog_for(qtbot: QtBot, tmp_path: Path, config: AppConfig | None = None) -> SettingsDialog:
    dialog = SettingsDialog(config or AppConfig(dex_url=URL), tmp_path)
    qtbot.addWidget(dialog)
    return dialog


def shown(dialog: SettingsDialog) -> dict[str, str]:
    s = dialog.safety
    return {
        "btc_rate": s.rate["btc"].text(),
        "ltc_rate": s.rate["ltc"].text(),
        "share": s.share.text(),
        "btc_confs": s.confs["btc"].text(),
        "ltc_confs": s.confs["ltc"].text(),
    }


@pytest.mark.parametrize(
    ("text", "bp"),
    [
        ("3", 300),
        ("3.5", 350),
        ("3.25", 325),
        ("0,01", 1),
        (" 10.00 ", 1000),
        (".5", 50),
        ("3.255", None),
        ("-1", None),
        ("3.", None),
        ("", None),
        ("1e2", None),
        ("٣", None),
    ],
)
def test_percentages_become_basis_points_without_floats(text: str, bp: int | None) -> None:
    assert parse_percent_bp(text) == bp
    if bp is not None:
        assert parse_percent_bp(format_bp(bp)) == bp


def test_counts_are_plain_whole_numbers() -> None:
    assert parse_count(" 42 ") == 42
    assert [parse_count(t) for t in ("", "-1", "1.0", "+3", "²")] == [None] * 5


def test_defaults_of_the_network_are_shown(qtbot: QtBot, tmp_path: Path) -> None:
    regtest = dialog_for(qtbot, tmp_path)
    assert shown(regtest) == {
        "btc_rate": "500",
        "ltc_rate": "1000",
        "share": "10.00",
        "btc_confs": "0",
        "ltc_confs": "0",
    }
    assert "500" in regtest.safety.rate["btc"].toolTip()
    mainnet = dialog_for(qtbot, tmp_path, AppConfig(network=Network.MAINNET, dex_url=URL))
    assert mainnet.safety.share.text() == "3.00"
    assert "BTC 2, LTC 4" in mainnet.safety.note.text()  # the client's own minimums
    assert regtest.save_button.isEnabled()


def test_valid_values_are_saved_to_the_config(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, tmp_path)
    s = dialog.safety
    s.rate["btc"].setText("120")
    s.rate["ltc"].setText("300")
    s.share.setText("2.5")
    s.confs["ltc"].setText("6")
    saved: list[AppConfig] = []
    dialog.saved.connect(saved.append)
    assert dialog.save()
    expected = SafetyLimits({"btc": 120, "ltc": 300}, 250, {"btc": 0, "ltc": 6})
    assert load_config(tmp_path).safety_limits() == expected
    assert saved[0].safety_limits() == expected
    again = dialog_for(qtbot, tmp_path, load_config(tmp_path))
    assert shown(again) == {
        "btc_rate": "120",
        "ltc_rate": "300",
        "share": "2.50",
        "btc_confs": "0",
        "ltc_confs": "6",
    }


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("btc_rate", "0", "the maximum BTC fee rate must be 1–100000 atoms/vB, not 0"),
        ("ltc_rate", "100001", "the maximum LTC fee rate must be 1–100000 atoms/vB, not 100001"),
        ("share", "50.01", "the maximum fee share must be 0.01–50 %"),
        ("share", "0", "the maximum fee share must be 0.01–50 %"),
        ("ltc_confs", "101", "the LTC minimum confirmations must be 0–100, not 101"),
        ("btc_confs", "two", "Enter a whole number"),
        ("share", "3.125", "Enter a percentage like 3.00"),
    ],
)
def test_a_bad_value_is_refused_under_its_field_and_nothing_is_saved(
    qtbot: QtBot, tmp_path: Path, field: str, text: str, message: str
) -> None:
    dialog = dialog_for(qtbot, tmp_path)
    s = dialog.safety
    widget = {
        "btc_rate": s.rate["btc"],
        "ltc_rate": s.rate["ltc"],
        "share": s.share,
        "btc_confs": s.confs["btc"],
        "ltc_confs": s.confs["ltc"],
    }[field]
    widget.setText(text)  # validated as typed: the message shows and Save is disabled
    error = s.errors[widget]
    assert error.isVisibleTo(dialog) and error.text() == message
    assert widget.property("error") is True
    assert not dialog.save_button.isEnabled()
    assert not dialog.save()
    assert not (tmp_path / "config.json").exists()
    others = [label for label in set(s.errors.values()) if label is not error]
    assert not any(label.isVisibleTo(dialog) for label in others)


def test_restore_defaults_refills_the_fields_and_saves_them_as_defaults(
    qtbot: QtBot, tmp_path: Path
) -> None:
    config = AppConfig(dex_url=URL)
    config.set_safety_limits(SafetyLimits({"btc": 50, "ltc": 60}, 100, {"btc": 3, "ltc": 3}))
    save_config(tmp_path, config)
    dialog = dialog_for(qtbot, tmp_path, load_config(tmp_path))
    assert shown(dialog)["btc_rate"] == "50"
    dialog.safety.rate["btc"].setText("0")
    assert not dialog.save_button.isEnabled()
    dialog.safety.restore.click()
    assert shown(dialog) == {
        "btc_rate": "500",
        "ltc_rate": "1000",
        "share": "10.00",
        "btc_confs": "0",
        "ltc_confs": "0",
    }
    assert dialog.save_button.isEnabled()
    assert dialog.save()
    saved = load_config(tmp_path)
    assert saved.safety == {}  # "the defaults": a later version's better defaults apply
    assert saved.safety_limits() == SafetyLimits.default(Network.REGTEST)


def test_a_broken_saved_limit_shows_the_defaults_and_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    config = AppConfig(dex_url=URL, safety={"max_fee_share_bp": 99_999})
    dialog = dialog_for(qtbot, tmp_path, config)
    assert dialog.safety.share.text() == "10.00"
    assert dialog.safety.load_error.isVisibleTo(dialog)
    assert "not valid" in dialog.safety.load_error.text()
    assert dialog.save()  # saving writes valid limits back
    assert load_config(tmp_path).safety_limits().max_fee_share_bp == 1000


def test_saved_limits_reach_the_wallet_config_the_core_reads(
    qtbot: QtBot,
    window: MainWindow,
    core: Client,
    loop: qasync.QEventLoop,
) -> None:
    dialog = open_settings(window)
    dialog.dex_url.setText(core.dex_url)  # the same server: no switch
    dialog.safety.rate["ltc"].setText("250")
    assert dialog.save()
    assert window.app_config.safety_limits().max_fee_rate["ltc"] == 250
    deadline = loop.time() + 5  # apply_settings runs as a task on the loop
    while core.wallet.config.safety_limits().max_fee_rate["ltc"] != 250:
        assert loop.time() < deadline, "the wallet's config never got the new limits"
        loop.run_until_complete(asyncio.sleep(0.02))
    assert load_config(core.wallet.datadir).safety_limits().max_fee_rate["ltc"] == 250
