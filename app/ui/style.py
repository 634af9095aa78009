"""The dark theme's stylesheet (one place, so every screen looks like one product)."""

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
