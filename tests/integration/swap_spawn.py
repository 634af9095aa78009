"""The parent's side of the SIGKILL tests: one role's match, coin and data directory
(a Side), its engine started in its own OS process (tests/integration/swap_proc.py) until it
exits, or run in this process as the counterparty."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from app.swap.states import Match, SwapState
from app.wallet.coins import Outpoint
from simnet.node import RegtestNode, atoms_to_coin_str
from tests.fakes.matches import fresh_script, p2wpkh_for
from tests.integration.swap_proc import match_record, open_party

TIMEOUT = 60.0  # for one process of a scenario, or its in-process counterparty


@dataclass
class Side:
    """One engine-run role: its match, coin, data directory and how it ended."""

    match: Match
    funded: int
    coin: Outpoint
    change_script: bytes
    datadir: Path
    job: dict[str, object]
    end: SwapState | None = None
    init_txids: set[str] = field(default_factory=set)


async def fund_side(
    tmp: Path, node: RegtestNode, match: Match, funded: int, mailbox: Path, nodes: dict[str, str]
) -> Side:
    key = os.urandom(32)
    txid, vout = await asyncio.to_thread(pay, node, p2wpkh_for(key), funded)
    datadir = tmp / match.role.value
    datadir.mkdir()
    change = fresh_script()
    job: dict[str, object] = {
        "datadir": str(datadir),
        "match": match_record(match),
        "nodes": nodes,
        "funding_key": key.hex(),
        "change_script": change.hex(),
        "mailbox": str(mailbox),
        "crash_at": None,
        "poll": 0.05,
    }
    return Side(match, funded, Outpoint(txid, vout), change, datadir, job)


async def spawn(side: Side, crash_at: str | None) -> int:
    job_path = side.datadir / ("job-crash.json" if crash_at else "job.json")
    job_path.write_text(json.dumps({**side.job, "crash_at": crash_at}))
    return await run_swap_proc(job_path, side.datadir)


async def run_swap_proc(job_path: Path, datadir: Path, timeout: float = TIMEOUT) -> int:
    """tests/integration/swap_proc.py on the job at `job_path` in its own OS process (its
    stderr appended to `datadir`/stderr.log): its exit code; killed after `timeout`."""
    with open(datadir / "stderr.log", "ab") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.swap_proc",
            str(job_path),
            cwd=Path(__file__).parents[2],
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
    try:
        return await asyncio.wait_for(proc.wait(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise


async def in_process(side: Side) -> SwapState:
    party = open_party({**side.job, "poll": 0.1})
    try:
        return await asyncio.wait_for(party.run(0.1), TIMEOUT)
    finally:
        await party.close()


def pay(node: RegtestNode, script: bytes, atoms: int) -> tuple[str, int]:
    """Pay `script` from the miner wallet, left for the miner task to confirm (gettransaction
    rather than getrawtransaction: the latter races the miner and the async tx index)."""
    txid = str(
        node.rpc(
            "sendtoaddress", node.node_address(script), atoms_to_coin_str(atoms), wallet="miner"
        )
    )
    raw = node.rpc("gettransaction", txid, wallet="miner")["hex"]
    tx = node.rpc("decoderawtransaction", raw)
    return txid, next(int(o["n"]) for o in tx["vout"] if o["scriptPubKey"]["hex"] == script.hex())
