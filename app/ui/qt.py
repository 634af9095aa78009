"""The one module that imports PySide6; the rest of app/ui imports Qt names from here."""

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCursor, QFont, QGuiApplication, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QCompleter,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QStatusBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "QAction", "QApplication", "QButtonGroup", "QCheckBox", "QCompleter", "QCoreApplication",
    "QCursor", "QDialog", "QFont", "QFrame", "QGridLayout", "QGuiApplication", "QHBoxLayout",
    "QIcon", "QLabel", "QLineEdit", "QMainWindow", "QMessageBox", "QObject", "QPalette", "QPixmap",
    "QProgressBar", "QPushButton", "QRadioButton", "QSize", "QSizePolicy", "QStackedWidget",
    "QStatusBar", "QTabWidget", "QTimer", "QVBoxLayout", "QWidget", "Qt", "Signal", "Slot",
]
