"""Helpers shared by the CLI subcommands: output, passwords, errors, node specs."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from app.cli.errors import CliError
from app.config import NodeConfig, default_datadir
from dexproto.assets import Network, get_asset

if TYPE_CHECKING:
    from app.wallet.session import OpenWallet


def add_datadir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--datadir",
        type=Path,
        default=default_datadir(),
        help="data directory (default: %(default)s)",
    )


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
        raise CliError(
            "this wallet was made with a BIP39 passphrase: set CAMBIO_PASSPHRASE "
            "or run on a terminal"
        )
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


def parse_node_spec(spec: str, network: Network | None = None) -> tuple[str, NodeConfig]:
    """'ltc=http://127.0.0.1:9332' -> ('ltc', NodeConfig(...)). A bare 'ltc' is the local node
    on the network's default port (needs `network`). A user:pass in the URL still works but
    warns: the command line is visible to every user of the machine."""
    symbol, sep, url = spec.partition("=")
    symbol = symbol.strip().lower()
    if not sep and network is not None and symbol:
        try:
            asset = get_asset(symbol, network)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        return symbol, NodeConfig(f"http://127.0.0.1:{asset.rpc_port}")
    if not sep or not url or not symbol:
        raise CliError(f"--node wants SYMBOL=URL, got {spec!r}")
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
        parts = parts._replace(netloc="")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CliError(f"--node URL must be http(s)://host[:port], got {url!r}")
    if parts.username or parts.password:
        print(
            f"warning: the {symbol.upper()} node's user and password in --node are visible to "
            "every user of this machine (ps, shell history); use --node-cookie or "
            "--node-auth-file",
            file=sys.stderr,
        )
    netloc = parts.hostname + (f":{port}" if port else "")
    clean = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return symbol, NodeConfig(clean, parts.username or "", parts.password or "")


def add_node_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--node",
        action="append",
        default=[],
        metavar="SYMBOL[=URL]",
        help="chain node, e.g. ltc=http://127.0.0.1:9332 (a bare ltc: this "
        "machine, the network's default port); the login is the node's "
        "default cookie unless given below",
    )
    parser.add_argument(
        "--node-cookie",
        action="append",
        default=[],
        metavar="SYMBOL=PATH",
        help="the node's .cookie file (read again when the node restarts)",
    )
    parser.add_argument(
        "--node-auth-file",
        action="append",
        default=[],
        metavar="SYMBOL=PATH",
        help="a file holding the node's user:password",
    )


def _symbol_paths(specs: list[str], flag: str) -> dict[str, str]:
    found = {}
    for spec in specs:
        symbol, sep, path = spec.partition("=")
        if not sep or not symbol or not path:
            raise CliError(f"{flag} wants SYMBOL=PATH, got {spec!r}")
        found[symbol.strip().lower()] = str(Path(path).expanduser().absolute())
    return found


def nodes_from_args(args: argparse.Namespace, network: Network) -> dict[str, NodeConfig]:
    """The nodes of --node, with the files of --node-cookie / --node-auth-file."""
    nodes = dict(parse_node_spec(spec, network) for spec in args.node)
    for flag, field in (("--node-cookie", "cookie_file"), ("--node-auth-file", "auth_file")):
        dest = flag.lstrip("-").replace("-", "_")
        for symbol, path in _symbol_paths(getattr(args, dest, []), flag).items():
            if symbol not in nodes:
                raise CliError(f"{flag} {symbol}=... needs a --node {symbol}=URL")
            nodes[symbol] = replace(nodes[symbol], rpc_user="", rpc_password="", **{field: path})
    return nodes


def to_jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    return value
