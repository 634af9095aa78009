"""The DEX client (app.dex.client / connection / session / requests) against a scripted
websockets server on 127.0.0.1 (tests/fakes/dex_server.py), plus the sans-I/O core directly."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import ipaddress
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from app.dex import requests as rq
from app.dex.client import DexClient
from app.dex.connection import ClientOptions, ConnectionOptions
from app.dex.errors import BadServerAnswer, NoServerConfigured, RequestTimeout, ServerRejected
from app.dex.events import (
    AuditReceived,
    BookUpdated,
    ClientError,
    Connected,
    Disconnected,
    Event,
    FairnessChecked,
    MatchReceived,
    MatchStatuses,
    ProtocolViolation,
)
from app.dex.outbox import MemoryOutbox, OutboxItem
from app.dex.session import MAX_MATCH_NOTES, Call, PendingTable, Session
from dexproto import codec
from dexproto.epoch import match_seed
from dexproto.errors import ErrorCode, RemoteError, SignatureError
from dexproto.fairness import Problem
from dexproto.messages import (
    ConfigResult,
    InitParams,
    MatchAck,
    MatchNote,
    RedeemParams,
    Side,
    TimeInForce,
)
from dexproto.signing import sign, verify
from tests.fakes.dex_server import (
    ACCOUNT,
    ACCOUNT_PUB,
    MATCH_ID,
    NO_ANSWER,
    ORDER_ID,
    SERVER_PUBKEY,
    SERVER_SECRET,
    FakeServer,
    book_order,
    config,
    funding_coin,
    match_note,
    next_event,
)
from tests.waits import until

ClientFactory = Callable[..., Awaitable[DexClient]]


@pytest.fixture
async def make_client(server: FakeServer) -> AsyncIterator[ClientFactory]:
    clients: list[DexClient] = []

    async def make(ready: bool = True, url: str | None = None, **kw: Any) -> DexClient:
        kw.setdefault("account_secret", ACCOUNT)
        kw.setdefault(
            "options", ClientOptions(request_timeout=2, backoff_base=0.01, backoff_cap=0.05)
        )
        client = DexClient(ConnectionOptions(url or server.url), **kw)
        clients.append(client)
        client.start()
        if ready:
            await client.wait_ready(5)
        return client

    yield make
    for client in clients:
        await client.close()


def drain(client: DexClient) -> list[Event]:
    out = []
    while not client.events.empty():
        out.append(client.events.get_nowait())
    return out


# --- the connection sequence and requests in both directions -----------------------------
async def test_connect_sequence_verifies_and_reports(
    server: FakeServer, make_client: ClientFactory
) -> None:
    client = await make_client()
    connected = await next_event(client, Connected)
    assert connected.account is not None and connected.config.pubkey == SERVER_PUBKEY
    assert server.methods() == ["assets", "connect"]
    params = server.received[1][2]
    assert params["accountid"] == codec.account_id(ACCOUNT_PUB).hex()


async def test_server_match_is_verified_persisted_then_acked(
    server: FakeServer, make_client: ClientFactory
) -> None:
    seen: list[Event] = []

    async def hook(event: Event) -> None:
        await asyncio.sleep(0.05)  # the ack must wait for the app to persist the match
        seen.append(event)

    client = await make_client(on_server_request=hook)
    note = match_note()
    response = await server.request("match", [note.to_json()])
    assert len(seen) == 1 and isinstance(seen[0], MatchReceived)
    (ack,) = response["result"]
    assert ack["matchid"] == MATCH_ID.hex()
    verify(ACCOUNT_PUB, bytes.fromhex(ack["sig"]), note.payload(), what="ack")
    assert (await next_event(client, MatchReceived)).matches == (note,)
    assert client.session.active_matches == {MATCH_ID: ORDER_ID}


async def test_bad_server_signature_on_match_is_rejected_with_code_1(
    server: FakeServer, make_client: ClientFactory
) -> None:
    client = await make_client()
    bad = match_note(secret=bytes([9]) * 32)  # signed by someone else
    response = await server.request("match", [match_note().to_json(), bad.to_json()])
    assert response["result"] is None and response["error"]["code"] == 1
    violation = await next_event(client, ProtocolViolation)
    assert (violation.method, violation.code) == ("match", ErrorCode.BAD_SIGNATURE)
    assert not any(isinstance(e, MatchReceived) for e in drain(client))
    assert client.session.active_matches == {}  # never acted upon


async def test_audit_is_verified_and_answered(
    server: FakeServer, make_client: ClientFactory
) -> None:
    client = await make_client()
    payload = codec.InitPayload(ORDER_ID, MATCH_ID, bytes([3]) * 32, 1, 5, b"\x63" * 97)
    params = {
        "orderid": ORDER_ID.hex(),
        "matchid": MATCH_ID.hex(),
        "txid": "03" * 32,
        "vout": 1,
        "contract": "63" * 97,
        "timestamp": 5,
        "sig": sign(SERVER_SECRET, payload).hex(),
    }
    response = await server.request("audit", params)
    verify(ACCOUNT_PUB, bytes.fromhex(response["result"]["sig"]), payload, what="audit ack")
    assert (await next_event(client, AuditReceived)).audit.txid == bytes([3]) * 32
    response = await server.request("audit", {**params, "vout": 2})  # sig no longer covers it
    assert response["error"]["code"] == 1


async def test_unknown_server_method_gets_method_not_found(
    server: FakeServer, make_client: ClientFactory
) -> None:
    await make_client()
    response = await server.request("mystery", {})
    assert response["error"]["code"] == ErrorCode.METHOD_NOT_FOUND


async def test_request_timeout_is_typed_and_cleans_up(
    server: FakeServer, make_client: ClientFactory
) -> None:
    server.handlers["match_status"] = lambda p: NO_ANSWER
    client = await make_client(options=ClientOptions(request_timeout=0.2))
    with pytest.raises(RequestTimeout, match="did not answer in time") as timed_out:
        await client.match_status([MATCH_ID])
    assert timed_out.value.method == "match_status" and "match_status" in timed_out.value.detail
    assert len(client.session.pending) == 0
    assert client.ready  # a timeout does not drop the connection


async def test_remote_error_is_raised(server: FakeServer, make_client: ClientFactory) -> None:
    def refuse(params: Any) -> Any:
        raise RemoteError(ErrorCode.FEE_NOT_PAID, "fee not confirmed")

    server.handlers["match_status"] = refuse
    client = await make_client()
    with pytest.raises(ServerRejected) as info:  # dexproto's RemoteError, mapped at the edge
        await client.match_status([MATCH_ID])
    assert info.value.code == 3 and info.value.message == "fee not confirmed"
    assert str(info.value) == "The DEX server refused: registration fee not paid or not confirmed."
    assert "fee not confirmed" in info.value.detail and isinstance(
        info.value.__cause__, RemoteError
    )


# --- reconnect ----------------------------------------------------------------------------
async def test_drop_reconnects_resubscribes_and_resends_unacked_init(
    server: FakeServer, make_client: ClientFactory
) -> None:
    inits: list[Any] = []

    async def init(params: Any) -> Any:
        inits.append(params)
        if len(inits) == 1:  # the first report is lost with the connection
            await server.drop()
            return NO_ANSWER
        return server._ack(InitParams.from_json(params))

    server.handlers["init"] = init
    outbox = MemoryOutbox()
    client = await make_client(outbox=outbox, rng=lambda: 0.5)
    client.track_matches([(MATCH_ID, ORDER_ID)])
    await client.subscribe("ltc", "btc")
    acked = await client.report_init(ORDER_ID, MATCH_ID, bytes([4]) * 32, 0, b"\x63" * 97)
    assert acked is False and len(outbox.pending()) == 1

    gone = await next_event(client, Disconnected)
    assert gone.retry_in is not None and 0 <= gone.retry_in <= 0.05
    assert (await next_event(client, MatchStatuses)).states == ()  # comes before Connected
    await next_event(client, Connected)
    assert server.connections == 2
    assert server.methods(2) == ["assets", "connect", "orderbook", "init", "match_status"]
    assert inits[0] == inits[1]  # re-sent byte for byte, as first signed
    assert outbox.pending() == []
    assert client.book("ltc", "btc") is not None and client.book("ltc", "btc").synced  # type: ignore[union-attr]


async def test_report_queued_during_the_connect_sequence_is_sent_before_ready(
    server: FakeServer, make_client: ClientFactory
) -> None:
    """A report made while the post-connect requests are in flight is only stored (the link
    is not ready yet); it must still go out on this connection, not at the next reconnect."""
    outbox = MemoryOutbox()
    clients: list[DexClient] = []
    acked: list[bool] = []

    async def match_status(params: Any) -> Any:  # the engine reports meanwhile
        acked.append(
            await clients[0].report_init(ORDER_ID, MATCH_ID, bytes([4]) * 32, 0, b"\x63" * 97)
        )
        return []

    server.handlers["match_status"] = match_status
    client = await make_client(ready=False, outbox=outbox)
    clients.append(client)
    client.track_matches([(MATCH_ID, ORDER_ID)])
    await client.wait_ready(5)
    assert acked == [False]
    assert server.methods(1) == ["assets", "connect", "match_status", "init"]
    await until(lambda: outbox.pending() == [], "the outbox empty")


async def test_server_down_retries_with_backoff_until_it_returns(
    server: FakeServer, make_client: ClientFactory
) -> None:
    port = server.port
    await server.stop()
    client = await make_client(ready=False, url=f"ws://127.0.0.1:{port}")
    delays = [(await next_event(client, Disconnected)).retry_in for _ in range(3)]
    assert all(d is not None and 0 <= d <= 0.05 for d in delays)
    assert not client.ready


async def test_unsupported_api_version_is_not_accepted(
    server: FakeServer, make_client: ClientFactory
) -> None:
    server.handlers["assets"] = lambda p: config(apiver=2)
    client = await make_client(ready=False)
    violation = await next_event(client, ProtocolViolation)
    assert violation.code == ErrorCode.UNSUPPORTED_API
    gone = await next_event(client, Disconnected)
    assert "setup failed" in gone.reason and not client.ready


# --- order book ---------------------------------------------------------------------------
async def test_seq_gap_resubscribes_and_rebuilds(
    server: FakeServer, make_client: ClientFactory
) -> None:
    client = await make_client()
    mirror = await client.subscribe("ltc", "btc")
    assert mirror.synced and mirror.seq == 5 and len(mirror) == 1
    assert (await next_event(client, BookUpdated)).delta is None  # the snapshot
    await server.notify("add_limit", {"marketid": 0, "order": book_order(2), "seq": 6})
    update = await next_event(client, BookUpdated)
    assert update.delta is not None and mirror.seq == 6

    server.snapshot_orders = [book_order(n) for n in (1, 2, 3)]
    server.snapshot_seq = 10
    await server.notify("remove_order", {"marketid": 0, "orderid": "01" * 32, "seq": 8})
    await until(lambda: mirror.synced and mirror.seq == 10, "the book rebuilt at seq 10")
    assert len(mirror) == 3 and mirror.best_ask() is not None
    assert server.methods()[-2:] == ["unsub_orderbook", "orderbook"]
    assert (await next_event(client, BookUpdated)).delta is None  # rebuilt from the snapshot


async def test_notes_for_unsubscribed_markets_are_ignored(
    server: FakeServer, make_client: ClientFactory
) -> None:
    client = await make_client()
    await server.notify("add_limit", {"marketid": 0, "order": book_order(2), "seq": 6})
    await client.subscribe("ltc", "btc")
    await client.unsubscribe("ltc", "btc")
    assert client.book("ltc", "btc") is None and "unsub_orderbook" in server.methods()


# --- orders and fairness ------------------------------------------------------------------
async def test_limit_order_result_verified_and_fairness_reported(
    server: FakeServer, make_client: ClientFactory
) -> None:
    client = await make_client()
    placed = await client.place_limit(
        "ltc",
        "btc",
        side=Side.SELL,
        quantity=10**6,
        rate=100_000,
        tif=TimeInForce.STANDING,
        coins=[funding_coin()],
        address="bcrt1qours",
    )
    assert placed.epoch == server.servertime // 60000
    assert server.received[-1][2]["orderid"] == placed.order_id.hex()
    other = bytes([0x01]) * 32
    ids = sorted([placed.order_id, other])
    await server.notify(
        "match_data",
        {
            "marketid": 0,
            "epoch": placed.epoch,
            "orderids": [i.hex() for i in ids],
            "seed": match_seed(ids).hex(),
        },
    )
    fair = await next_event(client, FairnessChecked)
    assert fair.report.ok and fair.our_orders == 1 and placed.order_id in fair.report.positions

    second = await client.place_market(
        "ltc", "btc", side=Side.BUY, quantity=10**5, coins=[funding_coin()], address="bcrt1qours"
    )
    await server.notify(
        "match_data",
        {
            "marketid": 0,
            "epoch": second.epoch,
            "orderids": [other.hex()],
            "seed": match_seed([other]).hex(),
        },
    )
    unfair = await next_event(client, FairnessChecked)
    assert [i.problem for i in unfair.report.issues] == [Problem.MISSING_ORDER]


async def test_bad_signature_on_order_result_is_a_violation(
    server: FakeServer, make_client: ClientFactory
) -> None:
    server.handlers["cancel"] = lambda p: {"sig": "00" * 64, "servertime": 1}
    client = await make_client()
    with pytest.raises(BadServerAnswer, match="invalid signature") as refused:
        await client.cancel("ltc", "btc", ORDER_ID)
    assert refused.value.code == 1 and isinstance(refused.value.__cause__, SignatureError)
    violation = await next_event(client, ProtocolViolation)
    assert (violation.method, violation.code) == ("cancel", 1)
    assert client.session.epoch_orders == {}


# --- TLS ----------------------------------------------------------------------------------
def _self_signed(tmp_path: Path) -> tuple[Path, Path, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cambio-test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pkcs8, pem = serialization.PrivateFormat.PKCS8, serialization.Encoding.PEM
    key_path.write_bytes(key.private_bytes(pem, pkcs8, serialization.NoEncryption()))
    der = cert.public_bytes(serialization.Encoding.DER)
    return cert_path, key_path, hashlib.sha256(der).digest()


async def test_wss_with_pinned_certificate(tmp_path: Path) -> None:
    cert, key, fingerprint = _self_signed(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = FakeServer(ssl_context=ctx)
    await srv.start()
    fast = ClientOptions(request_timeout=2, backoff_base=0.01, backoff_cap=0.05)
    try:
        for pin in ({"fingerprint": fingerprint.hex()}, {"cafile": str(cert)}):
            client = DexClient(ConnectionOptions(srv.url, **pin), options=fast)  # type: ignore[arg-type]
            client.start()
            await client.wait_ready(5)
            await client.close()
        wrong = DexClient(ConnectionOptions(srv.url, fingerprint="ab" * 32), options=fast)
        wrong.start()
        assert "does not match" in (await next_event(wrong, Disconnected)).reason
        await wrong.close()
        default = DexClient(ConnectionOptions(srv.url), options=fast)  # system CAs only
        default.start()
        assert "certificate" in (await next_event(default, Disconnected)).reason.lower()
        await default.close()
    finally:
        await srv.stop()


def test_url_policy() -> None:
    ConnectionOptions("ws://127.0.0.1:1")
    ConnectionOptions("ws://[::1]:1")
    ConnectionOptions("wss://dex.example.com")
    for url in ("ws://dex.example.com", "http://127.0.0.1", "wss://"):
        with pytest.raises(ValueError):
            ConnectionOptions(url)
    with pytest.raises(ValueError, match="wss"):
        ConnectionOptions("ws://127.0.0.1:1", fingerprint="00" * 32)
    with pytest.raises(ValueError, match="SHA-256"):
        ConnectionOptions("wss://dex.example.com", fingerprint="00" * 20)


# --- the sans-I/O core ----------------------------------------------------------------------
def test_pending_table_ids_and_deadlines() -> None:
    table = PendingTable()
    a, b = table.add(Call("assets", None), 10.0), table.add(Call("connect", None), 5.0)
    assert (a.id, b.id) == (1, 2) and table.next_deadline() == 5.0
    assert [p.id for p in table.expire(7.0)] == [2] and len(table) == 1
    assert table.pop(1) is a and table.pop(1) is None
    assert table.add(Call("x", None), 1).id == 3  # ids are never reused


def _session() -> Session:
    s = Session(account_secret=ACCOUNT)
    s.accept_config(ConfigResult.from_json(config()))
    return s


def test_session_rejects_malformed_and_unexpected_frames() -> None:
    s = _session()
    bad = s.receive("{not json")
    assert bad.answer is None and isinstance(bad.events[0], ProtocolViolation)
    note = s.receive('{"jsonrpc":"2.0","method":"match","params":[]}')  # needs an id
    assert note.answer is None and isinstance(note.events[0], ProtocolViolation)
    late = s.receive('{"jsonrpc":"2.0","result":null,"error":null,"id":99}')
    assert late.resolved is None and late.events == []
    wrong = s.receive('{"jsonrpc":"2.0","method":"audit","params":{"x":1},"id":4}')
    assert wrong.answer is not None and '"code":-32602' in wrong.answer


def test_session_without_account_refuses_server_requests() -> None:
    s = Session()
    s.accept_config(ConfigResult.from_json(config()))
    frame = '{"jsonrpc":"2.0","method":"match","params":[%s],"id":3}'
    out = s.receive(frame % json.dumps(match_note().to_json()))
    assert out.call is None and out.answer is not None and '"id":3' in out.answer


def test_report_acked_only_by_valid_signature_and_final_errors() -> None:
    s = _session()
    item = rq.init_item(s, ORDER_ID, MATCH_ID, bytes(32), 0, b"\x63", 1)
    s.outbox.add(item)
    call = rq.report_call(s, item)
    assert call.check is not None and call.on_remote_error is not None
    with pytest.raises(SignatureError):
        call.check(MatchAck(matchid=MATCH_ID, sig=bytes(64)))
    assert s.outbox.pending() == [item]
    call.on_remote_error(RemoteError(ErrorCode.CONTRACT_INVALID, "not on chain yet"))
    assert s.outbox.pending() == [item]  # kept: re-sent after the next reconnect
    call.on_remote_error(RemoteError(ErrorCode.DUPLICATE, "already have it"))
    assert s.outbox.pending() == []


def test_memory_outbox_order_and_methods() -> None:
    box = MemoryOutbox()
    a, b = OutboxItem("init", MATCH_ID, {}), OutboxItem("redeem", MATCH_ID, {})
    box.add(a)
    box.add(b)
    box.add(a)  # replaced, moves to the end
    assert box.pending() == [b, a]
    box.ack("redeem", MATCH_ID)
    box.ack("redeem", ORDER_ID)  # unknown: ignored
    assert box.pending() == [a]
    with pytest.raises(ValueError):
        box.add(OutboxItem("limit", MATCH_ID, {}))


# --- refused matches (L2), bounded requests and answers (L1, poc6) ------------------------
def note_with(n: int) -> MatchNote:
    base = match_note()
    unsigned = MatchNote(**{**base.__dict__, "matchid": n.to_bytes(32, "big"), "sig": bytes(64)})
    return MatchNote(**{**unsigned.__dict__, "sig": sign(SERVER_SECRET, unsigned.payload())})


async def test_a_refused_note_gets_an_error_and_no_signature(
    server: FakeServer, make_client: ClientFactory
) -> None:
    good, bad = note_with(1), note_with(2)

    async def hook(event: Event) -> Mapping[bytes, str] | None:
        assert isinstance(event, MatchReceived)
        return {bad.matchid: "the server offered a worse rate"}

    client = await make_client(on_server_request=hook)
    await next_event(client, Connected)
    response = await server.request("match", [good.to_json(), bad.to_json()])
    assert response["result"] is None
    error = response["error"]
    assert error["code"] == ErrorCode.INVALID_PARAMS and "1 of 2" in error["message"]
    assert error["data"] == [
        {"matchid": bad.matchid.hex(), "reason": "the server offered a worse rate"}
    ]
    assert "sig" not in str(response)  # no signature over any note of a refused request
    assert bad.matchid not in client.session.active_matches
    assert good.matchid in client.session.active_matches  # stored and settled all the same


async def test_a_request_taken_whole_is_acked(
    server: FakeServer, make_client: ClientFactory
) -> None:
    async def hook(event: Event) -> Mapping[bytes, str] | None:
        return {}

    client = await make_client(on_server_request=hook)
    await next_event(client, Connected)
    response = await server.request("match", [note_with(1).to_json(), note_with(2).to_json()])
    assert [a["matchid"] for a in response["result"]] == [
        note_with(i).matchid.hex() for i in (1, 2)
    ]


async def test_too_many_notes_are_refused_and_the_client_stays_connected(
    server: FakeServer, make_client: ClientFactory
) -> None:
    seen: list[Event] = []

    async def hook(event: Event) -> Mapping[bytes, str] | None:
        seen.append(event)
        return None

    client = await make_client(on_server_request=hook)
    await next_event(client, Connected)
    notes = [note_with(i).to_json() for i in range(MAX_MATCH_NOTES + 1)]
    response = await server.request("match", notes, timeout=20)
    assert response["error"]["code"] == ErrorCode.TOO_MANY_MATCHES
    assert seen == []  # never handed to the app
    ok = await server.request("match", [note_with(1).to_json()])
    assert ok["result"][0]["matchid"] == note_with(1).matchid.hex()
    assert client.ready


def test_an_answer_too_large_for_a_frame_becomes_an_error() -> None:
    session = Session(account_secret=bytes([5]) * 32)
    answer = session._answer(7, ["x" * 1_100_000])  # over the 1 MiB frame limit
    assert '"answer too large"' in answer and '"id":7' in answer


async def test_the_reconnect_loop_survives_an_error_in_a_connection(
    server: FakeServer, make_client: ClientFactory
) -> None:
    async def hook(event: Event) -> Mapping[bytes, str] | None:
        raise RuntimeError("the app broke")

    client = await make_client(on_server_request=hook)
    await next_event(client, Connected)
    response = await server.request("match", [note_with(1).to_json()])
    assert response["error"]["code"] == ErrorCode.INTERNAL_ERROR  # answered, not signed
    await server.drop()
    await next_event(client, Connected, timeout=10)  # and it came back


# --- a report the server already recorded (§9: acked again; older servers refuse it) -------
@pytest.mark.parametrize(
    ("method", "message", "early"),
    [
        ("redeem", "taker redeem while taker_swap_cast", True),  # maker's redeem not in yet
        ("init", "taker init while newly_matched", True),
        ("redeem", "maker redeem while maker_swap_cast", True),
        ("redeem", "taker redeem while maker_swap_cast", False),  # two steps behind: wrong
        ("redeem", "taker redeem while maker_redeemed", False),  # the expected status
        ("init", "maker init while newly_matched", False),
    ],
)
def test_a_report_ahead_of_the_counterpartys_is_told_apart(
    method: str, message: str, early: bool
) -> None:
    exc = RemoteError(ErrorCode.SETTLEMENT_SEQUENCE, message)
    assert rq.reported_early(method, exc) is early


async def test_an_early_report_waits_for_the_relay_of_the_counterpartys_step(
    server: FakeServer, make_client: ClientFactory
) -> None:
    redeems: list[Any] = []

    def redeem(params: Any) -> Any:
        redeems.append(params)
        if len(redeems) == 1:  # the maker's redeem has not reached the server yet
            raise RemoteError(ErrorCode.SETTLEMENT_SEQUENCE, "taker redeem while taker_swap_cast")
        return server._ack(RedeemParams.from_json(params))

    server.handlers["redeem"] = redeem
    outbox = MemoryOutbox()
    client = await make_client(outbox=outbox)
    secret = bytes([9]) * 32
    assert await client.report_redeem(ORDER_ID, MATCH_ID, bytes([6]) * 32, 0, secret) is False
    assert len(outbox.pending()) == 1  # queued, no exception: nothing for the engine to report
    payload = codec.RedeemPayload(ORDER_ID, MATCH_ID, bytes([7]) * 32, 0, 5, secret)
    params = {
        "orderid": ORDER_ID.hex(),
        "matchid": MATCH_ID.hex(),
        "txid": "07" * 32,
        "vin": 0,
        "secret": secret.hex(),
        "timestamp": 5,
        "sig": sign(SERVER_SECRET, payload).hex(),
    }
    await server.request("redemption", params)  # the server has the maker's redeem now
    await until(lambda: outbox.pending() == [], "the outbox empty")
    assert len(redeems) == 2 and redeems[0] == redeems[1]  # the same report, re-sent
    assert [e for e in drain(client) if isinstance(e, ClientError)] == []


@pytest.mark.parametrize(
    ("method", "message", "recorded"),
    [
        ("init", "taker init while taker_swap_cast", True),
        ("init", "maker init while maker_swap_cast", True),
        ("init", "maker init while match_complete", True),
        ("redeem", "maker redeem while maker_redeemed", True),
        ("redeem", "match is finished", True),
        ("init", "taker init while newly_matched", False),  # early (see above), not recorded
        ("init", "maker init while revoked", False),
        ("redeem", "taker redeem while taker_swap_cast", False),
        ("init", "match is finished", False),  # maybe revoked before our init: worth a look
        ("init", "taker redeem while match_complete", False),  # not about this report
    ],
)
def test_an_already_recorded_report_is_told_from_a_real_refusal(
    method: str, message: str, recorded: bool
) -> None:
    exc = RemoteError(ErrorCode.SETTLEMENT_SEQUENCE, message)
    assert rq.already_recorded(method, exc) is recorded
    assert rq.already_recorded(method, RemoteError(ErrorCode.CONTRACT_INVALID, message)) is False


async def test_a_report_an_older_server_already_has_is_done_without_an_alarm(
    server: FakeServer, make_client: ClientFactory
) -> None:
    def refuse(params: Any) -> Any:
        raise RemoteError(ErrorCode.SETTLEMENT_SEQUENCE, "taker init while taker_swap_cast")

    server.handlers["init"] = refuse
    outbox = MemoryOutbox()
    resent = rq.init_item(_session(), ORDER_ID, MATCH_ID, bytes([5]) * 32, 1, b"\x63" * 97, 1)
    outbox.add(resent)  # left by the last run: re-sent in the connect sequence
    client = await make_client(outbox=outbox)
    assert outbox.pending() == []
    assert await client.report_init(ORDER_ID, MATCH_ID, bytes([4]) * 32, 0, b"\x63" * 97)
    assert outbox.pending() == []
    assert [e for e in drain(client) if isinstance(e, ClientError)] == []

    def out_of_sequence(params: Any) -> Any:
        raise RemoteError(ErrorCode.SETTLEMENT_SEQUENCE, "taker init while revoked")

    server.handlers["init"] = out_of_sequence
    with pytest.raises(ServerRejected):
        await client.report_init(ORDER_ID, MATCH_ID, bytes([4]) * 32, 0, b"\x63" * 97)
    assert len(outbox.pending()) == 1  # a real refusal: kept for the next reconnect


def test_add_market_is_no_book_notification_in_version_1() -> None:
    s = _session()
    order = {"oid": "01" * 32, "otype": "m", "side": "s", "osize": 100, "epoch": 9, "filled": 0}
    inbound = s.receive(
        json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "add_market",
                "params": {"marketid": 0, "order": order, "seq": 5},
            }
        )
    )
    [event] = inbound.events
    assert isinstance(event, ProtocolViolation) and "unexpected notification" in event.detail


async def test_no_server_configured_is_a_clear_idle_state() -> None:
    with pytest.raises(ValueError, match="not a ws"):  # a pin needs a server
        ConnectionOptions("", fingerprint="00" * 32)
    outbox = MemoryOutbox()
    client = DexClient(ConnectionOptions(""), account_secret=ACCOUNT, outbox=outbox)
    assert not client.configured
    client.start()  # nothing to connect to: no task, no retries
    with pytest.raises(NoServerConfigured, match="No DEX server configured"):
        await client.wait_ready(30)
    assert await client.report_init(ORDER_ID, MATCH_ID, bytes([4]) * 32, 0, b"\x63") is False
    assert len(outbox.pending()) == 1  # kept for when a server is set
    await client.close()
    assert drain(client) == []
