"""The server's clock seen from ours, learned from every server time the client receives.

Epochs are cut by the server's clock (§8), so a countdown needs it, not ours. Each message
bounds `offset = server time - local time`:

    stamped   a result the server stamped (`servertime` of an order, `register` timestamp),
              between our send and our receipt: offset in [ts - received, ts - sent]
    pushed    a stamp in a message the server pushed (`match`): offset >= ts - received
    in_epoch  a result naming the current epoch (`orderbook`, `connect` startepoch):
              offset in [e*d - received, (e+1)*d - 1 - sent]
    closed    a message sent when an epoch closed (`match_data`, a newly booked order):
              a push stamped (e+1)*d

The estimate is the latest point sample (a stamped round trip's midpoint, a push taken as
instant) kept inside the intersection of all bounds; 0 (our clock) until the first one. Bounds
that contradict each other mean a clock jumped: the newest one starts over. Pure, no I/O.
"""

from __future__ import annotations


class ServerClock:
    def __init__(self) -> None:
        self.low: int | None = None  # bounds on the offset, ms
        self.high: int | None = None
        self.point = 0  # best single estimate of the offset
        self.samples = 0  # messages seen; lets a caller tell when to republish

    def stamped(self, server_ms: int, sent_ms: int, received_ms: int) -> None:
        self._bound(server_ms - received_ms, server_ms - sent_ms)
        self.point = server_ms - (sent_ms + received_ms) // 2

    def pushed(self, server_ms: int, received_ms: int) -> None:
        self._bound(server_ms - received_ms, None)
        self.point = server_ms - received_ms  # network latency unknown: usually a few ms

    def in_epoch(self, epoch: int, epochlen_ms: int, sent_ms: int, received_ms: int) -> None:
        if epochlen_ms > 0:
            self._bound(epoch * epochlen_ms - received_ms, (epoch + 1) * epochlen_ms - 1 - sent_ms)

    def closed(self, epoch: int, epochlen_ms: int, received_ms: int) -> None:
        if epochlen_ms > 0:
            self.pushed((epoch + 1) * epochlen_ms, received_ms)

    @property
    def offset(self) -> int:
        value = self.point
        if self.low is not None:
            value = max(value, self.low)
        if self.high is not None:
            value = min(value, self.high)
        return value

    def now(self, local_ms: int) -> int:
        return local_ms + self.offset

    def _bound(self, low: int, high: int | None) -> None:
        self.samples += 1
        new_low = low if self.low is None else max(self.low, low)
        new_high = (
            high if self.high is None else (self.high if high is None else min(self.high, high))
        )
        if new_high is not None and new_low > new_high:  # a clock jumped: trust the newest
            self.low, self.high = low, high
            return
        self.low, self.high = new_low, new_high
