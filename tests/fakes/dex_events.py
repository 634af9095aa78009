"""What a DexEvents (app/client/dex_events.py) is built from in unit tests, without a Client,
a wallet or a connection: a current DEX client that only holds a configuration and a clock,
a spawn that keeps the coroutines for the test to run, an intake that answers as scripted, a
settlement and an order service that record what they are told; `DexEventsRig` builds the
part over a real swap store, server identity and resume gate in a temp dir, and collects
every event it emits."""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from app.client.dex_events import DexEvents
from app.client.events import Dispatcher
from app.client.intake import Intake
from app.client.matches import MatchInfo
from app.client.resume_gate import ResumeGate
from app.client.server_identity import ServerIdentity
from app.dex.orderbook import OrderBookMirror
from app.dex.server_clock import ServerClock
from app.store.db import Store
from app.swap.keys import WalletKeys
from app.swap.messages import CounterpartyInit, CounterpartyRedeem
from app.swap.states import Match, Matched
from app.swap.store import SwapStore
from dexproto.messages import ConfigResult
from tests.fakes.dex_server import config as server_config

URL = "wss://dex.example"
E = TypeVar("E")


class FakeDex:
    """The current DEX client as DexEvents sees it: its configuration, its clock, subscribe."""

    def __init__(self, config: ConfigResult | None = None, now: int = 1_700_000_000_000) -> None:
        self._config = config
        self.server_clock = ServerClock()
        self.now = now
        self.subscribed: list[tuple[str, str]] = []

    @property
    def config(self) -> ConfigResult | None:
        return self._config

    def server_now(self) -> int:
        return self.now

    async def subscribe(self, base: str, quote: str) -> OrderBookMirror:
        self.subscribed.append((base, quote))
        return OrderBookMirror(0)


class Spawned:
    """A spawn that keeps the coroutines; `run` awaits them in order (and what they spawn)."""

    def __init__(self) -> None:
        self.pending: list[Coroutine[Any, Any, None]] = []

    def __call__(self, coro: Coroutine[Any, Any, None]) -> None:
        self.pending.append(coro)

    async def run(self) -> int:
        done = 0
        while self.pending:
            await self.pending.pop(0)
            done += 1
        return done


class ScriptedIntake:
    """Answers every `take` with `answer`, recording the match infos it was asked about."""

    def __init__(self, answer: Intake | None = None) -> None:
        self.answer = answer or Intake()
        self.asked: list[list[MatchInfo]] = []

    async def take(self, infos: Sequence[MatchInfo], config: ConfigResult, dex_url: str) -> Intake:
        self.asked.append(list(infos))
        return self.answer


class RecordingSettlement:
    """A Settlement that stores added matches as Matched (as NoSettlement does) and records
    what it is given; `settles` as the test says."""

    def __init__(self, swaps: SwapStore, settles: bool = True) -> None:
        self.swaps = swaps
        self.settles = settles
        self.added: list[Match] = []
        self.delivered: list[CounterpartyInit | CounterpartyRedeem] = []
        self.abandoned: list[tuple[str, str]] = []

    async def start(self, keys: WalletKeys) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def add_matches(self, matches: list[Match]) -> None:
        self.added.extend(matches)
        for m in matches:
            self.swaps.create(Matched(m))

    def deliver(self, msg: CounterpartyInit | CounterpartyRedeem) -> None:
        self.delivered.append(msg)

    async def abandon(self, match_id: str, reason: str) -> None:
        self.abandoned.append((match_id, reason))


class RecordingOrders:
    def __init__(self) -> None:
        self.revoked: list[str] = []

    def match_revoked(self, match_id: str) -> None:
        self.revoked.append(match_id)


def regtest_config(**changes: Any) -> ConfigResult:
    """The scripted server's configuration (regtest, LTC/BTC), with top-level `changes`."""
    return ConfigResult.from_json({**server_config(), **changes})


@dataclass
class DexEventsRig:
    """A DexEvents over fakes; `seen` is every event it emitted, in order."""

    tmp_path: Path
    settles: bool = True
    network: str = "regtest"
    url: str = URL
    dex: FakeDex = field(default_factory=lambda: FakeDex(regtest_config()))
    intake: ScriptedIntake = field(default_factory=ScriptedIntake)
    orders: RecordingOrders = field(default_factory=RecordingOrders)
    spawned: Spawned = field(default_factory=Spawned)
    fund_gate: ResumeGate = field(default_factory=ResumeGate)
    seen: list[object] = field(default_factory=list)

    def __post_init__(self) -> None:
        store = Store(self.tmp_path / "cambio.db")
        self.swaps = SwapStore(store)
        self.identity = ServerIdentity(store)
        self.settlement = RecordingSettlement(self.swaps, self.settles)
        self.events = Dispatcher()
        self.events.subscribe(self.seen.append)
        self.part = DexEvents(
            self.events,
            self.intake,
            self.settlement,
            self.orders,
            self.swaps,
            self.identity,
            self.fund_gate,
            network=self.network,
            spawn=self.spawned,
            dex=lambda: self.dex,
            dex_url=lambda: self.url,
        )

    def of_type(self, kind: type[E]) -> list[E]:
        return [e for e in self.seen if isinstance(e, kind)]
