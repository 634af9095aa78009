"""Settings for one chain: light (an ordered list of Electrum servers) or one's own node (its
JSON-RPC address and login), and a status line of how the chain is reached now.

Only input and wording live here: the rules are app/wizard.py's (check_electrum_url,
check_node_url), the defaults app/wallet/backends/electrum.py's, and the status comes from
the core (Client.chain_status) through the dialog's owner.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from app.client.views import (
    ELECTRUM,
    NODE,
    AssetParams,
    CertChange,
    ChainStatus,
    NodeConfig,
    check_electrum_url,
    default_cookie,
    default_servers,
    split_servers,
)
from app.ui.forms import _tr, describe, error_label, set_error
from app.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)

# How a node is logged in to (NodeFields.login's data).
COOKIE, PASSWORD, AUTH_FILE = "cookie", "password", "auth_file"
LIGHT, OWN_NODE = "electrum", "node"  # ChainFields.kind's data


def check_rpc_url(text: str) -> str | None:
    """None when `text` is empty (no node for that chain) or an http(s) URL with a host;
    otherwise a message for the user."""
    text = text.strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return _tr("SettingsDialog", "The port is not valid.")
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        return _tr("SettingsDialog", "Use an address like http://127.0.0.1:9332")
    return None


def _login_of(node: NodeConfig | None) -> str:
    if node is not None and node.auth_file:
        return AUTH_FILE
    if node is not None and (node.rpc_user or node.rpc_password) and not node.cookie_file:
        return PASSWORD
    return COOKIE


class NodeFields:
    """URL and login of one chain's node: the node's cookie file (empty: its default one),
    a user and password, or a file holding user:password."""

    def __init__(self, asset: AssetParams, node: NodeConfig | None) -> None:
        self.asset = asset
        self.url = QLineEdit(node.rpc_url if node else "")
        self.url.setPlaceholderText(f"http://127.0.0.1:{asset.rpc_port}")
        self.login = QComboBox()
        # As wide as a short item: the file path and the user/password get the room.
        self.login.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.login.setMinimumContentsLength(10)
        self.login.addItem(_tr("SettingsDialog", "Cookie file"), COOKIE)
        self.login.addItem(_tr("SettingsDialog", "Password"), PASSWORD)
        self.login.addItem(_tr("SettingsDialog", "Login file"), AUTH_FILE)
        self.user = QLineEdit(node.rpc_user if node else "")
        self.password = QLineEdit(node.rpc_password if node else "")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.file = QLineEdit((node.auth_file or node.cookie_file) if node else "")
        self.error = error_label()
        self.login.currentIndexChanged.connect(lambda _i: self._show_login())
        self.login.setCurrentIndex(self.login.findData(_login_of(node)))
        self._show_login()

    def _show_login(self) -> None:
        mode = self.login.currentData()
        self.user.setVisible(mode == PASSWORD)
        self.password.setVisible(mode == PASSWORD)
        self.file.setVisible(mode != PASSWORD)
        self.file.setPlaceholderText(
            str(default_cookie(self.asset))
            if mode == COOKIE
            else _tr("SettingsDialog", "path of a file holding user:password")
        )
        self.file.setToolTip(self.file.placeholderText())  # the whole path, never cut

    def node(self) -> NodeConfig | None:
        url = self.url.text().strip()
        if not url:
            return None
        mode = self.login.currentData()
        path = self.file.text().strip()
        if mode == PASSWORD:
            return NodeConfig(url, self.user.text().strip(), self.password.text())
        if mode == AUTH_FILE:
            return NodeConfig(url, auth_file=path)
        return NodeConfig(url, cookie_file=path)  # empty: the default cookie of the network


class ServerList(QWidget):
    """An ordered list of Electrum servers: tried in this order, the next on a failure."""

    changed = Signal()  # after an add, remove, move or reset

    def __init__(
        self, asset: AssetParams, servers: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.asset = asset
        self.table = QTableWidget(0, 1)
        self.table.horizontalHeader().setVisible(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setFixedHeight(4 * 26 + 6)
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("ssl://electrum.example.org:50002")
        self.add_button = self._button(_tr("SettingsDialog", "Add"), self.add)
        self.remove_button = self._button(_tr("SettingsDialog", "Remove"), self.remove)
        self.up_button = self._button(_tr("SettingsDialog", "Up"), lambda: self.move_selected(-1))
        self.down_button = self._button(
            _tr("SettingsDialog", "Down"), lambda: self.move_selected(1)
        )
        self.reset_button = self._button(_tr("SettingsDialog", "Defaults"), self.reset)
        self.reset_button.setToolTip(_tr("SettingsDialog", "The well-known public servers"))
        self.reset_button.setEnabled(bool(default_servers(asset.symbol, asset.network)))
        self.error = error_label()
        self.error.setVisible(False)
        self.entry.returnPressed.connect(self.add)
        self.entry.textEdited.connect(lambda _t: self._say(""))
        self.table.itemSelectionChanged.connect(self._enable)

        side = QVBoxLayout()
        side.setSpacing(4)
        for button in (self.up_button, self.down_button, self.remove_button, self.reset_button):
            side.addWidget(button)
        side.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.table, 1)
        top.addLayout(side)
        add_row = QHBoxLayout()
        add_row.addWidget(self.entry, 1)
        add_row.addWidget(self.add_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addLayout(top)
        box.addLayout(add_row)
        box.addWidget(self.error)
        self.set_servers(servers)

    @staticmethod
    def _button(text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("secondary")
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def servers(self) -> list[str]:
        items = (self.table.item(row, 0) for row in range(self.table.rowCount()))
        return [item.text() for item in items if item is not None]

    def set_servers(self, servers: list[str]) -> None:
        self.table.setRowCount(0)
        for url in servers:
            self._append(url)
        self._enable()
        self.changed.emit()

    def _append(self, url: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(url))

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        set_error(self.entry, bool(text))

    def add(self) -> bool:
        """The typed server at the end of the list; refused (and said why) when malformed or
        listed already."""
        url = self.entry.text().strip()
        problem = check_electrum_url(url, self.asset.symbol)
        if problem is not None:
            self._say(describe(problem))
            return False
        if url in self.servers():
            self._say(_tr("SettingsDialog", "This server is in the list already."))
            return False
        self._append(url)
        self.entry.clear()
        self._say("")
        self._enable()
        self.changed.emit()
        return True

    def _row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def remove(self) -> None:
        row = self._row()
        if row >= 0:
            self.table.removeRow(row)
        self._enable()
        self.changed.emit()

    def move_selected(self, step: int) -> None:
        row = self._row()
        other = row + step
        if row < 0 or not 0 <= other < self.table.rowCount():
            return
        servers = self.servers()
        servers[row], servers[other] = servers[other], servers[row]
        self.set_servers(servers)
        self.table.selectRow(other)

    def reset(self) -> None:
        self.set_servers(list(default_servers(self.asset.symbol, self.asset.network)))
        self._say("")

    def _enable(self) -> None:
        row, count = self._row(), self.table.rowCount()
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)


class ChainFields(QWidget):
    """One chain's tab in Settings: the backend kind, its fields and the status line (with a
    button when a server was refused for a changed certificate)."""

    trust_requested = Signal(object)  # the CertChange the user wants to look at

    def __init__(
        self, asset: AssetParams, node: NodeConfig | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.asset = asset
        self.kind = QComboBox()
        self.kind.addItem(_tr("SettingsDialog", "Electrum servers (light, SPV-checked)"), LIGHT)
        self.kind.addItem(
            _tr("SettingsDialog", "My own {name} Core node").format(name=asset.name), OWN_NODE
        )
        light = node is not None and node.light
        servers = (
            split_servers(node.electrum)
            if light and node is not None
            else list(default_servers(asset.symbol, asset.network))
        )
        self.server_list = ServerList(asset, servers)
        self.node_fields = NodeFields(asset, None if light else node)
        self.list_error = error_label()
        self.list_error.setVisible(False)

        electrum_page = QWidget()
        electrum_box = QVBoxLayout(electrum_page)
        electrum_box.setContentsMargins(0, 0, 0, 0)
        electrum_box.addWidget(self.server_list)
        electrum_box.addWidget(self.list_error)
        node_page = QWidget()
        node_form = QFormLayout(node_page)
        node_form.setContentsMargins(0, 0, 0, 0)
        node_form.addRow(_field(_tr("SettingsDialog", "Address")), self.node_fields.url)
        creds = QHBoxLayout()
        self.node_fields.user.setPlaceholderText(_tr("SettingsDialog", "user"))
        self.node_fields.password.setPlaceholderText(_tr("SettingsDialog", "password"))
        for widget in (
            self.node_fields.login,
            self.node_fields.user,
            self.node_fields.password,
            self.node_fields.file,
        ):
            creds.addWidget(widget, 0 if widget is self.node_fields.login else 1)
        node_form.addRow(_field(_tr("SettingsDialog", "Login")), creds)
        node_form.addRow("", self.node_fields.error)
        hint = QLabel(_tr("SettingsDialog", "Leave the address empty to trade without this chain."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        node_form.addRow("", hint)
        self.pages = QStackedWidget()
        self.pages.addWidget(electrum_page)
        self.pages.addWidget(node_page)

        self.status = QLabel(_tr("SettingsDialog", "Checking the connection\u2026"))
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(_field(_tr("SettingsDialog", "Backend")), self.kind)
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 12, 12, 8)
        box.setSpacing(8)
        box.addLayout(form)
        box.addWidget(self.pages)
        box.addWidget(self.status)
        self.cert_change: CertChange | None = None
        self.trust_button = QPushButton(_tr("SettingsDialog", "Check the new certificate…"))
        self.trust_button.setVisible(False)
        self.trust_button.clicked.connect(lambda: self.trust_requested.emit(self.cert_change))
        box.addWidget(self.trust_button, 0, Qt.AlignmentFlag.AlignLeft)
        box.addStretch(1)
        self.kind.currentIndexChanged.connect(
            lambda _i: self.pages.setCurrentIndex(self.kind.currentIndex())
        )
        # No backend yet: light where public servers are known (mainnet, testnet), else a
        # node address to fill in (the simnet).
        own = (node is not None and not light) or (node is None and not servers)
        self.kind.setCurrentIndex(self.kind.findData(OWN_NODE if own else LIGHT))
        self.pages.setCurrentIndex(self.kind.currentIndex())

    def problem(self) -> str | None:
        """Why the fields cannot be saved, or None."""
        if self.kind.currentData() == LIGHT:
            message = (
                None
                if self.server_list.servers()
                else _tr(
                    "SettingsDialog", "Add at least one Electrum server, or use your own node."
                )
            )
            self.list_error.setText(message or "")
            self.list_error.setVisible(bool(message))
            return message
        message = check_rpc_url(self.node_fields.url.text())
        self.node_fields.error.setText(message or "")
        self.node_fields.error.setVisible(bool(message))
        set_error(self.node_fields.url, message is not None)
        return message

    def node(self) -> NodeConfig | None:
        if self.kind.currentData() == LIGHT:
            servers = self.server_list.servers()
            return NodeConfig("", electrum=",".join(servers)) if servers else None
        return self.node_fields.node()

    def show_status(self, status: ChainStatus) -> None:
        text = status_text(status)
        self.cert_change = status.cert_changes[0] if status.cert_changes else None
        if self.cert_change is not None:
            text += "\n" + _tr(
                "SettingsDialog", "{server} was refused: its certificate changed since first use."
            ).format(server=self.cert_change.key)
        self.status.setText(text)
        self.status.setToolTip(status.line)
        self.trust_button.setVisible(self.cert_change is not None)


def _field(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("fieldlabel")
    label.setMinimumWidth(90)
    return label


def status_text(status: ChainStatus) -> str:
    """The status line of a chain, in the user's language."""
    if status.kind == ELECTRUM:
        if not status.reachable:
            return _tr("SettingsDialog", "No Electrum server reachable: {detail}").format(
                detail=status.detail or "-"
            )
        text = _tr(
            "SettingsDialog",
            "Connected to {server}, block {height} (headers checked), {servers} server(s) listed",
        ).format(server=status.server, height=status.height, servers=status.servers)
        if status.dropped:
            text += " " + _tr("SettingsDialog", "{n} dropped for a false answer").format(
                n=status.dropped
            )
        return text
    if status.kind == NODE:
        if not status.reachable:
            return _tr("SettingsDialog", "Node unreachable: {detail}").format(
                detail=status.detail or "-"
            )
        if status.syncing:
            return _tr(
                "SettingsDialog", "Node reachable, block {height}, still syncing (initial download)"
            ).format(height=status.height)
        if status.behind:
            return _tr(
                "SettingsDialog", "Node reachable, block {height}, last block {hours} h ago"
            ).format(height=status.height, hours=(status.tip_age or 0) // 3600)
        return _tr("SettingsDialog", "Node reachable, block {height}, synced").format(
            height=status.height
        )
    return _tr("SettingsDialog", "No backend configured: this chain cannot be traded.")
