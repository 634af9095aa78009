"""Market-data shapes of the `trades` and `candles` results (spec §6), and their parsers.

Server shapes (dexserver/marketdata.py): trade {matchid, rate, quantity, time}, candle
{start, open, high, low, close, volume}; times in ms, rates quote atoms per 10^8 base atoms,
quantities base atoms. Integers only.
"""

from __future__ import annotations

from dataclasses import dataclass


class MarketDataError(ValueError):
    """A trade or candle from the server that is not in the documented shape."""


@dataclass(frozen=True)
class Trade:
    matchid: str
    rate: int
    quantity: int
    time: int


@dataclass(frozen=True)
class Candle:
    start: int
    open: int
    high: int
    low: int
    close: int
    volume: int


# --- parsing (rule 6: validate everything a server sends) ------------------------------------
def _uint(item: dict[str, object], key: str, where: str, minimum: int = 0) -> int:
    value = item.get(key)
    if type(value) is not int or value < minimum or value >= 1 << 64:
        raise MarketDataError(f"{where}.{key}: expected an integer >= {minimum}")
    return value


def _objects(data: object, what: str) -> list[dict[str, object]]:
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise MarketDataError(f"{what}: expected a list of objects")
    return data


def parse_trades(data: object) -> list[Trade]:
    """The `trades` result, sorted oldest first (the server sends them so; we do not trust it)."""
    out = []
    for i, item in enumerate(_objects(data, "trades")):
        where = f"trades[{i}]"
        matchid = item.get("matchid")
        if not isinstance(matchid, str) or len(matchid) != 64:
            raise MarketDataError(f"{where}.matchid: expected 32 bytes of hex")
        out.append(
            Trade(
                matchid,
                _uint(item, "rate", where, 1),
                _uint(item, "quantity", where, 1),
                _uint(item, "time", where),
            )
        )
    out.sort(key=lambda t: t.time)
    return out


def parse_candles(data: object) -> list[Candle]:
    out = []
    for i, item in enumerate(_objects(data, "candles")):
        where = f"candles[{i}]"
        c = Candle(
            *(_uint(item, k, where) for k in ("start", "open", "high", "low", "close", "volume"))
        )
        if not c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high:
            raise MarketDataError(f"{where}: open/close outside low..high")
        out.append(c)
    out.sort(key=lambda c: c.start)
    return out
