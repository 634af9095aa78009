"""Two swap engines on two real regtest chains (the maker pays LTC, the taker BTC), their
messages over an in-memory wire, a miner task: the Rig a test runs swaps on, with what it
checks them by (problems reported, balances to the atom)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from app.swap.engine import SwapEngine
from app.swap.htlc_tx import init_vsize, redeem_vsize
from app.swap.messages import SwapEvent, SwapProblem, SwapStateChanged
from app.swap.states import Match, Role
from app.wallet.backends.base import ChainBackend
from simnet.node import RegtestNode
from tests.btc_kernel import KernelCheckedBackend
from tests.fakes.matches import RATE
from tests.integration.swap_harness import (
    CrashAfterBroadcast,
    NodeFunding,
    Wire,
    backend,
    btc_backend,
    miner,
    open_engine,
)

MAKER_AMOUNT, TAKER_AMOUNT = 2_000_000, 1_000_000


class Crash(BaseException):
    """Raised from the event callback (or a backend): the loop dies right after persisting a
    state, like a process killed there. Not an Exception: the engine survives those."""


@dataclass
class Rig:
    tmp: Path
    backends: dict[str, ChainBackend]
    nodes: dict[str, RegtestNode]
    wire: Wire
    funding: dict[Role, NodeFunding]
    events: list[tuple[Role, SwapEvent]]
    kernel: KernelCheckedBackend  # the BTC side: what it broadcasts, Bitcoin's rules checked
    # The raw database files (db + WAL) of each role right after it stored each state.
    snapshots: list[tuple[Role, str, bytes]] = field(default_factory=list)

    def db_path(self, role: Role) -> Path:
        return self.tmp / f"{role.value}.db"

    def raw_db(self, role: Role) -> bytes:
        path = self.db_path(role)
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())

    def engine(
        self, role: Role, crash_at: str | None = None, crash_after_broadcast_on: str | None = None
    ) -> SwapEngine:
        """`crash_at`: die right after storing that state, before acting on it.
        `crash_after_broadcast_on`: die right after our first broadcast on that asset's chain,
        before the state that follows it is stored."""

        def on_event(event: SwapEvent) -> None:
            self.events.append((role, event))
            if isinstance(event, SwapStateChanged):
                self.snapshots.append((role, event.new, self.raw_db(role)))
            if isinstance(event, SwapStateChanged) and event.new == crash_at:
                raise Crash(event.new)

        backends = dict(self.backends)
        if crash_after_broadcast_on is not None:
            backends[crash_after_broadcast_on] = CrashAfterBroadcast(  # type: ignore[assignment]
                backends[crash_after_broadcast_on], Crash("after broadcast")
            )
        return open_engine(
            self.db_path(role), backends, self.funding[role], self.wire, role, on_event
        )


@contextlib.asynccontextmanager
async def rig(tmp: Path, ltc: RegtestNode, btc: RegtestNode) -> AsyncIterator[Rig]:
    kernel = btc_backend(btc)
    backends: dict[str, ChainBackend] = {"ltc": backend(ltc), "btc": kernel}  # type: ignore[dict-item]
    wire = Wire()
    funding = {Role.MAKER: NodeFunding(ltc), Role.TAKER: NodeFunding(btc)}
    tasks = [
        asyncio.create_task(wire.pump(Role.MAKER)),
        asyncio.create_task(wire.pump(Role.TAKER)),
        asyncio.create_task(miner([ltc, btc])),
    ]
    try:
        yield Rig(tmp, backends, {"ltc": ltc, "btc": btc}, wire, funding, [], kernel)
        kernel.check_clean()
        print(f"\nlibbitcoinkernel verified {len(kernel.ledger.verified)} BTC-side transactions")
    finally:
        for engine in wire.engines.values():
            if engine is not None:
                await engine.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for b in backends.values():
            await b.close()


def problems(r: Rig, role: Role, text: str) -> list[str]:
    return [
        e.message
        for who, e in r.events
        if who is role and isinstance(e, SwapProblem) and text in e.message
    ]


async def balance(b: ChainBackend, script: bytes) -> int:
    return sum(u.value for u in await b.utxos([script]))


async def check_balances(r: Rig, maker: Match, taker: Match) -> None:
    """Every atom: each side received the other's amount minus exactly its redeem fee, and
    each side's change is its funding minus its amount minus exactly its init fee."""
    for m, role in ((maker, Role.MAKER), (taker, Role.TAKER)):
        fund = r.funding[role]
        assert await balance(r.backends[m.their_asset], m.redeem_script) == (
            m.their_amount - RATE * redeem_vsize(97, m.redeem_script)
        )
        assert await balance(r.backends[m.our_asset], fund.change_script) == (
            fund.total - m.our_amount - RATE * init_vsize(1, 1, fund.change_script)
        )
