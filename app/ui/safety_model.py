"""What the UI keeps of the safety checks, fed by core events (no Qt, no SQL here).

- `RefusalLog`: the matches the core refused (`MatchRefused`), per order, for My orders;
- `EpochChecks`: the latest fairness verdict per market (`EpochChecked`), for the mark beside
  the epoch countdown: a problem stays shown until a later epoch of that market verifies;
- the Settings fields' parsing: whole numbers, and percentages with two decimals as basis
  points (integers throughout, never floats).

Refusals live in memory only: the core refused them before anything was stored, and the
notification and the order row are the user's record of them for this run.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.client.events import EpochChecked, MatchRefused

MAX_REFUSALS_PER_ORDER = 20  # a server that keeps offering bad matches must not grow memory


@dataclass(frozen=True)
class Refusal:
    match_id: str
    reason: str


class RefusalLog:
    def __init__(self) -> None:
        self._by_order: dict[str, list[Refusal]] = {}

    def add(self, event: MatchRefused) -> None:
        refusals = self._by_order.setdefault(event.order_id, [])
        refusals.append(Refusal(event.match_id, event.reason))
        del refusals[:-MAX_REFUSALS_PER_ORDER]

    def for_order(self, order_id: str) -> tuple[Refusal, ...]:
        return tuple(self._by_order.get(order_id, ()))

    def latest(self, order_id: str) -> Refusal | None:
        refusals = self._by_order.get(order_id)
        return refusals[-1] if refusals else None


class Verdict(StrEnum):
    VERIFIED = "verified"
    PROBLEM = "problem"


@dataclass(frozen=True)
class EpochMark:
    verdict: Verdict
    epoch: int
    problems: tuple[str, ...] = ()


class EpochChecks:
    """Per market: the newest verified epoch and the newest epoch with problems."""

    def __init__(self) -> None:
        self._verified: dict[str, int] = {}
        self._problem: dict[str, EpochChecked] = {}

    def add(self, event: EpochChecked) -> None:
        if event.ok:
            self._verified[event.market] = max(
                event.epoch, self._verified.get(event.market, event.epoch)
            )
            return
        shown = self._problem.get(event.market)
        if shown is None or event.epoch >= shown.epoch:
            self._problem[event.market] = event

    def mark(self, market: str) -> EpochMark | None:
        """The problem until a later epoch verifies, else the newest verification."""
        verified = self._verified.get(market)
        problem = self._problem.get(market)
        if problem is not None and (verified is None or problem.epoch >= verified):
            return EpochMark(Verdict.PROBLEM, problem.epoch, problem.problems)
        if verified is not None:
            return EpochMark(Verdict.VERIFIED, verified)
        return None


# -- Settings fields --------------------------------------------------------------------------
def parse_count(text: str) -> int | None:
    """A whole number without sign or separators, else None."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


def parse_percent_bp(text: str) -> int | None:
    """'3', '3.5', '3.25' (or with a comma) as basis points: 300, 350, 325; None for anything
    else (a sign, more than two decimals, not a number)."""
    whole, dot, frac = text.strip().replace(",", ".").partition(".")
    if not whole:
        whole = "0" if dot and frac else ""
    if (
        not (whole.isascii() and whole.isdigit())
        or len(frac) > 2
        or (frac and not (frac.isascii() and frac.isdigit()))
        or (dot and not frac)
    ):
        return None
    return int(whole) * 100 + int(frac.ljust(2, "0") or "0")


def format_bp(bp: int) -> str:
    """Basis points as a percentage with two decimals: 300 -> '3.00'."""
    return f"{bp // 100}.{bp % 100:02d}"
