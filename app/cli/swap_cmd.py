"""`main.py swap audit`: inspect an HTLC contract (ours or a counterparty's) offline."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from app.cli.common import add_json, emit
from app.cli.errors import CliError
from app.swap.contract import parse_contract
from app.swap.errors import ContractError
from dexproto.assets import SYMBOLS, Network, get_asset


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    swap = sub.add_parser("swap", help="inspect swap contracts")
    cmds = swap.add_subparsers(dest="swap_cmd", required=True)
    p = cmds.add_parser("audit", help="parse a contract and show what it says")
    add_json(p)
    p.add_argument("--asset", choices=SYMBOLS, required=True)
    p.add_argument("--network", choices=[n.value for n in Network], default="mainnet")
    p.add_argument("--contract", required=True, help="the contract script in hex")
    p.set_defaults(func=_audit)


def _audit(args: argparse.Namespace) -> int:
    asset = get_asset(args.asset, args.network)
    try:
        script = bytes.fromhex(args.contract.strip())
    except ValueError:
        raise CliError("the contract is not valid hex") from None
    try:
        contract = parse_contract(script)
    except ContractError as exc:
        raise CliError(f"not a Cambio/decred HTLC contract: {exc}") from None
    when = datetime.fromtimestamp(contract.lock_time, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    data = {
        "secret_hash": contract.secret_hash.hex(),
        "recipient_pkh": contract.recipient_pkh.hex(),
        "refund_pkh": contract.refund_pkh.hex(),
        "lock_time": contract.lock_time,
        "lock_time_utc": when,
        "p2wsh_address": contract.address(asset),
        "p2wsh_script": contract.p2wsh_script().hex(),
    }
    text = "\n".join(
        [
            f"secret hash    {data['secret_hash']}",
            f"recipient pkh  {data['recipient_pkh']}",
            f"refund pkh     {data['refund_pkh']}",
            f"lock time      {contract.lock_time} ({when})",
            f"address        {data['p2wsh_address']}",
        ]
    )
    emit(args, data, text)
    return 0
