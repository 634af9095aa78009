"""`main.py wallet …`: create, restore, address, balance, send, derive."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from app.cli.common import (
    add_datadir,
    add_json,
    add_node_args,
    emit,
    nodes_from_args,
    open_wallet,
    read_password,
)
from app.cli.errors import CliError
from app.client.balances import asset_balance
from app.config import NodeConfig, light_nodes, load_config
from app.swap.store import SwapStore
from app.wallet.fees import FeePolicy, fee_rate
from app.wallet.hd import HDWallet
from app.wallet.mnemonic import mnemonic_to_entropy
from app.wallet.service import Balance
from app.wallet.session import create_wallet, unlock_wallet
from app.wizard import check_electrum_list, electrum_list
from dexproto.assets import SYMBOLS, Network, format_atoms, get_asset, parse_coins


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    wallet = sub.add_parser("wallet", help="create, restore and use the wallet")
    cmds = wallet.add_subparsers(dest="wallet_cmd", required=True)

    for name, text in (
        ("create", "create a new wallet (prints its 12 words once)"),
        ("restore", "restore a wallet from its 12 words and find its funds"),
    ):
        p = cmds.add_parser(name, help=text)
        add_datadir(p)
        add_json(p)
        p.add_argument("--network", choices=[n.value for n in Network], default="regtest")
        add_node_args(p)
        p.add_argument(
            "--electrum",
            action="append",
            default=[],
            metavar="SYMBOL=URL[,URL]",
            help="the chain's own Electrum servers (ssl:// or tcp://host:port); "
            "on mainnet and testnet a chain without --node or --electrum "
            "uses the public Electrum servers",
        )
        p.add_argument("--password-file", help="read the wallet password from this file")
        if name == "restore":
            _words_args(p)
        p.set_defaults(func=_create if name == "create" else _restore)

    p = cmds.add_parser("address", help="show the next receive address")
    _asset_args(p)
    p.set_defaults(func=_address)

    p = cmds.add_parser("balance", help="show the balance")
    _asset_args(p)
    p.set_defaults(func=_balance)

    p = cmds.add_parser("send", help="send coins to an address")
    _asset_args(p)
    p.add_argument("--to", required=True, help="destination address")
    amount = p.add_mutually_exclusive_group(required=True)
    amount.add_argument("--amount", help="amount in coins, e.g. 0.5")
    amount.add_argument("--atoms", type=int, help="amount in atoms")
    p.add_argument("--fee", choices=["fast", "normal", "slow"], default="normal")
    p.set_defaults(func=_send)

    p = cmds.add_parser("derive", help="derive an address from words (touches no data)")
    add_json(p)
    _words_args(p)
    p.add_argument("--passphrase-file", help="read a BIP39 passphrase from this file")
    p.add_argument("--asset", choices=SYMBOLS, required=True)
    p.add_argument("--network", choices=[n.value for n in Network], default="mainnet")
    p.add_argument("--index", type=int, default=0)
    p.add_argument("--change", action="store_true")
    p.set_defaults(func=_derive)


def _words_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--mnemonic-file",
        metavar="FILE",
        help="read the 12 words from FILE ('-': standard input); default: a prompt",
    )
    p.add_argument("--mnemonic", help=argparse.SUPPRESS)  # old: shows the words to `ps`


def read_words(args: argparse.Namespace) -> str:
    """The recovery words from --mnemonic-file (or '-' for stdin), else a hidden prompt, else
    one line of standard input. The old --mnemonic still works, with a warning: words on the
    command line are visible to every user of the machine (ps, shell history)."""
    if args.mnemonic is not None:
        print(
            "warning: --mnemonic puts your recovery words in the process list and shell "
            "history; use --mnemonic-file or the prompt",
            file=sys.stderr,
        )
        return str(args.mnemonic)
    source = args.mnemonic_file
    if source == "-" or (source is None and not sys.stdin.isatty()):
        return sys.stdin.readline().strip()
    if source is not None:
        try:
            return Path(source).read_text().strip()
        except OSError as exc:
            raise CliError(f"cannot read the words from {source}: {exc.strerror}") from None
    return getpass.getpass("Recovery words (hidden): ").strip()


def _asset_args(p: argparse.ArgumentParser) -> None:
    add_datadir(p)
    add_json(p)
    p.add_argument("--asset", choices=SYMBOLS, required=True)
    p.add_argument("--password-file", help="read the wallet password from this file")


def _nodes(args: argparse.Namespace) -> dict[str, NodeConfig]:
    """--node / --electrum chains as given; on mainnet and testnet every other chain is light
    on the public Electrum servers (the simnet brings its own nodes)."""
    network = Network(args.network)
    nodes = nodes_from_args(args, network)
    for spec in args.electrum:
        symbol, sep, text = spec.partition("=")
        symbol = symbol.strip().lower()
        if not sep or symbol not in SYMBOLS:
            raise CliError(
                f"--electrum wants SYMBOL=URL[,URL] with SYMBOL one of "
                f"{', '.join(SYMBOLS)}, got {spec!r}"
            )
        if symbol in nodes:
            raise CliError(f"{symbol} has both --node and --electrum: choose one")
        servers = electrum_list(text)
        problem = check_electrum_list(servers, symbol)
        if problem is not None:
            raise CliError(
                f"--electrum {symbol}: {problem.word or 'no server'} is not an "
                "Electrum server address (ssl://host:port or tcp://host:port)"
            )
        nodes[symbol] = NodeConfig("", electrum=",".join(servers))
    return {**light_nodes(network), **nodes}


def _create(args: argparse.Namespace) -> int:
    password = read_password(args, confirm=True)
    phrase = create_wallet(
        args.datadir, password, network=Network(args.network), nodes=_nodes(args)
    )
    text = (
        "Write these 12 words down, in order, and keep them offline. They are the only\n"
        "way to restore this wallet:\n\n  " + phrase
    )
    emit(args, {"mnemonic": phrase, "datadir": str(args.datadir)}, text)
    return 0


def _restore(args: argparse.Namespace) -> int:
    phrase = read_words(args)
    mnemonic_to_entropy(phrase)  # a wrong word is reported before a password is asked
    password = read_password(args, confirm=True)
    create_wallet(
        args.datadir, password, network=Network(args.network), mnemonic=phrase, nodes=_nodes(args)
    )
    found = asyncio.run(_discover_all(args.datadir, password))
    lines = [
        f"{sym.upper()}: {format_atoms(total)} ({n} addresses used)"
        for sym, (total, n) in found.items()
    ]
    emit(
        args,
        {"restored": {s: {"balance": t, "used_addresses": n} for s, (t, n) in found.items()}},
        "Wallet restored.\n" + "\n".join(lines),
    )
    return 0


async def _discover_all(datadir: Path, password: str) -> dict[str, tuple[int, int]]:
    wallet = unlock_wallet(datadir, password)
    try:
        found = {}
        for symbol in wallet.config.nodes:
            asset_wallet = wallet.asset(symbol)
            result = await asset_wallet.discover()
            balance = await asset_wallet.balance()
            used = (result.last_used_receive + 1) + (result.last_used_change + 1)
            found[symbol] = (balance.total, used)
        return found
    finally:
        await wallet.close()


def _address(args: argparse.Namespace) -> int:
    wallet = open_wallet(args)
    try:
        address = wallet.asset(args.asset).receive_address()
    finally:
        asyncio.run(wallet.close())
    emit(args, {"asset": args.asset, "address": address}, address)
    return 0


# The four figures a trader reads first (docs/wallet.md), then the wallet's own totals.
BALANCE_LABELS = (
    ("available", "available"),
    ("locked_orders", "locked in orders"),
    ("locked_swaps", "locked in swaps"),
    ("unconfirmed", "unconfirmed"),
)


def balance_fields(b: Balance) -> dict[str, int]:
    return {
        "available": b.available,
        "locked_orders": b.locked_orders,
        "locked_swaps": b.locked_swaps,
        "unconfirmed": b.unconfirmed,
        "in_contracts": b.in_contracts,
        "confirmed": b.confirmed,
        "locked": b.locked,
    }


def _balance(args: argparse.Namespace) -> int:
    async def run() -> dict[str, int]:
        wallet = open_wallet(args)
        try:
            b, _ = await asset_balance(wallet.asset(args.asset), SwapStore(wallet.store))
            return balance_fields(b)
        finally:
            await wallet.close()

    data = asyncio.run(run())
    ticker = args.asset.upper()
    amounts = {key: format_atoms(data[key]) for key, _ in BALANCE_LABELS}
    width = max(map(len, amounts.values()))
    text = "\n".join(
        f"{label:>16}: {amounts[key]:>{width}} {ticker}" for key, label in BALANCE_LABELS
    )
    emit(args, {"asset": args.asset, **data}, text)
    return 0


def _send(args: argparse.Namespace) -> int:
    try:
        atoms = args.atoms if args.atoms is not None else parse_coins(args.amount)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if atoms <= 0:
        raise CliError("the amount must be positive")

    async def run() -> dict[str, object]:
        wallet = open_wallet(args)
        try:
            asset_wallet = wallet.asset(args.asset)
            policy = FeePolicy.for_asset(asset_wallet.asset)
            rate = (await fee_rate(asset_wallet.backend, policy, args.fee)).rate
            signed = await asset_wallet.send(args.to, atoms, rate)
            return {
                "txid": signed.txid,
                "fee": signed.fee,
                "vsize": signed.vsize,
                "amount": atoms,
                "fee_rate": rate,
            }
        finally:
            await wallet.close()

    data = asyncio.run(run())
    emit(
        args,
        data,
        f"sent {format_atoms(atoms)} {args.asset.upper()}: {data['txid']} "
        f"(fee {format_atoms(int(str(data['fee'])))})",
    )
    return 0


def _derive(args: argparse.Namespace) -> int:
    if args.index < 0 or args.index >= 2**31:
        raise CliError("--index must be between 0 and 2147483647")
    asset = get_asset(args.asset, args.network)
    passphrase = Path(args.passphrase_file).read_text().rstrip("\n") if args.passphrase_file else ""
    hd = HDWallet.from_mnemonic(read_words(args), passphrase)
    keys = hd.account(asset)
    data = {
        "path": keys.path(args.change, args.index),
        "address": keys.address(args.change, args.index),
    }
    emit(args, data, f"{data['path']}  {data['address']}")
    return 0


__all__ = ["load_config", "register"]
