"""Build the PyInstaller bundle from packaging/cambio.spec and run it.

Slow (~30 s to build). Locally, CAMBIO_SKIP_BUNDLE=1 skips it; in CI (CI=true) it always runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SIZE_BUDGET_MB = 170  # measured 137 MB on Linux x86-64 (was 206 MB before trimming)

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        os.environ.get("CAMBIO_SKIP_BUNDLE") == "1" and os.environ.get("CI", "").lower() != "true",
        reason="CAMBIO_SKIP_BUNDLE=1 (never honoured when CI=true)",
    ),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("bundle")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(ROOT / "packaging" / "cambio.spec"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"pyinstaller failed:\n{result.stdout}\n{result.stderr}"
    yield work / "dist" / "cambio"


def run(bundle: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    # A clean environment: the bundle must not lean on the venv or a display.
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in (
            "PYTHONPATH",
            "VIRTUAL_ENV",
            "DISPLAY",
            "WAYLAND_DISPLAY",
            "QT_PLUGIN_PATH",
            "QT_QPA_PLATFORM",
        )
    }
    started = time.perf_counter()
    result = subprocess.run(
        [str(bundle / "cambio"), *args],
        cwd=bundle.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result, time.perf_counter() - started


def test_self_test(bundle: Path) -> None:
    result, seconds = run(bundle, "--self-test")
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "self-test passed" in result.stdout
    assert "FAIL" not in result.stdout
    print(f"bundle --self-test: {seconds:.2f} s")
    assert seconds < 30


def test_version(bundle: Path) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    result, seconds = run(bundle, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Cambio {version}"
    print(f"bundle --version: {seconds:.2f} s")


def test_bundle_is_lean_and_complete(bundle: Path) -> None:
    internal = bundle / "_internal"
    files = [path for path in bundle.rglob("*") if path.is_file() and not path.is_symlink()]
    size_mb = sum(path.stat().st_size for path in files) / 1e6
    print(f"bundle size: {size_mb:.0f} MB")
    assert size_mb < SIZE_BUDGET_MB
    resources = internal / "resources"
    assert (resources / "icons" / "cambio.svg").is_file()
    assert (resources / "translations" / "cambio_zh_CN.qm").is_file()
    assert not list(resources.rglob("*.ts")), "translation sources do not belong in the bundle"
    qt = internal / "PySide6" / "Qt"
    assert sorted(path.name for path in (qt / "translations").iterdir()) == ["qtbase_zh_CN.qm"]
    for unused in ("QtNetwork", "QtQml", "QtSvg", "QtOpenGL"):
        assert not list(internal.rglob(f"{unused}.*")), f"{unused} should be excluded"
    assert not (qt / "plugins" / "platformthemes" / "libqgtk3.so").exists()
    dangling = [path for path in internal.rglob("*") if path.is_symlink() and not path.exists()]
    assert not dangling, f"dangling symlinks: {dangling}"
