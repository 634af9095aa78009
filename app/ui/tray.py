"""Desktop notifications through the system tray: match, swap complete, refund, error.

Without a tray (many Linux desktops, offscreen tests) messages go to the status bar instead;
nothing waits on a notification. `sent` keeps the last few for tests and the log.
"""

from __future__ import annotations

import logging
from collections import deque
from enum import StrEnum

from app.ui.qt import QIcon, QStatusBar, QSystemTrayIcon, QWidget

log = logging.getLogger("cambio.ui")
SHOW_MS = 6000


class Kind(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Notifier:
    def __init__(self, window: QWidget, icon: QIcon, fallback: QStatusBar) -> None:
        self.fallback = fallback
        self.sent: deque[tuple[str, str, Kind]] = deque(maxlen=50)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icon, window)
            self.tray.setToolTip("Cambio")
            self.tray.activated.connect(lambda _reason: self._raise(window))
            self.tray.show()

    @staticmethod
    def _raise(window: QWidget) -> None:
        window.showNormal()
        window.activateWindow()

    @property
    def has_tray(self) -> bool:
        return self.tray is not None

    def notify(self, title: str, text: str, kind: Kind = Kind.INFO) -> None:
        self.sent.append((title, text, kind))
        log.info("notification: %s: %s", title, text)
        if self.tray is not None and self.tray.supportsMessages():
            icon = {
                Kind.INFO: QSystemTrayIcon.MessageIcon.Information,
                Kind.WARNING: QSystemTrayIcon.MessageIcon.Warning,
                Kind.ERROR: QSystemTrayIcon.MessageIcon.Critical,
            }[kind]
            self.tray.showMessage(title, text, icon, SHOW_MS)
        else:
            self.fallback.showMessage(f"{title}: {text}", SHOW_MS)

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
