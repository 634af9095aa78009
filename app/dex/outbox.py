"""Signed `init` / `redeem` reports waiting for the server's acknowledgement (spec §9).

A report must reach the server even across disconnects and restarts, so the client keeps it in
an `Outbox` until the server acks it with a valid signature, and re-sends everything pending
after every (re)connect. The swap engine's SQLite store can implement the protocol; the
in-memory one serves tests and sessions that do not need to survive a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from dexproto._wire import Json

REPORT_METHODS = ("init", "redeem")


@dataclass(frozen=True)
class OutboxItem:
    """One report exactly as first signed (re-sends are byte-identical, so the server can
    recognise a duplicate)."""

    method: str  # "init" | "redeem"
    matchid: bytes
    params: dict[str, Json]


class Outbox(Protocol):
    def add(self, item: OutboxItem) -> None:
        """Store (or replace) the report for (method, matchid) before it is first sent."""

    def ack(self, method: str, matchid: bytes) -> None:
        """The server acknowledged it; forget it. Unknown keys are ignored."""

    def pending(self) -> list[OutboxItem]:
        """Unacknowledged reports, oldest first."""


class MemoryOutbox:
    def __init__(self) -> None:
        self._items: dict[tuple[str, bytes], OutboxItem] = {}

    def add(self, item: OutboxItem) -> None:
        if item.method not in REPORT_METHODS:
            raise ValueError(f"not a settlement report: {item.method!r}")
        self._items.pop((item.method, item.matchid), None)  # a replacement goes to the end
        self._items[(item.method, item.matchid)] = item

    def ack(self, method: str, matchid: bytes) -> None:
        self._items.pop((method, matchid), None)

    def pending(self) -> list[OutboxItem]:
        return list(self._items.values())
