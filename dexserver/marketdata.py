"""Public market data shared by the `trades` / `candles` RPC methods and the HTTP API.

Shapes (JSON; times ms, rates quote atoms per 10^8 base atoms, quantities base atoms):
- trade:  {matchid, rate, quantity, time}, oldest first, the last MAX_TRADES;
- candle: {start, open, high, low, close, volume}, bins of 1m|1h|1d, the last MAX_CANDLES.
Revoked matches are not trades. RPC params: `trades {base, quote}`,
`candles {base, quote, bin}` (bin optional, default "1h"); unknown fields are -32602.
"""

from __future__ import annotations

from dexproto._wire import Json
from dexproto.errors import ErrorCode, ProtocolError
from dexserver.epochs import Market
from dexserver.store import ServerStore

BINS = {"1m": 60_000, "1h": 3_600_000, "1d": 86_400_000}
MAX_TRADES = 1000
MAX_CANDLES = 1000


def candles(trades: list[tuple[int, int, int]], width: int) -> list[dict[str, int]]:
    """OHLCV bins from (time, rate, quantity) sorted by time."""
    out: list[dict[str, int]] = []
    for when, rate, qty in trades:
        start = when // width * width
        if out and out[-1]["start"] == start:
            c = out[-1]
            c["high"], c["low"] = max(c["high"], rate), min(c["low"], rate)
            c["close"] = rate
            c["volume"] += qty
        else:
            out.append(
                {
                    "start": start,
                    "open": rate,
                    "high": rate,
                    "low": rate,
                    "close": rate,
                    "volume": qty,
                }
            )
    return out[-MAX_CANDLES:]


def trades_json(store: ServerStore, market: Market) -> list[Json]:
    return [
        {"matchid": r.matchid.hex(), "rate": r.rate, "quantity": r.quantity, "time": r.servertime}
        for r in store.trades(market.name, limit=MAX_TRADES)
    ]


def candles_json(store: ServerStore, market: Market, width: int) -> list[Json]:
    since = market.clock() - width * MAX_CANDLES
    rows = store.trades(market.name, since=since, limit=100_000)
    bins = candles([(r.servertime, r.rate, r.quantity) for r in rows], width)
    return [dict(c) for c in bins]


def _bad(message: str) -> ProtocolError:
    return ProtocolError(ErrorCode.INVALID_PARAMS, message)


def parse_market_params(
    method: str, params: Json, markets: dict[str, Market], with_bin: bool
) -> tuple[Market, int]:
    """(market, bin width) from `{base, quote[, bin]}`; strict like dexproto.messages."""
    if not isinstance(params, dict):
        raise _bad(f"{method}: params must be an object")
    allowed = {"base", "quote", "bin"} if with_bin else {"base", "quote"}
    extra = sorted(set(params) - allowed)
    if extra:
        raise _bad(f"{method}.{extra[0]}: unknown field")
    base, quote = params.get("base"), params.get("quote")
    if not isinstance(base, str) or not isinstance(quote, str):
        raise _bad(f"{method}: base and quote must be tickers")
    market = markets.get(f"{base}_{quote}")
    if market is None:
        raise ProtocolError(ErrorCode.UNKNOWN_MARKET, f"unknown market {base[:5]}_{quote[:5]}")
    width = 0
    if with_bin:
        name = params.get("bin", "1h")
        if not isinstance(name, str) or name not in BINS:
            raise _bad(f"{method}.bin: must be one of 1m, 1h, 1d")
        width = BINS[name]
    return market, width
