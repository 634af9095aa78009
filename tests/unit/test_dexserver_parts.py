"""Parts of the DEX server that run without it: the candle bins of its market data and the
`server` command it adds to the CLI (the running server: tests/integration/test_dexserver_*)."""

from __future__ import annotations

import argparse

from dexserver.cli import register
from dexserver.marketdata import candles


def test_candles_bins() -> None:
    rows = candles([(0, 5, 1), (10, 7, 2), (59_999, 4, 1), (60_000, 6, 3)], 60_000)
    assert rows == [
        {"start": 0, "open": 5, "high": 7, "low": 4, "close": 4, "volume": 4},
        {"start": 60_000, "open": 6, "high": 6, "low": 6, "close": 6, "volume": 3},
    ]


def test_cli_registers_server_command() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["server", "--config", "x.json"])
    assert args.command == "server" and str(args.config) == "x.json"
