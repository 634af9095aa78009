"""The bridge's `run_op`: the triggering widget is disabled while the action runs (a second
click cannot place or pay twice), re-enabled after, and a failure reaches `on_err` with the
error (its user message for the default handler)."""

from __future__ import annotations

import asyncio

import pytest
from pytestqt.qtbot import QtBot

from app.dex.errors import ServerRejected
from app.errors import log_text, user_message
from app.store.errors import StoreError
from app.ui.client_bridge import run_op
from app.ui.qt import QApplication, QEvent, QPushButton, QWidget
from app.wallet.errors import NodeUnreachableError


async def test_the_button_is_disabled_while_the_action_runs(qtbot: QtBot) -> None:
    button = QPushButton("Place")
    qtbot.addWidget(button)
    gate = asyncio.Event()
    results: list[int] = []

    async def action() -> int:
        await gate.wait()
        return 7

    task = run_op(action(), results.append, busy=[button])
    await asyncio.sleep(0)
    assert not button.isEnabled() and results == []
    gate.set()
    await task
    assert button.isEnabled() and results == [7]


async def test_a_failure_goes_to_on_err_and_re_enables(qtbot: QtBot) -> None:
    button = QPushButton("Refund")
    qtbot.addWidget(button)
    errors: list[BaseException] = []

    async def action() -> None:
        raise NodeUnreachableError("http://127.0.0.1:1")

    await run_op(action(), lambda _r: pytest.fail("no result"), errors.append, busy=[button])
    assert button.isEnabled()
    assert [type(e) for e in errors] == [NodeUnreachableError]


async def test_every_error_of_the_apps_tree_is_shown_not_a_crash(qtbot: QtBot) -> None:
    """The edge catches the root: a store error (once outside the caught trees) is shown."""
    errors: list[BaseException] = []

    async def action() -> None:
        raise StoreError("Could not write to the database.", "disk I/O error")

    await run_op(action(), lambda _r: pytest.fail("no result"), errors.append)
    assert [type(e) for e in errors] == [StoreError]


async def test_a_bug_is_not_swallowed(qtbot: QtBot) -> None:
    button = QPushButton("Send")
    qtbot.addWidget(button)

    async def action() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        await run_op(action(), busy=[button])
    assert button.isEnabled()  # a bug must not leave the window stuck either


async def test_a_deleted_widget_is_skipped(qtbot: QtBot) -> None:
    """The orders table re-renders its Cancel buttons while a cancel runs."""
    table = QWidget()
    button = QPushButton("Cancel", table)

    async def action() -> None:
        table.deleteLater()
        QApplication.sendPostedEvents(table, QEvent.Type.DeferredDelete)

    await run_op(action(), busy=[button])
    with pytest.raises(RuntimeError):  # the button is gone: the re-enable was skipped
        button.isEnabled()


def test_the_user_message_holds_no_detail_and_the_log_text_does() -> None:
    rejected = ServerRejected(31, "internal detail")  # dexproto's RemoteError, as app/dex maps it
    assert user_message(rejected) == str(rejected) == "The DEX server refused: server error 31."
    assert "internal detail" in log_text(rejected) and "internal detail" in rejected.detail
    node = NodeUnreachableError("http://h:1", "connection refused")
    assert user_message(node) == str(node) == "Cannot reach the node at http://h:1."
    assert log_text(node).endswith("[connection refused]")
    assert user_message(KeyError("k")) == "'k'" and user_message(KeyError()) == "KeyError"
