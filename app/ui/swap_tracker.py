"""The step tracker of a swap card: dots joined by a line, painted (cheap, crisp, themeable),
and under the step in progress what it waits for: "1 of 2 confirmations on LTC · about 3 min"."""

from __future__ import annotations

from app.client.swap_rows import Mark, Step, Wait
from app.ui.chart_paint import faded
from app.ui.forms import _tr
from app.ui.qt import QColor, QPainter, QPaintEvent, QPen, QRect, QSize, Qt, QWidget
from app.ui.style import Palette, current_palette


def eta_text(seconds: int) -> str:
    """A rough wait, from the chain's block interval: blocks come when they come."""
    if seconds < 60:
        return _tr("StepTracker", "under a minute")
    minutes = -(-seconds // 60)
    if minutes < 120:
        return _tr("StepTracker", "about {n} min").format(n=minutes)
    return _tr("StepTracker", "about {n} h").format(n=-(-minutes // 60))


def wait_text(wait: Wait, have: int, need: int | None = None) -> str:
    """`have` of the confirmations `wait` needs (`need` overrides its count), and while
    some are missing, how long they may take."""
    need = wait.need if need is None else need
    text = _tr("StepTracker", "{have} of {need} confirmations on {chain}").format(
        have=min(have, need), need=need, chain=wait.asset.upper()
    )
    if have < need:
        text += " · " + eta_text((need - have) * wait.block_seconds)
    return text


def mark_colors(p: Palette) -> dict[Mark, str]:
    return {
        Mark.DONE: p.ok,
        Mark.ACTIVE: p.accent,
        Mark.TODO: p.todo_step,
        Mark.WARN: p.warn,
        Mark.BAD: p.error_border,
    }


DOT = 14
HEIGHT, WAIT_LINE = 46, 18


class StepTracker(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps: tuple[tuple[Step, Mark], ...] = ()
        self.waiting = ""  # under the active step (wait_text)
        self.setMinimumHeight(HEIGHT)

    def labels(self) -> dict[Step, str]:
        return {
            Step.MATCHED: self.tr("Matched"),
            Step.OUR_INIT: self.tr("Our init"),
            Step.THEIR_INIT: self.tr("Their init"),
            Step.REDEEMED: self.tr("Redeemed"),
            Step.REFUNDED: self.tr("Refunded"),
            Step.FAILED: self.tr("Failed"),
        }

    def set_steps(self, steps: tuple[tuple[Step, Mark], ...]) -> None:
        if steps != self.steps:
            self.steps = steps
            self.setToolTip(" → ".join(f"{self.labels()[s]} ({m.value})" for s, m in steps))
            self.update()

    def set_waiting(self, text: str) -> None:
        if text != self.waiting:
            grows = bool(text) != bool(self.waiting)
            self.waiting = text
            if grows:
                self.setMinimumHeight(HEIGHT + (WAIT_LINE if text else 0))
                self.updateGeometry()
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, HEIGHT + (WAIT_LINE if self.waiting else 0))

    def paintEvent(self, event: QPaintEvent) -> None:
        n = len(self.steps)
        if n == 0:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        p = current_palette()  # read per paint: a theme switch repaints every widget
        colors = mark_colors(p)
        width = self.width()
        slot = width / n
        centers = [int(slot * i + slot / 2) for i in range(n)]
        y = DOT // 2 + 4
        for i in range(n - 1):  # the line to the next step is lit once that step is reached
            reached = self.steps[i + 1][1] in (Mark.DONE, Mark.WARN, Mark.BAD)
            line = colors[self.steps[i + 1][1]] if reached else colors[Mark.TODO]
            painter.setPen(QPen(QColor(line), 2))
            painter.drawLine(centers[i] + DOT // 2 + 3, y, centers[i + 1] - DOT // 2 - 3, y)
        labels = self.labels()
        for (step, mark), x in zip(self.steps, centers, strict=True):
            color = QColor(colors[mark])
            painter.setPen(QPen(color, 2))
            painter.setBrush(color if mark is not Mark.TODO else QColor(p.surface))
            painter.drawEllipse(x - DOT // 2, y - DOT // 2, DOT, DOT)
            if mark is Mark.ACTIVE:  # a ring around the step we are waiting on
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(faded(QColor(p.accent), 90), 4))
                painter.drawEllipse(x - DOT // 2 - 3, y - DOT // 2 - 3, DOT + 6, DOT + 6)
            painter.setPen(QColor(p.text if mark is not Mark.TODO else p.muted))
            painter.drawText(
                QRect(int(x - slot / 2), y + DOT // 2 + 4, int(slot), 18),
                int(Qt.AlignmentFlag.AlignHCenter),
                labels[step],
            )
        active = [
            x for (_s, mark), x in zip(self.steps, centers, strict=True) if mark is Mark.ACTIVE
        ]
        if self.waiting and active:  # centred under the step, kept inside the widget
            painter.setPen(QColor(p.muted))
            text_w = painter.fontMetrics().horizontalAdvance(self.waiting) + 8
            left = max(0, min(width - text_w, active[0] - text_w // 2))
            painter.drawText(
                QRect(left, HEIGHT - 4, text_w, WAIT_LINE),
                int(Qt.AlignmentFlag.AlignHCenter),
                self.waiting,
            )
        painter.end()
