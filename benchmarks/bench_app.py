"""App figures: cold start to a painted main window, and memory with a 10,000-order book open.

app.cold_start_s         spawn `python -m benchmarks.bench_app startup` -> the main window's
                         first paint finished (offscreen), wall time seen by the parent, best
                         of 3. The child does what app/ui/launch.py does after the password
                         dialog: the imports launch.py makes then (launch.WINDOW_MODULES:
                         qasync, app.client.client, app.ui.main_window), dark style, translations,
                         MainWindow (on a stand-in core over an empty store, as the self-test),
                         show, paint. As if the password were typed at once: in the real start
                         those imports load while the unlock dialog waits (launch.py)
app.start.<phase>_ms     inside that child, from its first line: imports, window built, painted
app.unlock_shown_s       spawn `python -m benchmarks.bench_app unlock DATADIR` -> the unlock
                         dialog's first paint finished: the real `launch.run_gui` on a datadir
                         holding a wallet (keyring: keyring's fail backend, so the lookup says
                         "none" and the dialog shows), best of 3. What a user waits before the
                         app shows anything
app.selftest_s           `python main.py --self-test` wall time, best of 3
app.peak_rss_idle_mb     ru_maxrss of the startup child (empty main window)
app.peak_rss_book_10k_mb ru_maxrss of a child that also loads a 10,000-order book into the
                         Trade tab's TradingView (set_market + apply_snapshot) and paints it

Run as a script it is the child: `python -m benchmarks.bench_app startup|book|unlock DATADIR`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.framework import Result

ROOT = Path(__file__).resolve().parent.parent
TRIES = 3
MARK = "BENCH "


# -- the child -------------------------------------------------------------------------------
def _child(mode: str) -> None:
    t0 = time.perf_counter()
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from types import SimpleNamespace

    from app.ui.launch import WINDOW_MODULES, import_modules

    import_modules(WINDOW_MODULES)  # what launch.py imports after the password
    from app.client.events import Dispatcher
    from app.client.order_store import OrderStore
    from app.store.db import Store
    from app.swap.store import SwapStore
    from app.ui.i18n import prepare_app
    from app.ui.main_window import MainWindow
    from app.ui.qt import QApplication, QEvent, QObject, QTimer
    from app.ui.style import DARK

    t_imports = time.perf_counter()
    app = QApplication([sys.argv[0]])
    app.setStyleSheet(DARK)
    prepare_app(app, "en")
    tmp = tempfile.mkdtemp(prefix="cambio-bench-")
    store = Store(Path(tmp) / "bench.db")
    core: Any = SimpleNamespace(
        wallet=SimpleNamespace(config=SimpleNamespace(extra={})),
        events=Dispatcher(),
        order_store=OrderStore(store),
        swaps=SwapStore(store),
        dex=SimpleNamespace(config=None, account=None),
    )
    window = MainWindow(core, ["ltc", "btc"])
    for timer in window.findChildren(QTimer):
        timer.stop()  # no wallet/chain refreshes: there is no wallet behind the stand-in
    if mode == "book":
        _load_book(window)
    t_built = time.perf_counter()

    class FirstPaint(QObject):
        """Quits the event loop once the first paint pass has run to its end."""

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt API name
            if event.type() == QEvent.Type.Paint:
                app.removeEventFilter(self)
                QTimer.singleShot(0, app.quit)  # after the rest of this paint pass
            return False

    painted = FirstPaint()
    app.installEventFilter(painted)
    window.show()
    app.exec()
    t_painted = time.perf_counter()
    print(
        f"{MARK}{(t_imports - t0) * 1000:.1f} {(t_built - t_imports) * 1000:.1f} "
        f"{(t_painted - t_built) * 1000:.1f}",
        flush=True,
    )
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    os._exit(0)  # the parent has its figures; teardown is not part of the start


def _child_unlock(datadir: str) -> None:
    """The real launch.run_gui up to the unlock dialog's first paint, then exit."""
    t0 = time.perf_counter()
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from app.ui.launch import run_gui
    from app.ui.qt import QApplication, QEvent, QObject, QTimer

    def report() -> None:
        print(f"{MARK}{(time.perf_counter() - t0) * 1000:.1f}", flush=True)
        os._exit(0)

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt API name
            if event.type() == QEvent.Type.Paint:
                app.removeEventFilter(self)
                QTimer.singleShot(0, report)  # after the rest of this paint pass
            return False

    app = QApplication([sys.argv[0]])  # run_gui takes this instance
    painted = FirstPaint()
    app.installEventFilter(painted)
    run_gui(["--datadir", datadir])
    raise SystemExit("run_gui returned without painting a window")


