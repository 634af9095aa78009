"""Settlement end to end on two regtest chains: real HTLC transactions built with
app.swap.htlc_tx, checked on chain by the server, relayed with its signatures; the server
restarts between the taker's init and the maker's redeem and carries on."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

import pytest

from app.swap.htlc_tx import build_init_tx, build_redeem_tx
from app.wallet.coins import Outpoint, Utxo
from app.wallet.signing import KeyedUtxo
from dexproto import codec, signing
from dexproto.address import decode_segwit, encode_segwit, p2wpkh_script
from dexproto.crypto import hash160, pubkey_from_secret, sha256
from dexproto.htlc import Contract, maker_lock_time, taker_lock_time
from dexserver.app import DexServer
from simnet.node import RegtestNode
from tests.fakes.dex_client import Coin, TestClient
from tests.fakes.dexserver_rig import LOT, fund, registered, server_config

pytestmark = pytest.mark.regtest
RATE, FEERATE = 10_000_000, 20  # 0.01 LTC lots at 0.1 BTC/LTC
QUOTE = LOT * RATE // 10**8


class Side:
    """One trader: account client, funding coin, receiving key on the asset it gets."""

    def __init__(self, client: TestClient, coin: Coin, value: int, hrp: str) -> None:
        self.c = client
        self.coin = coin
        self.value = value
        self.recv_key = secrets.token_bytes(32)
        self.address = encode_segwit(hrp, 0, hash160(pubkey_from_secret(self.recv_key)))
        self.refund_key = secrets.token_bytes(32)

    def keyed(self) -> KeyedUtxo:
        return KeyedUtxo(
            Utxo(
                Outpoint(self.coin.txid.hex(), self.coin.vout), self.value, self.coin.script, 0, 0
            ),
            self.coin.secret,
        )


def check_server_sig(server: DexServer, sig_hex: str, payload: codec.Payload) -> None:
    signing.verify(server.pubkey, bytes.fromhex(sig_hex), payload, what="server")


async def error_code(c: TestClient, method: str, params: Any) -> int | None:
    resp = await c.call_raw(method, params.to_json())
    return None if resp.error is None else resp.error.code


async def status_of(c: TestClient, matchid: bytes) -> str:
    return str((await c.call("match_status", {"matchids": [matchid.hex()]}))[0]["status"])


async def test_settlement_with_restart(
    tmp_path: Path, ltc_node: RegtestNode, btc_node: RegtestNode
) -> None:
    cfg = server_config(tmp_path, {"ltc": ltc_node, "btc": btc_node}, feerate=FEERATE)
    ltc, btc = cfg.assets["ltc"].params, cfg.assets["btc"].params
    server = DexServer(cfg)
    await server.start()
    try:
        maker = Side(
            await registered(server, ltc_node), fund(ltc_node, 2_000_000), 2_000_000, "bcrt"
        )
        taker = Side(await registered(server, ltc_node), fund(btc_node, 500_000), 500_000, "rltc")
        await maker.c.call("orderbook", {"base": "ltc", "quote": "btc"})
        sell = maker.c.limit_params("sell", LOT, RATE, [maker.coin], maker.address)
        await maker.c.call("limit", sell.to_json())
        await maker.c.wait_note("add_limit", timeout=5)  # booked in its own epoch first
        buy = taker.c.limit_params("buy", LOT, RATE, [taker.coin], taker.address, standing=False)
        await taker.c.call("limit", buy.to_json())
        note_m = (await maker.c.wait_note("match"))[0]
        note_t = (await taker.c.wait_note("match"))[0]
        mid = bytes.fromhex(note_m["matchid"])
        assert note_m["side"] == "maker" and note_m["address"] == taker.address
        assert note_t["address"] == maker.address
        servertime = note_m["servertime"]

        # -- maker's contract on LTC ------------------------------------------------------
        secret = secrets.token_bytes(32)
        mc = Contract(
            sha256(secret),
            decode_segwit("rltc", taker.address),
            hash160(pubkey_from_secret(maker.refund_key)),
            maker_lock_time(servertime, cfg.maker_lock),
        )
        tc_early = taker.c.init_params(buy.orderid, mid, secrets.token_bytes(32), 0, mc.to_script())
        assert await error_code(taker.c, "init", tc_early) == 13  # taker before the maker
        bogus = maker.c.init_params(sell.orderid, mid, secrets.token_bytes(32), 0, mc.to_script())
        assert await error_code(maker.c, "init", bogus) == 14  # no such transaction
        short_txid, short_vout = ltc_node.fund_script(mc.p2wsh_script(), LOT - 1, mine=False)
        short = maker.c.init_params(
            sell.orderid, mid, bytes.fromhex(short_txid), short_vout, mc.to_script()
        )
        assert await error_code(maker.c, "init", short) == 14  # wrong amount
        wrong = Contract(mc.secret_hash, mc.refund_pkh, mc.refund_pkh, mc.lock_time)
        init_tx = build_init_tx(
            [maker.keyed()],
            [(mc, LOT)],
            p2wpkh_script(hash160(pubkey_from_secret(maker.refund_key))),
            FEERATE,
            ltc,
        )
        ltc_node.rpc("sendrawtransaction", init_tx.tx.hex)
        m_txid = bytes.fromhex(init_tx.tx.txid)
        bad = maker.c.init_params(sell.orderid, mid, m_txid, 0, wrong.to_script())
        assert await error_code(maker.c, "init", bad) == 14  # recipient is not the taker
        early_lock = Contract(mc.secret_hash, mc.recipient_pkh, mc.refund_pkh, mc.lock_time - 3600)
        bad = maker.c.init_params(sell.orderid, mid, m_txid, 0, early_lock.to_script())
        assert await error_code(maker.c, "init", bad) == 14  # lock time too early
        off_template = mc.to_script()[:-1] + b"\xad"  # CHECKSIGVERIFY: 97 bytes, not §9's
        bad = maker.c.init_params(sell.orderid, mid, m_txid, 0, off_template)
        assert await error_code(maker.c, "init", bad) == 14  # not the contract template
        assert await status_of(maker.c, mid) == "newly_matched"  # the refusals changed nothing

        ack = await maker.c.call(
            "init", maker.c.init_params(sell.orderid, mid, m_txid, 0, mc.to_script()).to_json()
        )
        assert ack["matchid"] == mid.hex()
        audit = await taker.c.wait_note("audit")
        assert audit["orderid"] == buy.orderid.hex() and audit["txid"] == m_txid.hex()
        check_server_sig(
            server,
            audit["sig"],
            codec.InitPayload(buy.orderid, mid, m_txid, 0, audit["timestamp"], mc.to_script()),
        )
        # A re-sent init (a reconnect, a restart) is acked again, signed over its own bytes.
        again = maker.c.init_params(sell.orderid, mid, m_txid, 0, mc.to_script())
        ack = await maker.c.call("init", again.to_json())
        check_server_sig(server, ack["sig"], again.payload())
        other = maker.c.init_params(sell.orderid, mid, secrets.token_bytes(32), 0, mc.to_script())
        assert await error_code(maker.c, "init", other) == 13  # another init: out of sequence
        early_redeem = maker.c.redeem_params(sell.orderid, mid, m_txid, 0, secret)
        assert await error_code(maker.c, "redeem", early_redeem) == 13
        ltc_node.mine(1)

        # -- taker's contract on BTC, same secret hash ------------------------------------
        tc = Contract(
            mc.secret_hash,
            decode_segwit("bcrt", maker.address),
            hash160(pubkey_from_secret(taker.refund_key)),
            taker_lock_time(servertime, cfg.taker_lock),
        )
        t_init = build_init_tx(
            [taker.keyed()],
            [(tc, QUOTE)],
            p2wpkh_script(hash160(pubkey_from_secret(taker.refund_key))),
            FEERATE,
            btc,
        )
        btc_node.rpc("sendrawtransaction", t_init.tx.hex)
        t_txid = bytes.fromhex(t_init.tx.txid)
        await taker.c.call(
            "init", taker.c.init_params(buy.orderid, mid, t_txid, 0, tc.to_script()).to_json()
        )
        audit = await maker.c.wait_note("audit")
        assert audit["contract"] == tc.to_script().hex()
        btc_node.mine(1)
        t_early = taker.c.redeem_params(buy.orderid, mid, m_txid, 0, secret)
        assert await error_code(taker.c, "redeem", t_early) == 13
        await maker.c.close()
        await taker.c.close()
    finally:
        await server.stop()

    server = DexServer(cfg)  # restart mid-settlement
    await server.start()
    try:
        url = f"ws://127.0.0.1:{server.port}"
        maker.c = await TestClient(url, maker.c.secret).open()
        taker.c = await TestClient(url, taker.c.secret).open()
        resumed = await maker.c.call("connect", maker.c.connect_params().to_json())
        resent = maker.c.init_params(sell.orderid, mid, m_txid, 0, mc.to_script())
        ack = await maker.c.call("init", resent.to_json())  # recorded before the restart
        check_server_sig(server, ack["sig"], resent.payload())
        [state] = resumed["matches"]
        assert state["status"] == "taker_swap_cast" and state["txid"] == t_txid.hex()
        assert state["contract"] == tc.to_script().hex()
        await taker.c.call("connect", taker.c.connect_params().to_json())

        # -- maker redeems the taker's BTC contract, revealing the secret ------------------
        m_redeem = build_redeem_tx(
            tc,
            tc.to_script(),
            Outpoint(t_txid.hex(), 0),
            QUOTE,
            secret,
            maker.recv_key,
            p2wpkh_script(decode_segwit("bcrt", maker.address)),
            FEERATE,
            btc,
        )
        btc_node.rpc("sendrawtransaction", m_redeem.hex)
        r_txid = bytes.fromhex(m_redeem.txid)
        wrong_secret = maker.c.redeem_params(sell.orderid, mid, r_txid, 0, secrets.token_bytes(32))
        assert await error_code(maker.c, "redeem", wrong_secret) == 14
        wrong_tx = maker.c.redeem_params(sell.orderid, mid, m_txid, 0, secret)
        assert await error_code(maker.c, "redeem", wrong_tx) == 14  # spends something else
        await maker.c.call(
            "redeem", maker.c.redeem_params(sell.orderid, mid, r_txid, 0, secret).to_json()
        )
        red = await taker.c.wait_note("redemption")
        assert red["secret"] == secret.hex() and red["orderid"] == buy.orderid.hex()
        check_server_sig(
            server,
            red["sig"],
            codec.RedeemPayload(buy.orderid, mid, r_txid, 0, red["timestamp"], secret),
        )
        assert await status_of(taker.c, mid) == "maker_redeemed"

        # -- taker redeems the maker's LTC contract -----------------------------------------
        t_redeem = build_redeem_tx(
            mc,
            mc.to_script(),
            Outpoint(m_txid.hex(), 0),
            LOT,
            bytes.fromhex(red["secret"]),
            taker.recv_key,
            p2wpkh_script(decode_segwit("rltc", taker.address)),
            FEERATE,
            ltc,
        )
        ltc_node.rpc("sendrawtransaction", t_redeem.hex)
        await taker.c.call(
            "redeem",
            taker.c.redeem_params(
                buy.orderid, mid, bytes.fromhex(t_redeem.txid), 0, secret
            ).to_json(),
        )
        await maker.c.wait_note("redemption")
        assert await status_of(maker.c, mid) == "match_complete"
        # Both redeems re-sent after the match finished: acked again (was 13, "finished").
        for side, oid, txid in (
            (taker, buy.orderid, bytes.fromhex(t_redeem.txid)),
            (maker, sell.orderid, r_txid),
        ):
            resent_redeem = side.c.redeem_params(oid, mid, txid, 0, secret)
            ack = await side.c.call("redeem", resent_redeem.to_json())
            check_server_sig(server, ack["sig"], resent_redeem.payload())
        late_init = taker.c.init_params(
            buy.orderid, mid, secrets.token_bytes(32), 0, tc.to_script()
        )
        assert await error_code(taker.c, "init", late_init) == 13  # not recorded: refused
        assert await status_of(taker.c, mid) == "match_complete"
        after = await maker.c.call("connect", maker.c.connect_params().to_json())
        assert after["matches"] == []
        trades = await maker.c.call("trades", {"base": "ltc", "quote": "btc"})
        assert [t["matchid"] for t in trades] == [mid.hex()]
        await maker.c.close()
        await taker.c.close()
        await asyncio.sleep(0)
    finally:
        await server.stop()
