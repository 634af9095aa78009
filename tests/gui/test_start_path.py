"""The start path: what the unlock dialog and the main window load, and the warm-up that
imports the rest while the first dialog waits for the user (app/ui/launch.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.ui.launch import warm_up_after_first_paint
from app.ui.qt import QApplication, QWidget
from app.wallet.backends.jsonrpc import JsonRpcClient

ROOT = Path(__file__).resolve().parents[2]
# Libraries no window needs before its first paint (each costs 25-100 ms to import).
LATE = ("aiohttp", "segno")
# What only the main window and the client need: the unlock dialog must not wait for them.
CLIENT = ("app.client.client", "app.dex.connection", "websockets", "qasync", "app.ui.main_window")


def loaded_after(code: str, names: tuple[str, ...]) -> dict[str, bool]:
    """Run `code` in a fresh interpreter; which of `names` it left in sys.modules."""
    report = f"print(json.dumps({{n: n in sys.modules for n in {names!r}}}))"
    probe = f"{code}\nimport json, sys\n{report}"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    result: dict[str, bool] = json.loads(out.strip().splitlines()[-1])
    return result


def test_the_unlock_dialog_loads_neither_the_client_nor_the_late_libraries() -> None:
    loaded = loaded_after(
        "import app.ui.launch, app.ui.unlock_view, app.ui.wizard_view", CLIENT + LATE
    )
    assert not any(loaded.values()), loaded


def test_the_main_window_and_core_load_without_aiohttp_and_segno() -> None:
    code = (
        "from app.ui.launch import WINDOW_MODULES, import_modules\nimport_modules(WINDOW_MODULES)"
    )
    loaded = loaded_after(code, CLIENT + LATE)
    assert all(loaded[n] for n in CLIENT), loaded
    assert not any(loaded[n] for n in LATE), loaded


def test_the_warm_up_imports_only_after_the_first_paint(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cambio_warm_probe.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "cambio_warm_probe", raising=False)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    warm_up_after_first_paint(app, ("cambio_warm_probe",))
    qtbot.wait(150)  # longer than the warm-up delay: nothing painted, nothing imported
    assert "cambio_warm_probe" not in sys.modules
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "cambio_warm_probe" in sys.modules, timeout=5000)
    sys.modules.pop("cambio_warm_probe")


@pytest.mark.parametrize(
    ("user", "password"), [("cambio", "s3cret"), ("rpc", "pä:ss wörd"), ("", "")]
)
def test_node_auth_header_is_what_aiohttp_would_send(user: str, password: str) -> None:
    import aiohttp

    client = JsonRpcClient("http://127.0.0.1:1", user, password)
    assert client.auth.header() == aiohttp.encode_basic_auth(user, password)


def test_a_colon_in_the_node_user_is_refused() -> None:
    with pytest.raises(ValueError, match="not allowed"):
        JsonRpcClient("http://127.0.0.1:1", "a:b", "pw")
