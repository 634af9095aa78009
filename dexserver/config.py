"""Server configuration from a JSON file: markets, assets, fees, nodes and the signing key.

Example (amounts in atoms, durations in ms):

    {"host": "127.0.0.1", "port": 7232, "datadir": "/var/lib/cambio-dex",
     "epochlen": 60000, "btimeout": 720000, "buybuffer": "1.25", "cancelmax": "0.6",
     "locktimes": {"maker": 172800000, "taker": 86400000},
     "regfee": {"asset": "ltc", "amount": 100000000, "confs": 1, "pubkey": "02…"},
     "assets": [{"symbol": "ltc", "network": "regtest", "lotsize": 100000000,
                 "ratestep": 1000, "feerate": 10, "swapsize": 225, "swapconf": 1,
                 "fundconf": 1, "node": {"url": "http://127.0.0.1:19443",
                                         "user": "u", "password": "p"}}, …],
     "markets": [{"base": "ltc", "quote": "btc", "marketid": 0}]}

The server key lives in `<datadir>/server.key` (hex, created on first start, mode 0600) unless
`keyfile` names another file. `regfee.pubkey` is the operator's fee key; every account pays to
its own address derived from it (see accounts.fee_address), so fees are attributable.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from dexproto import messages as m
from dexproto.assets import ASSETS, AssetParams, Network


class ConfigError(ValueError):
    """The config file is missing, unreadable or wrong; the message names the field."""


@dataclass(frozen=True)
class NodeConfig:
    url: str
    user: str
    password: str = field(repr=False)  # never logged


@dataclass(frozen=True)
class AssetConfig:
    symbol: str
    network: Network
    lotsize: int
    ratestep: int
    feerate: int
    swapsize: int
    swapconf: int
    fundconf: int
    node: NodeConfig

    @property
    def params(self) -> AssetParams:
        return ASSETS[(self.symbol, self.network)]

    def info(self) -> m.AssetInfo:
        return m.AssetInfo(
            symbol=self.symbol,
            network=self.network,
            lotsize=self.lotsize,
            ratestep=self.ratestep,
            feerate=self.feerate,
            swapsize=self.swapsize,
            swapconf=self.swapconf,
            fundconf=self.fundconf,
            scripts=("P2WPKH",),
        )


@dataclass(frozen=True)
class MarketConfig:
    base: str
    quote: str
    marketid: int
    epochlen: int

    @property
    def name(self) -> str:
        return f"{self.base}_{self.quote}"

    @property
    def tradepair(self) -> str:
        return f"{self.base.upper()}/{self.quote.upper()}"


@dataclass(frozen=True)
class RegFeeConfig:
    asset: str
    amount: int
    confs: int
    pubkey: bytes | None  # operator fee key (33 bytes); None: derived from the server key


@dataclass(frozen=True)
class ServerConfig:
    host: str
    port: int
    datadir: Path
    keyfile: Path
    epochlen: int
    btimeout: int
    buybuffer: str
    cancelmax: str
    maker_lock: int
    taker_lock: int
    regfee: RegFeeConfig
    assets: dict[str, AssetConfig]
    markets: dict[str, MarketConfig]  # by name "ltc_btc"
    timestamp_tolerance: int = 60_000  # ms either side of our clock
    rate_limit: int = 20  # requests per second, sustained
    rate_burst: int = 100
    max_active_matches: int = 100

    @property
    def buybuffer_fraction(self) -> Fraction:
        return Fraction(self.buybuffer)

    def market_by_pair(self, tradepair: str) -> MarketConfig | None:
        base, _, quote = tradepair.lower().partition("/")
        return self.markets.get(f"{base}_{quote}")

    def market_by_id(self, marketid: int) -> MarketConfig | None:
        return next((mk for mk in self.markets.values() if mk.marketid == marketid), None)

    def config_result(self, server_pubkey: bytes) -> m.ConfigResult:
        return m.ConfigResult(
            pubkey=server_pubkey,
            apiver=1,
            epochlen=self.epochlen,
            buybuffer=self.buybuffer,
            cancelmax=self.cancelmax,
            btimeout=self.btimeout,
            regfee=m.RegFee(
                asset=self.regfee.asset, amount=self.regfee.amount, confs=self.regfee.confs
            ),
            locktimes=m.LockTimes(maker=self.maker_lock, taker=self.taker_lock),
            assets=tuple(a.info() for a in self.assets.values()),
            markets=tuple(
                m.MarketInfo(
                    name=mk.name,
                    base=mk.base,
                    quote=mk.quote,
                    marketid=mk.marketid,
                    epochlen=mk.epochlen,
                )
                for mk in self.markets.values()
            ),
        )


def _get(obj: dict[str, Any], key: str, kind: type, path: str, default: Any = None) -> Any:
    value = obj.get(key, default)
    if value is None:
        raise ConfigError(f"{path}.{key} is required")
    if kind is int and (type(value) is not int or value < 0):
        raise ConfigError(f"{path}.{key} must be a non-negative integer")
    if kind is not int and not isinstance(value, kind):
        raise ConfigError(f"{path}.{key} must be a {kind.__name__}")
    return value


def _pos(obj: dict[str, Any], key: str, path: str, default: int | None = None) -> int:
    value: int = _get(obj, key, int, path, default)
    if value <= 0:
        raise ConfigError(f"{path}.{key} must be positive")
    return value


def _asset(raw: Any, i: int) -> AssetConfig:
    path = f"assets[{i}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must be an object")
    symbol = _get(raw, "symbol", str, path)
    try:
        network = Network(_get(raw, "network", str, path))
    except ValueError as exc:
        raise ConfigError(f"{path}.network: {exc}") from None
    if (symbol, network) not in ASSETS:
        raise ConfigError(f"{path}: unknown asset {symbol} on {network}")
    node = _get(raw, "node", dict, path)
    return AssetConfig(
        symbol=symbol,
        network=network,
        lotsize=_pos(raw, "lotsize", path),
        ratestep=_pos(raw, "ratestep", path),
        feerate=_pos(raw, "feerate", path),
        swapsize=_pos(raw, "swapsize", path, 225),
        swapconf=_get(raw, "swapconf", int, path, 1),
        fundconf=_get(raw, "fundconf", int, path, 1),
        node=NodeConfig(
            _get(node, "url", str, f"{path}.node"),
            _get(node, "user", str, f"{path}.node"),
            _get(node, "password", str, f"{path}.node"),
        ),
    )


def parse_config(raw: Any, base_dir: Path) -> ServerConfig:
    if not isinstance(raw, dict):
        raise ConfigError("the config must be a JSON object")
    assets = {a.symbol: a for a in (_asset(r, i) for i, r in enumerate(raw.get("assets", [])))}
    epochlen = _pos(raw, "epochlen", "config", 60_000)
    markets: dict[str, MarketConfig] = {}
    for i, r in enumerate(raw.get("markets", [])):
        path = f"markets[{i}]"
        if not isinstance(r, dict):
            raise ConfigError(f"{path} must be an object")
        mk = MarketConfig(
            _get(r, "base", str, path),
            _get(r, "quote", str, path),
            _get(r, "marketid", int, path, i),
            _pos(r, "epochlen", path, epochlen),
        )
        if mk.base not in assets or mk.quote not in assets or mk.base == mk.quote:
            raise ConfigError(f"{path}: base and quote must be two configured assets")
        markets[mk.name] = mk
    if not markets:
        raise ConfigError("config.markets: at least one market is required")
    for key in ("buybuffer", "cancelmax"):
        if key in raw and not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,8})?", str(raw[key])):
            raise ConfigError(f'config.{key} must be a decimal string like "1.25"')
    reg = _get(raw, "regfee", dict, "config")
    pub = reg.get("pubkey")
    if pub is not None and not (isinstance(pub, str) and re.fullmatch(r"0[23][0-9a-f]{64}", pub)):
        raise ConfigError("config.regfee.pubkey must be a 33-byte compressed key in hex")
    regfee = RegFeeConfig(
        _get(reg, "asset", str, "config.regfee"),
        _pos(reg, "amount", "config.regfee"),
        _get(reg, "confs", int, "config.regfee", 1),
        bytes.fromhex(pub) if pub else None,
    )
    if regfee.asset not in assets:
        raise ConfigError("config.regfee.asset must be a configured asset")
    locks = raw.get("locktimes", {})
    maker_lock = _pos(locks, "maker", "config.locktimes", 48 * 3_600_000)
    taker_lock = _pos(locks, "taker", "config.locktimes", 24 * 3_600_000)
    if taker_lock >= maker_lock:
        raise ConfigError("config.locktimes: taker must be shorter than maker")
    datadir = (base_dir / _get(raw, "datadir", str, "config", ".")).resolve()
    keyfile = datadir / _get(raw, "keyfile", str, "config", "server.key")
    return ServerConfig(
        host=_get(raw, "host", str, "config", "127.0.0.1"),
        port=_get(raw, "port", int, "config", 7232),
        datadir=datadir,
        keyfile=keyfile,
        epochlen=epochlen,
        btimeout=_pos(raw, "btimeout", "config", 720_000),
        buybuffer=str(raw.get("buybuffer", "1.25")),
        cancelmax=str(raw.get("cancelmax", "0.6")),
        maker_lock=maker_lock,
        taker_lock=taker_lock,
        regfee=regfee,
        assets=assets,
        markets=markets,
        timestamp_tolerance=_pos(raw, "timestamp_tolerance", "config", 60_000),
        rate_limit=_pos(raw, "rate_limit", "config", 20),
        rate_burst=_pos(raw, "rate_burst", "config", 100),
        max_active_matches=_pos(raw, "max_active_matches", "config", 100),
    )


def load_config(path: Path) -> ServerConfig:
    try:
        raw = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from None
    return parse_config(raw, Path(path).resolve().parent)


def load_or_create_key(path: Path) -> bytes:
    """The server's 32-byte signing secret; a new one is written 0600 on first start."""
    if path.exists():
        text = path.read_text("ascii").strip()
        if not re.fullmatch(r"[0-9a-f]{64}", text):
            raise ConfigError(f"{path} does not hold a 32-byte hex key")
        return bytes.fromhex(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key.hex() + "\n")
    return key
