"""Settings: the DEX server, each chain's backend (Electrum servers or one's own node, a tab
per chain: app/ui/chain_settings.py), the language, the theme and the safety limits
(app/ui/safety_settings.py); saved to config.json.

    dialog = SettingsDialog(config, datadir, parent, dex_check=refusal,
                            chain_status=core.chain_status)  # the status line per chain
    dialog.saved.connect(on_saved)                   # the new AppConfig, already on disk
    dialog.theme_changed.connect(style.apply_app_theme)  # restyles the dialog too
    dialog.open()

A new language applies from the next start (texts are translated when widgets are built);
the theme, the nodes and the DEX server apply at once (app/ui/window_actions.py), the safety
limits from the next match (the core reads them from the wallet's config); the dialog
itself takes the theme chosen in its combo at once, as a preview. `dex_check`,
given a new server URL, returns why the server cannot change now (open orders, active swaps)
or None: the dialog then shows it under the field and saves nothing. `chain_status` is
asked for each chain when the dialog shows and every STATUS_REFRESH_MS while it is open; it
describes the applied settings, not the fields being edited.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from app.client.views import (
    SYMBOLS,
    AppConfig,
    CertChange,
    ChainStatus,
    Network,
    check_server_url,
    get_asset,
    save_config,
)
from app.ui.cert_change_box import cert_change_box
from app.ui.chain_settings import (  # check_rpc_url: re-exported for its old importers
    ChainFields,
    NodeFields,
    check_rpc_url,  # noqa: F401
)
from app.ui.errors import UnknownLanguageError
from app.ui.forms import ThemedDialog, _tr, describe, error_label, set_error
from app.ui.i18n import LANGUAGES, normalize_language, resource_dir
from app.ui.qt import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QShowEvent,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.safety_settings import SafetySection, stored_form
from app.ui.style import palette as theme_palette
from app.wallet.errors import WalletError

# `$$` is a literal `$` in a style.fill template.
_CHEVRON = (resource_dir() / "icons" / "chevron-down.svg").as_posix().replace("$", "$$")
# Added to the dialogs' rules (style.dialog_style); the combo boxes' colours come from there.
SETTINGS_RULES = f"""
QLabel#section {{ font-size: 15px; font-weight: 600; padding: 10px 0 0 0; margin: 0; }}
QComboBox::drop-down {{ border: none; width: 26px; }}
QComboBox::down-arrow {{ image: url({_CHEVRON}); width: 12px; height: 12px; }}
QPushButton#secondary:disabled {{ background: $disabled_bg; color: $disabled_text; }}
"""


STATUS_REFRESH_MS = 5000


def network_name(network: Network) -> str:
    return {
        Network.MAINNET: _tr("SettingsDialog", "mainnet (real money)"),
        Network.TESTNET: _tr("SettingsDialog", "testnet"),
        Network.REGTEST: _tr("SettingsDialog", "the local simnet"),
    }[network]


class SettingsDialog(ThemedDialog):
    RULES = SETTINGS_RULES
    saved = Signal(object)  # AppConfig
    theme_changed = Signal(str)
    language_changed = Signal(str)

    def __init__(
        self,
        config: AppConfig,
        datadir: Path,
        parent: QWidget | None = None,
        dex_check: Callable[[str], str | None] | None = None,
        chain_status: Callable[[str], Awaitable[ChainStatus]] | None = None,
        trust_certificate: Callable[[str, CertChange], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.config, self.datadir = config, Path(datadir)
        self.dex_check = dex_check
        self.chain_status = chain_status  # the core's: how each chain is reached now
        self.trust_certificate = trust_certificate  # the core's: pin a refused certificate
        self.cert_box: QMessageBox | None = None
        self._status_task: asyncio.Future[None] | None = None
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_REFRESH_MS)
        self.status_timer.timeout.connect(self._spawn_status)
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(1000)  # two columns: connections | safety limits and looks
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel(self.tr("Settings"))
        title.setObjectName("title")
        layout.addWidget(title)
        self.network_note = QLabel(
            self.tr("This wallet is on {network}; one data directory = one network.").format(
                network=network_name(config.network)
            )
        )
        self.network_note.setObjectName("muted")
        self.network_note.setWordWrap(True)
        layout.addWidget(self.network_note)  # read-only: fixed when the wallet was made

        columns = QHBoxLayout()  # its spacing would pass down to the columns: a gap instead
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(32)
        columns.addLayout(right, 1)
        layout.addLayout(columns)
        self._build_dex(left, config)
        self._build_chains(left, config)
        left.addStretch(1)
        right.addWidget(self._section(self.tr("Safety limits")))
        self.safety = SafetySection(config)
        self.safety.changed.connect(self.validate)
        right.addWidget(self.safety)
        self._build_appearance(right, config)
        right.addStretch(1)
        self.save_error = error_label()
        layout.addWidget(self.save_error)
        layout.addLayout(self._buttons())
        self.validate()

    def _build_dex(self, column: QVBoxLayout, config: AppConfig) -> None:
        column.addWidget(self._section(self.tr("DEX server")))
        self.dex_url = QLineEdit(config.dex_url)
        self.dex_url.setPlaceholderText("wss://dex.example.org:7232")
        self.dex_url.textChanged.connect(self.validate)
        self.dex_error = error_label()
        column.addWidget(self.dex_url)
        column.addWidget(self.dex_error)
        column.addWidget(
            _muted(
                self.tr(
                    "A new server is used at once, once no order is open and "
                    "no swap is active on the current one."
                )
            )
        )

    def _build_chains(self, column: QVBoxLayout, config: AppConfig) -> None:
        """A tab per chain: light (its Electrum server list) or one's own node."""
        column.addWidget(self._section(self.tr("Chain backends")))
        column.addWidget(
            _muted(
                self.tr(
                    "Per chain: Electrum servers (light: no download, every "
                    "confirmation checked against the chain's proof of work; the "
                    "servers see your addresses) or your own node."
                )
            )
        )
        self.chain_tabs = QTabWidget()
        self.chains: dict[str, ChainFields] = {}
        self.nodes: dict[str, NodeFields] = {}  # each chain's own-node fields
        for symbol in sorted(set(SYMBOLS) | set(config.nodes)):
            asset = get_asset(symbol, config.network)
            chain = ChainFields(asset, config.nodes.get(symbol))
            self.chain_tabs.addTab(chain, asset.name)
            self.chains[symbol] = chain
            self.nodes[symbol] = chain.node_fields
            chain.status.setVisible(self.chain_status is not None)
            chain.node_fields.url.textChanged.connect(self.validate)
            chain.kind.currentIndexChanged.connect(lambda _i: self.validate())
            chain.server_list.changed.connect(self.validate)
            chain.trust_requested.connect(lambda change, s=symbol: self._ask_trust(s, change))
        column.addWidget(self.chain_tabs)

    def _build_appearance(self, column: QVBoxLayout, config: AppConfig) -> None:
        column.addWidget(self._section(self.tr("Appearance")))
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
        column.addLayout(form)
        self.restart_note = QLabel(self.tr("The new language is used from the next start."))
        self.restart_note.setObjectName("muted")
        self.restart_note.setVisible(False)
        column.addWidget(self.restart_note)
        self.language.currentIndexChanged.connect(
            lambda _: self.restart_note.setVisible(self.language.currentData() != current)
        )
        self.theme.currentIndexChanged.connect(
            lambda _: self.apply_palette(theme_palette(str(self.theme.currentData())))
        )

    def _buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        cancel = QPushButton(self.tr("Cancel"))
        cancel.setObjectName("secondary")
        cancel.clicked.connect(self.reject)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.clicked.connect(self.save)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        return buttons

    # --- the status line of each chain (of the applied settings, not of the fields) ---------

    async def refresh_status(self) -> None:
        """Ask the core how each chain is reached, all chains at once."""
        if self.chain_status is None:
            return
        source = self.chain_status

        async def one(symbol: str, chain: ChainFields) -> None:
            chain.show_status(await source(symbol))

        await asyncio.gather(*(one(s, c) for s, c in self.chains.items()))

    def _ask_trust(self, symbol: str, change: CertChange) -> None:
        self.cert_box = cert_change_box(self, change, lambda c: self._trust(symbol, c))

    def _trust(self, symbol: str, change: CertChange) -> None:
        if self.trust_certificate is None:
            return
        try:
            self.trust_certificate(symbol, change)
        except WalletError as exc:  # the pin file is damaged, or the pin moved meanwhile
            self.chains[symbol].status.setText(str(exc))
            return
        self.chains[symbol].trust_button.setVisible(False)
        self._spawn_status()  # the server is asked again

    def _spawn_status(self) -> None:
        if self._status_task is not None and not self._status_task.done():
            return  # the last check is still waiting for a slow server
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop (a test without one): no live status
        self._status_task = asyncio.ensure_future(self.refresh_status())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.chain_status is not None:
            self._spawn_status()
            self.status_timer.start()

    def done(self, result: int) -> None:
        self.status_timer.stop()
        if self._status_task is not None:
            self._status_task.cancel()
            self._status_task = None
        super().done(result)

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
        for chain in self.chains.values():
            ok = chain.problem() is None and ok
        ok = self.safety.limits() is not None and ok  # every field's message shown at once
        self.save_button.setEnabled(ok)
        return ok

    def result_config(self) -> AppConfig:
        """The config in the fields; call after validate() (bad safety limits keep the
        saved ones here, and validate() has refused the save)."""
        nodes = {s: n for s, c in self.chains.items() if (n := c.node()) is not None}
        limits = self.safety.limits()
        safety = self.config.safety if limits is None else stored_form(limits, self.config.network)
        return replace(
            self.config,
            dex_url=self.dex_url.text().strip(),
            nodes=nodes,
            language=str(self.language.currentData()),
            theme=str(self.theme.currentData()),
            safety=dict(safety),
        )

    def save(self) -> bool:
        if not self.validate():
            return False
        new = self.result_config()
        refusal = (
            self.dex_check(new.dex_url)
            if self.dex_check is not None and new.dex_url != self.config.dex_url
            else None
        )
        if refusal:
            self.dex_error.setText(refusal)
            set_error(self.dex_url, True)
            return False
        try:
            save_config(self.datadir, new)
        except OSError as exc:
            self.save_error.setText(
                self.tr("Could not save the settings: {error}").format(
                    error=exc.strerror or str(exc)
                )
            )
            return False
        old, self.config = self.config, new
        self.saved.emit(new)
        if new.theme != old.theme:
            self.theme_changed.emit(new.theme)
        if new.language != old.language:
            self.language_changed.emit(new.language)
        self.accept()
        return True


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label
