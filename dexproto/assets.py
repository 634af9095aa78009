"""Coin and network parameters for Bitcoin and Litecoin. All amounts are integer atoms.

Testnet is Bitcoin testnet4 and Litecoin's testnet (whose Core data folder is also called
"testnet4"). Each asset knows its genesis block hash: a node whose `getblockhash 0` differs is
on another network and is refused (app/wallet/backends/corerpc.py), so mainnet coins are never
traded against a testnet node or the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
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
    genesis_hash: str  # block 0 as `getblockhash 0` prints it
    core_dir: str  # the Core node's data directory on Linux, under $HOME: ".bitcoin"
    net_dir: str  # the network's subfolder there ("" for mainnet): its .cookie lives there

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


@dataclass(frozen=True)
class _Net:
    hrp: str
    coin_type: int
    port: int
    confs: int
    genesis: str
    net_dir: str


def _btc(network: Network, n: _Net) -> AssetParams:
    return AssetParams(
        symbol="btc",
        name="Bitcoin",
        network=network,
        hrp=n.hrp,
        coin_type=n.coin_type,
        rpc_port=n.port,
        dust_relay_fee=3000,
        min_relay_fee=1000,
        swap_confs=n.confs,
        fund_confs=n.confs,
        block_seconds=600,
        genesis_hash=n.genesis,
        core_dir=".bitcoin",
        net_dir=n.net_dir,
    )


def _ltc(network: Network, n: _Net) -> AssetParams:
    # Litecoin Core keeps a ten-times higher dust relay fee than Bitcoin Core.
    return AssetParams(
        symbol="ltc",
        name="Litecoin",
        network=network,
        hrp=n.hrp,
        coin_type=n.coin_type,
        rpc_port=n.port,
        dust_relay_fee=30000,
        min_relay_fee=10000,
        swap_confs=n.confs,
        fund_confs=n.confs,
        block_seconds=150,
        genesis_hash=n.genesis,
        core_dir=".litecoin",
        net_dir=n.net_dir,
    )


# Genesis hashes as Bitcoin Core / Litecoin Core assert them in chainparams.cpp.
BTC_REGTEST_GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
LTC_REGTEST_GENESIS = "530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9"
ASSETS: dict[tuple[str, Network], AssetParams] = {
    ("btc", Network.MAINNET): _btc(
        Network.MAINNET,
        _Net(
            "bc", 0, 8332, 2, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", ""
        ),
    ),
    ("btc", Network.TESTNET): _btc(
        Network.TESTNET,
        _Net(  # testnet4 (BIP94)
            "tb",
            1,
            48332,
            1,
            "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
            "testnet4",
        ),
    ),
    ("btc", Network.REGTEST): _btc(
        Network.REGTEST, _Net("bcrt", 1, 18443, 1, BTC_REGTEST_GENESIS, "regtest")
    ),
    ("ltc", Network.MAINNET): _ltc(
        Network.MAINNET,
        _Net(
            "ltc",
            2,
            9332,
            4,
            "12a765e31ffd4059bada1e25190f6e98c99d9714d334efa41a195a7e7e04bfe2",
            "",
        ),
    ),
    ("ltc", Network.TESTNET): _ltc(
        Network.TESTNET,
        _Net(
            "tltc",
            1,
            19332,
            1,
            "4966625a4b2851d9fdee139e56211a0d88575f59ed816ff5e6a63deb4e3e29a0",
            "testnet4",
        ),
    ),
    ("ltc", Network.REGTEST): _ltc(
        Network.REGTEST, _Net("rltc", 1, 19443, 1, LTC_REGTEST_GENESIS, "regtest")
    ),
}


def accepted_genesis(asset: AssetParams) -> frozenset[str]:
    """The genesis hashes a node for `asset` may report. On regtest only, the BTC chain may
    be a second Litecoin Core regtest node (the local simnet's stand-in): no money is there."""
    if asset.network is Network.REGTEST and asset.symbol == "btc":
        return frozenset({asset.genesis_hash, LTC_REGTEST_GENESIS})
    return frozenset({asset.genesis_hash})


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


def coins_to_atoms(value: object) -> int:
    """A node's amount (Decimal coins, as JSON with parse_float=Decimal gives it) as exact
    integer atoms, never via float; ValueError for anything else (a float, a negative
    amount, a fraction of an atom). Shared by the client's and the server's node clients."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(f"not an amount: {value!r}")
    atoms = Decimal(value) * ATOMS_PER_COIN
    if atoms < 0 or atoms != atoms.to_integral_value():
        raise ValueError(f"not a whole number of atoms: {value!r}")
    return int(atoms)


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
