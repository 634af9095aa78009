"""The changed-server-key prompt: shown where the refusal arrives, Accept pins the new key
through one core call, Keep refusing changes nothing."""

from __future__ import annotations

import asyncio

import qasync

from app.client.client import Client
from app.client.events import ServerRefused
from app.client.server_identity import key_prefix
from app.ui.main_window import MainWindow
from app.ui.qt import QMessageBox

OLD, NEW = bytes([1]) * 32, bytes([2]) * 32


def _button(box: QMessageBox, text: str) -> object:
    return next(b for b in box.buttons() if b.text() == text)


def test_accept_pins_the_new_key_and_reconnects(
    window: MainWindow,
    core: Client,
    loop: qasync.QEventLoop,
) -> None:
    url = core.dex_url
    core.identity.pin_first(url, OLD)
    core.identity.note_refused(url, NEW)
    core.events.emit(ServerRefused(url, "the server's key changed"))
    box = window.key_box
    assert box is not None and box.isVisible()
    assert key_prefix(OLD) in box.text() and key_prefix(NEW) in box.text()
    before = core.dex

    async def accept_and_stop() -> None:
        _button(box, "Accept the new key").click()  # type: ignore[attr-defined]
        await asyncio.gather(*window.bridge._tasks)
        await core.stop()

    loop.run_until_complete(accept_and_stop())
    assert core.identity.pinned_key(url) == NEW and core.identity.offered_key(url) is None
    assert core.dex is not before  # a fresh connection under the accepted key


def test_keep_refusing_changes_nothing(window: MainWindow, core: Client) -> None:
    url = core.dex_url
    core.identity.pin_first(url, OLD)
    core.identity.note_refused(url, NEW)
    core.events.emit(ServerRefused(url, "the server's key changed"))
    box = window.key_box
    assert box is not None
    _button(box, "Keep refusing").click()  # type: ignore[attr-defined]
    assert not window.bridge._tasks
    assert core.identity.pinned_key(url) == OLD and core.identity.offered_key(url) == NEW


def test_other_refusals_are_shown_as_errors(window: MainWindow, core: Client) -> None:
    core.events.emit(ServerRefused(core.dex_url, "lock times too short"))
    assert window.key_box is None
    assert window.notifier.sent[-1][1].startswith("Cambio does not trade on")
    assert "lock times too short" in window.notifier.sent[-1][1]
