"""One settler per wallet (M4): a second settling process refuses and names the first; the
swap store refuses a write that does not start from the stored state."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.client.client import Client
from app.client.errors import SettlerBusy
from app.client.settlement import EngineSettlement
from app.client.settler_lock import SettlerLock
from app.swap.states import Failed, Matched, Role
from app.swap.store import StaleSwapWrite, SwapStore
from app.wallet.keystore import MIN_SCRYPT_N
from app.wallet.session import create_wallet, unlock_wallet
from dexproto.assets import Network
from tests.fakes.swaps import match

HOLD = """
import sys, time
from pathlib import Path
from app.client.settler_lock import SettlerLock
lock = SettlerLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    yield proc
    proc.kill()
    proc.wait()
    proc.stdout.close()


def test_a_second_process_is_refused_and_told_who_settles(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(SettlerBusy) as info:
        SettlerLock(tmp_path).acquire()
    assert str(holder.pid) in str(info.value)


async def test_the_core_takes_the_lock_before_settling(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    create_wallet(tmp_path, "pw", network=Network.REGTEST, scrypt_n=MIN_SCRYPT_N)
    wallet = unlock_wallet(tmp_path, "pw")
    core = Client(wallet, dex_url="ws://127.0.0.1:9")
    try:
        with pytest.raises(SettlerBusy, match=str(holder.pid)):
            await core.start()
        assert isinstance(core.settlement, EngineSettlement)
        assert core.settlement.engine is None  # nothing resumed, nothing funded
    finally:
        await wallet.close()


def test_the_lock_goes_with_a_killed_process(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    holder.kill()
    holder.wait()
    deadline = time.monotonic() + 5
    lock = SettlerLock(tmp_path)
    while True:
        try:
            lock.acquire()
            break
        except SettlerBusy:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert lock.held
    lock.release()


def test_the_store_refuses_a_stale_write(tmp_path: Path) -> None:
    from app.store.db import Store

    store = Store(tmp_path / "s.db")
    try:
        swaps = SwapStore(store)
        m = match(Role.MAKER)
        swaps.create(Matched(m))
        swaps.save(Failed(m, "first writer"), expected="Matched")
        with pytest.raises(StaleSwapWrite):
            swaps.save(Failed(m, "second writer"), expected="Matched")
        stored = swaps.load(m.match_id)
        assert isinstance(stored, Failed) and stored.reason == "first writer"
    finally:
        store.close()
