"""The prompt shown when a DEX server turns up with another key than the one pinned for it
(app/client/server_identity.py): trading there stays stopped unless the user accepts the new key.

Non-modal (`open`, no nested event loop); accepting calls one bridge action, which calls
`Client.accept_server_key`. Swaps already on chain settle either way.
"""

from __future__ import annotations

from collections.abc import Callable

from app.ui.qt import QCoreApplication, QMessageBox, QWidget


def _tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def server_key_box(
    parent: QWidget, url: str, old: str, new: str, accept: Callable[[str], object]
) -> QMessageBox:
    """Open the prompt for `url` (`old`, `new`: key prefixes); `accept(url)` on Accept."""
    text = _tr(
        "ServerKeyDialog",
        "The DEX server {url} now signs with another key.\n\nPinned key: {old}…\n"
        "New key: {new}…\n\nCambio does not trade there until you accept the new "
        "key. Accept it only if the operator announced the change; swaps already "
        "on chain settle either way.",
    ).format(url=url, old=old, new=new)
    title = _tr("ServerKeyDialog", "DEX server key changed")
    take = _tr("ServerKeyDialog", "Accept the new key")
    keep = _tr("ServerKeyDialog", "Keep refusing")
    return trust_prompt(parent, title, text, take, keep, lambda: accept(url))


def trust_prompt(
    parent: QWidget, title: str, text: str, take: str, keep: str, on_take: Callable[[], object]
) -> QMessageBox:
    """A non-modal warning that something pinned changed: `on_take()` only on the `take`
    button; refusing is the default."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    take_button = box.addButton(take, QMessageBox.ButtonRole.AcceptRole)
    keep_button = box.addButton(keep, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep_button)
    box.buttonClicked.connect(lambda button: on_take() if button is take_button else None)
    box.open()
    return box
