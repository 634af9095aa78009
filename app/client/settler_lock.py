"""One settling process per data directory (M4 of the security review).

Two swap engines on one wallet would each fund the same match with its own coins and its own
secret, and only the last saved contract would be driven. So every process that settles swaps
(the GUI, `client run`, `swaps recover`) holds `client.lock` in the data directory for as long
as it runs: an exclusive `flock`, released by the kernel when the process dies (a crash or a
SIGKILL never leaves a stale lock). The file names the holder, so a refused second process can
say who settles.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path
from typing import IO

from app.client.errors import SettlerBusy

LOCK_NAME = "client.lock"


class SettlerLock:
    def __init__(self, datadir: Path) -> None:
        self.path = Path(datadir) / LOCK_NAME
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> None:
        """Take the lock or raise SettlerBusy at once (never waits)."""
        if self._file is not None:
            return
        handle = open(self.path, "a+")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip()[:200]
            handle.close()
            raise SettlerBusy(self.path.parent, holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} ({' '.join(sys.argv[:3])[:120]})")
        handle.flush()
        self._file = handle

    def probe(self) -> None:
        """Raise SettlerBusy if another process holds the lock now (a quick check before a
        long start; the settling process takes the lock itself)."""
        self.acquire()
        self.release()

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
