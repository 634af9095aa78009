"""`python main.py server --config FILE`: run the reference DEX server until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the `server` subcommand to an argparse subparsers object."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "server", help="run the reference DEX server", description="Run the DEX server."
    )
    parser.add_argument("--config", required=True, type=Path, help="server config (JSON)")
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dexserver.app import DexServer
    from dexserver.config import load_config

    logging.basicConfig(
        level=str(args.log_level).upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = load_config(args.config)  # ConfigError is a ValueError: the CLI prints it
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(DexServer(config).serve_forever())
    return 0
