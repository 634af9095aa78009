"""Guards the Qt binding pin: PySide6 6.12.0 on Python 3.11 loses a reference to None on
every void call, and the app aborts after a few thousand repaints."""

import sys

from pytestqt.qtbot import QtBot

from app.ui.qt import QLabel


def test_void_qt_calls_keep_none_alive(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(2000):
        label.setText(str(i))
    assert sys.getrefcount(None) >= before - 50
