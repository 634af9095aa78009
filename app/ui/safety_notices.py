"""Refusals are never silent: how the window shows what the safety checks decided.

    window.safety_notices = wire_safety(bridge, SafetyNotices(orders_view, notifier, banner,
                                        epoch_check), open_settings)  # widgets built first

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

from app.client.events import EpochChecked, MatchRefused, ServerRefused
from app.ui.client_bridge import ClientBridge
from app.ui.epoch_timer import EpochCheckMark
from app.ui.forms import _tr
from app.ui.labels import styled_label
from app.ui.orders_view import OrdersView
from app.ui.qt import QFrame, QHBoxLayout, QPushButton, QWidget, Signal
from app.ui.tray import Kind, Notifier

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
        self.text.setText(
            self.tr("Cambio does not trade on {server}: {reason}").format(
                server=event.url, reason=event.reason
            )
        )
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

    def __init__(
        self,
        orders_view: OrdersView,
        notifier: Notifier,
        banner: ServerBanner,
        epoch_check: EpochCheckMark,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.orders_view = orders_view
        self.notifier = notifier
        self.banner = banner
        self.epoch_check = epoch_check
        self.clock = clock
        self._notified: dict[tuple[str, str], float] = {}

    def _fresh(self, key: str, reason: str) -> bool:
        now = self.clock()
        if now - self._notified.get((key, reason), -REPEAT_S) < REPEAT_S:
            return False
        self._notified[(key, reason)] = now
        return True

    def match_refused(self, event: MatchRefused) -> None:
        self.orders_view.show_refusal(event)
        if self._fresh(event.order_id, event.reason):
            self.notifier.notify(
                _tr("SafetyNotices", "Match refused"),
                _tr(
                    "SafetyNotices", "Cambio refused a match of your order {order}: {reason}"
                ).format(order=event.order_id[:8], reason=event.reason),
                Kind.WARNING,
            )

    def server_refused(self, event: ServerRefused) -> None:
        self.banner.show_refusal(event)
        if self._fresh(event.url, event.reason):
            self.notifier.notify(
                _tr("SafetyNotices", "Server refused"),
                _tr("SafetyNotices", "Cambio does not trade on {server}: {reason}").format(
                    server=event.url, reason=event.reason
                ),
                Kind.ERROR,
            )

    def epoch_checked(self, event: EpochChecked) -> None:
        self.epoch_check.add(event)


def wire_safety(
    bridge: ClientBridge, notices: SafetyNotices, open_settings: Callable[[], object]
) -> SafetyNotices:
    """The bridge's safety signals to `notices`; the banner's button opens Settings."""
    bridge.match_refused.connect(notices.match_refused)
    bridge.server_refused.connect(notices.server_refused)
    bridge.epoch_checked.connect(notices.epoch_checked)
    bridge.dex_connection.connect(lambda connected, _d: notices.banner.on_connection(connected))
    notices.banner.settings_requested.connect(open_settings)
    return notices
