"""Cyclic garbage is collected on the GUI thread, never by a worker thread's allocation."""

from __future__ import annotations

import gc
import threading
import weakref

from pytestqt.qtbot import QtBot

from app.ui.gc_guard import GuiThreadGc, collect_due
from app.ui.qt import QApplication, QWidget


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_collection_due_runs_the_oldest_generation_over_its_threshold() -> None:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        assert collect_due() == -1  # nothing allocated since
        keep = [Cycle() for _ in range(gc.get_threshold()[0] + 10)]
        assert collect_due() == 0
        del keep
    finally:
        if was_enabled:
            gc.enable()


def test_widget_cycles_freed_on_the_gui_thread_only(qtbot: QtBot, qapp: QApplication) -> None:
    guard = GuiThreadGc(qapp)
    guard.start()
    try:
        widget = QWidget()
        widget.me = widget  # type: ignore[attr-defined]  # a cycle through the wrapper
        gone = weakref.ref(widget)
        del widget
        freed_in: list[str] = []

        def allocate() -> None:  # a worker thread allocating a lot, as a header sync does
            junk = [Cycle() for _ in range(gc.get_threshold()[0] * 20)]
            freed_in.append("worker" if gone() is None else "")
            del junk

        worker = threading.Thread(target=allocate)
        worker.start()
        worker.join()
        assert freed_in == [""]  # the worker's allocations collected nothing
        assert gone() is not None
        qtbot.waitUntil(lambda: gone() is None, timeout=3000)  # the guard's timer did
    finally:
        guard.stop()
    assert gc.isenabled()
