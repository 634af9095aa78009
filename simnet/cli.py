"""`main.py simnet up|down|mine|time`: the local simnet from the command line (docs/simnet.md)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import time
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path("simnet-data")


def register(sub: Any) -> None:
    simnet: argparse.ArgumentParser = sub.add_parser(
        "simnet", help="run the local simnet (regtest chains, miner, DEX server, traders)"
    )
    cmds = simnet.add_subparsers(dest="simnet_cmd", required=True)
    p = cmds.add_parser("up", help="start everything and stay in the foreground")
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="simnet directory")
    p.add_argument("--traders", type=int, default=2, help="funded trader data dirs")
    p.add_argument("--epoch", type=int, default=2000, help="epoch length, ms (2000-5000)")
    p.add_argument("--mine-interval", type=float, default=2.0, help="seconds between blocks")
    p.add_argument(
        "--electrum", action="store_true", help="also run an Electrum (e-x) server over each chain"
    )
    p.add_argument(
        "--light",
        action="append",
        default=[],
        metavar="TRADER",
        help="this trader (e.g. trader2) uses the Electrum servers, not the RPC "
        "(implies --electrum)",
    )
    p.set_defaults(func=_up)
    p = cmds.add_parser("down", help="stop what `simnet up` started (pids from simnet.json)")
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    p.set_defaults(func=_down)
    p = cmds.add_parser("mine", help="mine blocks now on both chains")
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    p.add_argument("--blocks", type=int, default=1)
    p.set_defaults(func=_mine)
    p = cmds.add_parser("time", help="move both chains' clocks forward (refund scenarios)")
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    p.add_argument("--forward", type=int, required=True, metavar="SECONDS")
    p.set_defaults(func=_time)


def _up(args: argparse.Namespace) -> int:
    from simnet.harness import Simnet

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if not 2000 <= args.epoch <= 5000:
        raise ValueError("--epoch must be between 2000 and 5000 ms")
    net = Simnet.start(
        args.dir,
        traders=args.traders,
        epochlen=args.epoch,
        mine_interval=args.mine_interval,
        electrum=args.electrum or bool(args.light),
    )
    for name in args.light:
        net.make_light(name)
    stop = {"now": False}

    def on_signal(signum: int, frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        _print_usage(net.info)
        while not stop["now"]:
            if net.server is not None and net.server.poll() is not None:
                print("the DEX server exited; see server.log. Stopping.")
                break
            time.sleep(0.5)
    finally:
        net.stop()
        print("simnet stopped")
    return 0


def _print_usage(info: dict[str, Any]) -> None:
    from simnet.harness import REG_FEE  # the traders pay only this fee, named on purpose

    stand_in = (
        " (a Litecoin Core regtest chain STANDS IN for BTC: bitcoind is not installed)"
        if info["btc_stand_in"]
        else ""
    )
    lines = [
        f"simnet up in {info['dir']}{stand_in}",
        f"  DEX server  {info['dex_url']}",
        *(f"  {s.upper()} node    {n['rpc_url']}" for s, n in info["nodes"].items()),
        *(f"  {s.upper()} Electrum {url}" for s, url in info.get("electrum", {}).items()),
        f"  a block every {info['mine_interval']} s; endpoints in {info['dir']}/simnet.json",
        "  traders (password 'simnet'):",
    ]
    for name, t in info["traders"].items():
        light = " [light: Electrum]" if t.get("light") else ""
        lines.append(
            f"    {name}{light}: CAMBIO_PASSWORD=simnet python main.py client run "
            f"--datadir {t['datadir']} --accept-regfee {REG_FEE}"
        )
    lines += [
        "  trade:  python main.py trade place --datadir DIR --market ltc_btc --side sell "
        "--type limit --qty 1000000 --rate 10000000",
        "  stop:   Ctrl-C here, or python main.py simnet down --dir DIR",
    ]
    print("\n".join(lines), flush=True)


def _down(args: argparse.Namespace) -> int:
    from simnet.harness import load_info
    from simnet.lifecycle import alive, is_ours, stale_pids, stop_pids

    info = load_info(args.dir)
    main_pid = (info.get("pids") or {}).get("simnet")
    if main_pid is not None and alive(main_pid) and is_ours(main_pid, "simnet"):  # pids get reused
        os.kill(main_pid, signal.SIGTERM)  # it stops the server and the nodes itself
        deadline = time.monotonic() + 60
        while alive(main_pid) and time.monotonic() < deadline:
            time.sleep(0.2)
    # Whatever is left (the main process was killed): only pids that still name this simnet.
    for name in stop_pids(stale_pids(Path(info["dir"]), info)):
        print(f"stopped {name}")
    print("simnet down")
    return 0


def _mine(args: argparse.Namespace) -> int:
    from simnet.harness import load_info, remote_node

    info = load_info(args.dir)
    for symbol in info["nodes"]:
        remote_node(info, symbol).mine(args.blocks)
    print(f"mined {args.blocks} block(s) on each chain")
    return 0


def _time(args: argparse.Namespace) -> int:
    from simnet.harness import load_info, travel

    offset = travel(load_info(args.dir), args.forward)
    print(f"chain time is now {offset} s ahead of the wall clock")
    return 0
