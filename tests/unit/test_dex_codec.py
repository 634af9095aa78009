"""Byte layouts of spec §5–§9, order IDs and signatures (dexproto.codec, dexproto.signing)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dexproto import codec, signing
from dexproto.codec import (
    CancelOrder,
    ConnectPayload,
    InitPayload,
    LimitOrder,
    MarketOrder,
    MatchPayload,
    NotifyFeePayload,
    Outpoint,
    RedeemPayload,
    RegisterPayload,
    RegisterResultPayload,
    RevokePayload,
    RoleByte,
    SideByte,
    TifByte,
)
from dexproto.crypto import pubkey_from_secret, sha256, xonly_from_secret
from dexproto.errors import SerializationError, SignatureError
from dexproto.messages import FundingCoin, LimitParams, Side, TimeInForce

SECRET = bytes(range(1, 33))
PUB = xonly_from_secret(SECRET)
ACCT = codec.account_id(PUB)
TXID_HEX = "00112233445566778899aabbccddeeff" * 2

b32 = st.binary(min_size=32, max_size=32)
u64 = st.integers(0, 2**64 - 1)
u32 = st.integers(0, 2**32 - 1)
ticker = st.from_regex(r"[a-z0-9]{1,5}", fullmatch=True)
address = st.from_regex(r"[A-Za-z0-9]{1,100}", fullmatch=True)
coins = st.lists(st.builds(Outpoint, b32, u32), min_size=1, max_size=5).map(tuple)


def limit(**kw: object) -> LimitOrder:
    fields: dict[str, object] = dict(
        account_id=ACCT,
        base="ltc",
        quote="btc",
        client_time=1_562_008_475_000,
        server_time=0,
        coins=(Outpoint(bytes.fromhex(TXID_HEX), 1),),
        side=SideByte.SELL,
        rate=250_000,
        quantity=10**8,
        tif=TifByte.STANDING,
        address="rltc1qxyz",
    )
    fields.update(kw)
    return LimitOrder(**fields)  # type: ignore[arg-type]


def test_account_id_is_double_sha256_of_the_pubkey() -> None:
    assert sha256(sha256(PUB)) == ACCT
    assert len(ACCT) == 32
    with pytest.raises(SerializationError):
        codec.account_id(pubkey_from_secret(SECRET))  # 33 bytes: not x-only


def test_ticker_left_padded_and_txid_in_display_order() -> None:
    assert codec.encode_ticker("btc") == bytes.fromhex("0000627463")
    assert codec.encode_ticker("doge") == b"\x00doge"
    assert codec.decode_ticker(b"\x00\x00btc") == "btc"
    assert codec.txid_bytes(TXID_HEX) == bytes.fromhex(TXID_HEX)  # no byte reversal
    for bad in ("BTC", "toolong", ""):
        with pytest.raises(SerializationError):
            codec.encode_ticker(bad)
    with pytest.raises(SerializationError):
        codec.txid_bytes(TXID_HEX.upper())


def test_register_layout() -> None:
    raw = RegisterPayload(PUB, 0x0102030405060708).encode()
    assert raw == PUB + bytes.fromhex("0102030405060708")


def test_register_result_layout() -> None:
    server = bytes([9]) * 32
    raw = RegisterResultPayload(server, PUB, 5, 1000, "rltc1qfee").encode()
    assert raw == server + PUB + (5).to_bytes(8, "big") + (1000).to_bytes(8, "big") + b"rltc1qfee"


def test_notifyfee_and_connect_layouts() -> None:
    txid = bytes.fromhex(TXID_HEX)
    raw = NotifyFeePayload(ACCT, txid, 2, 7).encode()
    assert raw == ACCT + txid + b"\x00\x00\x00\x02" + (7).to_bytes(8, "big")
    assert ConnectPayload(ACCT, 1, 7).encode() == ACCT + b"\x00\x01" + (7).to_bytes(8, "big")


def test_limit_order_layout_byte_by_byte() -> None:
    raw = limit(server_time=0x1122).encode()
    txid = bytes.fromhex(TXID_HEX)
    expected = (
        ACCT
        + b"\x00\x00ltc"
        + b"\x00\x00btc"
        + b"\x00"
        + (1_562_008_475_000).to_bytes(8, "big")
        + (0x1122).to_bytes(8, "big")
        + b"\x01"
        + txid
        + b"\x00\x00\x00\x01"
        + b"\x01"
        + (250_000).to_bytes(8, "big")
        + (10**8).to_bytes(8, "big")
        + b"\x00"
        + b"rltc1qxyz"
    )
    assert raw == expected
    assert len(raw) == codec.PREFIX_SIZE + 1 + 36 + 1 + 8 + 8 + 1 + len("rltc1qxyz")


def test_market_and_cancel_layouts() -> None:
    m = MarketOrder(
        ACCT, "ltc", "btc", 1, 0, (Outpoint(b"\xaa" * 32, 0),), SideByte.BUY, 5000, "bcrt1qa"
    )
    raw = m.encode()
    assert raw[42] == codec.OrderType.MARKET
    assert raw[codec.PREFIX_SIZE :] == (
        b"\x01"
        + b"\xaa" * 32
        + b"\x00" * 4
        + b"\x00"
        + (5000).to_bytes(8, "big")
        + b"\x01"
        + b"bcrt1qa"
    )
    target = b"\x33" * 32
    c = CancelOrder(ACCT, "ltc", "btc", 1, 0, target).encode()
    assert c[42] == codec.OrderType.CANCEL
    assert c == ACCT + b"\x00\x00ltc\x00\x00btc\x03" + (1).to_bytes(8, "big") + bytes(8) + target


def test_match_init_redeem_revoke_layouts() -> None:
    oid, mid, txid = b"\x01" * 32, b"\x02" * 32, b"\x03" * 32
    m = MatchPayload(oid, mid, 100, 200, 300, 400, RoleByte.TAKER, "rltc1q").encode()
    assert m == (
        oid
        + mid
        + b"".join(v.to_bytes(8, "big") for v in (100, 200, 300, 400))
        + b"\x01"
        + b"rltc1q"
    )
    contract = bytes(range(97))
    i = InitPayload(oid, mid, txid, 1, 9, contract).encode()
    assert i == oid + mid + txid + b"\x00\x00\x00\x01" + (9).to_bytes(8, "big") + contract
    secret = b"\x44" * 32
    r = RedeemPayload(oid, mid, txid, 0, 9, secret).encode()
    assert r == oid + mid + txid + bytes(4) + (9).to_bytes(8, "big") + secret
    assert RevokePayload(oid, mid).encode() == oid + mid


def test_order_id_uses_server_time_zero() -> None:
    o = limit(server_time=1_562_008_476_123)
    expected = sha256(limit(server_time=0).encode())
    assert codec.order_id(o) == expected
    assert codec.order_id(limit(server_time=0)) == expected
    assert codec.order_id(limit(client_time=1)) != expected


def test_order_id_from_limit_params_matches_codec() -> None:
    params = LimitParams(
        accountid=ACCT,
        timestamp=1_562_008_475_000,
        tradepair="LTC/BTC",
        side=Side.SELL,
        ordersize=10**8,
        rate=250_000,
        timeinforce=TimeInForce.STANDING,
        utxos=(
            FundingCoin(
                txid=bytes.fromhex(TXID_HEX),
                vout=1,
                pubkey=pubkey_from_secret(SECRET),
                sig=bytes(64),
            ),
        ),
        address="rltc1qxyz",
        orderid=bytes(32),
        sig=bytes(64),
    )
    assert params.payload() == limit()
    assert codec.order_id(params.payload()) == sha256(limit().encode())


ORDERS = st.one_of(
    st.builds(
        LimitOrder,
        b32,
        ticker,
        ticker,
        u64,
        u64,
        coins,
        st.sampled_from(SideByte),
        u64,
        u64,
        st.sampled_from(TifByte),
        address,
    ),
    st.builds(
        MarketOrder, b32, ticker, ticker, u64, u64, coins, st.sampled_from(SideByte), u64, address
    ),
    st.builds(CancelOrder, b32, ticker, ticker, u64, u64, b32),
)


@given(ORDERS)
def test_order_round_trips(order: codec.Order) -> None:
    raw = order.encode()
    assert codec.decode_order(raw) == order
    assert codec.order_id(order) == sha256(dataclasses.replace(order, server_time=0).encode())


@given(
    st.one_of(
        st.builds(RegisterPayload, b32, u64),
        st.builds(RegisterResultPayload, b32, b32, u64, u64, address),
        st.builds(NotifyFeePayload, b32, b32, u32, u64),
        st.builds(ConnectPayload, b32, st.integers(0, 2**16 - 1), u64),
        st.builds(MatchPayload, b32, b32, u64, u64, u64, u64, st.sampled_from(RoleByte), address),
        st.builds(InitPayload, b32, b32, b32, u32, u64, st.binary(min_size=1, max_size=200)),
        st.builds(RedeemPayload, b32, b32, b32, u32, u64, b32),
        st.builds(RevokePayload, b32, b32),
    )
)
def test_payload_round_trips(payload: codec.Payload) -> None:
    assert type(payload).decode(payload.encode()) == payload


def test_decode_rejects_truncated_trailing_and_bad_bytes() -> None:
    raw = limit().encode()
    with pytest.raises(SerializationError):
        codec.decode_order(raw[:60])
    with pytest.raises(SerializationError):
        RegisterPayload.decode(RegisterPayload(PUB, 1).encode() + b"\x00")
    bad_type = raw[:42] + b"\x01" + raw[43:]
    with pytest.raises(SerializationError, match="order type"):
        codec.decode_order(bad_type)
    no_coins = raw[: codec.PREFIX_SIZE] + b"\x00" + raw[codec.PREFIX_SIZE + 37 :]
    with pytest.raises(SerializationError, match="coin count"):
        codec.decode_order(no_coins)
    with pytest.raises(SerializationError, match="address"):
        codec.decode_order(raw[:-1] + b"\xff")
    with pytest.raises(SerializationError):
        RedeemPayload.decode(RedeemPayload(*(b"\x01" * 32,) * 3, 0, 0, b"\x02" * 32).encode()[:-1])


@pytest.mark.parametrize(
    "change",
    [
        {"rate": 2**64},
        {"quantity": -1},
        {"rate": True},
        {"coins": ()},
        {"coins": (Outpoint(b"\x00" * 31, 0),)},
        {"address": "not ascii é"},
        {"base": "BTC"},
    ],
)
def test_encode_rejects_values_that_do_not_fit(change: dict[str, object]) -> None:
    with pytest.raises(SerializationError):
        dataclasses.replace(limit(), **change).encode()  # type: ignore[arg-type]


def test_signature_verifies_and_tampering_fails() -> None:
    raw = limit().encode()
    sig = signing.sign(SECRET, raw)
    assert len(sig) == 64
    signing.verify(PUB, sig, raw, what="limit")
    signing.verify(PUB, sig, limit(), what="limit")  # a payload object works too
    for pos in (0, 42, len(raw) - 1):
        tampered = bytearray(raw)
        tampered[pos] ^= 0x01
        with pytest.raises(SignatureError):
            signing.verify(PUB, sig, bytes(tampered), what="limit")
    with pytest.raises(SignatureError, match="server match"):
        signing.verify_server(PUB, sig[:-1] + bytes([sig[-1] ^ 1]), raw, what="match")
    with pytest.raises(SignatureError):
        signing.verify(xonly_from_secret(bytes(31) + b"\x07"), sig, raw, what="limit")


def test_signature_error_has_code_one() -> None:
    with pytest.raises(SignatureError) as info:
        signing.verify(PUB, bytes(64), b"x", what="x")
    assert info.value.code == 1


def test_funding_coin_proof_with_compressed_key() -> None:
    txid = bytes.fromhex(TXID_HEX)
    for coin_secret in (b"\x05" * 32, b"\x06" * 32):  # both parities of y
        sig = signing.sign_coin(coin_secret, ACCT, txid, 3)
        pub33 = pubkey_from_secret(coin_secret)
        signing.verify_coin(pub33, sig, ACCT, txid, 3)
        with pytest.raises(SignatureError):
            signing.verify_coin(pub33, sig, ACCT, txid, 4)
    assert codec.CoinProofPayload(ACCT, txid, 3).encode() == ACCT + txid + b"\x00\x00\x00\x03"
