"""The epoch countdown: time until the current epoch closes and its orders are matched.

    timer.set_epoch_length(config.epochlen)        # ms, from the server's config
    timer.sync(server_now)                          # ServerTime: the server's clock now

Beneath it, `EpochCheckMark` says how the fairness check of our epochs went (EpochChecked):
a quiet "verified" after a good one, a warning naming the epoch and the problem otherwise,
kept until a later epoch of the market verifies.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.client.events import EpochChecked
from app.client.views import Countdown, ServerClock, epoch_countdown, format_countdown
from app.ui.chart_paint import chart_colors, chart_font
from app.ui.qt import QLabel, QPainter, QPaintEvent, QRectF, QSize, Qt, QTimer, QWidget
from app.ui.safety_model import EpochChecks, Verdict
from app.ui.style import Palette, current_palette, palette

TICK_MS = 100


def local_ms() -> int:
    return time.time_ns() // 1_000_000


class EpochTimer(QWidget):
    def __init__(self, parent: QWidget | None = None, clock: Callable[[], int] = local_ms) -> None:
        super().__init__(parent)
        self.clock = clock  # injected so tests can step time
        self.server = ServerClock()
        self.epochlen = 0
        self.colors = chart_colors(current_palette())
        self.setMinimumSize(220, 40)
        self.setToolTip(
            self.tr(
                "Orders are collected for one epoch, then matched together "
                "in a shuffled order when it closes."
            )
        )
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.update)

    def sizeHint(self) -> QSize:
        return QSize(260, 44)

    def set_epoch_length(self, epochlen_ms: int) -> None:
        self.epochlen = max(0, epochlen_ms)
        if self.epochlen:
            self._timer.start()
        else:
            self._timer.stop()
        self.update()

    def sync(self, server_ms: int) -> None:
        self.server.sync(server_ms, self.clock())
        self.update()

    def set_theme(self, theme: str) -> None:
        self.apply_palette(palette(theme))

    def apply_palette(self, palette: Palette) -> None:  # style.Themed
        self.colors = chart_colors(palette)
        self.update()

    def countdown(self) -> Countdown | None:
        if not self.epochlen:
            return None
        return epoch_countdown(self.epochlen, max(0, self.server.now(self.clock())))

    def text(self) -> str:
        left = self.countdown()
        if left is None:
            return self.tr("Epoch: waiting for the server")
        return self.tr("Epoch {epoch} · matching in {time}").format(
            epoch=left.epoch, time=format_countdown(left.remaining_ms)
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        c = self.colors
        left = self.countdown()
        r = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        painter.setFont(chart_font(11, mono=False))
        painter.setPen(c.axis_text)
        label_rect = QRectF(r.left(), r.top(), r.width(), r.height() - 8)
        if left is None:
            painter.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter, self.text())
            return
        painter.drawText(
            label_rect,
            Qt.AlignmentFlag.AlignVCenter,
            self.tr("Epoch {epoch} · next match in").format(epoch=left.epoch),
        )
        # The last second turns red: an order sent now may land in the next epoch.
        urgent = left.remaining_ms < 1000
        accent = c.down if urgent else c.accent
        painter.setFont(chart_font(15, bold=True))
        painter.setPen(c.text if not urgent else accent)
        painter.drawText(
            label_rect,
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            format_countdown(left.remaining_ms),
        )
        bar = QRectF(r.left(), r.bottom() - 4, r.width(), 3)
        painter.fillRect(bar, c.grid)
        done = bar.width() * left.elapsed_ppm / 1_000_000
        painter.fillRect(QRectF(bar.left(), bar.top(), done, bar.height()), accent)


class EpochCheckMark(QLabel):
    """Styled by the window sheet: `QLabel#epochcheck`, its `verdict` property picks the colour
    (muted when verified, the palette's warning colour on a problem)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("epochcheck")
        self.setWordWrap(True)
        self.checks = EpochChecks()
        self.market = ""
        self.setVisible(False)  # until an epoch holding one of our orders was checked

    def set_market(self, market: str) -> None:
        self.market = market
        self._show()

    def add(self, event: EpochChecked) -> None:
        self.checks.add(event)
        if event.market == self.market:
            self._show()

    def verdict(self) -> str:
        return str(self.property("verdict") or "")

    def _show(self) -> None:
        mark = self.checks.mark(self.market)
        self.setVisible(mark is not None)
        if mark is None:
            return
        if mark.verdict is Verdict.VERIFIED:
            self.setText("✓ " + self.tr("Epoch {epoch} verified").format(epoch=mark.epoch))
            self.setToolTip(
                self.tr(
                    "Epoch {epoch} held one of your orders; the order list and "
                    "shuffle seed the server published for it check out."
                ).format(epoch=mark.epoch)
            )
        else:
            problems = "; ".join(mark.problems)
            self.setText(
                "⚠ "
                + self.tr("Epoch {epoch}: {problems}").format(epoch=mark.epoch, problems=problems)
            )
            self.setToolTip(
                self.tr(
                    "What the server published for epoch {epoch} does not "
                    "check out: {problems}. This warning stays until a later "
                    "epoch verifies."
                ).format(epoch=mark.epoch, problems=problems)
            )
        if self.property("verdict") != mark.verdict.value:
            self.setProperty("verdict", mark.verdict.value)
            self.style().unpolish(self)  # the sheet reads the property again
            self.style().polish(self)
