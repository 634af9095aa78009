"""Status bar: the DEX connection and each chain, as coloured dots with short texts.

A chain's line says how it is reached (`show_chain`: light over Electrum, or a node that is
behind). Drops and reconnects are shown (and the last drop's reason in a tooltip) but never block:
everything here is set from signals and from the window's periodic refresh. A server switch
(Settings) starts the DEX indicator over: "switching", then connected or the failure.
"""

from __future__ import annotations

import time

from app.client.views import ELECTRUM, NODE, ChainStatus
from app.ui.chain_settings import status_text
from app.ui.qt import QHBoxLayout, QLabel, QStatusBar, QWidget

GREEN, AMBER, RED, GREY = "#2ea043", "#d29922", "#e5534b", "#6e7681"


class Indicator(QWidget):
    """A dot and a text: one connection's state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 0, 10, 0)
        layout.setSpacing(6)
        self.dot = QLabel("●")
        self.text = QLabel()
        layout.addWidget(self.dot)
        layout.addWidget(self.text)
        self.color = GREY

    def set(self, color: str, text: str, tip: str = "") -> None:
        self.color = color
        self.dot.setStyleSheet(f"color: {color}; font-size: 11px;")
        self.text.setText(text)
        self.setToolTip(tip)


class StatusBar(QStatusBar):
    def __init__(self, symbols: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.dex = Indicator()
        self.dex.set(GREY, self.tr("DEX: connecting…"))
        self.addPermanentWidget(self.dex)
        self.chains: dict[str, Indicator] = {}
        for symbol in symbols:
            ind = Indicator()
            ind.set(GREY, self.tr("{0}: connecting…").format(symbol.upper()))
            self.addPermanentWidget(ind)
            self.chains[symbol] = ind
        self.drops = 0
        self.was_connected = False
        self.host = ""

    def set_dex(self, connected: bool, detail: str) -> None:
        if connected:
            if detail.startswith(("ws://", "wss://")):
                self.host = detail.split("://", 1)[1]
            text = (
                self.tr("DEX: reconnected")
                if self.drops and not self.was_connected
                else self.tr("DEX: connected")
            )
            self.dex.set(GREEN, text, self.host or detail)
            if self.drops and not self.was_connected:
                self.showMessage(self.tr("Reconnected to the DEX server"), 5000)
        elif not self.was_connected and not self.drops:  # never reached this server yet
            self.dex.set(
                RED,
                self.tr("DEX: cannot connect, retrying"),
                f"{self.host}: {detail}" if self.host else detail,
            )
        else:
            if self.was_connected:
                self.drops += 1
                self.showMessage(
                    self.tr(
                        "Connection to the DEX server lost; reconnecting "
                        "in the background. Swaps keep settling on chain."
                    ),
                    8000,
                )
            self.dex.set(
                AMBER,
                self.tr("DEX: reconnecting…"),
                self.tr("Last drop {0}: {1}").format(time.strftime("%H:%M:%S"), detail),
            )
        self.was_connected = connected

    def set_switching(self, url: str) -> None:
        """Moving to another server: its drops and reconnects are counted afresh."""
        self.host = url.split("://", 1)[-1]
        self.drops, self.was_connected = 0, False
        self.dex.set(AMBER, self.tr("DEX: switching to {0}…").format(self.host), url)

    def set_no_server(self) -> None:
        self.dex.set(
            GREY, self.tr("DEX: no server configured"), self.tr("Enter a DEX server in Settings")
        )

    def set_registering(self) -> None:
        self.dex.set(
            AMBER,
            self.tr("DEX: registering…"),
            self.tr("Paying the registration fee; waiting for its confirmation"),
        )

    def show_chain(self, status: ChainStatus, note: str = "") -> None:
        """One chain's line: its height and how it is reached (light, over Electrum with our
        own checked headers, or a node), amber when the answers may lag the network; the
        tooltip is the full status line of Settings."""
        ind, sym = self.chains[status.symbol], status.symbol.upper()
        tip = "\n".join(t for t in (status_text(status), note) if t)
        if not status.reachable:
            if status.kind not in (ELECTRUM, NODE):
                self.set_chain(status.symbol, None, "unconfigured")
            else:
                ind.set(RED, self.tr("{0}: offline, retrying").format(sym), tip)
        elif status.kind == ELECTRUM:
            color = AMBER if status.dropped or status.cert_changes else GREEN
            if status.cert_changes:
                tip += "\n" + self.tr("A server's certificate changed: see Settings")
            ind.set(color, self.tr("{0}: block {1} · light").format(sym, status.height), tip)
        elif status.behind:
            ind.set(AMBER, self.tr("{0}: block {1} · node behind").format(sym, status.height), tip)
        else:
            ind.set(GREEN, self.tr("{0}: block {1}").format(sym, status.height), tip)

    def set_chain(self, symbol: str, height: int | None, problem: str = "", note: str = "") -> None:
        ind = self.chains[symbol]
        if height is not None:
            ind.set(GREEN, self.tr("{0}: block {1}").format(symbol.upper(), height), note)
        elif problem == "unconfigured":
            ind.set(GREY, self.tr("{0}: no node configured").format(symbol.upper()))
        else:
            ind.set(RED, self.tr("{0}: offline, retrying").format(symbol.upper()), problem)