def _load_book(window: Any) -> None:
    from app.dex.orderbook import OrderBookMirror
    from app.trading.orderform import ChainFees, MarketRules
    from benchmarks.bench_book import LOT, MARKET, RATE_STEP, BookFeed

    mirror = OrderBookMirror(MARKET)
    mirror.apply_snapshot(BookFeed().snapshot(10_000))
    trading = window.trade.trading
    trading.set_market(
        MarketRules("ltc", "btc", LOT, RATE_STEP, ChainFees(20, 225), ChainFees(20, 225))
    )
    trading.apply_snapshot(mirror)
    assert trading.book.best_bid() is not None and trading.book.best_ask() is not None
    window.tabs.setCurrentWidget(window.trade)
    trading.book.flush()


# -- the parent ------------------------------------------------------------------------------
def _spawn(args: list[str], until: str | None) -> tuple[float, str, int]:
    """Run a child; (seconds until a line starting with `until` or exit, that line, its
    ru_maxrss in kB). os.wait4 gives this one child's peak, not the max of all children."""
    # The fail backend: a benchmark must never read (or prompt for) the user's real keyring.
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    line, elapsed = "", 0.0
    for out in proc.stdout:
        if until is not None and out.startswith(until):
            elapsed, line = time.perf_counter() - started, out
            break
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    if until is None:
        elapsed = time.perf_counter() - started
    if proc.returncode != 0 or (until is not None and not line):
        raise RuntimeError(f"{' '.join(args)} failed (exit {proc.returncode})")
    return elapsed, line, usage.ru_maxrss


def _startup() -> tuple[float, list[float], int]:
    best: tuple[float, list[float], int] | None = None
    for _ in range(TRIES):
        wall, line, rss = _spawn(["-m", "benchmarks.bench_app", "startup"], MARK)
        phases = [float(x) for x in line[len(MARK) :].split()]
        if best is None or wall < best[0]:
            best = (wall, phases, rss)
    assert best is not None
    return best


def _unlock_shown() -> float:
    from app.wallet.session import create_wallet
    from dexproto.assets import Network

    datadir = Path(tempfile.mkdtemp(prefix="cambio-bench-unlock-"))
    try:
        # A cheap scrypt: the dialog shows before any key derivation, so N does not matter.
        create_wallet(datadir, "bench password", network=Network.REGTEST, scrypt_n=2**10)
        return min(
            _spawn(["-m", "benchmarks.bench_app", "unlock", str(datadir)], MARK)[0]
            for _ in range(TRIES)
        )
    finally:
        shutil.rmtree(datadir, ignore_errors=True)


def run() -> list[Result]:
    wall, (imports, built, paint), idle_rss = _startup()
    unlock = _unlock_shown()
    selftest = min(_spawn(["main.py", "--self-test"], None)[0] for _ in range(TRIES))
    book_rss = min(_spawn(["-m", "benchmarks.bench_app", "book"], MARK)[2] for _ in range(2))
    return [
        Result("app.cold_start_s", wall, "s", higher_is_better=False),
        Result("app.unlock_shown_s", unlock, "s", higher_is_better=False),
        Result("app.start.imports_ms", imports, "ms", higher_is_better=False),
        Result("app.start.window_ms", built, "ms", higher_is_better=False),
        Result("app.start.first_paint_ms", paint, "ms", higher_is_better=False),
        Result("app.selftest_s", selftest, "s", higher_is_better=False),
        Result("app.peak_rss_idle_mb", idle_rss / 1024, "MB", higher_is_better=False),
        Result("app.peak_rss_book_10k_mb", book_rss / 1024, "MB", higher_is_better=False),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["unlock"]:
        _child_unlock(sys.argv[2])
    else:
        _child(sys.argv[1] if len(sys.argv) > 1 else "startup")
