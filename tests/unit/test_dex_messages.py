"""Strict message parsing (dexproto.messages) and the JSON-RPC envelope (dexproto.jsonrpc)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dexproto import jsonrpc, signing
from dexproto._wire import JsonFloat
from dexproto.crypto import xonly_from_secret
from dexproto.errors import ErrorCode, ProtocolError, RemoteError, SignatureError
from dexproto.jsonrpc import Notification, Request, Response, RpcError, parse_frame
from dexproto.messages import (
    BookOrder,
    LimitParams,
    MarketParams,
    MatchNote,
    TimeInForce,
    parse_params,
    parse_result,
)

H32 = "ab" * 32
SIG = "cd" * 64
ORDER: dict[str, Any] = {
    "oid": H32,
    "otype": "l",
    "side": "b",
    "osize": 100,
    "rate": 5,
    "tif": "s",
    "epoch": 3,
    "filled": 10,
}
MARKET_ORDER: dict[str, Any] = {
    "oid": "01" * 32,
    "otype": "m",
    "side": "s",
    "osize": 100,
    "epoch": 3,
    "filled": 0,
}
COIN: dict[str, Any] = {"txid": "ee" * 32, "vout": 0, "pubkey": "02" + "11" * 32, "sig": SIG}
MATCH: dict[str, Any] = {
    "orderid": H32,
    "matchid": "22" * 32,
    "quantity": 100,
    "rate": 5,
    "address": "rltc1qabc",
    "side": "maker",
    "feerate": 10,
    "servertime": 7,
    "sig": SIG,
}
STATE: dict[str, Any] = {
    **{k: v for k, v in MATCH.items() if k != "sig"},
    "status": "taker_swap_cast",
    "contract": "63" * 97,
    "txid": "33" * 32,
    "vout": 1,
}
INIT: dict[str, Any] = {
    "orderid": H32,
    "matchid": "22" * 32,
    "txid": "33" * 32,
    "vout": 0,
    "contract": "63" * 97,
    "timestamp": 1,
    "sig": SIG,
}
REDEEM: dict[str, Any] = {
    "orderid": H32,
    "matchid": "22" * 32,
    "txid": "33" * 32,
    "vin": 0,
    "secret": "44" * 32,
    "timestamp": 1,
    "sig": SIG,
}
LIMIT: dict[str, Any] = {
    "accountid": H32,
    "timestamp": 1,
    "tradepair": "LTC/BTC",
    "side": "buy",
    "ordersize": 10**8,
    "rate": 250000,
    "timeinforce": "standing",
    "utxos": [COIN],
    "address": "bcrt1qxyz",
    "orderid": H32,
    "sig": SIG,
}
CONFIG: dict[str, Any] = {
    "pubkey": H32,
    "apiver": 1,
    "epochlen": 60000,
    "buybuffer": "1.25",
    "cancelmax": "0.6",
    "btimeout": 720000,
    "regfee": {"asset": "ltc", "amount": 10**7, "confs": 1},
    "locktimes": {"maker": 172800000, "taker": 86400000},
    "assets": [
        {
            "symbol": "ltc",
            "network": "regtest",
            "lotsize": 10**6,
            "ratestep": 100,
            "feerate": 10,
            "swapsize": 225,
            "swapconf": 1,
            "fundconf": 1,
            "scripts": ["P2WPKH"],
        }
    ],
    "markets": [
        {"name": "ltc_btc", "base": "ltc", "quote": "btc", "marketid": 0, "epochlen": 60000}
    ],
}

PARAMS: dict[str, Any] = {
    "register": {"pubkey": H32, "timestamp": 1, "sig": SIG},
    "notifyfee": {"accountid": H32, "txid": H32, "vout": 1, "timestamp": 2, "sig": SIG},
    "connect": {"accountid": H32, "apiver": 1, "timestamp": 2, "sig": SIG},
    "orderbook": {"base": "ltc", "quote": "btc"},
    "add_limit": {"marketid": 0, "order": ORDER, "seq": 5},
    "remove_order": {"marketid": 0, "orderid": H32, "seq": 6},
    "update_remaining": {"marketid": 0, "orderid": H32, "remaining": 50, "seq": 7},
    "unsub_orderbook": {"marketid": 0},
    "match_data": {"marketid": 0, "epoch": 9, "orderids": [H32], "seed": H32},
    "suspension": {"marketid": 0, "epoch": 9, "persist": False},
    "limit": LIMIT,
    "market": {k: v for k, v in LIMIT.items() if k not in ("rate", "timeinforce")},
    "cancel": {
        "accountid": H32,
        "timestamp": 1,
        "tradepair": "LTC/BTC",
        "orderid": H32,
        "sig": SIG,
    },
    "match": [MATCH],
    "init": INIT,
    "audit": INIT,
    "redeem": REDEEM,
    "redemption": REDEEM,
    "revoke_match": {"orderid": H32, "matchid": H32, "sig": SIG},
    "match_status": {"matchids": [H32]},
}
RESULTS: dict[str, Any] = {
    "assets": CONFIG,
    "register": {
        "pubkey": H32,
        "address": "rltc1qfee",
        "fee": 10**7,
        "asset": "ltc",
        "timestamp": 3,
        "sig": SIG,
    },
    "notifyfee": {"sig": SIG},
    "connect": {"startepoch": 4, "orders": [ORDER], "matches": [STATE], "sig": SIG},
    "orderbook": {"book": {"marketid": 0, "epoch": 9, "orders": [ORDER, MARKET_ORDER]}, "seq": 4},
    "limit": {"sig": SIG, "servertime": 8},
    "match": [{"matchid": H32, "sig": SIG}],
    "init": {"matchid": H32, "sig": SIG},
    "match_status": [STATE],
}


def code_of(call: Any, *args: Any) -> int:
    with pytest.raises(ProtocolError) as info:
        call(*args)
    return int(info.value.code)


@pytest.mark.parametrize("method", sorted(PARAMS))
def test_params_round_trip(method: str) -> None:
    parsed = parse_params(method, PARAMS[method])
    dumped = [p.to_json() for p in parsed] if isinstance(parsed, tuple) else parsed.to_json()  # type: ignore[attr-defined]
    assert dumped == PARAMS[method]


@pytest.mark.parametrize("method", sorted(RESULTS))
def test_results_round_trip(method: str) -> None:
    parsed = parse_result(method, RESULTS[method])
    dumped = [p.to_json() for p in parsed] if isinstance(parsed, tuple) else parsed.to_json()  # type: ignore[attr-defined]
    assert dumped == RESULTS[method]


def test_assets_takes_no_params_and_unsub_result_is_null_or_bool() -> None:
    assert parse_params("assets", None) is None
    assert parse_result("unsub_orderbook", True) is None
    assert code_of(parse_params, "assets", {"x": 1}) == -32602
    assert code_of(parse_result, "unsub_orderbook", 1) == -32602


def test_unknown_method_is_32601() -> None:
    assert code_of(parse_params, "no_such_method", {}) == ErrorCode.METHOD_NOT_FOUND


def test_version_1_has_no_add_market() -> None:
    assert code_of(parse_params, "add_market", PARAMS["add_limit"]) == ErrorCode.METHOD_NOT_FOUND


def test_a_market_order_may_carry_timeinforce_immediate_only() -> None:
    plain = parse_params("market", PARAMS["market"])
    immediate = parse_params("market", {**PARAMS["market"], "timeinforce": "immediate"})
    assert isinstance(plain, MarketParams) and isinstance(immediate, MarketParams)
    assert immediate.timeinforce is TimeInForce.IMMEDIATE and plain.timeinforce is None
    assert immediate.payload(7) == plain.payload(7)  # the byte is 1 either way: same order ID
    assert immediate.payload(0).encode()[-len(plain.address) - 1] == 1  # tif byte
    assert "timeinforce" not in plain.to_json()
    with pytest.raises(
        ProtocolError, match=r"market\.timeinforce: a market order is always"
    ) as info:
        parse_params("market", {**PARAMS["market"], "timeinforce": "standing"})
    assert info.value.code == ErrorCode.INVALID_PARAMS
    assert code_of(parse_params, "market", {**PARAMS["market"], "rate": 5}) == -32602


BAD_ORDERS = [
    ({"osize": 1.5}, "float"),
    ({"osize": JsonFloat("100.0")}, "float"),  # what the frame parser produces
    ({"osize": True}, "boolean"),
    ({"osize": "100"}, "string"),
    ({"osize": 0}, "out of range"),
    ({"filled": -1}, "out of range"),
    ({"epoch": 2**64}, "out of range"),
    ({"oid": "AB" * 32}, "lower-case hex"),
    ({"oid": "ab" * 31}, "expected 32 bytes"),
    ({"oid": "abc"}, "even number"),
    ({"oid": None}, "null"),
    ({"otype": "x"}, "one of"),
    ({"side": "B"}, "one of"),
    ({"extra": 1}, "unknown field"),
    ({"rate": None}, "required on limit"),
    ({"filled": 101}, "filled exceeds osize"),
]


@pytest.mark.parametrize(("change", "text"), BAD_ORDERS)
def test_strict_order_parsing(change: dict[str, object], text: str) -> None:
    with pytest.raises(ProtocolError, match=text) as info:
        BookOrder.from_json({**ORDER, **change})
    assert info.value.code == ErrorCode.INVALID_PARAMS
    assert "BookOrder." in info.value.message or "BookOrder:" in info.value.message


def test_missing_field_names_it() -> None:
    bad = {k: v for k, v in LIMIT.items() if k != "address"}
    with pytest.raises(ProtocolError, match="missing field 'address'") as info:
        LimitParams.from_json(bad)
    assert info.value.code == -32602


@pytest.mark.parametrize(
    ("method", "params", "text"),
    [
        ("limit", {**LIMIT, "utxos": []}, "1..255 items"),
        ("limit", {**LIMIT, "utxos": [{**COIN, "pubkey": "04" + "11" * 32}]}, "compressed"),
        ("limit", {**LIMIT, "utxos": [{**COIN, "vout": 2**32}]}, r"limit\.utxos\[0\]\.vout"),
        ("limit", {**LIMIT, "tradepair": "ltc/btc"}, "trade pair"),
        ("limit", {**LIMIT, "tradepair": "BTC/BTC"}, "same asset"),
        ("limit", {**LIMIT, "timeinforce": "gtc"}, "one of"),
        ("limit", {**LIMIT, "address": "bc1 q"}, "address"),
        ("add_limit", {**PARAMS["add_limit"], "order": MARKET_ORDER}, "otype 'm'"),
        ("match", [], "1..1000000 items"),
        ("match", MATCH, "expected an array"),
        ("match", [{**MATCH, "side": "both"}], r"match\[0\]\.side"),
        ("match_data", {**PARAMS["match_data"], "orderids": [H32.upper()]}, "lower-case"),
        ("suspension", {**PARAMS["suspension"], "persist": 0}, "boolean"),
        ("init", {**INIT, "contract": ""}, "1..10000 bytes"),
        ("redeem", {**REDEEM, "secret": "44" * 31}, "32 bytes"),
        ("register", [], "expected an object"),
    ],
)
def test_strict_params(method: str, params: object, text: str) -> None:
    with pytest.raises(ProtocolError, match=text) as info:
        parse_params(method, params)  # type: ignore[arg-type]
    assert info.value.code == ErrorCode.INVALID_PARAMS


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"buybuffer": 1.25}, "decimal string"),
        ({"buybuffer": "1,25"}, "decimal string"),
        ({"locktimes": {"maker": 1, "taker": 2}}, "shorter"),
        ({"markets": [{**CONFIG["markets"][0], "name": "btc_ltc"}]}, "does not match"),
        ({"assets": [{**CONFIG["assets"][0], "network": "simnet"}]}, "one of"),
        ({"regfee": {"asset": "ltc", "amount": 10**7}}, "missing field 'confs'"),
    ],
)
def test_strict_config(change: dict[str, Any], text: str) -> None:
    with pytest.raises(ProtocolError, match=text):
        parse_result("assets", {**CONFIG, **change})


def test_match_state_txid_and_vout_together() -> None:
    bad = {k: v for k, v in STATE.items() if k != "vout"}
    assert code_of(parse_result, "match_status", [bad]) == -32602
    minimal = {k: v for k, v in STATE.items() if k not in ("contract", "txid", "vout")}
    states = parse_result("match_status", [minimal])
    assert isinstance(states, tuple)
    state = states[0]
    assert state.contract is None and state.secret is None


def test_server_signature_on_a_match() -> None:
    secret = b"\x09" * 32
    note = MatchNote.from_json(MATCH)
    sig = signing.sign(secret, note.payload())
    signing.verify_server(xonly_from_secret(secret), sig, note.payload(), what="match")
    forged = MatchNote.from_json({**MATCH, "quantity": 101})
    with pytest.raises(SignatureError):
        signing.verify_server(xonly_from_secret(secret), sig, forged.payload(), what="match")


# --- the envelope ------------------------------------------------------------------------
def test_parse_request_notification_response() -> None:
    assert parse_frame(b'{"jsonrpc":"2.0","method":"match","params":[],"id":4}') == Request(
        "match", [], 4
    )
    assert parse_frame('{"jsonrpc":"2.0","method":"suspension","params":{}}') == Notification(
        "suspension", {}
    )
    ok = parse_frame('{"jsonrpc":"2.0","result":{"a":1},"error":null,"id":4}')
    assert ok == Response(4, {"a": 1}, None)
    assert isinstance(ok, Response) and ok.unwrap() == {"a": 1}
    err = parse_frame('{"jsonrpc":"2.0","result":null,"error":{"code":9,"message":"m"},"id":5}')
    assert err == Response(5, None, RpcError(9, "m"))
    assert isinstance(err, Response)
    with pytest.raises(RemoteError) as info:
        err.unwrap()
    assert info.value.code == 9 and info.value.user_message == "unknown order"


@pytest.mark.parametrize(
    "frame",
    [
        b"{",
        b"",
        b"\xff\xfe",
        b'{"a":NaN}',
        b'{"a":Infinity}',
        b'{"a":1,"a":2}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"x":"' + b"a" * (1 << 20) + b'"}',
        "1" * 5000,  # beyond Python's int digit limit
        '{"x":"' + "é" * 600_000 + '"}',  # 600k characters but 1.2 MB of UTF-8
    ],
)
def test_parse_errors_are_32700(frame: bytes | str) -> None:
    assert code_of(parse_frame, frame) == ErrorCode.PARSE_ERROR


@pytest.mark.parametrize(
    "frame",
    [
        "[]",
        "1",
        '"x"',
        "{}",
        '{"jsonrpc":"1.0","method":"a","id":1}',
        '{"method":"a","id":1}',
        '{"jsonrpc":"2.0","method":"a","id":1.0}',
        '{"jsonrpc":"2.0","method":"a","id":true}',
        '{"jsonrpc":"2.0","method":"a","id":-1}',
        '{"jsonrpc":"2.0","method":"","id":1}',
        '{"jsonrpc":"2.0","method":5}',
        '{"jsonrpc":"2.0","result":1,"error":null}',
        '{"jsonrpc":"2.0","result":1,"id":null}',
        '{"jsonrpc":"2.0","result":1,"error":{"code":1,"message":"x"},"id":1}',
        '{"jsonrpc":"2.0","error":{"code":1.5,"message":"x"},"id":1}',
        '{"jsonrpc":"2.0","error":{"code":1,"message":"x","extra":0},"id":1}',
        '{"jsonrpc":"2.0","result":1,"id":1,"extra":0}',
    ],
)
def test_invalid_envelopes_are_32600(frame: str) -> None:
    assert code_of(parse_frame, frame) == ErrorCode.INVALID_REQUEST


def test_invalid_request_keeps_its_id_for_the_answer() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_frame('{"jsonrpc":"2.0","method":"init","params":"x","id":12}')
    assert info.value.request_id == 12
    answer = json.loads(jsonrpc.error_frame_for(info.value))
    assert answer["id"] == 12 and answer["error"]["code"] == -32600 and answer["result"] is None


def test_float_amount_in_a_frame_is_rejected_by_the_message_layer() -> None:
    frame = parse_frame(
        '{"jsonrpc":"2.0","method":"add_limit","params":{"marketid":0,'
        '"order":' + json.dumps(ORDER).replace('"osize": 100', '"osize": 1e2') + ',"seq":5}}'
    )
    assert isinstance(frame, Notification)
    with pytest.raises(ProtocolError, match=r"add_limit\.order\.osize: expected an integer"):
        parse_params(frame.method, frame.params)


def test_frame_builders_round_trip() -> None:
    params = parse_params("limit", LIMIT).to_json()  # type: ignore[attr-defined]
    assert parse_frame(jsonrpc.request_frame("limit", params, 7)) == Request("limit", params, 7)
    assert parse_frame(jsonrpc.notification_frame("x", [1])) == Notification("x", [1])
    assert parse_frame(jsonrpc.response_frame(7, None)) == Response(7, None, None)
    err = parse_frame(jsonrpc.error_frame(None, -32700, "bad"))
    assert err == Response(None, None, RpcError(-32700, "bad"))


# --- fuzzing -----------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "jsonrpc": st.sampled_from(["2.0", "1.0"]) | json_values,
        "method": st.sampled_from(sorted(PARAMS)) | json_values,
        "params": json_values,
        "id": st.integers(-2, 2**64) | json_values,
        "result": json_values,
        "error": json_values,
    },
)
frames = (
    st.binary(max_size=300)
    | st.text(max_size=300)
    | json_values.map(json.dumps)
    | (envelopes.map(json.dumps))
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(frames)
def test_frame_parser_only_returns_messages_or_raises_protocol_error(frame: bytes | str) -> None:
    try:
        message = parse_frame(frame)
    except ProtocolError as exc:
        assert exc.code in (ErrorCode.PARSE_ERROR, ErrorCode.INVALID_REQUEST)
        json.loads(jsonrpc.error_frame_for(exc))  # the answer can always be built
        return
    assert isinstance(message, Request | Notification | Response)
    if isinstance(message, Request | Notification):
        with contextlib.suppress(ProtocolError):
            parse_params(message.method, message.params)


@settings(max_examples=300)
@given(st.sampled_from(sorted(PARAMS)), json_values)
def test_params_parsers_only_raise_protocol_error(method: str, params: Any) -> None:
    try:
        parse_params(method, params)
    except ProtocolError as exc:
        assert exc.code == ErrorCode.INVALID_PARAMS


@settings(max_examples=300)
@given(st.sampled_from(sorted(PARAMS)), st.data())
def test_mutated_valid_params_only_raise_protocol_error(method: str, data: st.DataObject) -> None:
    params = PARAMS[method]
    target = params[0] if isinstance(params, list) else params
    key = data.draw(st.sampled_from(sorted(target)))
    mutated = {**target, key: data.draw(json_values)}
    try:
        parse_params(method, [mutated] if isinstance(params, list) else mutated)
    except ProtocolError as exc:
        assert exc.code == ErrorCode.INVALID_PARAMS


def test_frame_limit_can_be_raised_for_big_snapshots() -> None:
    big = '{"jsonrpc":"2.0","result":"' + "a" * (1 << 20) + '","error":null,"id":1}'
    assert code_of(parse_frame, big) == ErrorCode.PARSE_ERROR
    assert parse_frame(big, max_size=2 << 20) == Response(1, "a" * (1 << 20), None)
