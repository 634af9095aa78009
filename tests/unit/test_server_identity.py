"""L11 and L6 of the security review: the server key pinned per URL (trust on first use), one
DEX account key index per server URL. Sans-I/O first, then the Client over real websockets
against tests/fakes/dex_server.py serving another key on a later connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.client.client import Client
from app.client.errors import NoKeyToAccept
from app.client.events import CoreError, CoreEvent, MatchRefused, ServerRefused
from app.client.server_identity import ServerIdentity, key_prefix
from app.dex import requests as rq
from app.dex.events import ServerKeyRefused
from app.dex.session import ServerKeyChanged, Session
from app.store.db import Store
from app.wallet.session import OpenWallet, create_wallet, unlock_wallet
from dexproto import codec
from dexproto.assets import Network
from dexproto.crypto import xonly_from_secret
from dexproto.errors import ErrorCode
from dexproto.messages import ConfigResult, ConnectParams
from dexproto.signing import sign
from tests.cli import ROOT, cambio
from tests.fakes.dex_server import ACCOUNT, SERVER_PUBKEY, FakeServer, config, match_note
from tests.waits import until

NEW_SECRET = bytes([0x42]) * 32
NEW_PUBKEY = xonly_from_secret(NEW_SECRET)
URL_A, URL_B, URL_C = "ws://127.0.0.1:7001", "ws://127.0.0.1:7002", "ws://127.0.0.1:7003"


def _config(pubkey: bytes) -> ConfigResult:
    return ConfigResult.from_json(config(pubkey))


def _answer(request_id: int, result: Any) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "result": result, "error": None})


# --- the session: the pin checked on every `assets` ---------------------------------------
def test_same_key_is_accepted_and_no_pin_accepts_any() -> None:
    s = Session(account_secret=ACCOUNT)
    assert s.accept_config(_config(NEW_PUBKEY)).pubkey == NEW_PUBKEY  # nothing pinned yet
    s.pinned_key = lambda: SERVER_PUBKEY
    assert s.accept_config(_config(SERVER_PUBKEY)).pubkey == SERVER_PUBKEY


def test_changed_key_is_refused_and_the_old_key_stays() -> None:
    s = Session(account_secret=ACCOUNT)
    s.pinned_key = lambda: SERVER_PUBKEY
    s.accept_config(_config(SERVER_PUBKEY))
    with pytest.raises(ServerKeyChanged) as refused:
        s.accept_config(_config(NEW_PUBKEY))
    assert (refused.value.pinned, refused.value.offered) == (SERVER_PUBKEY, NEW_PUBKEY)
    assert refused.value.code == ErrorCode.INVALID_PARAMS
    assert key_prefix(NEW_PUBKEY) in str(refused.value)
    assert s.server_pubkey == SERVER_PUBKEY

    # Through the frames: the `assets` answer fails, and a match under the new key is
    # answered with code 1, not acknowledged.
    request_id, _ = s.request(rq.assets_call(s), deadline=1e12)
    inbound = s.receive(_answer(request_id, config(NEW_PUBKEY)))
    assert inbound.resolved is not None and isinstance(inbound.resolved.error, ServerKeyChanged)
    frame = {
        "jsonrpc": "2.0",
        "method": "match",
        "id": 5,
        "params": [match_note(NEW_SECRET).to_json()],
    }
    out = s.receive(json.dumps(frame))
    assert out.call is None and out.answer is not None
    assert json.loads(out.answer)["error"]["code"] == ErrorCode.BAD_SIGNATURE

    s.pinned_key = lambda: NEW_PUBKEY  # what accepting the new key amounts to
    assert s.accept_config(_config(NEW_PUBKEY)).pubkey == NEW_PUBKEY


# --- the store: pins, refusals, indexes -------------------------------------------------
def test_pin_refusal_and_acceptance_are_stored(tmp_path: Path) -> None:
    store = Store(tmp_path / "db")
    ids = ServerIdentity(store)
    assert ids.pinned_key(URL_A) is None
    assert ids.pin_first(URL_A, SERVER_PUBKEY) and not ids.pin_first(URL_A, NEW_PUBKEY)
    assert ids.pinned_key(URL_A) == SERVER_PUBKEY
    with pytest.raises(NoKeyToAccept):
        ids.accept(URL_A)
    assert ids.note_refused(URL_A, NEW_PUBKEY) and not ids.note_refused(URL_A, NEW_PUBKEY)
    store.close()

    store = Store(tmp_path / "db")  # another process (the CLI) accepts what was refused
    ids = ServerIdentity(store)
    assert ids.offered_key(URL_A) == NEW_PUBKEY
    assert ids.accept(URL_A) == NEW_PUBKEY
    assert ids.pinned_key(URL_A) == NEW_PUBKEY and ids.offered_key(URL_A) is None
    assert ids.pinned_key(URL_B) is None
    store.close()


def test_each_url_gets_its_own_index_kept_across_restarts(tmp_path: Path) -> None:
    store = Store(tmp_path / "db")
    ids = ServerIdentity(store)
    assert [ids.account_index(u) for u in (URL_A, URL_B, URL_A, URL_C)] == [0, 1, 0, 2]
    store.close()
    store = Store(tmp_path / "db")
    assert [ServerIdentity(store).account_index(u) for u in (URL_C, URL_B, URL_A)] == [2, 1, 0]
    store.close()


def test_servers_registered_before_the_mapping_keep_index_0(tmp_path: Path) -> None:
    store = Store(tmp_path / "db")
    store.set_meta(f"regfee:{URL_B}", "ab" * 32 + ":0")  # both paid for under index 0
    store.set_meta(f"regfee:{URL_C}", "cd" * 32 + ":1")
    ids = ServerIdentity(store)
    assert [ids.account_index(u) for u in (URL_A, URL_B, URL_C)] == [1, 0, 0]
    store.close()


# --- the Client ------------------------------------------------------------------------------
@pytest.fixture
def wallet(tmp_path: Path) -> OpenWallet:
    create_wallet(tmp_path / "w", "pw", network=Network.REGTEST, scrypt_n=2**10)
    return unlock_wallet(tmp_path / "w", "pw")


async def test_two_servers_two_accounts_the_first_keeps_index_0(wallet: OpenWallet) -> None:
    first, second = (
        Client(wallet, dex_url=URL_A, settle=False),
        Client(wallet, dex_url=URL_B, settle=False),
    )
    ids = (first.dex.session.account_id, second.dex.session.account_id)
    assert ids[0] == codec.account_id(wallet.hd.dex_account_pubkey(0))
    assert ids[1] == codec.account_id(wallet.hd.dex_account_pubkey(1))
    with pytest.raises(TimeoutError):  # nothing listens there; the key changed anyway
        await first.switch_dex(URL_C, timeout=0.2)
    assert first.dex.session.account_id == codec.account_id(wallet.hd.dex_account_pubkey(2))
    await first.stop()
    await second.stop()
    await wallet.close()
    again = unlock_wallet(wallet.datadir, "pw")
    core = Client(again, dex_url=URL_B, settle=False)
    assert core.dex.session.account_id == ids[1]
    await core.stop()
    await again.close()


def _connect_signed_by(secret: bytes) -> Callable[[Any], dict[str, Any]]:
    def answer(params: Any) -> dict[str, Any]:
        payload = ConnectParams.from_json(params).payload()
        return {"startepoch": 1, "orders": [], "matches": [], "sig": sign(secret, payload).hex()}

    return answer


async def test_changed_key_stops_trading_until_accepted(
    server: FakeServer, wallet: OpenWallet
) -> None:
    core = Client(wallet, dex_url=server.url, settle=False)
    events: list[CoreEvent] = []
    core.events.subscribe(events.append)
    await core.start()
    try:
        await core.ready(5)
        await until(lambda: core.identity.pinned_key(server.url) is not None, "the key pinned")
        assert core.identity.pinned_key(server.url) == SERVER_PUBKEY  # first connect: pinned

        # The server turns up with another key, and pushes a match signed by it right after.
        answers: list[dict[str, Any] | BaseException] = []

        async def push_match() -> None:
            try:
                answers.append(
                    await server.request("match", [match_note(NEW_SECRET).to_json()], timeout=2)
                )
            except Exception as exc:  # the client hung up or never answered: no ack either
                answers.append(exc)

        tasks: set[asyncio.Task[None]] = set()

        def new_assets(params: Any) -> dict[str, Any]:
            tasks.add(asyncio.ensure_future(push_match()))
            return config(NEW_PUBKEY)

        server.handlers["assets"] = new_assets
        server.handlers["connect"] = _connect_signed_by(NEW_SECRET)
        before = server.connections
        await server.drop()
        await until(lambda: any(isinstance(e, ServerRefused) for e in events), "ServerRefused")
        await until(lambda: len(answers) >= 1, "an answer to the prompt")
        (refused,) = [e for e in events if isinstance(e, ServerRefused)]
        assert refused.url == server.url
        assert key_prefix(SERVER_PUBKEY) in refused.reason
        assert key_prefix(NEW_PUBKEY) in refused.reason
        assert not any(isinstance(a, dict) and a.get("result") for a in answers)  # no ack
        later = [m for c, m, _ in server.received if c > before]
        assert "assets" in later and "connect" not in later and "limit" not in later
        assert not core.dex.ready
        assert not any(
            isinstance(e, CoreError) and e.detail.startswith("assets") for e in events
        )  # a key refusal, not a broken protocol
        assert core.identity.pinned_key(server.url) == SERVER_PUBKEY

        # The user accepts the new key: connected again, and its matches are acknowledged.
        assert await core.accept_server_key(server.url) == NEW_PUBKEY
        server.handlers["assets"] = lambda p: config(NEW_PUBKEY)
        await core.ready(5)
        assert core.dex.account is not None
        response = await server.request("match", [match_note(NEW_SECRET).to_json()])
        # Its signature is taken now (no code 1): the note itself, for an order we never
        # placed, is refused on its terms.
        assert response["error"]["code"] == ErrorCode.INVALID_PARAMS
        assert any(isinstance(e, MatchRefused) for e in events)
        assert core.identity.pinned_key(server.url) == NEW_PUBKEY
        for task in tasks:
            await task
    finally:
        await core.stop()
        await wallet.close()


async def test_refusal_reaches_the_client_event_stream_as_typed(server: FakeServer) -> None:
    from app.dex.client import DexClient
    from app.dex.connection import ClientOptions, ConnectionOptions

    client = DexClient(
        ConnectionOptions(server.url),
        account_secret=ACCOUNT,
        options=ClientOptions(request_timeout=2, backoff_base=0.01, backoff_cap=0.05),
        pinned_key=lambda: NEW_PUBKEY,
    )
    client.start()
    try:
        async with asyncio.timeout(5):
            while True:
                event = await client.events.get()
                if isinstance(event, ServerKeyRefused):
                    break
        assert (event.url, event.pinned, event.offered) == (server.url, NEW_PUBKEY, SERVER_PUBKEY)
        assert "connect" not in server.methods() and not client.ready
    finally:
        await client.close()


# --- the CLI: accept the refused key, offline ------------------------------------------
def test_cli_accepts_the_refused_key_only_if_it_is_the_one_shown(tmp_path: Path) -> None:
    datadir = tmp_path / "w"
    create_wallet(datadir, "pw", network=Network.REGTEST, scrypt_n=2**10)
    store = Store(datadir / "cambio.db")
    ids = ServerIdentity(store)
    args = ("client", "accept-server-key", "--datadir", str(datadir), "--url", URL_A, "--json")
    env = {"CAMBIO_PASSWORD": "pw"}
    nothing = cambio(*args, env=env)
    assert nothing.returncode == 1 and "no changed server key" in nothing.stderr
    ids.pin_first(URL_A, SERVER_PUBKEY)
    ids.note_refused(URL_A, NEW_PUBKEY)
    wrong = cambio(*args, "--key", SERVER_PUBKEY.hex()[:8], env=env)
    assert wrong.returncode == 1 and ids.pinned_key(URL_A) == SERVER_PUBKEY
    done = cambio(*args, "--key", NEW_PUBKEY.hex()[:8], env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["accepted"] == NEW_PUBKEY.hex()
    assert ids.pinned_key(URL_A) == NEW_PUBKEY
    store.close()


def test_a_match_before_any_configuration_is_refused_not_raised() -> None:
    # A fresh process whose first `assets` was refused has no key at all: a pushed match
    # must be answered with an error, not break the frame loop (and the reconnects).
    s = Session(account_secret=ACCOUNT)
    s.pinned_key = lambda: SERVER_PUBKEY
    frame = {
        "jsonrpc": "2.0",
        "method": "match",
        "id": 3,
        "params": [match_note(NEW_SECRET).to_json()],
    }
    out = s.receive(json.dumps(frame))
    assert out.call is None and out.answer is not None
    assert json.loads(out.answer)["error"]["code"] == ErrorCode.INVALID_REQUEST


async def test_trade_cli_says_the_key_changed_at_once(tmp_path: Path, server: FakeServer) -> None:
    import os
    import sys

    from app.config import load_config, save_config

    datadir = tmp_path / "w"
    create_wallet(datadir, "pw", network=Network.REGTEST, scrypt_n=2**10)
    cfg = load_config(datadir)
    cfg.dex_url = server.url
    save_config(datadir, cfg)
    store = Store(datadir / "cambio.db")
    ServerIdentity(store).pin_first(server.url, NEW_PUBKEY)  # the server shows SERVER_PUBKEY
    store.close()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "main.py"),
        "trade",
        "cancel",
        "ab" * 32,
        "--datadir",
        str(datadir),
        env={**os.environ, "CAMBIO_PASSWORD": "pw"},
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 25)  # well before the 30 s timeout
    assert proc.returncode == 1
    assert "key changed" in err.decode() and "accept-server-key" in err.decode()
    assert key_prefix(SERVER_PUBKEY) in err.decode()
    assert "connect" not in server.methods()
