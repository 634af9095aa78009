"""What the client does with what the DEX server sends (app/client/dex_events.py), without a
Client: a DexEvents over the fakes of tests/fakes/dex_events.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.client.events import (
    CoreError,
    DexConnection,
    EpochChecked,
    MatchRefused,
    MatchRevokedByServer,
    OrderMatched,
    ServerRefused,
    ServerTime,
)
from app.client.intake import Intake, Taken
from app.client.matches import MatchInfo
from app.dex.errors import DexNotReady
from app.dex.events import (
    Connected,
    FairnessChecked,
    MatchReceived,
    MatchRevoked,
    MatchStatuses,
    ProtocolViolation,
    ServerKeyRefused,
)
from app.swap.states import Matched, Role
from dexproto.fairness import FairnessIssue, FairnessReport, Problem
from dexproto.messages import (
    ConnectResult,
    MatchNote,
    MatchSide,
    MatchState,
    MatchStatus,
    RevokeMatchParams,
)
from tests.fakes.dex_events import URL, DexEventsRig, FakeDex, regtest_config
from tests.fakes.dex_server import config as server_config
from tests.fakes.swaps import T0, match

OID, MID = bytes([0xA1]) * 32, bytes([0xB2]) * 32
TESTNET_ASSETS = [{**a, "network": "testnet"} for a in server_config()["assets"]]
UNSAFE_LOCKS = {"maker": 3_600_000, "taker": 60_000}  # regtest takers lock at least 2 min


def state(status: MatchStatus, side: MatchSide = MatchSide.TAKER, mid: bytes = MID) -> MatchState:
    return MatchState(
        orderid=OID,
        matchid=mid,
        quantity=10**6,
        rate=10**6,
        address="x",
        side=side,
        feerate=10,
        servertime=T0,
        status=status,
    )


def note(mid: bytes = MID) -> MatchNote:
    return MatchNote(
        orderid=OID,
        matchid=mid,
        quantity=10**6,
        rate=10**6,
        address="x",
        side=MatchSide.MAKER,
        feerate=10,
        servertime=T0,
        sig=bytes(64),
    )


def connected(account: ConnectResult | None = None, **config: Any) -> Connected:
    return Connected(URL, regtest_config(**config), account)


# -- a server we do not trade on ------------------------------------------------------------
async def test_a_refused_server_is_told_once_per_server_and_problem(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    for _ in range(3):  # the link reconnects every few seconds
        rig.part.on_dex_event(connected(assets=TESTNET_ASSETS))
    refused = rig.of_type(ServerRefused)
    assert len(refused) == 1 and refused[0].url == URL
    assert "it trades LTC on testnet, this wallet is on regtest" in refused[0].reason
    assert len(rig.of_type(DexConnection)) == 3  # each connect is still shown

    rig.part.on_dex_event(connected(locktimes=UNSAFE_LOCKS))  # another problem: told
    rig.part.on_dex_event(connected(locktimes=UNSAFE_LOCKS))
    assert len(rig.of_type(ServerRefused)) == 2
    assert "its lock times are unsafe" in rig.of_type(ServerRefused)[1].reason

    rig.url = "wss://other.example"  # the same problem on another server: told again
    rig.part.on_dex_event(connected(assets=TESTNET_ASSETS))
    assert [r.url for r in rig.of_type(ServerRefused)] == [URL, URL, "wss://other.example"]
    assert await rig.spawned.run() == 1  # the books were subscribed anyway, once


async def test_a_server_with_good_terms_is_not_refused(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    rig.part.on_dex_event(connected())
    assert rig.seen == [DexConnection(True, URL)]
    assert rig.identity.pinned_key(URL) is None  # no account: no pin
    assert await rig.spawned.run() == 1 and rig.dex.subscribed == [("ltc", "btc")]


def test_an_unreadable_configuration_refuses_the_server(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    for _ in range(2):
        rig.part.on_dex_event(ProtocolViolation("assets", -32602, "lotsize: not an integer"))
    assert rig.of_type(ServerRefused) == [
        ServerRefused(
            URL, "not trading on this server: its configuration is invalid: lotsize: not an integer"
        )
    ]
    assert (
        rig.of_type(CoreError)
        == [CoreError("the DEX server broke the protocol", "assets: lotsize: not an integer")] * 2
    )


def test_a_protocol_violation_elsewhere_is_an_error_not_a_refusal(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    rig.part.on_dex_event(ProtocolViolation("orderbook", -32602, "seq missing"))
    assert rig.seen == [CoreError("the DEX server broke the protocol", "orderbook: seq missing")]


def test_a_changed_server_key_is_told_once_per_offered_key(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    pinned, offered, again = bytes([1]) * 32, bytes([2]) * 32, bytes([3]) * 32
    for key in (offered, offered, again):
        rig.part.on_dex_event(ServerKeyRefused(URL, pinned, key))
    refused = rig.of_type(ServerRefused)
    assert len(refused) == 2
    assert "pinned 0101010101010101…, now 0202020202020202…" in refused[0].reason
    assert rig.identity.offered_key(URL) == again  # what `accept` would pin


# -- connect: pin, reconcile, subscribe ------------------------------------------------------
async def test_connect_pins_the_key_reconciles_and_subscribes_once_per_client(
    tmp_path: Path,
) -> None:
    rig = DexEventsRig(tmp_path, settles=False)
    account = ConnectResult(startepoch=1, orders=(), matches=(), sig=bytes(64))
    rig.part.on_dex_event(connected(account))
    rig.part.on_dex_event(connected(account))  # a reconnect of the same client
    assert rig.identity.pinned_key(URL) == regtest_config().pubkey
    assert await rig.spawned.run() == 3  # two reconciles, one subscription round
    assert rig.dex.subscribed == [("ltc", "btc")]

    rig.part.client_replaced()  # a new client: its books are subscribed again
    rig.part.on_dex_event(connected())
    assert await rig.spawned.run() == 1
    assert rig.dex.subscribed == [("ltc", "btc")] * 2


# -- reconcile: the server's view after a (re)connect ---------------------------------------
async def test_reconcile_refuses_a_match_at_a_step_this_wallet_never_took(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    unknown = (
        state(MatchStatus.TAKER_SWAP_CAST, mid=bytes([1]) * 32),
        state(MatchStatus.MAKER_SWAP_CAST, MatchSide.MAKER, mid=bytes([2]) * 32),
    )
    await rig.part.reconcile(unknown)
    refused = rig.of_type(MatchRefused)
    assert [(r.order_id, r.match_id) for r in refused] == [
        (OID.hex(), bytes([1]).hex() * 32),
        (OID.hex(), bytes([2]).hex() * 32),
    ]
    assert "at taker swap cast, a step this wallet never took" in refused[0].reason
    assert "nothing is funded for it" in refused[1].reason
    assert rig.intake.asked == []  # never offered to the intake, so never funded
    assert rig.settlement.added == [] and rig.swaps.all_ids() == []


async def test_reconcile_adopts_a_missed_match_before_our_funding(tmp_path: Path) -> None:
    m = replace(match(Role.TAKER), match_id=MID.hex(), order_id=OID.hex())
    maker_out = state(MatchStatus.MAKER_SWAP_CAST)  # the maker's contract is out, we take
    info = MatchInfo.of(maker_out)
    rig = DexEventsRig(tmp_path)
    rig.intake.answer = Intake(taken=[Taken(m, info, True)])
    await rig.part.reconcile((maker_out,))
    assert rig.intake.asked == [[info]]
    assert rig.settlement.added == [m] and isinstance(rig.swaps.load(m.match_id), Matched)
    assert rig.of_type(OrderMatched) == [
        OrderMatched(m.order_id, m.match_id, "taker", 10**6, 10**6)
    ]
    assert rig.of_type(MatchRefused) == []
    assert rig.fund_gate.fund_allowed(m.match_id) is True


async def test_reconcile_leaves_adoption_to_the_settling_process(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path, settles=False)
    await rig.part.reconcile((state(MatchStatus.NEWLY_MATCHED),))
    assert rig.intake.asked == [] and rig.of_type(MatchRefused) == []


async def test_reconcile_takes_no_revoked_match_it_does_not_know(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    await rig.part.reconcile((state(MatchStatus.REVOKED),))
    assert rig.seen == [] and rig.intake.asked == []
    assert rig.orders.revoked == [MID.hex()] and rig.settlement.abandoned == []
    assert rig.fund_gate.fund_allowed(MID.hex()) is False


async def test_match_statuses_are_reconciled(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    rig.part.on_dex_event(MatchStatuses((state(MatchStatus.TAKER_SWAP_CAST),)))
    assert rig.seen == []  # spawned, not run yet
    await rig.spawned.run()
    assert len(rig.of_type(MatchRefused)) == 1


# -- server requests, answered after they are handled ----------------------------------------
async def test_a_match_request_returns_the_refused_notes(tmp_path: Path) -> None:
    taken = replace(match(Role.MAKER), match_id=MID.hex(), order_id=OID.hex())
    other = bytes([0xC3]) * 32
    rig = DexEventsRig(tmp_path)
    rig.intake.answer = Intake(
        taken=[Taken(taken, MatchInfo.of(note()), True)],
        refused={other.hex(): (OID.hex(), "the rate is not the order's")},
    )
    answer = await rig.part.on_server_request(MatchReceived((note(), note(other))))
    assert answer == {other: "the rate is not the order's"}
    assert rig.seen == [
        MatchRefused(OID.hex(), other.hex(), "the rate is not the order's"),
        OrderMatched(OID.hex(), MID.hex(), "maker", 10**6, 10**6),
    ]
    assert rig.settlement.added == [taken]

    rig.seen.clear()  # the same match sent again: already stored, not added twice
    rig.intake.answer = Intake(taken=[Taken(taken, MatchInfo.of(note()), False)])
    assert await rig.part.on_server_request(MatchReceived((note(),))) == {}
    assert rig.seen == [] and rig.settlement.added == [taken]


async def test_a_match_before_the_configuration_is_refused(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path, dex=FakeDex(None))
    with pytest.raises(DexNotReady):
        await rig.part.on_server_request(MatchReceived((note(),)))
    assert rig.intake.asked == []


async def test_a_revoked_match_is_shown_and_abandoned(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    revoke = RevokeMatchParams(orderid=OID, matchid=MID, sig=bytes(64))
    assert await rig.part.on_server_request(MatchRevoked(revoke)) is None
    assert rig.orders.revoked == [MID.hex()]
    assert rig.seen == [MatchRevokedByServer(MID.hex(), OID.hex())]
    assert rig.settlement.abandoned == [(MID.hex(), "match revoked by the server")]


# -- the server's clock and the fairness checks ---------------------------------------------
def test_server_time_goes_out_once_per_new_sample(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    rig.part.publish_server_time()
    assert rig.seen == []  # nothing learned yet
    rig.dex.server_clock.pushed(T0, T0)
    rig.part.on_event(ProtocolViolation("orderbook", 0, "x"))  # published before handled
    rig.part.publish_server_time()
    assert rig.seen[0] == ServerTime(rig.dex.now) and rig.of_type(ServerTime) == [rig.seen[0]]

    rig.dex = FakeDex(regtest_config())  # a replaced client starts at 0 samples
    rig.part.client_replaced()
    rig.dex.server_clock.pushed(T0, T0)
    rig.part.publish_server_time()
    assert len(rig.of_type(ServerTime)) == 2


def test_an_epoch_with_our_orders_is_named_for_the_user(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    issues = tuple(FairnessIssue(Problem.BAD_SEED, f"seed {i}") for i in range(2))
    report = FairnessReport(marketid=0, epoch=7, issues=issues, shuffled=())
    rig.part.on_dex_event(FairnessChecked(report, our_orders=0))  # none of ours: not shown
    rig.part.on_dex_event(FairnessChecked(report, our_orders=1))
    rig.part.on_dex_event(FairnessChecked(replace(report, marketid=9, issues=()), our_orders=1))
    assert rig.seen == [EpochChecked("ltc_btc", 7, ("bad seed",)), EpochChecked("9", 7, ())]
