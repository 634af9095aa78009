"""The registration fee is paid only as the server advertises it, within our fee bounds, after
the user said yes; stored with its coins locked, re-broadcast until it confirms (C3, L5).

A hostile scripted server (tests/fakes/dex_server.py, real websockets, its own signing key)
answers `register` with terms of its choosing; the wallet is a real one on a litecoind
regtest node, so "nothing paid" is checked on chain: the same coins to the atom, no
transaction of ours in the mempool, no coin locked.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.cli.trade_cmd import regfee_confirm
from app.client.balances import init_inputs
from app.client.client import Client, run_until_stopped
from app.client.errors import RegistrationRefused
from app.client.events import CoreError, ServerRefused
from app.config import NodeConfig
from app.swap.observer import tx_outputs
from app.wallet.coins import Outpoint, TxOutput
from app.wallet.errors import NodeUnreachableError
from app.wallet.service import AssetWallet
from app.wallet.session import OpenWallet, create_wallet, unlock_wallet
from app.wallet.signing import sign_p2wpkh_tx
from dexproto import codec
from dexproto.address import encode_segwit, script_from_address
from dexproto.assets import Network
from dexproto.errors import ErrorCode, RemoteError
from dexproto.messages import NotifyFeeParams, RegisterParams
from dexproto.signing import sign
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode
from tests.fakes.dex_server import REGFEE, SERVER_PUBKEY, SERVER_SECRET, FakeServer, config
from tests.fakes.registration import FEE_ADDRESS, Answer
from tests.waits import until

pytestmark = pytest.mark.regtest

COIN = 30_000_000


class RegServer(FakeServer):
    """The fake server with accounts: `register` answers `terms`, `connect` is refused until
    `notifyfee` came."""

    def __init__(self) -> None:
        super().__init__()
        self.terms: dict[str, Any] = {"asset": "ltc", "fee": REGFEE, "address": FEE_ADDRESS}
        self.feerate = 20
        self.notified: list[NotifyFeeParams] = []
        connect = self.handlers["connect"]
        self.handlers.update(
            assets=lambda p: self._config(),
            register=self._register,
            notifyfee=self._notifyfee,
            connect=lambda p: connect(p) if self.notified else self._unknown(),
        )

    def _config(self) -> dict[str, Any]:
        cfg = config()
        for asset in cfg["assets"]:
            asset["feerate"] = self.feerate
        return cfg

    @staticmethod
    def _unknown() -> None:
        raise RemoteError(ErrorCode.UNKNOWN_ACCOUNT, "unknown account")

    def _register(self, params: Any) -> dict[str, Any]:
        client = RegisterParams.from_json(params).pubkey
        ts = self.servertime
        payload = codec.RegisterResultPayload(
            SERVER_PUBKEY, client, ts, self.terms["fee"], self.terms["address"]
        )
        return {
            "pubkey": SERVER_PUBKEY.hex(),
            **self.terms,
            "timestamp": ts,
            "sig": sign(SERVER_SECRET, payload).hex(),
        }

    def _notifyfee(self, params: Any) -> dict[str, Any]:
        parsed = NotifyFeeParams.from_json(params)
        self.notified.append(parsed)
        return {"sig": sign(SERVER_SECRET, parsed.payload()).hex()}


class Calls:
    """Spies on the wallet: every create_payment and broadcast goes through (and is counted)."""

    def __init__(self, ltc: AssetWallet, monkeypatch: pytest.MonkeyPatch) -> None:
        self.payments: list[tuple[str, int, int]] = []
        self.broadcasts: list[bytes] = []
        self.fail_broadcasts = 0
        create, broadcast = ltc.create_payment, ltc.backend.broadcast

        async def create_payment(address: str, amount: int, rate: int, **kw: Any) -> Any:
            self.payments.append((address, amount, rate))
            return await create(address, amount, rate, **kw)

        async def spy_broadcast(raw: bytes) -> str:
            self.broadcasts.append(raw)
            if self.fail_broadcasts:
                self.fail_broadcasts -= 1
                raise NodeUnreachableError("http://127.0.0.1:1", "injected")
            return await broadcast(raw)

        monkeypatch.setattr(ltc, "create_payment", create_payment)
        monkeypatch.setattr(ltc.backend, "broadcast", spy_broadcast)


@pytest.fixture
async def server() -> AsyncIterator[RegServer]:
    srv = RegServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
async def wallet(tmp_path: Path, ltc_node: RegtestNode) -> AsyncIterator[OpenWallet]:
    nodes = {"ltc": NodeConfig(ltc_node.rpc_url, RPC_USER, RPC_PASSWORD)}
    create_wallet(tmp_path / "w", "pw", network=Network.REGTEST, nodes=nodes, scrypt_n=2**10)
    opened = unlock_wallet(tmp_path / "w", "pw")
    ltc = opened.asset("ltc")
    for i in range(2):
        ltc_node.fund_script(ltc.keys.script(False, i), COIN, mine=False)
    ltc_node.mine(1)
    yield opened
    await opened.close()


@pytest.fixture
async def core(wallet: OpenWallet, server: RegServer) -> AsyncIterator[Client]:
    c = Client(wallet, dex_url=server.url, settle=False)
    await c.start()
    yield c
    await c.stop()


def events_of(core: Client) -> list[object]:
    seen: list[object] = []
    core.events.subscribe(seen.append)
    return seen


async def coins(ltc: AssetWallet) -> set[tuple[Outpoint, int]]:
    return {(u.outpoint, u.value) for u in await ltc.utxos()}


def mempool_spending(node: RegtestNode, outpoints: set[Outpoint]) -> list[str]:
    found = []
    for txid in node.rpc("getrawmempool"):
        tx = node.rpc("getrawtransaction", txid, True)
        if any(Outpoint(i["txid"], i["vout"]) in outpoints for i in tx["vin"] if "txid" in i):
            found.append(str(txid))
    return found


async def assert_nothing_paid(
    core: Client, node: RegtestNode, before: set[tuple[Outpoint, int]], server: RegServer
) -> None:
    ltc = core.wallet.asset("ltc")
    assert await coins(ltc) == before  # every coin still ours, to the atom
    assert mempool_spending(node, {o for o, _ in before}) == []
    assert ltc.lock_reasons() == {}
    assert core.wallet.store.get_meta(f"regfee:{core.dex_url}") is None
    assert core.wallet.store.query("SELECT txid FROM wallet_txs") == []
    assert server.notified == []


# -- hostile terms: refused before a coin is touched ---------------------------------------
HOSTILE: dict[str, tuple[dict[str, Any], str]] = {
    "amount": ({"fee": REGFEE + 1}, "advertises 10000000 atoms"),
    "asset": ({"asset": "btc"}, "advertises it in LTC"),
    "p2wsh": ({"address": encode_segwit("rltc", 0, bytes(32))}, "not a P2WPKH address"),
    "network": ({"address": encode_segwit("ltc", 0, bytes(20))}, "another network"),
    "bech32-garbage": ({"address": "rltc1qevil"}, "refused"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
async def test_hostile_register_answer_pays_nothing(
    case: str,
    core: Client,
    server: RegServer,
    ltc_node: RegtestNode,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    change, reason = HOSTILE[case]
    server.terms.update(change)
    ltc = core.wallet.asset("ltc")
    calls, user, seen = Calls(ltc, monkeypatch), Answer(True), events_of(core)
    before = await coins(ltc)
    await core.ready()
    with pytest.raises(RegistrationRefused, match=reason):
        await core.ensure_registered(timeout=5, confirm=user)
    assert calls.payments == [] and calls.broadcasts == [] and user.quotes == []
    refused = [e for e in seen if isinstance(e, ServerRefused)]
    assert len(refused) == 1 and refused[0].url == server.url and reason in refused[0].reason
    await assert_nothing_paid(core, ltc_node, before, server)
    assert await core.register_until_done(user) is False  # refused for good, not retried


async def test_fee_rate_above_the_users_limit_pays_nothing(
    core: Client, server: RegServer, ltc_node: RegtestNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.feerate = 5000  # the regtest default limit for LTC is 1000 atoms/vB
    await server.drop()  # reconnect: the client reads the new `assets`
    await until(
        lambda: (
            core.dex.config is not None
            and core.dex.ready
            and core.dex.config.assets[0].feerate == 5000
        ),
        "the new config",
        timeout=20,
    )
    ltc = core.wallet.asset("ltc")
    calls, user, seen = Calls(ltc, monkeypatch), Answer(True), events_of(core)
    before = await coins(ltc)
    # Above the user's 1000, or above 4 x the node's estimate once the shared node has one.
    with pytest.raises(RegistrationRefused, match="5000 atoms/vB, above"):
        await core.ensure_registered(timeout=5, confirm=user)
    assert calls.payments == [] and calls.broadcasts == [] and user.quotes == []
    assert any(
        isinstance(e, ServerRefused) and "registration fee payment" in e.reason for e in seen
    )
    await assert_nothing_paid(core, ltc_node, before, server)


async def test_no_confirmation_callback_pays_nothing(
    core: Client, server: RegServer, ltc_node: RegtestNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    ltc = core.wallet.asset("ltc")
    calls, before = Calls(ltc, monkeypatch), await coins(ltc)
    await core.ready()
    with pytest.raises(RegistrationRefused, match="nobody was asked"):
        await core.ensure_registered(timeout=5)
    assert calls.broadcasts == []
    await assert_nothing_paid(core, ltc_node, before, server)


async def test_user_says_no_pays_nothing(
    core: Client, server: RegServer, ltc_node: RegtestNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    ltc = core.wallet.asset("ltc")
    calls, user, seen = Calls(ltc, monkeypatch), Answer(False), events_of(core)
    before = await coins(ltc)
    await core.ready()
    with pytest.raises(RegistrationRefused, match="declined; nothing was paid"):
        await core.ensure_registered(timeout=5, confirm=user)
    (quote,) = user.quotes
    assert (quote.url, quote.asset, quote.amount, quote.fee_address, quote.fee_rate) == (
        server.url,
        "ltc",
        REGFEE,
        FEE_ADDRESS,
        20,
    )
    assert 0 < quote.network_fee < 20 * 300
    assert calls.broadcasts == []
    assert any(isinstance(e, ServerRefused) and "declined" in e.reason for e in seen)
    await assert_nothing_paid(core, ltc_node, before, server)


# -- yes: exactly the advertised fee, coins locked until it confirms -----------------------
async def test_user_says_yes_pays_exactly_the_advertised_fee(
    core: Client, server: RegServer, ltc_node: RegtestNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    ltc = core.wallet.asset("ltc")
    calls, user = Calls(ltc, monkeypatch), Answer(True)
    before = await coins(ltc)
    await core.ready()
    task = asyncio.ensure_future(core.ensure_registered(timeout=30, confirm=user))
    await until(lambda: bool(calls.broadcasts), "the broadcast", timeout=20)
    raw = calls.broadcasts[0]
    script = script_from_address(FEE_ADDRESS, ltc.asset)
    assert [o.value for o in tx_outputs(raw) if o.script == script] == [REGFEE]
    inputs = init_inputs([raw])
    assert inputs <= {o for o, _ in before}
    await until(
        lambda: bool(mempool_spending(ltc_node, inputs)), "the payment in the mempool", timeout=20
    )
    txid = mempool_spending(ltc_node, inputs)
    assert len(txid) == 1  # in the mempool, unconfirmed: its coins are locked
    reason = f"regfee:{server.url}"
    assert {o: r for o, r in ltc.lock_reasons().items() if o in inputs} == {
        o: reason for o in inputs
    }
    assert not task.done()
    ltc_node.mine(1)
    await asyncio.wait_for(task, 30)
    assert core.dex.account is not None  # `connect` works now
    (note,) = server.notified
    assert note.txid.hex() == txid[0]
    assert tx_outputs(raw)[note.vout] == TxOutput(script, REGFEE)
    assert ltc.lock_reasons() == {}  # confirmed: nothing left to lock
    assert calls.payments == [(FEE_ADDRESS, REGFEE, 20)] and len(user.quotes) == 1


async def test_failed_first_broadcast_is_sent_again_and_registration_completes(
    core: Client, server: RegServer, ltc_node: RegtestNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.client.registration.REBROADCAST_S", 0.2)
    ltc = core.wallet.asset("ltc")
    calls, user = Calls(ltc, monkeypatch), Answer(True)
    calls.fail_broadcasts = 2  # the node is "down" for the first broadcast and one retry
    await core.ready()
    task = asyncio.ensure_future(core.ensure_registered(timeout=30, confirm=user))
    await until(lambda: len(calls.broadcasts) >= 3, "the re-broadcast", timeout=20)
    inputs = init_inputs([calls.broadcasts[0]])
    await until(
        lambda: bool(mempool_spending(ltc_node, inputs)), "the payment in the mempool", timeout=20
    )
    assert set(ltc.lock_reasons()) == inputs
    ltc_node.mine(1)
    await asyncio.wait_for(task, 30)
    assert core.dex.account is not None and len(server.notified) == 1
    assert len(user.quotes) == 1  # stored once: asked once, paid once


async def test_stored_payment_retried_after_restart_is_not_paid_twice(
    core: Client, server: RegServer, ltc_node: RegtestNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run stored and locked the payment but never got it out; the next attempt
    re-broadcasts the stored transaction and asks nobody."""
    ltc = core.wallet.asset("ltc")
    calls, user = Calls(ltc, monkeypatch), Answer(True)
    calls.fail_broadcasts = 1000
    await core.ready()
    with pytest.raises(Exception, match="did not confirm in time"):
        await core.ensure_registered(timeout=0.5, confirm=user)
    raw = calls.broadcasts[0]
    assert set(ltc.lock_reasons()) == init_inputs([raw])
    calls.fail_broadcasts = 0
    later = Answer(False)  # would refuse a new payment: none is asked for
    task = asyncio.ensure_future(core.ensure_registered(timeout=30, confirm=later))
    await until(
        lambda: bool(mempool_spending(ltc_node, init_inputs([raw]))), "the re-broadcast", timeout=20
    )
    ltc_node.mine(1)
    await asyncio.wait_for(task, 30)
    assert later.quotes == [] and calls.payments == [(FEE_ADDRESS, REGFEE, 20)]
    assert all(b == raw for b in calls.broadcasts)


