"""Refusals are never silent: how the window shows what the safety checks decided.

    wire_safety(window)   # after the window's widgets exist

- MatchRefused: a notification (tray, or the status bar without one) and the order's row in
  My orders ("refused: <reason>", OrdersView.show_refusal);
- ServerRefused: a notification and a banner naming the server and the reason, kept until
  the connection changes: through a drop it stays (we still do not trade there), and it goes
  when a new connection is made (the core checks that one again and refuses it again if the
  server still fails our rules), which is also what choosing another server in Settings does;
- EpochChecked: the mark under the epoch countdown (epoch_timer.EpochCheckMark).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.events import EpochChecked, MatchRefused, ServerRefused
from app.ui.forms import _tr
from app.ui.labels import styled_label
from app.ui.qt import QFrame, QHBoxLayout, QPushButton, QWidget, Signal
from app.ui.tray import Kind
from app.ui.window_actions import open_settings

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class ServerBanner(QFrame):
    """The window's banner look (`QFrame#banner`), with the refusal's border (kind=refused)."""

    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("kind", "refused")
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 8, 6)
        self.text = styled_label()
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        self.change = QPushButton(self.tr("Change server…"))
        self.change.setObjectName("secondary")
        self.change.clicked.connect(self.settings_requested)
        row.addWidget(self.change)
        self.url = ""
        self.dropped = False  # the refused connection went away since
        self.setVisible(False)

    def show_refusal(self, event: ServerRefused) -> None:
        self.url, self.dropped = event.url, False
        self.text.setText(self.tr("Cambio does not trade on {server}: {reason}").format(
            server=event.url, reason=event.reason))
        self.setToolTip(event.url)
        self.setVisible(True)

    def on_connection(self, connected: bool) -> None:
        if not self.url:
            return
        if not connected:
            self.dropped = True
        elif self.dropped:  # a new connection: the core decides about it afresh
            self.url = ""
            self.setVisible(False)


def on_match_refused(window: MainWindow, event: MatchRefused) -> None:
    window.orders_view.show_refusal(event)
    window.notifier.notify(_tr("SafetyNotices", "Match refused"), _tr(
        "SafetyNotices", "Cambio refused a match of your order {order}: {reason}").format(
        order=event.order_id[:8], reason=event.reason), Kind.WARNING)


def on_server_refused(window: MainWindow, event: ServerRefused) -> None:
    window.server_banner.show_refusal(event)
    window.notifier.notify(_tr("SafetyNotices", "Server refused"), _tr(
        "SafetyNotices", "Cambio does not trade on {server}: {reason}").format(
        server=event.url, reason=event.reason), Kind.ERROR)


def on_epoch_checked(window: MainWindow, event: EpochChecked) -> None:
    window.trade.epoch_check.add(event)


def wire_safety(window: MainWindow) -> None:
    b = window.bridge
    b.match_refused.connect(lambda e: on_match_refused(window, e))
    b.server_refused.connect(lambda e: on_server_refused(window, e))
    b.epoch_checked.connect(lambda e: on_epoch_checked(window, e))
    b.dex_connection.connect(lambda connected, _d: window.server_banner.on_connection(connected))
    window.server_banner.settings_requested.connect(lambda: open_settings(window))
