"""The client-side timing rules on real regtest chains (app/swap/timing.py): the maker keeps
its secret when the taker's lock time is inside the reveal margin on the taker's chain, and
the taker does not fund when it is too late (its own lock time too close, or the maker's
chain clock too close to the maker's lock time). Chain clocks move on private nodes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from app.safety.rules import rules_for
from app.swap.messages import RedeemReport
from app.swap.states import AwaitingRefund, CounterpartyAudited, Failed, Match, Role
from dexproto.htlc import maker_lock_time, taker_lock_time
from simnet.node import RegtestNode
from tests.fakes.matches import make_matches
from tests.integration.swap_rig import (
    MAKER_AMOUNT,
    TAKER_AMOUNT,
    Crash,
    balance,
    rig,
)
from tests.waits import until

pytestmark = pytest.mark.regtest
RULES = rules_for("regtest")
MINUTE_MS = 60_000


async def push_mtp_to(node: RegtestNode, target: int) -> None:
    """This private chain's median-time-past at `target` (eleven blocks stamped then); the
    mock time stays, so later blocks only creep a second past the median."""
    await asyncio.to_thread(node.set_mock_time, target)
    while await asyncio.to_thread(node.median_time_past) < target:
        await asyncio.to_thread(node.mine, 11)


def unspent(node: RegtestNode, txid: str, vout: int) -> bool:
    return node.rpc("gettxout", txid, vout, True) is not None


async def test_maker_keeps_its_secret_inside_the_reveal_margin(
    tmp_path: Path,
    ltc_node: RegtestNode,
    fresh_node: RegtestNode,
) -> None:
    """Both fund; the maker's loop dies right after auditing the taker's contract (as if its
    app closed). Meanwhile the taker's chain (BTC, private) reaches 60 s before the taker's
    lock time, inside the 150 s margin. The restarted maker must not redeem: AwaitingRefund,
    no `redeem` report, both contracts unspent (the secret is nowhere)."""
    fresh_node.ensure_mature_funds()
    async with rig(tmp_path, ltc_node, fresh_node) as r:
        maker, taker = make_matches(
            MAKER_AMOUNT, TAKER_AMOUNT, maker_lock_ms=20 * MINUTE_MS, taker_lock_ms=10 * MINUTE_MS
        )
        margin = RULES.reveal_margin_s(taker.taker_lock_ms)
        assert margin == 150
        em, et = r.engine(Role.MAKER, crash_at="CounterpartyAudited"), r.engine(Role.TAKER)
        await et.add_match(taker)
        await em.add_match(maker)
        with pytest.raises(Crash):
            await asyncio.wait_for(em.wait(maker.match_id), 30)
        await em.stop()
        em.store.store.close()
        reborn = r.engine(Role.MAKER)
        audited = reborn.store.load(maker.match_id)
        assert isinstance(audited, CounterpartyAudited) and audited.ours is not None
        taker_lock = taker_lock_time(taker.match_time_ms, taker.taker_lock_ms)
        assert audited.theirs.contract.lock_time == taker_lock
        await push_mtp_to(fresh_node, taker_lock - 60)
        reborn.start(maker.match_id)
        await until(
            lambda: isinstance(reborn.store.load(maker.match_id), AwaitingRefund),
            "the maker at AwaitingRefund",
            timeout=30,
        )
        end = reborn.store.load(maker.match_id)
        assert isinstance(end, AwaitingRefund)
        assert "less than the 2 min 30 s" in end.reason and "secret is kept" in end.reason
        assert not any(
            role is Role.MAKER and isinstance(m, RedeemReport) for role, m in r.wire.sent
        )
        theirs, ours = audited.theirs, audited.ours
        assert unspent(fresh_node, theirs.txid, theirs.vout)  # never redeemed: secret unknown
        assert unspent(ltc_node, ours.init.txid, ours.vout)
        assert await balance(r.backends["btc"], maker.redeem_script) == 0


def _late_match(kind: str) -> tuple[Match, Match]:
    now = int(time.time() * 1000)
    if kind == "own-lock":  # matched 8 min ago: our 10 min lock is 2 min away (margin 5 min)
        return make_matches(
            MAKER_AMOUNT,
            TAKER_AMOUNT,
            match_time_ms=now - 8 * MINUTE_MS,
            maker_lock_ms=20 * MINUTE_MS,
            taker_lock_ms=10 * MINUTE_MS,
        )
    return make_matches(
        MAKER_AMOUNT,
        TAKER_AMOUNT,
        match_time_ms=now,
        maker_lock_ms=20 * MINUTE_MS,
        taker_lock_ms=10 * MINUTE_MS,
    )


@pytest.mark.parametrize("kind", ["own-lock", "maker-clock"])
async def test_taker_does_not_fund_late(
    tmp_path: Path,
    fresh_node: RegtestNode,
    btc_node: RegtestNode,
    kind: str,
) -> None:
    """The maker (LTC, a private chain) funds a good contract; the taker audits it and then
    refuses to fund: its own lock time is too close ("own-lock"), or the maker's chain clock
    is 4 min before the maker's lock time, inside the 5 min gap ("maker-clock"). Failed,
    nothing of the taker's anywhere, the maker's contract untouched."""
    fresh_node.ensure_mature_funds()
    async with rig(tmp_path, fresh_node, btc_node) as r:
        maker, taker = _late_match(kind)
        maker_lock = maker_lock_time(maker.match_time_ms, maker.maker_lock_ms)
        if kind == "maker-clock":
            await push_mtp_to(fresh_node, maker_lock - 4 * 60)
        scripts = [r.funding[Role.TAKER].change_script, taker.refund_script]
        before = [await balance(r.backends["btc"], s) for s in scripts]
        em, et = r.engine(Role.MAKER), r.engine(Role.TAKER)
        await et.add_match(taker)
        await em.add_match(maker)
        end = await asyncio.wait_for(et.wait(taker.match_id), 30)
        assert isinstance(end, Failed), end
        assert end.reason.startswith("too late to fund"), end.reason
        assert (
            "our contract could be refunded"
            if kind == "own-lock"
            else "the maker can refund its contract"
        ) in end.reason
        assert r.funding[Role.TAKER].calls == 0  # no coins asked for, no init built
        assert not any(role is Role.TAKER for role, _ in r.wire.sent)  # nothing reported
        assert [await balance(r.backends["btc"], s) for s in scripts] == before == [0, 0]
        assert await balance(r.backends["ltc"], taker.redeem_script) == 0
        history = [h.state for h in et.store.history(taker.match_id)]
        assert history == ["Matched", "CounterpartyAudited", "Failed"]
        maker_state = em.store.load(maker.match_id)
        ours = getattr(maker_state, "ours", None)
        assert ours is not None and unspent(fresh_node, ours.init.txid, ours.vout)
