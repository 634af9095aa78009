"""Helpers shared by the CLI subcommands: output, passwords, errors, node specs."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from app.config import NodeConfig, default_datadir

if TYPE_CHECKING:
    from app.wallet.session import OpenWallet


class CliError(Exception):
    """A user-facing CLI failure: printed on one line, exit status 1."""


def add_datadir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--datadir", type=Path, default=default_datadir(),
                        help="data directory (default: %(default)s)")


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data, indent=2, sort_keys=True) if getattr(args, "json", False) else text)


def read_password(args: argparse.Namespace, confirm: bool = False) -> str:
    """--password-file, then $CAMBIO_PASSWORD, then an interactive prompt."""
    if getattr(args, "password_file", None):
        return Path(args.password_file).read_text().rstrip("\n")
    env = os.environ.get("CAMBIO_PASSWORD")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise CliError("no password: use --password-file or set CAMBIO_PASSWORD")
    password = getpass.getpass("Wallet password: ")
    if confirm and getpass.getpass("Repeat password: ") != password:
        raise CliError("the passwords differ")
    return password


def read_passphrase() -> str:
    """A BIP39 passphrase: $CAMBIO_PASSPHRASE, else a hidden prompt on a terminal."""
    env = os.environ.get("CAMBIO_PASSPHRASE")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise CliError("this wallet was made with a BIP39 passphrase: set CAMBIO_PASSPHRASE "
                       "or run on a terminal")
    return getpass.getpass("BIP39 passphrase: ")


def open_wallet(args: argparse.Namespace) -> OpenWallet:
    """Unlock the wallet of --datadir; a passphrase wallet also gets its passphrase (never a
    different, empty wallet opened by a missing one)."""
    from app.wallet.errors import PassphraseNeeded
    from app.wallet.session import unlock_wallet

    password = read_password(args)
    try:
        return unlock_wallet(args.datadir, password, os.environ.get("CAMBIO_PASSPHRASE", ""))
    except PassphraseNeeded:
        return unlock_wallet(args.datadir, password, read_passphrase())


def parse_node_spec(spec: str) -> tuple[str, NodeConfig]:
    """'ltc=http://user:pass@127.0.0.1:19443' -> ('ltc', NodeConfig(...))."""
    symbol, sep, url = spec.partition("=")
    if not sep or not url:
        raise CliError(f"--node wants SYMBOL=URL, got {spec!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CliError(f"--node URL must be http(s)://[user:pass@]host:port, got {url!r}")
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    clean = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return symbol.lower(), NodeConfig(clean, parts.username or "", parts.password or "")


def to_jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    return value
