"""The main window's own stylesheet (section titles, banner, tables), built from the palette."""

from __future__ import annotations

from app.ui.style import fill, palette

WINDOW_TEMPLATE = """
QLabel#section { font-size: 15px; font-weight: 600; color: $text; }
QLabel#cardtitle { font-size: 14px; font-weight: 600; }
QLabel#markettitle { font-size: 18px; font-weight: 700; }
QLabel#pill { background: $raised; color: $tab_text; border-radius: 9px; padding: 2px 10px; }
QFrame#banner { background: $banner_bg; border: 1px solid $banner_border; border-radius: 8px; }
QFrame#banner QLabel { color: $banner_text; }
QTableWidget { background: $surface; border: 1px solid $border; border-radius: 10px;
               alternate-background-color: $surface_alt; gridline-color: $border; }
QTableWidget::item { padding: 4px 8px; }
QTableWidget::item:selected { background: $selection; color: $text; }
QHeaderView::section { background: $surface; color: $muted; border: none;
                       border-bottom: 1px solid $border; padding: 6px 8px; }
QPushButton#rowbutton { background: $raised; color: $text; padding: 4px 10px; min-width: 64px;
                        margin: 4px 8px; font-weight: 500; }
QPushButton#rowbutton:hover { background: $raised_hover; }
QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }
QLabel#fact { font-family: $mono; color: $text_soft; }
QLabel#epochcheck { color: $muted; font-size: 12px; padding-top: 6px; }
QLabel#epochcheck[verdict="problem"] { color: $warn; font-weight: 600; }
QFrame#banner[kind="refused"] { border-color: $error_border; }
"""


def window_css(theme: str) -> str:
    return fill(WINDOW_TEMPLATE, palette(theme))
