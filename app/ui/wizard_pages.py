"""The wizard's password and server pages (split from wizard_view.py to keep files small)."""

from __future__ import annotations

from app.client.views import SIMNET_DEX_URL, Strength, password_strength
from app.ui.forms import set_error
from app.ui.labels import styled_label
from app.ui.qt import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

INDENT = 28  # radio/check indicator + spacing: sub-rows line up with the option's text


class PasswordPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        self.password = QLineEdit()
        self.password_again = QLineEdit()
        self.strength = QProgressBar()
        self.strength.setObjectName("strength")
        self.strength.setRange(0, 4)
        self.strength.setTextVisible(False)
        self.strength_hint = styled_label("", "muted")
        self.strength_hint.setMinimumWidth(60)
        strength_row = QHBoxLayout()
        strength_row.addWidget(self.strength, 1)
        strength_row.addWidget(self.strength_hint)
        for field, text in (
            (self.password, self.tr("Password")),
            (self.password_again, self.tr("Password again")),
        ):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.textEdited.connect(lambda _t, f=field: set_error(f, False))
            box.addWidget(styled_label(text, "fieldlabel"))
            box.addWidget(field)
            if field is self.password:  # the hint belongs to the password being typed
                box.addLayout(strength_row)
                box.addSpacing(6)
        self.password.textChanged.connect(self.update_strength)
        box.addSpacing(12)
        self.remember = QCheckBox(self.tr("Remember the password in the system keyring"))
        box.addWidget(self.remember)
        note = styled_label(
            self.tr(
                "Without a keyring Cambio asks for the password at every start. It is never "
                "written to disk in plain text."
            ),
            "muted",
        )
        note.setWordWrap(True)
        note.setContentsMargins(INDENT, 0, 0, 0)
        box.addWidget(note)
        box.addStretch(1)
        self.update_strength("")

    def update_strength(self, text: str) -> None:
        strength = password_strength(text) if text else None
        names = {
            Strength.WEAK: self.tr("Weak"),
            Strength.FAIR: self.tr("Fair"),
            Strength.GOOD: self.tr("Good"),
            Strength.STRONG: self.tr("Strong"),
        }
        self.strength.setValue(strength.value if strength else 0)
        self.strength.setProperty("strength", strength.name.lower() if strength else "none")
        self.strength_hint.setText(names[strength] if strength else "")
        self.strength.style().unpolish(self.strength)  # re-read the [strength=...] colour
        self.strength.style().polish(self.strength)


class ServerPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        self.simnet_radio = QRadioButton(self.tr("Local simnet (for trying Cambio out)"))
        self.custom_radio = QRadioButton(self.tr("Another DEX server"))
        group = QButtonGroup(self)
        group.addButton(self.simnet_radio)
        group.addButton(self.custom_radio)
        self.simnet_radio.setChecked(True)
        self.server_url = QLineEdit()
        self.server_url.setPlaceholderText("wss://dex.example.org")
        self.server_url.setEnabled(False)
        self.custom_radio.toggled.connect(self.server_url.setEnabled)
        self.custom_radio.toggled.connect(lambda on: on and self.server_url.setFocus())
        self.server_url.textEdited.connect(lambda _t: set_error(self.server_url, False))
        self.simnet_url = styled_label(SIMNET_DEX_URL, "address")
        self.simnet_url.setContentsMargins(INDENT, 0, 0, 10)
        box.addWidget(self.simnet_radio)
        box.addWidget(self.simnet_url)
        box.addWidget(self.custom_radio)
        url_row = QHBoxLayout()
        url_row.setContentsMargins(INDENT, 0, 0, 0)
        url_row.addWidget(self.server_url)
        box.addLayout(url_row)
        hint = styled_label(self.tr("You can change the server later in Settings."), "muted")
        hint.setContentsMargins(INDENT, 4, 0, 0)
        box.addWidget(hint)
        box.addStretch(1)

    def offer_simnet(self, offered: bool) -> None:
        """Only a simnet wallet may pick the local simnet's server; others type a server."""
        self.simnet_radio.setVisible(offered)
        self.simnet_url.setVisible(offered)
        (self.simnet_radio if offered else self.custom_radio).setChecked(True)

    def custom_url(self) -> str | None:
        """None for the simnet, else the typed address (the wizard validates it)."""
        return self.server_url.text() if self.custom_radio.isChecked() else None
