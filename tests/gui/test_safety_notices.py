"""Refusals are never silent, epochs say whether they verified, swap cards show their safety
constants: core events into the real main window (a real Client over a temporary store, no
server, no chains), and the plain view models behind them."""

from __future__ import annotations

from dataclasses import replace

from app.client.client import Client
from app.client.events import DexConnection, EpochChecked, MatchRefused, ServerRefused, SwapStep
from app.client.order_store import OrderRecord
from app.client.swap_rows import swap_row
from app.client.swap_safety import span_text, swap_safety, utc_text
from app.safety.rules import client_swap_confs, rules_for
from app.swap.states import Complete, Matched, Role, Stage
from app.trading.orderform import ChainFees, MarketRules
from app.ui.main_window import MainWindow
from app.ui.qt import QColor
from app.ui.safety_model import EpochChecks, EpochMark, RefusalLog, Verdict
from app.ui.style import current_palette
from app.ui.tray import Kind
from tests.fakes.swaps import T0, H, at_init, match
from tests.qt_fixtures import cell

RULES = MarketRules("ltc", "btc", 1_000_000, 1_000, ChainFees(10, 225), ChainFees(3, 220))
ORDER = "ab" * 32
REASON = "the server offered 0.02 BTC per LTC, our order asks at least 0.03"


def booked(core: Client) -> OrderRecord:
    order = OrderRecord(
        ORDER,
        core.dex_url,
        "ltc_btc",
        "ltc",
        "btc",
        "sell",
        "limit",
        3_000_000,
        3_000_000,
        "standing",
        "addr",
        "ltc",
        (),
        epoch=1,
        status="booked",
        created_ms=1,
    )
    core.order_store.add(order)
    return order


# -- view models ------------------------------------------------------------------------------
def test_refusal_log_keeps_each_orders_refusals_in_order_and_bounded() -> None:
    log = RefusalLog()
    assert log.latest(ORDER) is None and log.for_order(ORDER) == ()
    for i in range(25):
        log.add(MatchRefused(ORDER, f"{i:064x}", f"reason {i}"))
    log.add(MatchRefused("cd" * 32, "ee" * 32, "other"))
    refusals = log.for_order(ORDER)
    assert len(refusals) == 20 and refusals[0].reason == "reason 5"
    assert log.latest(ORDER) is not None and log.latest(ORDER).reason == "reason 24"  # type: ignore[union-attr]


def test_an_epoch_problem_stays_until_a_later_epoch_verifies() -> None:
    checks = EpochChecks()
    assert checks.mark("ltc_btc") is None
    checks.add(EpochChecked("ltc_btc", 7, ()))
    assert checks.mark("ltc_btc") == EpochMark(Verdict.VERIFIED, 7)
    checks.add(EpochChecked("ltc_btc", 8, ("bad seed",)))
    checks.add(EpochChecked("ltc_btc", 6, ()))  # a late, older verdict changes nothing
    checks.add(EpochChecked("ltc_btc", 8, ("bad seed", "our order missing")))
    assert checks.mark("ltc_btc") == EpochMark(
        Verdict.PROBLEM, 8, ("bad seed", "our order missing")
    )
    checks.add(EpochChecked("btc_ltc", 9, ()))  # another market's verdict
    assert checks.mark("ltc_btc") is not None
    assert checks.mark("ltc_btc").verdict is Verdict.PROBLEM  # type: ignore[union-attr]
    checks.add(EpochChecked("ltc_btc", 9, ()))
    assert checks.mark("ltc_btc") == EpochMark(Verdict.VERIFIED, 9)


def test_swap_safety_of_a_maker_and_a_taker() -> None:
    rules = rules_for("regtest")
    maker = swap_safety(Matched(match(Role.MAKER)))  # nothing on chain: the match's times
    assert maker.our_lock_time == (T0 + 48 * H) // 1000
    assert maker.their_lock_time == (T0 + 24 * H) // 1000
    assert maker.reveal_margin_s == rules.reveal_margin_s(24 * H) == 6 * 3600
    assert maker.fund_margin_s == rules.fund_margin_s(24 * H) == 12 * 3600
    assert maker.ours_margin == "reveal" and maker.confirmations == 2
    taker = swap_safety(at_init(Role.TAKER))  # contracts known: their own lock times
    assert taker.our_lock_time == (T0 + 24 * H) // 1000
    assert taker.their_lock_time == (T0 + 48 * H) // 1000
    assert taker.ours_margin == "fund" and taker.their_asset == "ltc"
    lax = replace(match(Role.TAKER), their_swap_conf=1)
    floor = client_swap_confs("ltc", "regtest")
    assert swap_safety(Matched(lax)).confirmations == floor  # the client's own minimum
    assert (
        swap_safety(Matched(replace(lax, their_swap_conf=floor + 3))).confirmations == floor + 3
    )  # the server's swapconf when higher
    assert utc_text(maker.our_lock_time) == "2023-11-16 22:13 UTC"
    assert [span_text(s) for s in (21600, 5400, 60, 30, 90, 0)] == [
        "6h",
        "1h 30m",
        "1m",
        "30s",
        "1m 30s",
        "0s",
    ]


