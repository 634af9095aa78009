"""styled_label, alone in a small module: the unlock dialog and the wizard need it, and they
must not wait for the wallet screen's imports (transaction list, charts, protocol messages)."""

from __future__ import annotations

from app.ui.qt import QLabel


def styled_label(text: str = "", name: str = "") -> QLabel:
    """A QLabel with an object name, which the stylesheet uses to pick its look."""
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    return label
