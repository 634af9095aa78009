"""One swap engine in its own OS process, for the SIGKILL crash tests.

    python -m tests.integration.swap_proc JOB.json

JOB (JSON): {"datadir", "match" (a stored `Matched` record), "nodes": {asset: rpc_url},
"funding_key" (hex; its P2WPKH coins fund our contract), "change_script" (hex), "mailbox"
(path of the shared SQLite mailbox), "crash_at" (a crash point or null), "poll" (seconds);
optional: "finality" (the engine's depth override), "crash_armed" (a path: the crash point
counts only once that file exists, so a test can pick which occurrence kills)}.

The process resumes from `datadir/cambio.db` when the match is already stored (that is the
restart after a kill), otherwise it adds the match. At the crash point it SIGKILLs itself: no
cleanup, no flush, exactly like a power cut of the process. When the swap reaches a terminal
state it writes `datadir/result.json` and exits 0.

Messages between the two roles go through `Mailbox`, a SQLite file both sides append to; a
(re)started engine reads it from the start, like the DEX's resync after a reconnect.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.store.db import Store
from app.swap.engine import Funding, SwapEngine
from app.swap.errors import FundingError
from app.swap.messages import (
    CounterpartyInit,
    CounterpartyRedeem,
    IncomingMessage,
    OutgoingMessage,
    as_incoming,
)
from app.swap.recovery import resume_all
from app.swap.states import STATE_FORMAT, Match, Matched, Role, SwapState, describe, state_name
from app.swap.store import SwapStore, decode_state, encode_state
from app.wallet.backends.base import ChainBackend
from app.wallet.backends.corerpc import CoreRpcBackend
from app.wallet.signing import KeyedUtxo
from simnet.node import RPC_PASSWORD, RPC_USER
from tests.btc_kernel import KERNEL_LOG, KernelCheckedBackend
from tests.fakes.matches import p2wpkh_for, role_keys


class Mailbox:
    """Messages addressed to a role, kept in a SQLite file that outlives both processes."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, "
            "to_role TEXT NOT NULL, body TEXT NOT NULL)"
        )

    def post(self, to: Role, msg: IncomingMessage) -> None:
        kind = "init" if isinstance(msg, CounterpartyInit) else "redeem"
        fields = {k: v.hex() if isinstance(v, bytes) else v for k, v in vars(msg).items()}
        self._db.execute(
            "INSERT INTO messages (to_role, body) VALUES (?, ?)",
            (to.value, json.dumps({"kind": kind, **fields})),
        )

    def since(self, role: Role, last: int) -> list[tuple[int, IncomingMessage]]:
        rows = self._db.execute(
            "SELECT id, body FROM messages WHERE to_role = ? AND id > ? ORDER BY id",
            (role.value, last),
        ).fetchall()
        out: list[tuple[int, IncomingMessage]] = []
        for row_id, body in rows:
            d = json.loads(body)
            if d.pop("kind") == "init":
                d["contract"] = bytes.fromhex(d["contract"])
                out.append((row_id, CounterpartyInit(**d)))
            else:
                d["secret"] = bytes.fromhex(d["secret"])
                out.append((row_id, CounterpartyRedeem(**d)))
        return out

    def close(self) -> None:
        self._db.close()


class PresetFunding:
    """Funds our contract with the coins already paid to one key (like a wallet would):
    asking again after a restart returns the same coins, so they can only be spent once."""

    def __init__(self, backend: ChainBackend, key: bytes, script: bytes, change: bytes) -> None:
        self._backend, self._key, self._script, self._change = backend, key, script, change

    async def fund(
        self, amount: int, fee_rate: int, contracts: int, orders: tuple[str, ...] = ()
    ) -> Funding:
        coins = await self._backend.utxos([self._script])
        if not coins:
            raise FundingError(amount, 0)
        return Funding(tuple(KeyedUtxo(c, self._key) for c in coins), self._change)


def other(role: Role) -> Role:
    return Role.TAKER if role is Role.MAKER else Role.MAKER


@dataclass
class Party:
    """One role's engine, wired to its store, both chains, its coins and the mailbox."""

    match: Match
    engine: SwapEngine
    mailbox: Mailbox
    backends: dict[str, ChainBackend]

    async def pump(self, poll: float) -> None:
        seen = 0
        while True:
            for row_id, msg in self.mailbox.since(self.match.role, seen):
                self.engine.deliver(msg)
                seen = row_id
            await asyncio.sleep(poll)

    async def run(self, poll: float) -> SwapState:
        """Add or resume the match and drive it to a terminal state."""
        pump = asyncio.create_task(self.pump(poll))
        try:
            mid = self.match.match_id
            if self.engine.store.load(mid) is None:
                await self.engine.add_match(self.match)
            else:
                resume_all(self.engine)
            if mid in self.engine.running():
                return await self.engine.wait(mid)
            state = self.engine.store.load(mid)
            assert state is not None
            return state
        finally:
            pump.cancel()
            await self.engine.stop()

    async def close(self) -> None:
        for b in self.backends.values():
            await b.close()
        self.mailbox.close()
        self.engine.store.store.close()


def open_party(job: dict[str, Any]) -> Party:
    state = decode_state(job["match"], STATE_FORMAT)
    match, poll = state.match, float(job.get("poll", 0.05))
    backends: dict[str, ChainBackend] = {
        asset: CoreRpcBackend(url, RPC_USER, RPC_PASSWORD, poll_interval=poll)
        for asset, url in job["nodes"].items()
    }
    if "btc" in backends:  # Bitcoin Core's interpreter checks the BTC side first (a log line each)
        backends["btc"] = KernelCheckedBackend(  # type: ignore[assignment]
            backends["btc"], log=Path(job["datadir"]) / KERNEL_LOG
        )
    key = bytes.fromhex(job["funding_key"])
    funding = PresetFunding(
        backends[match.our_asset], key, p2wpkh_for(key), bytes.fromhex(job["change_script"])
    )
    mailbox = Mailbox(Path(job["mailbox"]))
    crash_at = job.get("crash_at")
    armed = job.get("crash_armed")

    def checkpoint(point: str) -> None:
        if point == crash_at and (armed is None or Path(armed).exists()):
            os.kill(os.getpid(), signal.SIGKILL)  # a real kill: no cleanup runs

    async def send(msg: OutgoingMessage) -> None:
        mailbox.post(other(match.role), as_incoming(msg))

    store = SwapStore(Store(Path(job["datadir"]) / "cambio.db"))
    engine = SwapEngine(
        store,
        backends,
        {match.our_asset: funding},
        send,
        poll_interval=poll,
        rebroadcast_interval=0.5,
        checkpoint=checkpoint,
        keys=role_keys(match.role),  # keys derived again after a restart
        finality=job.get("finality"),
    )
    return Party(match, engine, mailbox, backends)


def match_record(match: Match) -> str:
    return encode_state(Matched(match))


async def _main(job_path: Path) -> int:
    job = json.loads(job_path.read_text())
    party = open_party(job)
    try:
        end = await party.run(float(job.get("poll", 0.05)))
    finally:
        await party.close()
    result = {"state": state_name(end), "detail": describe(end)}
    (Path(job["datadir"]) / "result.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main(Path(sys.argv[1]))))