async def test_payment_whose_coins_were_spent_elsewhere_is_dropped_with_a_clear_message(
    core: Client, server: RegServer, ltc_node: RegtestNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.client.registration.REBROADCAST_S", 0.1)
    ltc = core.wallet.asset("ltc")
    calls, user, seen = Calls(ltc, monkeypatch), Answer(True), events_of(core)
    calls.fail_broadcasts = 1000
    await core.ready()
    with pytest.raises(Exception, match="did not confirm in time"):
        await core.ensure_registered(timeout=0.3, confirm=user)
    raw = calls.broadcasts[0]
    # Another copy of the wallet (same seed) spends one of the payment's coins elsewhere.
    spent = sorted(init_inputs([raw]))[0]
    coin = next(u for u in await ltc.utxos() if u.outpoint == spent)
    other = sign_p2wpkh_tx(ltc.keyed([coin]), [TxOutput(ltc.change_script(), coin.value - 5_000)])
    ltc_node.rpc("sendrawtransaction", other.raw.hex())
    ltc_node.mine(1)
    calls.fail_broadcasts = 0
    with pytest.raises(Exception, match="can never confirm"):
        await core.ensure_registered(timeout=10, confirm=user)
    assert core.wallet.store.get_meta(f"regfee:{server.url}") is None
    assert ltc.lock_reasons() == {} and server.notified == []
    assert core.wallet.store.query("SELECT txid FROM wallet_txs") == []
    dropped = [e for e in seen if isinstance(e, CoreError)]
    assert dropped and str(spent) in dropped[-1].detail and "nothing was paid" in dropped[-1].detail
    # Registering again is a new payment: asked again, paid once, registered.
    task = asyncio.ensure_future(core.ensure_registered(timeout=30, confirm=user))
    await until(
        lambda: len(user.quotes) == 2 and len(calls.broadcasts) > 2, "the new payment", timeout=20
    )
    fresh = calls.broadcasts[-1]
    await until(
        lambda: bool(mempool_spending(ltc_node, init_inputs([fresh]))), "mempool", timeout=20
    )
    ltc_node.mine(1)
    await asyncio.wait_for(task, 30)
    assert core.dex.account is not None and len(server.notified) == 1


async def test_client_run_without_a_yes_pays_nothing_and_keeps_running(
    wallet: OpenWallet, server: RegServer, ltc_node: RegtestNode
) -> None:
    core = Client(wallet, dex_url=server.url, settle=False)  # run_until_stopped starts it
    ltc = core.wallet.asset("ltc")
    before, seen = await coins(ltc), events_of(core)
    stop = asyncio.Event()
    err = io.StringIO()
    run = asyncio.ensure_future(run_until_stopped(core, stop, regfee_confirm(None, False, err)))
    await until(lambda: any(isinstance(e, ServerRefused) for e in seen), "the refusal", timeout=20)
    assert not run.done()  # still settling; just not registered
    await assert_nothing_paid(core, ltc_node, before, server)
    stop.set()
    await asyncio.wait_for(run, 10)
