"""The edge between the swap package and dexproto's §9 contract (dexproto/htlc.py, shared
with the server): the two ways app code gets a `Contract`, with dexproto's ContractError
mapped to the swap tree's (app/swap/errors.py), so `except SwapError` covers a bad contract.
"""

from __future__ import annotations

from app.swap.errors import ContractError
from dexproto.errors import ContractError as WireContractError
from dexproto.htlc import Contract


def parse_contract(script: bytes) -> Contract:
    """`Contract.parse`: anything but the exact template is a ContractError."""
    try:
        return Contract.parse(script)
    except WireContractError as exc:
        raise ContractError(exc.message, exc.detail) from exc


def make_contract(
    secret_hash: bytes, recipient_pkh: bytes, refund_pkh: bytes, lock_time: int
) -> Contract:
    """`Contract(...)`: a field out of range is a ContractError."""
    try:
        return Contract(secret_hash, recipient_pkh, refund_pkh, lock_time)
    except WireContractError as exc:
        raise ContractError(exc.message, exc.detail) from exc
