"""Render resources/icons/cambio.svg to the PNG sizes the desktop entry and bundles use.

Run after editing the SVG: .venv/bin/python packaging/render_icon.py
(uses QtSvg at build time only; the app loads the files through QIcon).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = {"cambio.png": 256}


def render(svg: Path, out: Path, size: int) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"could not write {out}")


def main() -> int:
    _app = QGuiApplication([*sys.argv[:1], "-platform", "offscreen"])
    for name, size in SIZES.items():
        render(ICONS / "cambio.svg", ICONS / name, size)
        print(f"wrote {ICONS / name} ({size}x{size})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
