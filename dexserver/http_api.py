"""Read-only HTTP API on the WebSocket port (spec §2), served from websockets'
`process_request` hook before any upgrade:

- GET /api/config                          the `assets` result (§4)
- GET /api/markets/{base}_{quote}/book     {marketid, epoch, seq, bids, asks}: price levels
                                           [{rate, quantity, orders}], best first
- GET /api/markets/{base}_{quote}/trades   [{matchid, rate, quantity, time}], oldest first
- GET /api/markets/{base}_{quote}/candles?bin=1m|1h|1d
                                           [{start, open, high, low, close, volume}]
Times are ms, rates and quantities atoms. Revoked matches are not trades.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from dexserver.book import DepthLevel
from dexserver.epochs import Market
from dexserver.marketdata import BINS, candles_json, trades_json
from dexserver.store import ServerStore


def json_response(status: HTTPStatus, body: Any) -> Response:
    data = json.dumps(body, separators=(",", ":")).encode()
    headers = Headers(
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
            ("Connection", "close"),
        ]
    )
    return Response(status.value, status.phrase, headers, data)


def _level(d: DepthLevel) -> dict[str, int]:
    return {"rate": d.rate, "quantity": d.quantity, "orders": d.orders}


class HttpApi:
    def __init__(
        self,
        config_json: Callable[[], dict[str, Any]],
        markets: dict[str, Market],
        store: ServerStore,
    ) -> None:
        self.config_json = config_json
        self.markets = markets
        self.store = store

    def process_request(self, connection: object, request: Request) -> Response | None:
        """websockets hook: answer /api/ paths, let anything else go on to the upgrade."""
        if not request.path.startswith("/api/"):
            return None
        try:
            return self.route(request.path)
        except Exception:  # never let a bad query kill the handshake machinery
            return json_response(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal error"})

    def route(self, target: str) -> Response:
        url = urlsplit(target)
        parts = url.path.strip("/").split("/")
        if parts == ["api", "config"]:
            return json_response(HTTPStatus.OK, self.config_json())
        if len(parts) != 4 or parts[:2] != ["api", "markets"]:
            return json_response(HTTPStatus.NOT_FOUND, {"error": "not found"})
        market = self.markets.get(parts[2])
        if market is None:
            return json_response(HTTPStatus.NOT_FOUND, {"error": "unknown market"})
        if parts[3] == "book":
            bids, asks = market.matcher.depth(500)
            return json_response(
                HTTPStatus.OK,
                {
                    "marketid": market.cfg.marketid,
                    "epoch": market.epoch_now(),
                    "seq": market.feed.seq,
                    "bids": [_level(d) for d in bids],
                    "asks": [_level(d) for d in asks],
                },
            )
        if parts[3] == "trades":
            return json_response(HTTPStatus.OK, trades_json(self.store, market))
        if parts[3] == "candles":
            width = BINS.get(parse_qs(url.query).get("bin", ["1h"])[0])
            if width is None:
                return json_response(HTTPStatus.BAD_REQUEST, {"error": "bin must be 1m|1h|1d"})
            return json_response(HTTPStatus.OK, candles_json(self.store, market, width))
        return json_response(HTTPStatus.NOT_FOUND, {"error": "not found"})
