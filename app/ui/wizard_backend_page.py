"""The wizard's chain backend page (mainnet and testnet): public Electrum servers (default),
one's own Electrum server, or one's own Bitcoin Core / Litecoin Core node. The rules (which
addresses are valid, the defaults) live in app/wizard.py; this page only collects the input."""

from __future__ import annotations

from typing import Any

from app.client.views import SYMBOLS, BackendKind, Network, default_cookie, get_asset
from app.client.views import WizardProblem as Problem
from app.ui.forms import set_error
from app.ui.labels import styled_label
from app.ui.qt import (
    QButtonGroup,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from app.ui.wizard_pages import INDENT


class BackendPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        self.radios = {
            BackendKind.PUBLIC_ELECTRUM: QRadioButton(
                self.tr("Public Electrum servers (recommended)")
            ),
            BackendKind.OWN_ELECTRUM: QRadioButton(self.tr("My own Electrum server")),
            BackendKind.OWN_NODE: QRadioButton(
                self.tr("My own Bitcoin Core and Litecoin Core nodes")
            ),
        }
        group = QButtonGroup(self)
        for radio in self.radios.values():
            group.addButton(radio)
        self.radios[BackendKind.PUBLIC_ELECTRUM].setChecked(True)

        public_note = styled_label(
            self.tr(
                "No download: well-known servers answer, and Cambio checks what a swap depends on "
                "against the chain's proof of work. The servers see your addresses."
            ),
            "muted",
        )
        self.servers: dict[str, QLineEdit] = {}
        self.node_urls: dict[str, QLineEdit] = {}
        self.login_files: dict[str, QLineEdit] = {}
        electrum_form, node_form = QFormLayout(), QFormLayout()
        for symbol in SYMBOLS:
            name = symbol.upper()
            self.servers[symbol] = field = QLineEdit()
            field.setPlaceholderText("ssl://electrum.example.org:50002")
            electrum_form.addRow(styled_label(name, "fieldlabel"), field)
            self.node_urls[symbol] = url = QLineEdit()
            self.login_files[symbol] = login = QLineEdit()
            node_form.addRow(styled_label(name, "fieldlabel"), url)
            node_form.addRow(
                styled_label(self.tr("{name} login file").format(name=name), "fieldlabel"), login
            )
        self.electrum_box = QWidget()
        self.electrum_box.setLayout(electrum_form)
        self.node_box = QWidget()
        self.node_box.setLayout(node_form)
        node_note = styled_label(
            self.tr(
                "Leave the address empty for a node on this computer. Without a login file Cambio "
                "reads the node's cookie from its data directory."
            ),
            "muted",
        )
        node_form.addRow(node_note)
        for widget in (public_note, node_note):
            widget.setWordWrap(True)
        for indented in (public_note, self.electrum_box, self.node_box):
            indented.setContentsMargins(INDENT, 0, 0, 6)
        box.addWidget(self.radios[BackendKind.PUBLIC_ELECTRUM])
        box.addWidget(public_note)
        box.addWidget(self.radios[BackendKind.OWN_ELECTRUM])
        box.addWidget(self.electrum_box)
        box.addWidget(self.radios[BackendKind.OWN_NODE])
        box.addWidget(self.node_box)
        hint = styled_label(self.tr("You can change this later in Settings, per chain."), "muted")
        hint.setContentsMargins(0, 12, 0, 0)
        box.addWidget(hint)
        box.addStretch(1)
        for radio in self.radios.values():
            radio.toggled.connect(lambda _on: self._show_fields())
        for field in (*self.servers.values(), *self.node_urls.values()):
            field.textEdited.connect(lambda _t, f=field: set_error(f, False))
        self._show_fields()

    def set_network(self, network: Network) -> None:
        """The placeholders name the network's own ports and cookie paths."""
        for symbol in SYMBOLS:
            asset = get_asset(symbol, network)
            self.node_urls[symbol].setPlaceholderText(f"http://127.0.0.1:{asset.rpc_port}")
            cookie = str(default_cookie(asset))
            self.login_files[symbol].setPlaceholderText(
                self.tr("empty: the cookie {path}").format(path=cookie)
            )
            self.login_files[symbol].setToolTip(cookie)

    def _show_fields(self) -> None:
        self.electrum_box.setVisible(self.radios[BackendKind.OWN_ELECTRUM].isChecked())
        self.node_box.setVisible(self.radios[BackendKind.OWN_NODE].isChecked())

    def kind(self) -> BackendKind:
        return next(k for k, r in self.radios.items() if r.isChecked())

    def choice(self) -> dict[str, Any]:
        """Wizard.choose_backend's arguments."""
        return {
            "kind": self.kind(),
            "servers": {s: f.text() for s, f in self.servers.items()},
            "node_urls": {s: f.text() for s, f in self.node_urls.items()},
            "login_files": {s: f.text() for s, f in self.login_files.items()},
        }

    def mark(self, problem: Problem) -> None:
        """A red border on the field the problem is about."""
        fields = self.servers if self.kind() is BackendKind.OWN_ELECTRUM else self.node_urls
        for symbol, field in fields.items():
            set_error(field, symbol == problem.chain)
