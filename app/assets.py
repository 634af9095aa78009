"""Coin and network parameters for Bitcoin and Litecoin. All amounts are integer atoms."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

ATOMS_PER_COIN = 100_000_000


class Network(StrEnum):
    MAINNET = "mainnet"
    TESTNET = "testnet"
    REGTEST = "regtest"


@dataclass(frozen=True)
class AssetParams:
    """Everything the engine needs to know about one asset on one network."""

    symbol: str  # lower-case ticker: "btc", "ltc"
    name: str
    network: Network
    hrp: str  # bech32 human-readable part for segwit addresses
    coin_type: int  # BIP44 coin type used in BIP84 paths
    rpc_port: int  # the node's default JSON-RPC port
    dust_relay_fee: int  # atoms per 1000 vbytes, the node's dust policy
    min_relay_fee: int  # atoms per 1000 vbytes
    swap_confs: int  # default confirmations before a swap contract is trusted
    fund_confs: int  # default confirmations for order funding coins
    block_seconds: int  # target block spacing

    @property
    def ticker(self) -> str:
        return self.symbol.upper()

    def dust_limit(self, output_size: int) -> int:
        """Smallest non-dust value of a segwit output of `output_size` serialized bytes.

        Core's rule for witness outputs: the output plus a minimal witness input
        (32+4+1+4 bytes + 107/4 weight units rounded to 26) must cost less than its value.
        """
        spend_size = 32 + 4 + 1 + 107 // 4 + 4
        return (output_size + spend_size) * self.dust_relay_fee // 1000

    @property
    def p2wpkh_dust(self) -> int:
        return self.dust_limit(31)

    @property
    def p2wsh_dust(self) -> int:
        return self.dust_limit(43)


def _btc(network: Network, hrp: str, coin_type: int, port: int, confs: int) -> AssetParams:
    return AssetParams(
        symbol="btc", name="Bitcoin", network=network, hrp=hrp, coin_type=coin_type,
        rpc_port=port, dust_relay_fee=3000, min_relay_fee=1000, swap_confs=confs,
        fund_confs=confs, block_seconds=600,
    )


def _ltc(network: Network, hrp: str, coin_type: int, port: int, confs: int) -> AssetParams:
    # Litecoin Core keeps a ten-times higher dust relay fee than Bitcoin Core.
    return AssetParams(
        symbol="ltc", name="Litecoin", network=network, hrp=hrp, coin_type=coin_type,
        rpc_port=port, dust_relay_fee=30000, min_relay_fee=10000, swap_confs=confs,
        fund_confs=confs, block_seconds=150,
    )


ASSETS: dict[tuple[str, Network], AssetParams] = {
    ("btc", Network.MAINNET): _btc(Network.MAINNET, "bc", 0, 8332, 2),
    ("btc", Network.TESTNET): _btc(Network.TESTNET, "tb", 1, 18332, 1),
    ("btc", Network.REGTEST): _btc(Network.REGTEST, "bcrt", 1, 18443, 1),
    ("ltc", Network.MAINNET): _ltc(Network.MAINNET, "ltc", 2, 9332, 4),
    ("ltc", Network.TESTNET): _ltc(Network.TESTNET, "tltc", 1, 19332, 1),
    ("ltc", Network.REGTEST): _ltc(Network.REGTEST, "rltc", 1, 19443, 1),
}

SYMBOLS = ("btc", "ltc")


class UnknownAssetError(ValueError):
    """The asset or network name is not one Cambio supports."""


def get_asset(symbol: str, network: str | Network) -> AssetParams:
    """Look up an asset by ticker and network name; raises UnknownAssetError with a clear text."""
    try:
        net = Network(network)
    except ValueError:
        names = ", ".join(n.value for n in Network)
        raise UnknownAssetError(f"unknown network {network!r} (use one of: {names})") from None
    key = (symbol.lower(), net)
    if key not in ASSETS:
        raise UnknownAssetError(f"unknown asset {symbol!r} (use one of: {', '.join(SYMBOLS)})")
    return ASSETS[key]


def format_atoms(atoms: int, decimals: int = 8) -> str:
    """Render atoms as a coin amount without floats: 150000000 -> '1.50000000'."""
    sign = "-" if atoms < 0 else ""
    whole, frac = divmod(abs(atoms), ATOMS_PER_COIN)
    text = f"{sign}{whole}.{frac:08d}"
    return text[: len(text) - (8 - decimals)] if decimals < 8 else text


def format_amount(atoms: int, ticker: str = "") -> str:
    """'1.50000000 LTC' (or just the number without a ticker), for user-facing messages."""
    return f"{format_atoms(atoms)} {ticker.upper()}" if ticker else format_atoms(atoms)


def parse_coins(text: str) -> int:
    """Parse a decimal coin amount ('1.5', '0.00000001') into atoms exactly; no floats."""
    text = text.strip()
    if not text or text.count(".") > 1 or text.startswith("-"):
        raise ValueError(f"not a coin amount: {text!r}")
    whole, _, frac = text.partition(".")
    if not (whole or frac) or not (whole or "0").isdigit() or (frac and not frac.isdigit()):
        raise ValueError(f"not a coin amount: {text!r}")
    if len(frac) > 8:
        raise ValueError(f"more than 8 decimals: {text!r}")
    return int(whole or "0") * ATOMS_PER_COIN + int(frac.ljust(8, "0") or "0")
