"""Epoch matcher throughput on a realistic mixed flow (dexserver.matcher).

Market: lot 0.01 base (10^6 atoms), rate step 100, mid rate 1,200,000 (0.012 quote per base).
Each run starts from a book of 20,000 standing orders (10,000 a side, rates spread below/above
mid) and processes one epoch of N orders from 1,000 accounts:
  45 % standing limits, 20 % immediate limits (rates clustered around mid, a third of them
  crossing), 10 % market orders (buys sized in quote atoms), 25 % cancels (most target the
  sender's own booked orders, some another account's order or one not yet booked: they fail).
Three figures per size, best of several runs, the flow generated before timing starts:
  matcher.epoch_<N>             registering each order as it arrives plus the epoch close, with
                                the cyclic GC on at its default thresholds (what a server sees);
  matcher.epoch_<N>.match_only  the epoch close alone (same runs);
  matcher.epoch_<N>.nogc        the first figure with the GC off: the matcher's own work.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable
from typing import NamedTuple

from benchmarks.framework import Result
from dexserver.matcher import Matcher, Order, Side

LOT = 10**6
STEP = 100
MID = 1_200_000
ACCOUNTS = 1_000
BOOK_PER_SIDE = 10_000
SIZES = ((1_000, 40), (10_000, 8), (100_000, 3))  # (epoch size, runs each with/without GC)


Spec = tuple[str, bytes, bytes, str, int, int, bool, bytes]
"""An order as it would arrive, decoded from JSON: (kind "l"|"m"|"c", oid, account, side
"b"|"s", quantity, rate, standing, cancel target). A plain tuple of str/bytes/int, which the GC
untracks, so that the harness's own 100,000 inputs do not weigh on its collections."""


def _spec(
    kind: str,
    oid: bytes,
    account: bytes,
    side: str = "b",
    quantity: int = 0,
    rate: int = 0,
    standing: bool = True,
    target: bytes = b"",
) -> Spec:
    return (kind, oid, account, side, quantity, rate, standing, target)


SIDES = {"b": Side.BUY, "s": Side.SELL}


def _oid(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _lots(rng: random.Random) -> int:
    return LOT * min(50, 1 + int(rng.expovariate(1 / 6)))


def _rate(rng: random.Random, side: str, resting: bool) -> int:
    """Resting rates sit behind mid; flow rates are clustered on it, some of them crossing."""
    sign = 1 if side == "s" else -1
    ticks = 1 + int(abs(rng.gauss(0, 60))) if resting else int(rng.gauss(12, 40))
    return MID + sign * ticks * STEP


def make_flow(n: int, seed: int) -> tuple[list[Spec], list[Spec]]:
    """(book to pre-populate, epoch flow of n orders)."""
    rng = random.Random(seed)
    accounts = [_oid(10**9 + a) for a in range(ACCOUNTS)]
    counter = 0
    book: list[Spec] = []
    owned: list[Spec] = []  # standing orders a cancel may target
    for _ in range(2 * BOOK_PER_SIDE):
        counter += 1
        side = "b" if counter % 2 else "s"
        spec = _spec(
            "l", _oid(counter), rng.choice(accounts), side, _lots(rng), _rate(rng, side, True)
        )
        book.append(spec)
        owned.append(spec)
    flow: list[Spec] = []
    for _ in range(n):
        counter += 1
        oid = _oid(counter)
        account = rng.choice(accounts)
        side = rng.choice("bs")
        x = rng.random()
        if x < 0.45 or x < 0.65:
            standing = x < 0.45
            spec = _spec("l", oid, account, side, _lots(rng), _rate(rng, side, False), standing)
            if standing:
                owned.append(spec)
        elif x < 0.75:
            qty = _lots(rng)
            if side == "b":
                qty = qty * MID // 10**8 + rng.randrange(STEP)  # quote atoms, not lot-aligned
            spec = _spec("m", oid, account, side, qty)
        else:
            target = rng.choice(owned)
            # 85 % from the owner (the target may still be pending: such cancels fail).
            who = target[2] if rng.random() < 0.85 else account
            spec = _spec("c", oid, who, target=target[1])
        flow.append(spec)
    return book, flow


def _submitter(m: Matcher) -> Callable[[Spec], Order]:
    def submit(s: Spec) -> Order:
        kind, oid, account, side, quantity, rate, standing, target = s
        if kind == "l":
            return m.new_limit(oid, account, SIDES[side], quantity, rate, standing)
        if kind == "m":
            return m.new_market(oid, account, SIDES[side], quantity)
        return m.new_cancel(oid, account, target)

    return submit


def _prepared(book: list[Spec]) -> Matcher:
    m = Matcher(LOT, STEP)
    for _, oid, account, side, quantity, rate, _, _ in book:
        m.restore(oid, account, SIDES[side], quantity, rate)
    return m


class Timing(NamedTuple):
    total: float
    """Seconds to register the epoch's orders and match them."""
    match: float
    """Seconds of ``match_epoch`` alone."""
    total_nogc: float
    """``total`` with the cyclic GC switched off: the matcher's own work."""
    matches: int


def _once(book: list[Spec], flow: list[Spec], gc_on: bool) -> tuple[float, float, int]:
    m = _prepared(book)
    submit = _submitter(m)
    gc.collect()  # start each run from the same heap state
    if not gc_on:
        gc.disable()
    try:
        t0 = time.perf_counter()
        orders = [submit(s) for s in flow]
        t1 = time.perf_counter()
        result = m.match_epoch(orders)
        t2 = time.perf_counter()
    finally:
        gc.enable()
    return t2 - t0, t2 - t1, len(result.match_rows)


def measure(n: int, repeats: int, seed: int = 1) -> Timing:
    """Best of ``repeats`` runs each, with the GC on (as a server runs) and off."""
    book, flow = make_flow(n, seed)
    on = [_once(book, flow, True) for _ in range(repeats)]
    off = [_once(book, flow, False) for _ in range(repeats)]
    return Timing(
        min(t for t, _, _ in on), min(m for _, m, _ in on), min(t for t, _, _ in off), on[0][2]
    )


def _label(n: int) -> str:
    return f"{n // 1000}k"


def run() -> list[Result]:
    out: list[Result] = []
    for n, repeats in SIZES:
        t = measure(n, repeats)
        name = f"matcher.epoch_{_label(n)}"
        out.append(Result(name, n / t.total, "orders/s"))
        out.append(Result(f"{name}.match_only", n / t.match, "orders/s"))
        out.append(Result(f"{name}.nogc", n / t.total_nogc, "orders/s"))
    return out


if __name__ == "__main__":
    for n, repeats in SIZES:
        t = measure(n, repeats)
        print(
            f"{n:>7} orders: {n / t.total:>9,.0f}/s submit+match, {n / t.match:>9,.0f}/s match "
            f"only, {n / t.total_nogc:>9,.0f}/s without GC; {t.matches} matches"
        )
