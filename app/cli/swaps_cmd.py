"""`main.py swaps list|show|refund|export|recover`: the local swap store, headless.

These work on `--datadir` (cambio.db, and config.json for the chain nodes) and need no wallet
password: refunds use the presigned refund stored before our init was broadcast. `export`
writes the swap's record (contracts, signed init and refund; the key only as its wallet path
and the maker's secret sealed by the wallet, except in an old record flagged `key_in_clear`);
`recover` stores such a file and resumes the swap: refunds go out with no wallet, a redeem
waits for the app with the wallet that made the swap. Secrets are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from app.cli.common import add_datadir, add_json, emit
from app.cli.errors import CliError
from app.config import load_config
from app.fileio import atomic_write
from app.store.db import Store
from app.swap.engine import Funding, SwapEngine
from app.swap.errors import SwapError
from app.swap.export import EXPORT_KIND, EXPORT_VERSION, export_json
from app.swap.messages import OutgoingMessage
from app.swap.refund_now import refund_now, time_left, utc
from app.swap.states import (
    Complete,
    Refunded,
    SwapState,
    describe,
    is_terminal,
    ours_of,
    state_name,
    theirs_of,
)
from app.swap.store import SwapStore, decode_state
from app.wallet.backends.base import ChainBackend
from app.wallet.backends.nodes import node_backend
from app.wallet.errors import WalletError
from dexproto.assets import format_atoms, get_asset


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    swaps = sub.add_parser("swaps", help="see, refund, export and recover local swaps")
    cmds = swaps.add_subparsers(dest="swaps_cmd", required=True)
    p = cmds.add_parser("list", help="every swap and its state")
    add_datadir(p)
    add_json(p)
    p.set_defaults(func=_list)
    p = cmds.add_parser("show", help="one swap: state, timeline, contracts, lock time")
    add_datadir(p)
    add_json(p)
    p.add_argument("match_id", metavar="MATCH_ID", help="match id (or a unique prefix)")
    p.set_defaults(func=_show)
    p = cmds.add_parser(
        "refund", help="broadcast the presigned refund now, if the lock time has passed"
    )
    add_datadir(p)
    add_json(p)
    p.add_argument("match_id", metavar="MATCH_ID")
    p.set_defaults(func=_refund)
    p = cmds.add_parser(
        "export",
        help="write what is needed to finish a swap elsewhere "
        "(signed refund included: keep it private)",
    )
    add_datadir(p)
    p.add_argument("match_id", metavar="MATCH_ID")
    p.add_argument("--out", type=Path, required=True, help="file to write")
    p.set_defaults(func=_export)
    p = cmds.add_parser("recover", help="import an exported swap and resume it")
    add_datadir(p)
    add_json(p)
    p.add_argument("--file", type=Path, required=True, help="a file from `swaps export`")
    p.add_argument(
        "--wait",
        type=float,
        default=30.0,
        help="seconds to drive the swap now (default %(default)s; 0: only "
        "import it, the app resumes it on launch)",
    )
    p.set_defaults(func=_recover)


def _open(datadir: Path) -> SwapStore:
    path = Path(datadir) / "cambio.db"
    if not path.exists():
        raise CliError(f"no swap store in {datadir} (cambio.db is missing)")
    return SwapStore(Store(path))


def _find(store: SwapStore, prefix: str) -> SwapState:
    ids = [i for i in store.all_ids() if i.startswith(prefix.lower())] if prefix else []
    if len(ids) != 1:
        raise CliError(
            f"no swap matches {prefix!r}"
            if not ids
            else f"{prefix!r} matches {len(ids)} swaps; give more of the id"
        )
    state = store.load(ids[0])
    assert state is not None  # listed a moment ago
    return state


def _iso(ms_or_s: int, seconds: bool = False) -> str:
    return utc(ms_or_s if seconds else ms_or_s // 1000)


_left = time_left


def _backend(datadir: Path, symbol: str) -> ChainBackend:
    config = load_config(datadir)
    node = config.nodes.get(symbol)
    if node is None:
        raise CliError(f"no {symbol.upper()} node in {datadir}/config.json")
    return node_backend(node, get_asset(symbol, config.network))


def _summary(state: SwapState) -> dict[str, Any]:
    m = state.match
    return {
        "match_id": m.match_id,
        "order_id": m.order_id,
        "role": m.role.value,
        "state": state_name(state),
        "terminal": is_terminal(state),
        "pay": {"asset": m.our_asset, "atoms": m.our_amount},
        "receive": {"asset": m.their_asset, "atoms": m.their_amount},
        "detail": describe(state),
        "key_in_clear": state.match.clear_key is not None,
    }


def _details(state: SwapState) -> dict[str, Any]:
    """Everything public about a swap; no secret, no key."""
    m, data = state.match, _summary(state)
    now = int(time.time())
    for side, c, asset in (
        ("ours", ours_of(state), m.our_asset),
        ("theirs", theirs_of(state), m.their_asset),
    ):
        if c is None:
            continue
        contract, params = c.contract, get_asset(asset, m.network)
        txid = c.init.txid if side == "ours" else c.txid  # type: ignore[union-attr]
        data[f"{side}_contract"] = {
            "asset": asset,
            "txid": txid,
            "vout": c.vout,
            "atoms": c.value,
            "address": contract.address(params),
            "script": c.script.hex(),
            "secret_hash": contract.secret_hash.hex(),
            "lock_time": contract.lock_time,
            "lock_time_utc": _iso(contract.lock_time, True),
            "time_left": _left(contract.lock_time, now),
        }
    ours = ours_of(state)
    if ours is not None:
        data["txids"] = {"init": ours.init.txid, "refund": ours.refund.txid}
        data["lock_time"] = ours.contract.lock_time
    if isinstance(state, Complete):
        data.setdefault("txids", {})["redeem"] = state.redeem_txid
    if isinstance(state, Refunded):
        data.setdefault("txids", {})["refund"] = state.refund_txid
    return data


def _list(args: argparse.Namespace) -> int:
    store = _open(args.datadir)
    try:
        rows = [_summary(s) for s in (store.load(i) for i in store.all_ids()) if s is not None]
    finally:
        store.store.close()
    lines = [
        f"{r['match_id'][:16]}  {r['role']:<5}  {r['state']:<19} pay "
        f"{format_atoms(r['pay']['atoms'])} {r['pay']['asset'].upper()}  receive "
        f"{format_atoms(r['receive']['atoms'])} {r['receive']['asset'].upper()}"
        for r in rows
    ]
    emit(args, {"swaps": rows}, "\n".join(lines) or "no swaps")
    return 0


def _show(args: argparse.Namespace) -> int:
    store = _open(args.datadir)
    try:
        state = _find(store, args.match_id)
        history = [
            {"state": h.state, "time_ms": h.created_ms, "time_utc": _iso(h.created_ms)}
            for h in store.history(state.match.match_id)
        ]
    finally:
        store.store.close()
    data = {**_details(state), "history": history}
    lines = [
        f"match {data['match_id']} ({data['role']}): {data['state']}",
        f"  {data['detail']}" if data["detail"] else "",
    ]
    if data["key_in_clear"]:
        lines.append(
            "  warning: an old record whose key is stored in clear and is not one of "
            "this wallet's; open the wallet that made it to take it over"
        )
    for side in ("ours", "theirs"):
        c = data.get(f"{side}_contract")
        if c is not None:
            lines += [
                f"{side} contract  {c['asset'].upper()} {format_atoms(c['atoms'])} at "
                f"{c['txid']}:{c['vout']}",
                f"  address {c['address']}",
                f"  lock time {c['lock_time']} ({c['lock_time_utc']}, {c['time_left']})",
            ]
    lines += [f"{k} tx  {v}" for k, v in data.get("txids", {}).items()]
    lines += ["history:"] + [f"  {h['time_utc']}  {h['state']}" for h in history]
    emit(args, data, "\n".join(line for line in lines if line))
    return 0


def _refund(args: argparse.Namespace) -> int:
    store = _open(args.datadir)
    try:
        state = _find(store, args.match_id)
    finally:
        store.store.close()

    async def run() -> str:  # refusals are SwapErrors: one-line CLI errors (_cli_errors)
        backend = _backend(args.datadir, state.match.our_asset)
        try:
            return await refund_now(state, backend)
        finally:
            await backend.close()

    txid = asyncio.run(run())
    emit(args, {"match_id": state.match.match_id, "refund_txid": txid}, f"refund broadcast: {txid}")
    return 0


def _export(args: argparse.Namespace) -> int:
    store = _open(args.datadir)
    try:
        state = _find(store, args.match_id)
    finally:
        store.store.close()
    atomic_write(args.out, export_json(state))  # mode 0600: it holds secrets
    held = (
        "it contains the swap's key in clear"
        if state.match.clear_key is not None
        else "its key and secret open only with this wallet"
    )
    print(
        f"exported {state.match.match_id} ({state_name(state)}) to {args.out}; {held}: "
        "keep it private"
    )
    return 0


class _NoFunding:
    """The CLI has no wallet open: a swap that still needs coins waits for the app."""

    async def fund(
        self, amount: int, fee_rate: int, contracts: int, orders: tuple[str, ...] = ()
    ) -> Funding:
        raise SwapError("Funding needs the app with the wallet unlocked.")


def _recover(args: argparse.Namespace) -> int:
    try:
        data = json.loads(Path(args.file).read_text())
        if data.get("kind") != EXPORT_KIND or data.get("version") != EXPORT_VERSION:
            raise CliError(f"{args.file} is not a Cambio swap export")
        state = decode_state(json.dumps(data["record"]), int(data["fmt"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CliError(f"{args.file} is not a readable swap export: {exc}") from None
    m = state.match
    store = SwapStore(Store(Path(args.datadir) / "cambio.db"))
    try:
        if not store.create(state):
            raise CliError(f"swap {m.match_id[:16]} is already in this store")
        end = (
            asyncio.run(_drive(args.datadir, store, m.match_id, args.wait))
            if args.wait > 0
            else state
        )
    finally:
        store.store.close()
    emit(
        args,
        _summary(end),
        f"recovered {m.match_id[:16]}: {state_name(end)}"
        + ("" if is_terminal(end) else " (the app resumes it on launch)"),
    )
    return 0


async def _drive(datadir: Path, store: SwapStore, match_id: str, wait: float) -> SwapState:
    """Run the swap's loop for up to `wait` seconds; reports go nowhere (the app re-sends
    them to the DEX when it resumes the swap)."""
    state = store.load(match_id)
    assert state is not None
    m = state.match
    backends = {a: _backend(datadir, a) for a in {m.our_asset, m.their_asset}}

    async def send(msg: OutgoingMessage) -> None:
        return None

    engine = SwapEngine(store, backends, {m.our_asset: _NoFunding()}, send, poll_interval=0.5)
    try:
        engine.start(match_id)
        try:
            return await asyncio.wait_for(asyncio.shield(engine.wait(match_id)), wait)
        except TimeoutError:
            latest = store.load(match_id)
            return latest if latest is not None else state
    except (WalletError, SwapError) as exc:
        raise CliError(f"the swap stopped: {exc}") from None
    finally:
        await engine.stop()
        for b in backends.values():
            await b.close()
