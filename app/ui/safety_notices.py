"""Refusals are never silent: how the window shows what the safety checks decided.

    window.safety_notices = wire_safety(window)   # after the window's widgets exist

- MatchRefused: a notification (tray, or the status bar without one) and the order's row in
  My orders ("refused: <reason>", OrdersView.show_refusal);
- ServerRefused: a notification and a banner naming the server and the reason, kept until
  the connection changes: through a drop it stays (we still do not trade there), and it goes
  when a new connection is made (the core checks that one again and refuses it again if the
  server still fails our rules), which is also what choosing another server in Settings does;
- EpochChecked: the mark under the epoch countdown (epoch_timer.EpochCheckMark).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.client.events import EpochChecked, MatchRefused, ServerRefused
from app.ui.forms import _tr
from app.ui.labels import styled_label
from app.ui.qt import QFrame, QHBoxLayout, QPushButton, QWidget, Signal
from app.ui.tray import Kind
from app.ui.window_actions import open_settings

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

REPEAT_S = 60.0


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


class SafetyNotices:
    """The window's handlers. A refusal repeated within REPEAT_S (a server offering the same
    bad terms at every epoch, or on every reconnect) is notified once; the order row and the
    banner show every one."""

    def __init__(self, window: MainWindow, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._notified: dict[tuple[str, str], float] = {}

    def _fresh(self, key: str, reason: str) -> bool:
        now = self.clock()
        if now - self._notified.get((key, reason), -REPEAT_S) < REPEAT_S:
            return False
        self._notified[(key, reason)] = now
        return True

    def match_refused(self, event: MatchRefused) -> None:
        self.window.orders_view.show_refusal(event)
        if self._fresh(event.order_id, event.reason):
            self.window.notifier.notify(_tr("SafetyNotices", "Match refused"), _tr(
                "SafetyNotices", "Cambio refused a match of your order {order}: {reason}"
            ).format(order=event.order_id[:8], reason=event.reason), Kind.WARNING)

    def server_refused(self, event: ServerRefused) -> None:
        self.window.server_banner.show_refusal(event)
        if self._fresh(event.url, event.reason):
            self.window.notifier.notify(_tr("SafetyNotices", "Server refused"), _tr(
                "SafetyNotices", "Cambio does not trade on {server}: {reason}").format(
                server=event.url, reason=event.reason), Kind.ERROR)

    def epoch_checked(self, event: EpochChecked) -> None:
        self.window.trade.epoch_check.add(event)


def wire_safety(window: MainWindow) -> SafetyNotices:
    notices = SafetyNotices(window)
    b = window.bridge
    b.match_refused.connect(notices.match_refused)
    b.server_refused.connect(notices.server_refused)
    b.epoch_checked.connect(notices.epoch_checked)
    b.dex_connection.connect(lambda connected, _d: window.server_banner.on_connection(connected))
    window.server_banner.settings_requested.connect(lambda: open_settings(window))
    return notices
