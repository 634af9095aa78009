"""Litecoin's proof of work for a batch of headers, computed ahead on a few threads.

A scrypt hash (N=1024) costs about 200 µs and is the whole cost of a Litecoin header check
(benchmarks/README.md); `hashlib.scrypt` releases the GIL, so a small thread pool hashes a
batch about as many times faster as there are cores. Only the hashing runs there: the chain
still checks header after header on the caller's thread, in height order, taking each
header's hash when it gets to it, so the first header that breaks a rule is the one named,
as without the pool. On Bitcoin the PoW hash is the block id, already computed: no pool.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from app.wallet.spv import ChainRules
from app.wallet.spv import pow_hash as pow_hash  # named here: tests spy on it

CHUNK = 64  # headers a task hashes: ~13 ms, so a refused batch stops the rest soon
MIN_PARALLEL = 2 * CHUNK  # fewer (a new block or two) are hashed on the caller's thread
MAX_WORKERS = 4  # a first sync should not take every core of a desktop


def default_workers() -> int:
    """Threads for the hashing: the cores we may run on, at most MAX_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform (macOS, Windows)
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


def _hash_chunk(rules: ChainRules, raws: Sequence[bytes | None]) -> list[int | None]:
    return [None if raw is None else pow_hash(rules, raw) for raw in raws]


class PowBatch:
    """The PoW hashes of a batch's headers (None entries: headers not to be checked),
    started at once on `workers` threads when it pays; `value(i)` waits for header i's and
    is None when it was not computed here (the caller hashes it itself). Close it (a `with`
    block) to drop the hashing not yet started, as when a header is refused."""

    def __init__(self, rules: ChainRules, raws: Sequence[bytes | None], workers: int) -> None:
        self._futures: list[Future[list[int | None]]] = []
        self._pool: ThreadPoolExecutor | None = None
        todo = sum(raw is not None for raw in raws)
        if rules.pow != "scrypt" or workers < 2 or todo < MIN_PARALLEL:
            return
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="spv-pow")
        self._futures = [
            self._pool.submit(_hash_chunk, rules, raws[start : start + CHUNK])
            for start in range(0, len(raws), CHUNK)
        ]

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def value(self, index: int) -> int | None:
        if not self._futures:
            return None
        return self._futures[index // CHUNK].result()[index % CHUNK]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> PowBatch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
