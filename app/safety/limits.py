"""The user's own safety limits (Settings → Safety limits), stored in config.json.

Defaults protect a newcomer; each limit only ever narrows what the client's constants
(app/safety/rules.py) already allow:
- `max_fee_rate`: the highest fee rate (atoms/vB) a server may ask us to pay on each chain;
- `max_fee_share_bp`: the most a match's worst-case fees (our share of the init, our refund,
  our redeem) may take of its value, in basis points (1/100 of a percent);
- `min_confs`: confirmations of the counterparty's contract we wait for at least on each chain
  (0: the client's own minimum; the server's `swapconf` and the client's minimum still apply).

Regtest's fee-share default is higher than the real networks' because the simnet's lots are
0.01 LTC (0.001 BTC) at 20 atoms/vB: a lot's swap fees are a few percent of it there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.safety.errors import LimitsError
from dexproto.assets import SYMBOLS, Network

DEFAULT_MAX_FEE_RATE = {"btc": 500, "ltc": 1000}  # atoms/vB
DEFAULT_FEE_SHARE_BP = {Network.MAINNET: 300, Network.TESTNET: 300, Network.REGTEST: 1000}
MAX_FEE_SHARE_BP = 5000  # a user may allow at most half of a swap's value in fees
MAX_MIN_CONFS = 100


@dataclass(frozen=True)
class SafetyLimits:
    max_fee_rate: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_MAX_FEE_RATE))
    max_fee_share_bp: int = 300
    min_confs: Mapping[str, int] = field(default_factory=lambda: {s: 0 for s in SYMBOLS})

    def __post_init__(self) -> None:
        for symbol in SYMBOLS:
            rate = self.max_fee_rate.get(symbol)
            if rate is None or not 1 <= rate <= 100_000:
                raise LimitsError(
                    f"the maximum {symbol.upper()} fee rate must be 1–100000 atoms/vB, not {rate}"
                )
            confs = self.min_confs.get(symbol, 0)
            if not 0 <= confs <= MAX_MIN_CONFS:
                raise LimitsError(
                    f"the {symbol.upper()} minimum confirmations must be "
                    f"0–{MAX_MIN_CONFS}, not {confs}"
                )
        if not 1 <= self.max_fee_share_bp <= MAX_FEE_SHARE_BP:
            raise LimitsError(f"the maximum fee share must be 0.01–{MAX_FEE_SHARE_BP // 100} %")

    @classmethod
    def default(cls, network: Network) -> SafetyLimits:
        return cls(max_fee_share_bp=DEFAULT_FEE_SHARE_BP[network])

    def to_json(self) -> dict[str, Any]:
        return {
            "max_fee_rate": dict(self.max_fee_rate),
            "max_fee_share_bp": self.max_fee_share_bp,
            "min_confs": dict(self.min_confs),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], network: Network) -> SafetyLimits:
        """Limits from config.json; missing entries take the network's defaults. Raises
        LimitsError for a value of the wrong type or out of range."""
        base = cls.default(network)
        try:
            rates = {
                **base.max_fee_rate,
                **{str(k): _int(v) for k, v in dict(data.get("max_fee_rate", {})).items()},
            }
            confs = {
                **base.min_confs,
                **{str(k): _int(v) for k, v in dict(data.get("min_confs", {})).items()},
            }
            share = _int(data.get("max_fee_share_bp", base.max_fee_share_bp))
        except (TypeError, ValueError) as exc:
            raise LimitsError(f"safety limits are malformed: {exc}") from None
        return cls(rates, share, confs)


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a whole number")
    return value
