"""The one module that imports PySide6; the rest of app/ui imports Qt names from here."""

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QFont, QGuiApplication, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStatusBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "QAction", "QApplication", "QFont", "QFrame", "QGridLayout", "QGuiApplication", "QHBoxLayout",
    "QIcon", "QLabel", "QMainWindow", "QMessageBox", "QObject", "QPalette", "QPixmap",
    "QPushButton", "QSize", "QSizePolicy", "QStatusBar", "QTabWidget", "QTimer", "QVBoxLayout",
    "QWidget", "Qt", "Signal", "Slot",
]
