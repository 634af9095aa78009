"""simnet/lifecycle.py with real processes: children die with their parent, the owner lock,
and the stale-process sweep that only signals pids still naming this simnet."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simnet.errors import SimnetBusy
from simnet.lifecycle import (
    OwnerLock,
    PidFile,
    alive,
    owner_alive,
    stale_pids,
    stop_stale,
)

ROOT = Path(__file__).resolve().parents[2]
SLEEPER = (
    "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: sys.exit(0)); "
    "print('ready', flush=True); time.sleep(120)"
)


def wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
            p.wait()
        if p.stdout is not None:
            p.stdout.close()


def sleeper(procs: list[subprocess.Popen[bytes]], *argv: str) -> subprocess.Popen[bytes]:
    p = subprocess.Popen([sys.executable, "-c", SLEEPER, *argv], stdout=subprocess.PIPE)
    procs.append(p)
    assert p.stdout is not None and p.stdout.readline().strip() == b"ready"  # handler set
    return p


def test_a_child_dies_with_its_killed_parent(
    tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    pid_file = tmp_path / "child.pid"
    parent_code = (
        "import subprocess, sys, time\n"
        "from simnet.lifecycle import die_with_parent\n"
        f"c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], "
        "preexec_fn=die_with_parent())\n"
        f"open({str(pid_file)!r}, 'w').write(str(c.pid))\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], cwd=ROOT)
    procs.append(parent)
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the parent never started its child"
        time.sleep(0.05)
    child = int(pid_file.read_text())
    assert alive(child)
    parent.kill()  # SIGKILL: no handler of the parent runs
    parent.wait()
    assert wait_gone(child, 5.0), "the child outlived its SIGKILLed parent"


def test_the_owner_lock_is_exclusive_and_dies_with_its_holder(tmp_path: Path) -> None:
    lock = OwnerLock(tmp_path)
    assert not owner_alive(tmp_path)
    lock.acquire()
    try:
        with pytest.raises(SimnetBusy):
            OwnerLock(tmp_path).acquire()
    finally:
        lock.release()
    assert not owner_alive(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from simnet.lifecycle import OwnerLock; "
            "lock = OwnerLock(sys.argv[1]); lock.acquire(); print('held', flush=True); "
            "time.sleep(120)",
            str(tmp_path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        assert owner_alive(tmp_path)
        holder.kill()
        holder.wait()
        assert not owner_alive(tmp_path)  # the kernel released it: a new owner may start
        again = OwnerLock(tmp_path)
        again.acquire()
        again.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_the_sweep_stops_only_processes_that_still_name_this_simnet(
    tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    node_dir = tmp_path / "ltc-node"
    ours = sleeper(procs, f"-datadir={node_dir}")
    reused = sleeper(procs, "-datadir=/somewhere/else")  # a pid reused by another program
    pids = PidFile(tmp_path)
    pids.record("ltc-node", ours.pid, f"-datadir={node_dir}")
    pids.record("server", reused.pid, str(tmp_path / "server.json"))
    assert stop_stale(tmp_path) == ["ltc-node"]
    assert ours.wait(timeout=10) == 0  # SIGTERM first: a daemon may flush its state
    assert reused.poll() is None
    assert not pids.path.exists()


def test_a_process_that_ignores_sigterm_is_killed_after_the_timeout(
    tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    stubborn = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, "
            "signal.SIG_IGN); print('ready', flush=True); time.sleep(120)",
            f"--config={tmp_path}/server.json",
        ],
        stdout=subprocess.PIPE,
    )
    procs.append(stubborn)
    assert stubborn.stdout is not None and stubborn.stdout.readline().strip() == b"ready"
    PidFile(tmp_path).record("server", stubborn.pid, f"{tmp_path}/server.json")
    assert stop_stale(tmp_path, timeout=0.5) == ["server"]
    assert stubborn.wait(timeout=10) < 0


def test_pids_of_an_older_simnet_json_are_swept_when_they_name_the_directory(
    tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    ours = sleeper(procs, f"-datadir={tmp_path.resolve()}/btc-node")
    legacy = {"pids": {"simnet": 1, "btc-node": ours.pid, "server": None}}
    assert stale_pids(tmp_path, legacy) == {"btc-node": (ours.pid, str(tmp_path.resolve()))}
    assert stop_stale(tmp_path, legacy) == ["btc-node"]
    assert ours.wait(timeout=10) == 0
