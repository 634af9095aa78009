"""Segwit v0 addresses (BIP-173 bech32) and output scripts, per asset HRP.

bip-utils has no Litecoin regtest entry and no P2WSH encoder, so we encode here.
"""

from __future__ import annotations

from dexproto.assets import AssetParams
from dexproto.crypto import hash160, sha256

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


class AddressError(ValueError):
    """An address string that is malformed or belongs to another asset or network."""


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= _GEN[i] if ((top >> i) & 1) else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convertbits(data: bytes | list[int], frombits: int, tobits: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            raise AddressError("invalid data value")
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise AddressError("invalid padding")
    return out


def encode_segwit(hrp: str, version: int, program: bytes) -> str:
    if version != 0:
        raise AddressError("only witness version 0 is supported")
    data = [version, *_convertbits(program, 8, 5, True)]
    checksum_input = _hrp_expand(hrp) + data + [0] * 6
    polymod = _polymod(checksum_input) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in data + checksum)


def decode_segwit(hrp: str, address: str) -> bytes:
    """Witness v0 program of `address`; raises AddressError naming what is wrong."""
    if address.lower() != address and address.upper() != address:
        raise AddressError("mixed-case address")
    address = address.lower()
    pos = address.rfind("1")
    if pos < 1 or pos + 7 > len(address) or len(address) > 90:
        raise AddressError("not a bech32 address")
    if address[:pos] != hrp:
        prefix = address[:pos]
        raise AddressError(f"address is for another network (prefix {prefix!r}, want {hrp!r})")
    try:
        data = [_CHARSET.index(c) for c in address[pos + 1 :]]
    except ValueError:
        raise AddressError("invalid character in address") from None
    if _polymod(_hrp_expand(hrp) + data) != 1:
        raise AddressError("address checksum is wrong")
    version, program = data[0], bytes(_convertbits(data[1:-6], 5, 8, False))
    if version != 0:
        raise AddressError("only witness version 0 addresses are supported")
    if len(program) not in (20, 32):
        raise AddressError("witness program has the wrong length")
    return program


def p2wpkh_script(pubkey_hash: bytes) -> bytes:
    if len(pubkey_hash) != 20:
        raise ValueError("pubkey hash must be 20 bytes")
    return b"\x00\x14" + pubkey_hash


def p2wpkh_script_for_pubkey(pubkey: bytes) -> bytes:
    return p2wpkh_script(hash160(pubkey))


def p2wsh_script(witness_script: bytes) -> bytes:
    return b"\x00\x20" + sha256(witness_script)


def witness_program(script: bytes) -> bytes | None:
    """The v0 witness program of a P2WPKH/P2WSH output script, else None."""
    if len(script) in (22, 34) and script[0] == 0 and script[1] == len(script) - 2:
        return script[2:]
    return None


def address_from_script(script: bytes, asset: AssetParams) -> str:
    program = witness_program(script)
    if program is None:
        raise AddressError("output script is not a segwit v0 program")
    return encode_segwit(asset.hrp, 0, program)


def script_from_address(address: str, asset: AssetParams) -> bytes:
    program = decode_segwit(asset.hrp, address)
    return bytes([0, len(program)]) + program
