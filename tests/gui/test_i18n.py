"""Translations: the zh_CN catalogue is complete, compiled, installed by language code and used."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.ui import i18n
from app.ui.errors import UnknownLanguageError
from app.ui.forms import describe
from app.ui.qt import QCoreApplication
from app.ui.selftest import run_self_test
from app.ui.wallet_view import AssetSnapshot, WalletView
from app.ui.wizard_view import WizardDialog
from app.wizard import Issue, Problem
from dexproto.assets import Network, get_asset

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "cambio_zh_CN.ts"
QM = TS.with_suffix(".qm")
BIN = ROOT / ".venv" / "bin"
PLACEHOLDER = re.compile(r"\{\w*\}")


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    """(context, source) -> <translation> element of a Qt Linguist .ts file."""
    found: dict[tuple[str, str], ET.Element] = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            found[(name, message.findtext("source") or "")] = translation
    return found


def tool(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        assert found, f"{name} is not installed (it comes with PySide6)"
        path = Path(found)
    return path


@pytest.fixture
def chinese(qapp: QCoreApplication) -> Iterator[None]:
    assert i18n.install_language("zh_CN", qapp)
    yield
    i18n.install_language("en", qapp)


def test_every_message_is_translated_with_its_placeholders() -> None:
    found = messages(TS)
    assert len(found) >= 70
    for (context, source), translation in found.items():
        assert translation.get("type") is None, f"{context}: {source!r} is not finished"
        text = "".join(translation.itertext())  # plural forms are child <numerusform>s
        assert text.strip(), f"{context}: {source!r} has no translation"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), source


def test_every_tr_string_in_the_ui_is_in_the_catalogue(tmp_path: Path) -> None:
    """A new tr() string without a translation fails here (see docs/packaging.md)."""
    fresh = tmp_path / "fresh.ts"
    # selftest.py only probes Qt's catalogue; its strings are not ours to translate.
    sources = sorted(
        str(path) for path in (ROOT / "app" / "ui").glob("*.py") if path.name != "selftest.py"
    )
    subprocess.run(
        [
            tool("pyside6-lupdate"),
            "-tr-function-alias",
            "translate+=_tr",
            *sources,
            "-ts",
            str(fresh),
        ],
        check=True,
        capture_output=True,
    )
    missing = set(messages(fresh)) - set(messages(TS))
    assert not missing, f"untranslated UI strings: {sorted(missing)}"


def test_compiled_catalogue_matches_the_source(tmp_path: Path) -> None:
    compiled = tmp_path / "check.qm"
    subprocess.run(
        [tool("pyside6-lrelease"), str(TS), "-qm", str(compiled)], check=True, capture_output=True
    )
    assert compiled.read_bytes() == QM.read_bytes(), "run `make translations` to rebuild the .qm"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("en", "en"),
        ("zh_CN", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh_cn.UTF-8", "zh_CN"),
    ],
)
def test_language_codes_are_normalized(given: str | None, expected: str) -> None:
    assert i18n.normalize_language(given) == expected


def test_unknown_language_is_refused(qapp: QCoreApplication) -> None:
    with pytest.raises(UnknownLanguageError, match="fr"):
        i18n.install_language("fr", qapp)


def test_resources_come_from_the_source_tree_or_the_bundle(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert i18n.resource_dir() == ROOT / "resources"
    assert i18n.icon_path("svg").is_file() and i18n.icon_path("png").is_file()
    monkeypatch.setattr("sys._MEIPASS", str(tmp_path), raising=False)
    assert i18n.translations_dir() == tmp_path / "resources" / "translations"


def test_icon_loads(qapp: QCoreApplication) -> None:
    icon = i18n.app_icon()
    assert not icon.isNull()
    assert not icon.pixmap(32, 32).isNull()


def test_chinese_screens(qtbot: QtBot, chinese: None) -> None:
    assert i18n.installed_count() >= 1
    view = WalletView(["ltc"])
    qtbot.addWidget(view)
    view.show_snapshot(
        AssetSnapshot(
            get_asset("ltc", Network.REGTEST),
            available=1,
            locked_orders=0,
            locked_swaps=0,
            unconfirmed=0,
            address="rltc1qexample",
        )
    )
    assert view.cards["ltc"].copy.text() == "复制地址"
    dialog = WizardDialog()
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "设置 Cambio"
    assert describe(Problem(Issue.MISSING_WORD, position=3)) == "缺少第 3 个单词。"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"  # Qt's own strings


def test_switching_back_to_english_removes_the_translators(qapp: QCoreApplication) -> None:
    assert i18n.install_language("zh_CN", qapp)
    assert QCoreApplication.translate("MainWindow", "Wallet") == "钱包"
    assert i18n.install_language("en", qapp)
    assert i18n.installed_count() == 0
    assert QCoreApplication.translate("MainWindow", "Wallet") == "Wallet"


def test_missing_catalogue_reports_false(
    qapp: QCoreApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    assert not i18n.install_language("zh_CN", qapp)
    assert QCoreApplication.translate("MainWindow", "Wallet") == "Wallet"


def test_self_test_passes_in_process(
    qapp: QCoreApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_self_test() == 0
    out = capsys.readouterr().out
    assert "self-test passed" in out and "FAIL" not in out
    assert QCoreApplication.translate("MainWindow", "Wallet") == "Wallet"  # left in English


@pytest.mark.parametrize(("given", "expected"), [("zh-CN", "zh_CN"), ("fr", "en"), (None, "en")])
def test_prepare_app_never_fails_the_start(
    qapp: QCoreApplication, given: str | None, expected: str
) -> None:
    from app.ui.qt import QApplication

    assert isinstance(qapp, QApplication)
    try:
        assert i18n.prepare_app(qapp, given) == expected
        assert not qapp.windowIcon().isNull()
    finally:
        i18n.install_language("en", qapp)
