"""The themes: one Palette per theme, and every stylesheet of the app built from it.

Colours live only here (tests/gui/test_theme_palette.py greps app/ui for stray hex literals).
Stylesheets are templates over the palette's field names (`$text`, `$surface`, ...); painted
widgets read the palette's fields directly. Settings > Theme switches live:

    apply_app_theme("light")   # current palette, the app's stylesheet, then every widget with
                               # an `apply_palette(palette)` method (the `Themed` protocol)

Widgets built later start from `current_palette()`, so a dialog or a swap card opened after
a switch already has the right colours.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from string import Template
from typing import Protocol, runtime_checkable

from app.ui.qt import QApplication

MONO = '"DejaVu Sans Mono", monospace'


@dataclass(frozen=True)
class Palette:
    """One theme's colours as `#rrggbb` strings (stylesheets take them as they are; painted
    widgets make QColors once per switch)."""

    name: str
    # surfaces, back to front
    window: str  # the window behind the cards
    surface: str  # cards, tables
    panel: str  # the book and the charts inside their cards
    surface_alt: str  # alternate table rows, popups
    raised: str  # segment buttons, pills, combo boxes, secondary buttons
    raised_hover: str
    sunken: str  # text inputs
    tab: str
    tab_selected: str
    status_bar: str
    # lines
    border: str
    input_border: str
    separator: str
    grid: str  # chart grid lines
    # text
    text: str
    text_strong: str  # selected tab, checked segment
    text_soft: str  # order book amounts: a notch below the prices' colour
    label: str  # field labels
    muted: str  # secondary text
    faint: str  # axis labels, book totals, times
    tab_text: str
    disabled_text: str
    disabled_bg: str
    link: str  # addresses and transaction IDs
    link_button: str  # flat text buttons (Max)
    # accent and states
    accent: str
    accent_hover: str
    accent_soft: str  # a checked choice's background
    accent_disabled: str
    on_accent: str  # text on accent, buy and sell buttons
    on_accent_disabled: str
    ok: str
    warn: str
    error: str
    error_border: str
    error_bg: str
    banner_bg: str
    banner_border: str
    banner_text: str
    # trading
    up: str  # bids, buys, rising prices
    down: str  # asks, sells, falling prices
    buy: str  # the buy button
    buy_hover: str
    sell: str
    sell_hover: str
    book_hover: str  # the book row under the mouse
    selection: str  # a selected table row
    crosshair: str
    depth_alpha: int  # of `up`/`down` behind a book row: cumulative depth
    level_alpha: int  # the level's own size (drawn over the depth bar)
    todo_step: str  # a swap step not reached yet


DARK_PALETTE = Palette(
    name="dark",
    window="#14171c",
    surface="#1b1f26",
    panel="#14171c",
    surface_alt="#1e232a",
    raised="#232932",
    raised_hover="#2f3742",
    sunken="#0f1216",
    tab="#1b1f26",
    tab_selected="#232932",
    status_bar="#101317",
    border="#262c35",
    input_border="#2c333d",
    separator="#20252d",
    grid="#1f242c",
    text="#e6e8eb",
    text_strong="#ffffff",
    text_soft="#d0d6dd",
    label="#b9c0c8",
    muted="#8a939e",
    faint="#848d97",
    tab_text="#9aa3ad",
    disabled_text="#5c6570",
    disabled_bg="#171a1f",
    link="#cfe3ff",
    link_button="#58a6ff",
    accent="#2d6cdf",
    accent_hover="#3b7bf0",
    accent_soft="#172235",
    accent_disabled="#26303d",
    on_accent="#ffffff",
    on_accent_disabled="#6b7480",
    ok="#2ea043",
    warn="#d29922",
    error="#ff7b72",
    error_border="#e5534b",
    error_bg="#1d1416",
    banner_bg="#2a2410",
    banner_border="#5a4a16",
    banner_text="#f5d37a",
    up="#3fb950",
    down="#f85149",
    buy="#238636",
    buy_hover="#2ea043",
    sell="#da3633",
    sell_hover="#f85149",
    book_hover="#222833",
    selection="#243349",
    crosshair="#6e7781",
    depth_alpha=34,
    level_alpha=72,
    todo_step="#3a414c",
)

# Text colours keep at least 4.5:1 against white (WCAG AA); bid green and ask red are the
# darker GitHub-light shades so they stay distinct on white and for red-weak eyes by lightness.
LIGHT_PALETTE = Palette(
    name="light",
    window="#f3f5f8",
    surface="#ffffff",
    panel="#ffffff",
    surface_alt="#f6f8fa",
    raised="#eaedf1",
    raised_hover="#dce1e8",
    sunken="#ffffff",
    tab="#e9edf2",
    tab_selected="#ffffff",
    status_bar="#e9edf2",
    border="#d8dde3",
    input_border="#c4ccd5",
    separator="#d8dde3",
    grid="#edf0f3",
    text="#1f2328",
    text_strong="#0d1117",
    text_soft="#2f353d",
    label="#424a53",
    muted="#59636e",
    faint="#636c76",
    tab_text="#59636e",
    disabled_text="#8c959f",
    disabled_bg="#f0f2f5",
    link="#0b4fa8",
    link_button="#0969da",
    accent="#2d6cdf",
    accent_hover="#3b7bf0",
    accent_soft="#eaf1fd",
    accent_disabled="#c8d4ea",
    on_accent="#ffffff",
    on_accent_disabled="#f6f8fa",
    ok="#1a7f37",
    warn="#9a6700",
    error="#cf222e",
    error_border="#cf222e",
    error_bg="#fff5f5",
    banner_bg="#fff3c4",
    banner_border="#e6c65c",
    banner_text="#6b4a00",
    up="#1a7f37",
    down="#cf222e",
    buy="#1f883d",
    buy_hover="#1a7f37",
    sell="#cf222e",
    sell_hover="#a40e26",
    book_hover="#eef2f7",
    selection="#dbe7fb",
    crosshair="#8c959f",
    depth_alpha=30,
    level_alpha=64,
    todo_step="#c4ccd5",
)

PALETTES: dict[str, Palette] = {"dark": DARK_PALETTE, "light": LIGHT_PALETTE}


def palette(theme: str) -> Palette:
    """The palette of a config `theme` value; anything unknown falls back to dark."""
    return PALETTES.get(theme, DARK_PALETTE)


def fill(template: str, p: Palette) -> str:
    """A stylesheet template with `$field` names filled from a palette (and `$mono`)."""
    return Template(template).substitute(asdict(p), mono=MONO)


APP_TEMPLATE = """
QWidget { background: $window; color: $text; font-size: 13px; }
QLabel { background: transparent; }
QMainWindow::separator { background: $separator; }
QTabWidget::pane { border: 1px solid $border; border-radius: 8px; top: -1px; }
QTabBar::tab { background: $tab; color: $tab_text; padding: 8px 20px; border: 1px solid $border;
               border-bottom: none; border-top-left-radius: 6px; border-top-right-radius: 6px; }
