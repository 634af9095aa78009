"""Language and bundled resources: Qt translators for the UI language, and the app icon.

Resources live in resources/ at the repo root; inside a PyInstaller bundle the spec copies
them to <bundle>/_internal/resources, which sys._MEIPASS points at.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from app.ui.errors import UnknownLanguageError
from app.ui.qt import QApplication, QCoreApplication, QIcon, QLibraryInfo, QTranslator

log = logging.getLogger("cambio.ui")

DEFAULT_LANGUAGE = "en"
# Language code -> the name shown in the Settings language picker (in its own language).
LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}

# The translators currently installed; kept here so they are not garbage collected and so a
# language switch can remove them again.
_installed: list[QTranslator] = []


def resource_dir() -> Path:
    """resources/ in the source tree, or its copy in a frozen (PyInstaller) bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def translations_dir() -> Path:
    return resource_dir() / "translations"


def icon_path(ext: str = "svg") -> Path:
    return resource_dir() / "icons" / f"cambio.{ext}"


def app_icon() -> QIcon:
    """The app icon: the SVG for sharp scaling, the PNG as a fallback without the SVG plugin."""
    icon = QIcon()
    for ext in ("svg", "png"):
        path = icon_path(ext)
        if path.exists():
            icon.addFile(str(path))
    return icon


def normalize_language(code: str | None) -> str:
    """Map a config/CLI value to a LANGUAGES key ("zh-CN", "zh_CN.UTF-8" -> "zh_CN")."""
    if not code:
        return DEFAULT_LANGUAGE
    cleaned = code.split(".")[0].replace("-", "_")
    for known in LANGUAGES:
        if cleaned.lower() == known.lower():
            return known
    raise UnknownLanguageError(f"unknown language {code!r}; choose one of: {', '.join(LANGUAGES)}")


def _load(path: Path) -> QTranslator | None:
    translator = QTranslator()
    return translator if translator.load(str(path)) else None


def install_language(language: str | None, app: QCoreApplication | None = None) -> bool:
    """Install the translators for `language`, replacing any installed before.

    Call before building widgets: texts set with tr() are looked up when they are set.
    English needs no translator (the source strings are English). Returns False when the
    app's own translation file is missing, so the caller can warn and carry on in English.
    """
    code = normalize_language(language)
    app = app or QCoreApplication.instance()
    if app is None:
        raise RuntimeError("create the QApplication before installing a language")
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if code == DEFAULT_LANGUAGE:
        return True
    ours = _load(translations_dir() / f"cambio_{code}.qm")
    if ours is None:
        return False
    # Qt's own strings (standard buttons, edit menus); optional: a build may lack them.
    qt_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    qtbase = _load(qt_dir / f"qtbase_{code}.qm")
    for translator in (qtbase, ours):
        if translator is not None:
            app.installTranslator(translator)
            _installed.append(translator)
    return True


def installed_count() -> int:
    """How many translators install_language put in place (for tests and the self-test)."""
    return len(_installed)


def prepare_app(app: QApplication, language: str | None) -> str:
    """Icon, desktop identity and UI language for a new QApplication; call before any widget.

    Never fails the start: an unknown code or a missing catalogue falls back to English with
    a warning. Returns the language in effect.
    """
    app.setWindowIcon(app_icon())
    app.setDesktopFileName("cambio")  # matches packaging/cambio.desktop (Wayland uses it)
    try:
        code = normalize_language(language)
    except UnknownLanguageError as exc:
        log.warning("%s; using English", exc)
        code = DEFAULT_LANGUAGE
    if not install_language(code, app):
        log.warning("no %s translation in %s; using English", code, translations_dir())
        code = DEFAULT_LANGUAGE
    return code
