"""Settings: the DEX server, each chain's node, the language, the theme and the safety limits
(app/ui/safety_settings.py); saved to config.json.

    dialog = SettingsDialog(config, datadir, parent, dex_check=refusal)
    dialog.saved.connect(on_saved)                   # the new AppConfig, already on disk
    dialog.theme_changed.connect(style.apply_app_theme)  # restyles the dialog too
    dialog.open()

A new language applies from the next start (texts are translated when widgets are built);
the theme, the nodes and the DEX server apply at once (app/ui/window_actions.py), the safety
limits from the next match (the core reads them from the wallet's config); the dialog
itself takes the theme chosen in its combo at once, as a preview. `dex_check`,
given a new server URL, returns why the server cannot change now (open orders, active swaps)
or None: the dialog then shows it under the field and saves nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from app.assets import SYMBOLS, AssetParams, Network, get_asset
from app.config import AppConfig, NodeConfig, save_config
from app.ui.forms import ThemedDialog, _tr, describe, error_label, set_error
from app.ui.i18n import LANGUAGES, UnknownLanguageError, normalize_language, resource_dir
from app.ui.qt import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.safety_settings import SafetySection, stored_form
from app.ui.style import palette as theme_palette
from app.wallet.backends.rpcauth import default_cookie
from app.wizard import check_server_url

# `$$` is a literal `$` in a style.fill template.
_CHEVRON = (resource_dir() / "icons" / "chevron-down.svg").as_posix().replace("$", "$$")
# Added to the dialogs' rules (style.dialog_style); the combo boxes' colours come from there.
SETTINGS_RULES = f"""
QLabel#section {{ font-size: 15px; font-weight: 600; padding: 10px 0 0 0; margin: 0; }}
QComboBox::drop-down {{ border: none; width: 26px; }}
QComboBox::down-arrow {{ image: url({_CHEVRON}); width: 12px; height: 12px; }}
"""


def network_name(network: Network) -> str:
    return {Network.MAINNET: _tr("SettingsDialog", "mainnet (real money)"),
            Network.TESTNET: _tr("SettingsDialog", "testnet"),
            Network.REGTEST: _tr("SettingsDialog", "the local simnet")}[network]


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


# How a node is logged in to (NodeFields.login's data).
COOKIE, PASSWORD, AUTH_FILE = "cookie", "password", "auth_file"


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
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
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
            str(default_cookie(self.asset)) if mode == COOKIE
            else _tr("SettingsDialog", "path of a file holding user:password"))
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


class SettingsDialog(ThemedDialog):
    RULES = SETTINGS_RULES
    saved = Signal(object)  # AppConfig
    theme_changed = Signal(str)
    language_changed = Signal(str)

    def __init__(self, config: AppConfig, datadir: Path, parent: QWidget | None = None,
                 dex_check: Callable[[str], str | None] | None = None) -> None:
        super().__init__(parent)
        self.config, self.datadir = config, Path(datadir)
        self.dex_check = dex_check
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(1000)  # two columns: connections and looks | safety limits
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel(self.tr("Settings"))
        title.setObjectName("title")
        layout.addWidget(title)
        self.network_note = QLabel(self.tr(
            "This wallet is on {network}; one data directory = one network.").format(
                network=network_name(config.network)))
        self.network_note.setObjectName("muted")
        self.network_note.setWordWrap(True)
        layout.addWidget(self.network_note)  # read-only: fixed when the wallet was made

        columns = QHBoxLayout()  # its spacing would pass down to the columns: a gap instead
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(32)
        columns.addLayout(right, 1)
        layout.addLayout(columns)
        left.addWidget(self._section(self.tr("DEX server")))
        self.dex_url = QLineEdit(config.dex_url)
        self.dex_url.setPlaceholderText("wss://dex.example.org:7232")
        self.dex_error = error_label()
        left.addWidget(self.dex_url)
        left.addWidget(self.dex_error)
        dex_hint = QLabel(self.tr("A new server is used at once, once no order is open and "
                                  "no swap is active on the current one."))
        dex_hint.setObjectName("muted")
        dex_hint.setWordWrap(True)
        left.addWidget(dex_hint)

        left.addWidget(self._section(self.tr("Chain backends")))
        hint = QLabel(self.tr("Bitcoin Core or Litecoin Core JSON-RPC; leave the address empty "
                              "to trade without that chain."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        left.addWidget(hint)
        self.nodes: dict[str, NodeFields] = {}
        for symbol in sorted(set(SYMBOLS) | set(config.nodes)):
            asset = get_asset(symbol, config.network)
            fields = NodeFields(asset, config.nodes.get(symbol))
            form = QFormLayout()
            form.addRow(self._field(self.tr("{name} node").format(name=asset.name)), fields.url)
            creds = QHBoxLayout()
            fields.user.setPlaceholderText(self.tr("user"))
            fields.password.setPlaceholderText(self.tr("password"))
            creds.addWidget(fields.user, 1)
            creds.addWidget(fields.password, 1)
            creds.addWidget(fields.file, 1)
            creds.insertWidget(0, fields.login)
            form.addRow(self._field(self.tr("Login")), creds)
            form.addRow("", fields.error)
            left.addLayout(form)
            self.nodes[symbol] = fields
            fields.url.textChanged.connect(self.validate)

        left.addWidget(self._section(self.tr("Appearance")))
        form = QFormLayout()
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        try:
            current = normalize_language(config.language)
        except UnknownLanguageError:
            current = "en"
        self.language.setCurrentIndex(max(0, self.language.findData(current)))
        self.theme = QComboBox()
        self.theme.addItem(self.tr("Dark"), "dark")
        self.theme.addItem(self.tr("Light"), "light")
        self.theme.setCurrentIndex(max(0, self.theme.findData(config.theme)))
        form.addRow(self._field(self.tr("Language")), self.language)
        form.addRow(self._field(self.tr("Theme")), self.theme)
        left.addLayout(form)
        self.restart_note = QLabel(self.tr("The new language is used from the next start."))
        self.restart_note.setObjectName("muted")
        self.restart_note.setVisible(False)
        left.addWidget(self.restart_note)
        left.addStretch(1)

        right.addWidget(self._section(self.tr("Safety limits")))
        self.safety = SafetySection(config)
        self.safety.changed.connect(self.validate)
        right.addWidget(self.safety, 1)
        self.save_error = error_label()
        layout.addWidget(self.save_error)

        buttons = QHBoxLayout()
        cancel = QPushButton(self.tr("Cancel"))
        cancel.setObjectName("secondary")
        cancel.clicked.connect(self.reject)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.clicked.connect(self.save)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.dex_url.textChanged.connect(self.validate)
        self.language.currentIndexChanged.connect(
            lambda _: self.restart_note.setVisible(self.language.currentData() != current))
        self.theme.currentIndexChanged.connect(
            lambda _: self.apply_palette(theme_palette(str(self.theme.currentData()))))
        self.validate()

    @staticmethod
    def _section(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("section")
        label.setIndent(0)  # a styled padding would otherwise indent it like a framed label
        return label

    @staticmethod
    def _field(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("fieldlabel")
        label.setMinimumWidth(130)  # one label column width across the separate forms
        return label

    def validate(self) -> bool:
        problem = check_server_url(self.dex_url.text())
        self.dex_error.setText(describe(problem) if problem else "")
        set_error(self.dex_url, problem is not None)
        ok = problem is None
        for fields in self.nodes.values():
            message = check_rpc_url(fields.url.text())
            fields.error.setText(message or "")
            fields.error.setVisible(bool(message))
            set_error(fields.url, message is not None)
            ok = ok and message is None
        ok = self.safety.limits() is not None and ok  # every field's message shown at once
        self.save_button.setEnabled(ok)
        return ok

    def result_config(self) -> AppConfig:
        """The config in the fields; call after validate() (bad safety limits keep the
        saved ones here, and validate() has refused the save)."""
        nodes = {s: n for s, f in self.nodes.items() if (n := f.node()) is not None}
        limits = self.safety.limits()
        safety = self.config.safety if limits is None else stored_form(limits,
                                                                       self.config.network)
        return replace(self.config, dex_url=self.dex_url.text().strip(), nodes=nodes,
                       language=str(self.language.currentData()),
                       theme=str(self.theme.currentData()), safety=dict(safety))

    def save(self) -> bool:
        if not self.validate():
            return False
        new = self.result_config()
        refusal = self.dex_check(new.dex_url) if self.dex_check is not None \
            and new.dex_url != self.config.dex_url else None
        if refusal:
            self.dex_error.setText(refusal)
            set_error(self.dex_url, True)
            return False
        try:
            save_config(self.datadir, new)
        except OSError as exc:
            self.save_error.setText(self.tr("Could not save the settings: {error}").format(
                error=exc.strerror or str(exc)))
            return False
        old, self.config = self.config, new
        self.saved.emit(new)
        if new.theme != old.theme:
            self.theme_changed.emit(new.theme)
        if new.language != old.language:
            self.language_changed.emit(new.language)
        self.accept()
        return True
