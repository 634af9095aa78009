"""`main.py trade place|cancel|orders` and `main.py client run` (the settling daemon).

`trade` commands are short-lived: they connect, act, and leave settlement to `client run`,
which resumes pending swaps at start (even with the server down), adopts the matches stored by
`trade` commands, and prints every event as one JSON line on stdout.

`client run` pays a server's registration fee only when the user agrees: on a terminal it
asks (the prompt on stderr, stdout stays JSON lines); otherwise `--accept-regfee ATOMS` must
name the exact amount the server advertises. Without either, nothing is paid.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from app.cli.common import add_datadir, add_json, emit
from app.cli.errors import CliError
from app.client.settler_lock import SettlerLock
from app.wallet.session import OpenWallet

if TYPE_CHECKING:
    from app.client.registration import Confirm, RegistrationQuote


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    trade = sub.add_parser("trade", help="place and cancel orders on the DEX")
    cmds = trade.add_subparsers(dest="trade_cmd", required=True)
    p = cmds.add_parser("place", help="place an order (settled by `client run`)")
    _common(p)
    p.add_argument("--market", default="ltc_btc")
    p.add_argument("--side", choices=["buy", "sell"], required=True)
    p.add_argument("--type", dest="otype", choices=["limit", "market"], default="limit")
    p.add_argument(
        "--qty", type=int, required=True, help="base atoms (quote atoms for a market buy)"
    )
    p.add_argument("--rate", type=int, default=0, help="quote atoms per coin (limit orders)")
    p.add_argument("--tif", choices=["standing", "immediate"], default="standing")
    p.set_defaults(func=_place)
    p = cmds.add_parser("cancel", help="cancel a standing limit order")
    _common(p)
    p.add_argument("order_id")
    p.set_defaults(func=_cancel)
    p = cmds.add_parser("orders", help="list our orders")
    _common(p)
    p.set_defaults(func=_orders)

    client = sub.add_parser("client", help="run the headless client")
    ccmds = client.add_subparsers(dest="client_cmd", required=True)
    p = ccmds.add_parser("run", help="connect, register, and settle swaps until stopped")
    add_datadir(p)
    p.add_argument("--password-file", help="read the wallet password from this file")
    p.add_argument("--poll", type=float, default=1.0, help="swap loop interval, seconds")
    p.add_argument("--log-level", default="INFO")
    p.add_argument(
        "--accept-regfee",
        type=int,
        metavar="ATOMS",
        help="pay the server's registration fee without asking if it is exactly "
        "ATOMS atoms (as advertised); needed when not on a terminal",
    )
    p.set_defaults(func=_run)
    p = ccmds.add_parser(
        "accept-server-key", help="trust the changed key a DEX server was refused for"
    )
    _common(p)
    p.add_argument("--url", help="the server (default: the configured DEX server)")
    p.add_argument(
        "--key",
        help="the first hex digits of the new key, as the refusal showed "
        "them: refused unless the key to accept starts with these",
    )
    p.set_defaults(func=_accept_server_key)


def _common(p: argparse.ArgumentParser) -> None:
    add_datadir(p)
    add_json(p)
    p.add_argument("--password-file", help="read the wallet password from this file")


def _open(args: argparse.Namespace) -> OpenWallet:
    from app.cli.common import open_wallet

    return open_wallet(args)


async def _with_core(args: argparse.Namespace, action: Any) -> Any:
    from app.client.client import Client

    wallet = _open(args)
    core = Client(wallet, settle=False)
    try:
        await core.start()
        await _ready_or_refused(core, 30.0)
        return await action(core)
    finally:
        await core.stop()
        await wallet.close()


async def _ready_or_refused(core: Any, timeout: float) -> None:
    """Connected, or a CliError: the server unreachable, or refused (e.g. its key changed)."""
    from app.client.events import CoreEvent, ServerRefused

    refused: asyncio.Future[ServerRefused] = asyncio.get_running_loop().create_future()

    def on_event(event: CoreEvent) -> None:
        if isinstance(event, ServerRefused) and not refused.done():
            refused.set_result(event)

    unsubscribe = core.events.subscribe(on_event)
    ready = asyncio.ensure_future(core.ready(timeout))
    try:
        await asyncio.wait({ready, refused}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        unsubscribe()
        ready.cancel()
    if refused.done():
        hint = (
            " (`client accept-server-key` accepts the new key)"
            if core.identity.offered_key(core.dex_url) is not None
            else ""
        )
        raise CliError(f"{core.dex_url}: {refused.result().reason}{hint}")
    with contextlib.suppress(asyncio.CancelledError):
        if ready.exception() is None:
            return
    raise CliError(f"cannot reach the DEX server at {core.dex_url}")


def _place(args: argparse.Namespace) -> int:
    async def act(core: Any) -> str:
        oid: str = await core.place_order(
            args.market, args.side, args.otype, args.qty, args.rate, args.tif
        )
        return oid

    oid = asyncio.run(_with_core(args, act))
    emit(args, {"order_id": oid}, f"order {oid} placed")
    return 0


def _cancel(args: argparse.Namespace) -> int:
    async def act(core: Any) -> None:
        await core.cancel_order(args.order_id)

    asyncio.run(_with_core(args, act))
    emit(args, {"order_id": args.order_id, "cancel": "sent"}, f"cancel of {args.order_id} sent")
    return 0


def _orders(args: argparse.Namespace) -> int:
    from app.client.order_store import OrderStore

    wallet = _open(args)
    try:
        orders = [o.to_json() for o in OrderStore(wallet.store).all()]
    finally:
        wallet.store.close()
    lines = [
        f"{o['order_id']}  {o['side']:4} {o['otype']:6} {o['quantity']:>12} @ "
        f"{o['rate']:>10}  {o['status']:10} filled {o['filled']}"
        for o in orders
    ]
    emit(args, {"orders": orders}, "\n".join(lines) or "no orders")
    return 0


def _accept_server_key(args: argparse.Namespace) -> int:
    """Offline: the pin is in the store; a running `client run` uses it at its next
    reconnect (the refusal is retried with backoff, at most a minute apart)."""
    from app.client.server_identity import ServerIdentity, key_prefix

    wallet = _open(args)
    try:
        url = args.url or wallet.config.dex_url
        identity = ServerIdentity(wallet.store)
        offered, pinned = identity.offered_key(url), identity.pinned_key(url)
        if offered is not None and args.key and not offered.hex().startswith(args.key.lower()):
            raise CliError(
                f"the key refused for {url} is {key_prefix(offered)}…, not "
                f"{args.key}…; nothing accepted"
            )
        key = identity.accept(url)  # NoKeyToAccept when none was refused
    finally:
        wallet.store.close()
    old = key_prefix(pinned) + "…" if pinned is not None else "none"
    emit(
        args,
        {"url": url, "accepted": key.hex(), "previous": pinned.hex() if pinned else None},
        f"{url}: key {key_prefix(key)}… accepted (was {old})",
    )
    return 0


class _JsonLines:
    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def __call__(self, event: object) -> None:
        data = {"event": type(event).__name__, **dataclasses.asdict(event)}  # type: ignore
        self.out.write(json.dumps(data) + "\n")
        self.out.flush()


async def _read_line() -> str:
    """One line from the terminal without a thread (Ctrl-C must not wait for Enter)."""
    loop = asyncio.get_running_loop()
    line: asyncio.Future[str] = loop.create_future()
    fd = sys.stdin.fileno()

    def readable() -> None:
        if not line.done():
            line.set_result(sys.stdin.readline())

    loop.add_reader(fd, readable)
    try:
        return await line
    finally:
        loop.remove_reader(fd)


def regfee_confirm(
    accept: int | None,
    interactive: bool,
    err: IO[str],
    ask: Callable[[], Awaitable[str]] = _read_line,
) -> Confirm:
    """The CLI's answer to the registration-fee question: the flag's exact amount, else the
    terminal (`ask` reads one line), else no."""

    async def confirm(quote: RegistrationQuote) -> bool:
        err.write(f"registration fee: {quote.describe()}\n")
        if accept is not None:
            if quote.amount == accept:
                return True
            err.write(
                f"refused: the server asks {quote.amount} atoms, --accept-regfee says "
                f"{accept}; nothing was paid\n"
            )
            return False
        if not interactive:
            err.write(f"not paid: run with --accept-regfee {quote.amount} to pay it\n")
            return False
        err.write("pay it and register? [y/N] ")
        err.flush()
        return (await ask()).strip().lower() in ("y", "yes")

    return confirm


def _run(args: argparse.Namespace) -> int:
    from app.client.client import Client, run_until_stopped

    logging.basicConfig(
        level=str(args.log_level).upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    SettlerLock(Path(args.datadir)).probe()  # SettlerBusy: one settling process per wallet
    wallet = _open(args)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        core = Client(wallet, poll_interval=args.poll)
        core.events.subscribe(_JsonLines(sys.stdout))
        try:
            confirm = regfee_confirm(args.accept_regfee, sys.stdin.isatty(), sys.stderr)
            await run_until_stopped(core, stop, confirm)
        finally:
            await wallet.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    return 0