QTabBar::tab:selected { background: $tab_selected; color: $text_strong; }
QFrame#card { background: $surface; border: 1px solid $border; border-radius: 10px; }
QLabel#title { font-size: 20px; font-weight: 600; }
QLabel#muted { color: $muted; }
QLabel#amount { font-size: 26px; font-weight: 600; font-family: $mono; }
QLabel#figure { font-size: 15px; font-family: $mono; }
QLabel#address { font-family: $mono; font-size: 13px; color: $link; }
QLabel#banner { background: $banner_bg; color: $banner_text; padding: 6px 12px;
                border-radius: 6px; }
QPushButton { background: $accent; color: $on_accent; border: none; border-radius: 6px;
              padding: 7px 16px; font-weight: 600; }
QPushButton:hover { background: $accent_hover; }
QPushButton#secondary { background: $raised; color: $text; }
QPushButton#secondary:hover { background: $raised_hover; }
QStatusBar { background: $status_bar; color: $muted; }
QToolTip { background: $surface; color: $text; border: 1px solid $border; padding: 4px; }
QMenu { background: $surface; color: $text; border: 1px solid $border; }
QMenu::item:selected { background: $selection; }
"""

# Inputs, choices and progress bars of the dialogs (wizard, unlock, settings, send).
FORM_TEMPLATE = """
QLineEdit { background: $sunken; border: 1px solid $input_border; border-radius: 6px;
            padding: 7px 10px; color: $text; selection-background-color: $accent; }
