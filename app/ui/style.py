"""The themes' stylesheets (one place, so every screen looks like one product)."""

DARK = """
QWidget { background: #14171c; color: #e6e8eb; font-size: 13px; }
QLabel { background: transparent; }
QMainWindow::separator { background: #20252d; }
QTabWidget::pane { border: 1px solid #262c35; border-radius: 8px; top: -1px; }
QTabBar::tab { background: #1b1f26; color: #9aa3ad; padding: 8px 20px; border: 1px solid #262c35;
               border-bottom: none; border-top-left-radius: 6px; border-top-right-radius: 6px; }
QTabBar::tab:selected { background: #232932; color: #ffffff; }
QFrame#card { background: #1b1f26; border: 1px solid #262c35; border-radius: 10px; }
QLabel#title { font-size: 20px; font-weight: 600; }
QLabel#muted { color: #8a939e; }
QLabel#amount { font-size: 26px; font-weight: 600; font-family: "DejaVu Sans Mono", monospace; }
QLabel#figure { font-size: 15px; font-family: "DejaVu Sans Mono", monospace; }
QLabel#address { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; color: #cfe3ff; }
QLabel#banner { background: #3a2f12; color: #f5d37a; padding: 6px 12px; border-radius: 6px; }
QPushButton { background: #2d6cdf; color: white; border: none; border-radius: 6px;
              padding: 7px 16px; font-weight: 600; }
QPushButton:hover { background: #3b7bf0; }
QPushButton#secondary { background: #2a3039; color: #e6e8eb; }
QStatusBar { background: #101317; color: #8a939e; }
"""

# The same rules in light colours; Settings switches between the two (config `theme`).
LIGHT = """
QWidget { background: #f6f7f9; color: #1f2328; font-size: 13px; }
QLabel { background: transparent; }
QMainWindow::separator { background: #d8dde3; }
QTabWidget::pane { border: 1px solid #d8dde3; border-radius: 8px; top: -1px; }
QTabBar::tab { background: #eceff3; color: #59636e; padding: 8px 20px; border: 1px solid #d8dde3;
               border-bottom: none; border-top-left-radius: 6px; border-top-right-radius: 6px; }
QTabBar::tab:selected { background: #ffffff; color: #1f2328; }
QFrame#card { background: #ffffff; border: 1px solid #d8dde3; border-radius: 10px; }
QLabel#title { font-size: 20px; font-weight: 600; }
QLabel#muted { color: #636c76; }
QLabel#amount { font-size: 26px; font-weight: 600; font-family: "DejaVu Sans Mono", monospace; }
QLabel#figure { font-size: 15px; font-family: "DejaVu Sans Mono", monospace; }
QLabel#address { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; color: #0b4fa8; }
QLabel#banner { background: #fff3c4; color: #6b4a00; padding: 6px 12px; border-radius: 6px; }
QPushButton { background: #2d6cdf; color: white; border: none; border-radius: 6px;
              padding: 7px 16px; font-weight: 600; }
QPushButton:hover { background: #3b7bf0; }
QPushButton#secondary { background: #e4e8ee; color: #1f2328; }
QStatusBar { background: #eceff3; color: #59636e; }
"""

THEMES: dict[str, str] = {"dark": DARK, "light": LIGHT}


def stylesheet(theme: str) -> str:
    """The stylesheet of a config `theme` value; anything unknown falls back to dark."""
    return THEMES.get(theme, DARK)

# Inputs in light colours, for dialogs that otherwise use forms.FORM_STYLE (a dark sheet).
LIGHT_FORM = """
QLineEdit { background: #ffffff; border: 1px solid #c9d1d9; border-radius: 6px;
            padding: 7px 10px; color: #1f2328; selection-background-color: #2d6cdf; }
QLineEdit:focus { border-color: #2d6cdf; }
QLineEdit[error="true"] { border-color: #cf222e; background: #fff5f5; }
QLineEdit:disabled { color: #8c959f; background: #f0f2f5; }
QLabel#error { color: #cf222e; min-height: 20px; }
QLabel#fieldlabel { color: #424a53; font-weight: 600; }
QPushButton:disabled { background: #c8d4ea; color: #f6f8fa; }
QComboBox { background: #ffffff; border: 1px solid #c9d1d9; border-radius: 6px;
            padding: 6px 10px; color: #1f2328; }
QComboBox QAbstractItemView { background: #ffffff; color: #1f2328;
                              selection-background-color: #2d6cdf; }
QPushButton#speed { background: #ffffff; border: 1px solid #c9d1d9; border-radius: 8px;
                    padding: 8px; color: #424a53; font-weight: 500; }
QPushButton#speed:checked { border-color: #2d6cdf; background: #eaf1fd; color: #0b3d91; }
QLabel#txid { font-family: "DejaVu Sans Mono", monospace; color: #0b4fa8; }
QLabel#warn { color: #9a6700; }
"""
