"""Cyclic garbage is collected on the GUI thread only.

Python's collector runs in whatever thread allocates when a generation's threshold is
crossed. In this app that can be a worker of `asyncio.to_thread` (header sync, scrypt checks,
the keyring lookup): it would then free Qt widgets held in reference cycles (a closed dialog
and the lambdas that capture it) on that thread, and a Qt object destroyed off the GUI thread
corrupts Qt's state and crashes the process later, at a random place. So the GUI process turns
automatic collection off and runs the same collections from a timer on the GUI thread.
"""

from __future__ import annotations

import gc

from app.ui.qt import QObject, QTimer

INTERVAL_MS = 500  # about how often automatic collection would look at the counts


def collect_due() -> int:
    """Collect the oldest generation whose allocation count crossed its threshold, as the
    automatic collector would; returns the generation collected, or -1 for none."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = [gen for gen in range(3) if counts[gen] > thresholds[gen]]
    if not due:
        return -1
    gc.collect(due[-1])
    return due[-1]


class GuiThreadGc(QObject):
    """While started: no automatic collection; `collect_due` every INTERVAL_MS instead."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(collect_due)

    def start(self) -> None:
        gc.disable()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()
