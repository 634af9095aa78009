"""The main window's size: fitted to the screen on the first start, remembered afterwards.

Kept in `window.ini` in the data directory (not in the user's home), so `--datadir` profiles
keep their own. Qt's restoreGeometry moves and shrinks a saved geometry that no longer fits
(a smaller screen, a missing monitor), so a window saved on a large screen opens whole on a
laptop.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.ui.qt import QByteArray, QGuiApplication, QMainWindow, QSettings, QSplitter, Qt

log = logging.getLogger("cambio.ui")
SETTINGS_NAME = "window.ini"
# A screen at most this large starts maximised: it has no room to spare around the window.
SMALL_SCREEN = (1600, 1000)
DEFAULT_SIZE = (1440, 900)  # on a larger screen: enough for every panel, centred


def settings_file(datadir: Path) -> Path:
    return Path(datadir) / SETTINGS_NAME


def _settings(datadir: Path | None) -> QSettings | None:
    if datadir is None:
        return None
    return QSettings(str(settings_file(datadir)), QSettings.Format.IniFormat)


def _bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes | bytearray) and value:
        return QByteArray(bytes(value))
    return None


def fit_to_screen(window: QMainWindow) -> None:
    """First start: the available screen area (without panels and docks), maximised on a
    laptop-sized screen; on a larger one a comfortable size, centred."""
    area = (window.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    small = area.width() <= SMALL_SCREEN[0] or area.height() <= SMALL_SCREEN[1]
    width = area.width() if small else min(DEFAULT_SIZE[0], area.width())
    height = area.height() if small else min(DEFAULT_SIZE[1], area.height())
    window.resize(width, height)
    window.move(
        area.left() + (area.width() - width) // 2, area.top() + (area.height() - height) // 2
    )
    if small:
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def restore_window(
    window: QMainWindow, datadir: Path | None, splitters: dict[str, QSplitter]
) -> bool:
    """The size, place and splitter positions saved by `save_window`; False (and the window
    fitted to the screen) when there are none."""
    settings = _settings(datadir)
    geometry = _bytes(settings.value("geometry")) if settings is not None else None
    if settings is None or geometry is None or not window.restoreGeometry(geometry):
        fit_to_screen(window)
        return False
    for name, splitter in splitters.items():
        state = _bytes(settings.value(f"splitter/{name}"))
        if state is not None:
            splitter.restoreState(state)
    return True


def save_window(window: QMainWindow, datadir: Path | None, splitters: dict[str, QSplitter]) -> None:
    settings = _settings(datadir)
    if settings is None:
        return
    settings.setValue("geometry", window.saveGeometry())
    for name, splitter in splitters.items():
        settings.setValue(f"splitter/{name}", splitter.saveState())
    settings.sync()
    if settings.status() is not QSettings.Status.NoError:
        log.warning("could not save the window size to %s", settings_file(datadir or Path()))