# -- the window -------------------------------------------------------------------------------
def test_a_refused_match_is_notified_and_marks_the_order_row(
    window: MainWindow,
    core: Client,
) -> None:
    booked(core)
    view = window.orders_view
    view.reload()
    assert cell(view.table, 0, 7).text() == "on the book"
    core.events.emit(MatchRefused(ORDER, "cd" * 32, REASON))
    title, text, kind = window.notifier.sent[-1]
    assert title == "Match refused" and kind is Kind.WARNING
    assert text == f"Cambio refused a match of your order {ORDER[:8]}: {REASON}"
    status = cell(view.table, 0, 7)
    assert status.text() == f"on the book · refused: {REASON}"
    assert status.foreground().color() == QColor(current_palette().warn)
    assert f"Match cdcdcdcd refused: {REASON}" in status.toolTip()
    core.events.emit(MatchRefused(ORDER, "ef" * 32, "the fee rate 900 atoms/vB is above 500"))
    status = cell(view.table, 0, 7)
    assert status.text().endswith("refused: the fee rate 900 atoms/vB is above 500")
    assert REASON in status.toolTip() and "efefefef" in status.toolTip()  # both kept
    view.reload()  # a store reload keeps the in-memory refusals
    assert "refused:" in cell(view.table, 0, 7).text()


def test_a_refused_server_gets_a_banner_until_a_new_connection(
    window: MainWindow,
    core: Client,
) -> None:
    banner = window.server_banner
    assert not banner.isVisibleTo(window)
    core.events.emit(DexConnection(True, core.dex_url))
    why = "its taker lock time 1 min is outside 2 min–72 h"
    core.events.emit(ServerRefused("wss://evil.example:7232", why))
    assert banner.isVisibleTo(window)
    assert banner.text.text() == f"Cambio does not trade on wss://evil.example:7232: {why}"
    assert window.notifier.sent[-1][0] == "Server refused"
    assert window.notifier.sent[-1][2] is Kind.ERROR
    core.events.emit(DexConnection(True, "registered and connected"))  # the same connection
    assert banner.isVisibleTo(window)
    core.events.emit(DexConnection(False, "closed"))  # dropped: still refused
    assert banner.isVisibleTo(window)
    core.events.emit(DexConnection(True, core.dex_url))  # a new connection, checked again
    assert not banner.isVisibleTo(window)


def test_epoch_checks_show_a_quiet_mark_or_a_warning(
    window: MainWindow,
    core: Client,
) -> None:
    window.trade.set_market(RULES)
    mark = window.trade.epoch_check
    assert not mark.isVisibleTo(window)
    core.events.emit(EpochChecked("btc_ltc", 41, ()))  # not the market on screen
    assert not mark.isVisibleTo(window)
    core.events.emit(EpochChecked("ltc_btc", 41, ()))
    assert mark.isVisibleTo(window) and mark.text() == "✓ Epoch 41 verified"
    assert mark.verdict() == "verified"
    core.events.emit(EpochChecked("ltc_btc", 42, ("the seed is not SHA256 of the order list",)))
    assert mark.text() == "⚠ Epoch 42: the seed is not SHA256 of the order list"
    assert mark.verdict() == "problem" and "42" in mark.toolTip()
    core.events.emit(EpochChecked("ltc_btc", 42, ()))  # not a later epoch: the warning stays
    assert mark.verdict() == "problem"
    core.events.emit(EpochChecked("ltc_btc", 43, ()))
    assert mark.text() == "✓ Epoch 43 verified"


def test_epoch_mark_colours_come_from_the_palette(
    window: MainWindow,
    core: Client,
) -> None:
    window.trade.set_market(RULES)
    mark = window.trade.epoch_check
    window.show()
    core.events.emit(EpochChecked("ltc_btc", 5, ()))
    p = current_palette()
    assert mark.palette().color(mark.foregroundRole()) == QColor(p.muted)
    core.events.emit(EpochChecked("ltc_btc", 6, ("our order is missing",)))
    assert mark.palette().color(mark.foregroundRole()) == QColor(p.warn)


def test_a_swap_card_shows_the_lock_times_and_margins(
    window: MainWindow,
    core: Client,
) -> None:
    state = Matched(match(Role.MAKER))
    core.swaps.create(state)
    core.events.emit(SwapStep(state.match.match_id, None, Stage.MATCHED, ""))
    card = window.swaps_view.cards[state.match.match_id]
    facts = {key: value.text() for key, (_caption, value) in card.facts.items()}
    assert facts == {
        "our_lock": "2023-11-16 22:13 UTC",
        "their_lock": "2023-11-15 22:13 UTC",
        "reveal": "6h",
        "fund": "12h",
        "confs": "2 conf. on BTC",
    }
    assert card.facts["reveal"][1].toolTip().startswith("We reveal our secret only while")
    assert card.facts["our_lock"][0].text() == "Our refund time"


def test_a_repeated_refusal_is_notified_once_a_minute_but_always_recorded(
    window: MainWindow, core: Client
) -> None:
    booked(core)
    now = [1000.0]
    window.safety_notices.clock = lambda: now[0]
    before = len(window.notifier.sent)
    for match_id in ("c1" * 32, "c2" * 32):  # the same bad terms at the next epoch
        core.events.emit(MatchRefused(ORDER, match_id, REASON))
    assert len(window.notifier.sent) == before + 1
    tip = cell(window.orders_view.table, 0, 7).toolTip()
    assert "c1c1c1c1" in tip and "c2c2c2c2" in tip
    core.events.emit(MatchRefused(ORDER, "c3" * 32, "another reason"))  # new news: said
    assert len(window.notifier.sent) == before + 2
    now[0] += 61
    core.events.emit(MatchRefused(ORDER, "c4" * 32, REASON))
    assert len(window.notifier.sent) == before + 3


def test_finished_swaps_carry_no_safety_facts() -> None:
    m = match(Role.MAKER)
    assert swap_row(Matched(m)).safety == swap_safety(Matched(m))
    assert swap_row(Complete(m, "cd" * 32, m.their_amount)).safety is None
