"""Server-wide terms checked when a server's configuration arrives (C4 of the review): a
server whose lock durations fail the network's rules, or whose assets are on another network,
gets no order from us and none of its matches is taken (each match checks the lock times again,
so a configuration changed on reconnect is caught too)."""

from __future__ import annotations

from app.safety.rules import rules_for
from dexproto.assets import SYMBOLS
from dexproto.messages import ConfigResult


def server_problem(config: ConfigResult, network: str) -> str | None:
    """Why we do not trade on a server with this configuration, or None."""
    lock = rules_for(network).lock_problem(config.locktimes.maker, config.locktimes.taker)
    if lock is not None:
        return f"its lock times are unsafe: {lock}"
    for asset in config.assets:
        if asset.symbol in SYMBOLS and asset.network.value != network:
            return (
                f"it trades {asset.symbol.upper()} on {asset.network.value}, this wallet is "
                f"on {network}"
            )
    return None
