"""Every dialog takes the saved theme: the launcher applies it before the first window, the
wizard and the unlock dialog start in it, Settings and Send follow a live switch, and the
Settings dialog previews the theme picked in its combo at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.config import AppConfig, save_config
from app.ui import i18n
from app.ui.forms import ThemedDialog
from app.ui.launch import prepare_first_window
from app.ui.qt import QApplication, QColor, QLineEdit, QWidget
from app.ui.send_dialog import SendActions, SendDialog
from app.ui.settings_dialog import SettingsDialog
from app.ui.style import (
    DARK,
    DARK_PALETTE,
    LIGHT,
    LIGHT_PALETTE,
    Palette,
    apply_app_theme,
    current_palette,
)
from app.ui.unlock_view import UnlockDialog
from app.ui.wizard_view import WizardDialog
from app.wallet.coins import SignedTx
from app.wallet.fees import FeeQuote, FeeSpeed
from dexproto.assets import get_asset

pytestmark = [pytest.mark.qt_log_ignore("Detected locale", "propagateSizeHints")]
LTC = get_asset("ltc", AppConfig().network)


@pytest.fixture
def dark_again(qapp: QApplication) -> Iterator[None]:
    before = qapp.styleSheet()
    yield
    apply_app_theme("dark")
    qapp.setStyleSheet(before)
    i18n.install_language("en", qapp)


def shown(qtbot: QtBot, dialog: QWidget) -> QWidget:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def background(widget: QWidget) -> QColor:
    """The colour painted in the widget's top-left corner (its window background)."""
    return widget.grab().toImage().pixelColor(3, 3)


def field_fill(field: QLineEdit) -> QColor:
    """An empty text field's inside, right of any placeholder text."""
    return field.grab().toImage().pixelColor(field.width() - 8, field.height() // 2)


def plain_field(settings: SettingsDialog) -> QLineEdit:
    """A Settings field that is never in its error state (an empty DEX address is)."""
    return settings.nodes["ltc"].user


def assert_in_theme(dialog: ThemedDialog, p: Palette, field: QLineEdit) -> None:
    assert dialog.theme_name == p.name
    assert background(dialog) == QColor(p.window)
    assert field_fill(field) == QColor(p.sunken)
    other = DARK_PALETTE if p is LIGHT_PALETTE else LIGHT_PALETTE
    assert other.window not in dialog.styleSheet() and p.window in dialog.styleSheet()


async def no_quote(speed: FeeSpeed) -> FeeQuote:
    return FeeQuote(2, True, False)


async def no_payment(address: str, amount: int, rate: int) -> SignedTx:
    raise AssertionError("not reached")


def send_dialog() -> SendDialog:
    return SendDialog(LTC, 10**8, SendActions(no_quote, no_payment, no_payment))


def test_the_saved_theme_applies_before_the_first_window(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, dark_again: None
) -> None:
    save_config(tmp_path, AppConfig(theme="light"))
    saved = prepare_first_window(qapp, tmp_path, None)
    assert saved.theme == "light" and current_palette() is LIGHT_PALETTE
    assert qapp.styleSheet() == LIGHT
    wizard = shown(qtbot, WizardDialog())
    assert isinstance(wizard, WizardDialog)
    assert wizard.theme_name == "light" and background(wizard) == QColor(LIGHT_PALETTE.window)
    unlock = shown(qtbot, UnlockDialog(tmp_path))
    assert isinstance(unlock, UnlockDialog)
    assert_in_theme(unlock, LIGHT_PALETTE, unlock.password)


def test_a_first_start_or_a_broken_config_starts_dark(
    qapp: QApplication, tmp_path: Path, dark_again: None
) -> None:
    apply_app_theme("light")
    assert prepare_first_window(qapp, tmp_path, None).theme == "dark"  # no config yet
    assert current_palette() is DARK_PALETTE and qapp.styleSheet() == DARK
    apply_app_theme("light")
    (tmp_path / "config.json").write_text(json.dumps({"network": "nonsense"}))
    assert prepare_first_window(qapp, tmp_path, None).theme == "dark"
    assert current_palette() is DARK_PALETTE


def test_settings_previews_the_picked_theme_at_once_and_saving_switches_the_app(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, dark_again: None
) -> None:
    apply_app_theme("dark")
    dialog = SettingsDialog(AppConfig(), tmp_path)
    dialog.theme_changed.connect(apply_app_theme)  # as window_actions.apply_theme does
    shown(qtbot, dialog)
    assert_in_theme(dialog, DARK_PALETTE, plain_field(dialog))
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    assert_in_theme(dialog, LIGHT_PALETTE, plain_field(dialog))
    assert current_palette() is DARK_PALETTE  # only a preview until saved
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    assert_in_theme(dialog, DARK_PALETTE, plain_field(dialog))
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    dialog.dex_url.setText("wss://dex.example.org")
    assert dialog.save()
    assert current_palette() is LIGHT_PALETTE and qapp.styleSheet() == LIGHT
    assert_in_theme(dialog, LIGHT_PALETTE, plain_field(dialog))


def test_open_dialogs_follow_a_live_switch(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, dark_again: None
) -> None:
    apply_app_theme("dark")
    send = shown(qtbot, send_dialog())
    settings = shown(qtbot, SettingsDialog(AppConfig(), tmp_path))
    assert isinstance(send, SendDialog) and isinstance(settings, SettingsDialog)
    assert_in_theme(send, DARK_PALETTE, send.address)
    apply_app_theme("light")
    assert_in_theme(send, LIGHT_PALETTE, send.address)
    assert_in_theme(settings, LIGHT_PALETTE, plain_field(settings))
    checked = send.speed_buttons[send.speed]
    inside = checked.grab().toImage().pixelColor(6, checked.height() // 2)
    assert inside == QColor(LIGHT_PALETTE.accent_soft)
    apply_app_theme("dark")
    assert_in_theme(send, DARK_PALETTE, send.address)


def test_a_send_dialog_opened_after_a_switch_starts_in_that_theme(
    qtbot: QtBot, dark_again: None
) -> None:
    apply_app_theme("light")
    send = shown(qtbot, send_dialog())
    assert isinstance(send, SendDialog)
    assert_in_theme(send, LIGHT_PALETTE, send.address)


def test_settings_opens_tall_enough_for_its_wrapped_text(qtbot: QtBot, tmp_path: Path) -> None:
    """Word-wrapped hints need height-for-width, which a window does not apply by itself:
    opened at its plain minimum height, the form squeezed its fields and clipped their text."""
    dialog = shown(qtbot, SettingsDialog(AppConfig(), tmp_path))
    assert isinstance(dialog, SettingsDialog)
    for index, fields in enumerate(dialog.nodes.values()):
        dialog.chain_tabs.setCurrentIndex(index)  # a hidden tab is laid out when shown
        qtbot.waitUntil(fields.url.isVisible)
        visible = [
            f for f in (fields.url, fields.user, fields.password, fields.file) if f.isVisible()
        ]
        assert fields.url in visible
        for field in visible:
            assert field.height() >= field.sizeHint().height()
    assert dialog.theme.height() >= dialog.theme.sizeHint().height()
