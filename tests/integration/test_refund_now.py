""" "Refund now" through the client (the path the Swaps tab's button takes) on a real Litecoin
regtest node: a maker swap whose lock time has passed, its contract already redeemed by the
counterparty, is refused with the reason and nothing is broadcast; an unspent one refunds."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.client.client import Client
from app.config import NodeConfig
from app.swap.errors import ContractSpent, NothingToRefund
from app.swap.htlc_tx import build_redeem_tx
from app.swap.states import InitBroadcast, Match
from app.wallet.session import create_wallet, unlock_wallet
from dexproto.assets import Network, get_asset
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode
from tests.fakes.matches import HOUR_MS, RATE, fresh_script, make_matches, role_keys
from tests.integration.swap_harness import stored_maker_swap

pytestmark = pytest.mark.regtest


def _expired() -> tuple[Match, Match]:
    now = int(time.time() * 1000)
    return make_matches(
        2_000_000,
        1_000_000,
        match_time_ms=now - 2 * HOUR_MS,
        maker_lock_ms=HOUR_MS,
        taker_lock_ms=HOUR_MS // 2,
    )


async def test_refund_now_refuses_a_contract_the_counterparty_redeemed(
    tmp_path: Path, ltc_node: RegtestNode, btc_node: RegtestNode
) -> None:
    nodes = {
        s: NodeConfig(n.rpc_url, RPC_USER, RPC_PASSWORD)
        for s, n in (("ltc", ltc_node), ("btc", btc_node))
    }
    create_wallet(tmp_path, "pw", network=Network.REGTEST, nodes=nodes, scrypt_n=2**10)
    wallet = unlock_wallet(tmp_path, "pw")
    client = Client(wallet, dex_url="ws://127.0.0.1:9", settle=False)  # not started: no DEX
    try:
        (redeemed, taker), (unspent, _) = _expired(), _expired()
        secret = os.urandom(32)
        state = stored_maker_swap(ltc_node, client.swaps, redeemed, secret)
        stored_maker_swap(ltc_node, client.swaps, unspent, os.urandom(32))
        ours = state.ours
        # The counterparty (the taker) redeems our contract with the secret, and it confirms.
        redeem = build_redeem_tx(
            ours.contract,
            ours.script,
            ours.outpoint,
            ours.value,
            secret,
            role_keys(taker.role).our_key(taker),
            fresh_script(),
            RATE,
            get_asset("ltc", Network.REGTEST),
        )
        ltc_node.rpc("sendrawtransaction", redeem.raw.hex())
        ltc_node.mine(1)

        with pytest.raises(ContractSpent) as refused:
            await client.refund_now(redeemed.match_id)
        assert refused.value.spend_txid == redeem.txid
        assert "counterparty redeemed" in str(refused.value)
        in_mempool = ltc_node.rpc("getrawmempool")
        assert ours.refund.txid not in in_mempool

        other = client.swaps.load(unspent.match_id)
        assert isinstance(other, InitBroadcast)
        txid = await client.refund_now(unspent.match_id)
        assert txid == other.ours.refund.txid
        assert txid in ltc_node.rpc("getrawmempool")

        with pytest.raises(NothingToRefund):
            await client.refund_now("ab" * 32)
    finally:
        await wallet.close()
