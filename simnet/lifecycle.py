"""The simnet's processes must not outlive their owner, and a new start must find stale ones.

- `die_with_parent()`: a `preexec_fn` that asks Linux to send the child SIGTERM when the thread
  that started it dies (prctl PR_SET_PDEATHSIG), so a SIGKILLed or SIGTERMed app takes its
  chain daemons and DEX server with it. Start children from a long-lived thread (the main one).
- `OwnerLock`: an flock on `<dir>/simnet.lock`, held by the process that owns the simnet for
  its whole life (the kernel drops it when that process dies, however it dies).
- `PidFile` (`<dir>/simnet.pids`): every child's pid with an argv element that names this
  simnet (`-datadir=<dir>/ltc-node`, the server's config path, `DB_DIRECTORY=<dir>/...`
  for an e-x, which reads its settings from the environment and gets this one in argv).
  `stop_stale` signals only pids whose command line still carries that element: pids get
  reused.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from simnet.errors import SimnetBusy

log = logging.getLogger("cambio.simnet")

LOCK_NAME = "simnet.lock"
PIDS_NAME = "simnet.pids"
PR_SET_PDEATHSIG = 1
STALE_STOP_TIMEOUT = 30.0  # litecoind flushes its chain state on SIGTERM: give it time


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A preexec_fn for Popen: the child gets `sig` when its parent dies (Linux only;
    None elsewhere, where the pid file is the only safety net)."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), sig)

    return preexec


class OwnerLock:
    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / LOCK_NAME
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        f = open(self.path, "a")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            raise SimnetBusy(f"another process runs the simnet in {self.path.parent}") from None
        self._file = f

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def owner_alive(directory: Path) -> bool:
    """Whether some live process holds the simnet's lock (it is running, attach to it)."""
    path = Path(directory) / LOCK_NAME
    if not path.exists():
        return False
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def is_ours(pid: int, marker: str) -> bool:
    """The pid is alive and one of its argv elements contains `marker` (a path of this
    simnet): not a reused pid of some other program."""
    return any(marker in arg for arg in cmdline(pid))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (dead, not reaped yet) is gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


class PidFile:
    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / PIDS_NAME

    def read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return {
            k: v
            for k, v in data.items()
            if isinstance(v, dict)
            and isinstance(v.get("pid"), int)
            and isinstance(v.get("marker"), str)
            and v["marker"]
        }

    def record(self, name: str, pid: int, marker: str) -> None:
        data = self.read()
        data[name] = {"pid": pid, "marker": marker}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def stop_pids(pids: dict[str, tuple[int, str]], timeout: float = STALE_STOP_TIMEOUT) -> list[str]:
    """SIGTERM each (pid, marker) that is still ours, SIGKILL what is left after `timeout`;
    the names that were stopped."""
    targets = {
        name: pid
        for name, (pid, marker) in pids.items()
        if pid != os.getpid() and alive(pid) and is_ours(pid, marker)
    }
    for name, pid in targets.items():
        log.warning("stopping the stale simnet %s (pid %d)", name, pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in targets.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in targets.values():
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in targets.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return sorted(targets)


def stale_pids(directory: Path, legacy: dict[str, Any] | None = None) -> dict[str, tuple[int, str]]:
    """What a crashed owner may have left: the pid file's entries, plus the pids of an older
    `simnet.json` (`legacy`, written before the pid file existed), which must name `directory`
    in their command line."""
    found = {
        name: (int(v["pid"]), str(v["marker"])) for name, v in PidFile(directory).read().items()
    }
    for name, pid in ((legacy or {}).get("pids") or {}).items():
        if name != "simnet" and isinstance(pid, int) and name not in found:
            found[name] = (pid, str(Path(directory).resolve()))
    return found


def stop_stale(
    directory: Path, legacy: dict[str, Any] | None = None, timeout: float = STALE_STOP_TIMEOUT
) -> list[str]:
    """Stop the processes a dead owner of `directory` left behind (the caller holds the lock,
    so none of them has a live owner); the pid file is cleared."""
    stopped = stop_pids(stale_pids(directory, legacy), timeout)
    PidFile(directory).clear()
    return stopped
