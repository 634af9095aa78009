"""The send form's checks, pure (no Qt, no I/O): field text in, atoms or a named problem out.

The dialog shows an approximate fee before coin selection (one input, payment and change);
the review step replaces it with the exact fee of the signed transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from app.wallet.coinselect import output_dust_limit
from dexproto.address import AddressError, decode_segwit, script_from_address
from dexproto.assets import ASSETS, AssetParams, parse_coins

TYPICAL_VSIZE = 141  # vbytes: 1 P2WPKH input, a P2WPKH payment and a P2WPKH change output


class SendIssue(Enum):
    ADDRESS_EMPTY = "address_empty"
    ADDRESS_INVALID = "address_invalid"
    ADDRESS_OTHER_NETWORK = "address_other_network"  # valid, but for another chain/network
    AMOUNT_EMPTY = "amount_empty"
    AMOUNT_INVALID = "amount_invalid"
    AMOUNT_DUST = "amount_dust"
    INSUFFICIENT = "insufficient"


@dataclass(frozen=True)
class SendProblem:
    issue: SendIssue
    detail: str = ""  # the other network's name, or the limit in atoms as text
    limit: int = 0  # dust limit or what is available, in atoms


def check_address(text: str, asset: AssetParams) -> tuple[bytes | None, SendProblem | None]:
    """(output script, None) for an address of `asset`, else (None, the problem)."""
    text = text.strip()
    if not text:
        return None, SendProblem(SendIssue.ADDRESS_EMPTY)
    try:
        return script_from_address(text, asset), None
    except AddressError:
        pass
    for other in ASSETS.values():  # name the chain the user probably copied it from
        if other.hrp == asset.hrp:
            continue
        try:
            decode_segwit(other.hrp, text)
        except AddressError:
            continue
        return None, SendProblem(
            SendIssue.ADDRESS_OTHER_NETWORK, f"{other.name} {other.network.value}"
        )
    return None, SendProblem(SendIssue.ADDRESS_INVALID)


def approx_fee(fee_rate: int) -> int:
    return fee_rate * TYPICAL_VSIZE


def max_amount(available: int, fee_rate: int) -> int:
    return max(0, available - approx_fee(fee_rate))


def check_amount(
    text: str, asset: AssetParams, available: int, fee: int, script: bytes | None = None
) -> tuple[int | None, SendProblem | None]:
    """(atoms, None) when `text` is a sendable amount given the fee, else (None, problem)."""
    if not text.strip():
        return None, SendProblem(SendIssue.AMOUNT_EMPTY)
    try:
        amount = parse_coins(text)
    except ValueError:
        return None, SendProblem(SendIssue.AMOUNT_INVALID)
    dust = output_dust_limit(script, asset) if script is not None else asset.p2wpkh_dust
    if amount < max(1, dust):
        return None, SendProblem(SendIssue.AMOUNT_DUST, limit=max(1, dust))
    if amount + fee > available:
        return None, SendProblem(SendIssue.INSUFFICIENT, limit=available)
    return amount, None