QLineEdit:focus { border-color: $accent; }
QLineEdit[error="true"] { border-color: $error_border; background: $error_bg; }
QLineEdit:disabled { color: $disabled_text; background: $disabled_bg; border-color: $border; }
QLabel#error { color: $error; min-height: 20px; }
QLabel#fieldlabel { color: $label; font-weight: 600; }
QLabel#choicetitle { font-size: 15px; font-weight: 600; }
QLabel#word { font-family: $mono; font-size: 15px; font-weight: 600; }
QLabel#wordnum { font-family: $mono; color: $faint; min-width: 20px; }
QFrame#wordcell { background: $surface; border: 1px solid $border; border-radius: 8px; }
QPushButton#choice { background: $surface; border: 1px solid $border; border-radius: 10px;
                     color: $text; }
QPushButton#choice:hover { background: $surface_alt; border-color: $accent; }
QPushButton:disabled { background: $accent_disabled; color: $on_accent_disabled; }
QCheckBox, QRadioButton { spacing: 10px; background: transparent; }
QCheckBox::indicator, QRadioButton::indicator { width: 16px; height: 16px;
    border: 1px solid $input_border; background: $sunken; }
QCheckBox::indicator { border-radius: 4px; }
QRadioButton::indicator { border-radius: 9px; }
QCheckBox::indicator:hover, QRadioButton::indicator:hover { border-color: $accent; }
QCheckBox::indicator:checked { border: 4px solid $accent; width: 10px; height: 10px;
    background: $on_accent; border-radius: 4px; }
QRadioButton::indicator:checked { border-color: $accent; background: qradialgradient(
    cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5, stop:0 $on_accent, stop:0.38 $on_accent,
    stop:0.5 $accent, stop:1 $accent); }
QProgressBar { background: $raised; border: none; border-radius: 2px; max-height: 4px; }
QProgressBar::chunk { background: $accent; border-radius: 2px; }
QProgressBar#strength { max-height: 6px; }
QProgressBar#strength[strength="weak"]::chunk { background: $error_border; }
QProgressBar#strength[strength="fair"]::chunk { background: $warn; }
QProgressBar#strength[strength="good"]::chunk { background: $ok; }
QProgressBar#strength[strength="strong"]::chunk { background: $up; }
QListView { background: $surface; border: 1px solid $input_border; color: $text;
            selection-background-color: $accent; }
QComboBox { background: $sunken; border: 1px solid $input_border; border-radius: 6px;
            padding: 6px 10px; color: $text; }
QComboBox QAbstractItemView { background: $surface; color: $text;
                              selection-background-color: $accent; }
QPushButton#speed { background: $surface; border: 1px solid $input_border; border-radius: 8px;
                    padding: 8px; color: $label; font-weight: 500; }
QPushButton#speed:checked { border-color: $accent; background: $accent_soft;
                            color: $text_strong; }
QLabel#txid { font-family: $mono; color: $link; }
QLabel#warn { color: $warn; }
"""


def stylesheet(theme: str) -> str:
    """The app's stylesheet of a config `theme` value."""
    return fill(APP_TEMPLATE, palette(theme))


def form_style(theme: str) -> str:
    """The dialogs' form rules (inputs, check boxes, strength bar) of a theme."""
    return fill(FORM_TEMPLATE, palette(theme))


def dialog_style(p: Palette, rules: str = "") -> str:
    """A dialog's own sheet: the app rules, the form rules and its own `rules` (a template like
    the others), so it looks right with no app sheet yet (tests, or before the main window);
    a widget's own sheet wins over the app's whatever the rules' specificity."""
    return fill(APP_TEMPLATE + FORM_TEMPLATE + rules, p)


DARK = stylesheet("dark")
LIGHT = stylesheet("light")

_current: list[Palette] = [DARK_PALETTE]  # the running app's theme (one app, one theme)


def current_palette() -> Palette:
    return _current[0]


@runtime_checkable
class Themed(Protocol):
    """A widget that keeps theme colours or its own stylesheet: told on every switch."""

    def apply_palette(self, palette: Palette) -> None: ...


def apply_app_theme(theme: str) -> Palette:
    """Switch the running app: the current palette, the app stylesheet (which repaints every
    widget), then every `Themed` widget, wherever it sits (dialogs included)."""
    chosen = palette(theme)
    _current[0] = chosen
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setStyleSheet(fill(APP_TEMPLATE, chosen))
        for widget in app.allWidgets():
            if isinstance(widget, Themed):
                widget.apply_palette(chosen)
    return chosen
