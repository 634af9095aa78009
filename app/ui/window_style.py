"""The main window's own stylesheet (section titles, banner, tables) in both themes."""

from __future__ import annotations

WINDOW_CSS = """
QLabel#section { font-size: 15px; font-weight: 600; color: #e6e8eb; }
QLabel#cardtitle { font-size: 14px; font-weight: 600; }
QLabel#markettitle { font-size: 18px; font-weight: 700; }
QLabel#pill { background: #232932; color: #9aa3ad; border-radius: 9px; padding: 2px 10px; }
QFrame#banner { background: #2a2410; border: 1px solid #5a4a16; border-radius: 8px; }
QFrame#banner QLabel { color: #f5d37a; }
QTableWidget { background: #1b1f26; border: 1px solid #262c35; border-radius: 10px;
               alternate-background-color: #1e232a; gridline-color: #262c35; }
QTableWidget::item { padding: 4px 8px; }
QTableWidget::item:selected { background: #243349; }
QHeaderView::section { background: #1b1f26; color: #8a939e; border: none;
                       border-bottom: 1px solid #262c35; padding: 6px 8px; }
QPushButton#rowbutton { background: #2a3039; color: #e6e8eb; padding: 4px 10px; min-width: 64px;
                        margin: 4px 8px; font-weight: 500; }
QPushButton#rowbutton:hover { background: #3a414c; }
QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }
"""

# The same rules in light colours (Settings > Theme switches them live).
WINDOW_LIGHT_CSS = """
QLabel#section { font-size: 15px; font-weight: 600; color: #1f2328; }
QLabel#cardtitle { font-size: 14px; font-weight: 600; }
QLabel#markettitle { font-size: 18px; font-weight: 700; }
QLabel#pill { background: #e4e8ee; color: #59636e; border-radius: 9px; padding: 2px 10px; }
QFrame#banner { background: #fff3c4; border: 1px solid #e6c65c; border-radius: 8px; }
QFrame#banner QLabel { color: #6b4a00; }
QTableWidget { background: #ffffff; border: 1px solid #d8dee4; border-radius: 10px;
               alternate-background-color: #f6f8fa; gridline-color: #d8dee4; }
QTableWidget::item { padding: 4px 8px; }
QTableWidget::item:selected { background: #dbe7fb; color: #1f2328; }
QHeaderView::section { background: #ffffff; color: #59636e; border: none;
                       border-bottom: 1px solid #d8dee4; padding: 6px 8px; }
QPushButton#rowbutton { background: #e4e8ee; color: #1f2328; padding: 4px 10px; min-width: 64px;
                        margin: 4px 8px; font-weight: 500; }
QPushButton#rowbutton:hover { background: #d5dbe3; }
QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }
"""


def window_css(theme: str) -> str:
    return WINDOW_LIGHT_CSS if theme == "light" else WINDOW_CSS
