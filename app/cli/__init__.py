"""Command-line interface: `python main.py <command> …` (no subcommand opens the GUI)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from app import __version__
from app.cli import swap_cmd, swaps_cmd, trade_cmd, wallet_cmd
from app.cli.edge import run_command
from dexserver import cli as server_cli
from simnet import cli as simnet_cli

log = logging.getLogger("cambio.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cambio", description="Cambio atomic-swap client")
    parser.add_argument("--version", action="version", version=f"Cambio {__version__}")
    sub = parser.add_subparsers(dest="command")
    wallet_cmd.register(sub)
    swap_cmd.register(sub)
    swaps_cmd.register(sub)
    server_cli.register(sub)
    trade_cmd.register(sub)
    simnet_cli.register(sub)
    return parser


def run_cli(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    if not getattr(args, "func", None):
        build_parser().print_help()
        return 2
    return run_command(args.func, args, sys.stderr)  # the one error handler (app/cli/edge.py)
