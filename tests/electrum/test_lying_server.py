"""A lying Electrum server (in front of a real e-x) is refused and the next server asked."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from app.wallet.backends.electrum import ElectrumBackend, scripthash
from app.wallet.errors import NodeUnreachableError
from dexproto.assets import Network
from simnet.electrum import ElectrumServer
from simnet.node import RegtestNode
from tests.fakes.coins import funded, new_key, spend
from tests.fakes.electrum_proxy import Lie, proxy

pytestmark = pytest.mark.regtest


def bad_merkle(request: dict[str, Any], result: Any) -> Any:
    return {**result, "merkle": ["11" * 32 for _ in result["merkle"]] or ["11" * 32]}


async def confirmed_tx(node: RegtestNode, server: ElectrumServer) -> str:
    _, script = new_key()
    txid, _ = node.fund_script(script, 3_000_000, mine=True)
    server.wait_synced()
    return str(txid)


async def test_a_confirmation_without_a_valid_proof_is_refused(
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    txid = await confirmed_tx(ltc_node, ltc_electrum)
    async with proxy(ltc_electrum, {"blockchain.transaction.get_merkle": bad_merkle}) as liar:
        async with ElectrumBackend([liar.url, ltc_electrum.url], "ltc", Network.REGTEST) as b:
            assert isinstance(b, ElectrumBackend)
            info = await b.get_tx(txid)
            mined_in = ltc_node.rpc("getrawtransaction", txid, True)["blockhash"]
            assert info is not None  # from the honest server, proven against our headers
            assert info.height == ltc_node.rpc("getblockheader", mined_in)["height"]
            assert info.confirmations == ltc_node.rpc("getblockcount") - info.height + 1
            liar_status, honest = b.status()
            assert liar_status.state == "dropped" and "merkle" in liar_status.detail
            assert honest.state == "connected"
        # Alone, the liar gets no confirmation believed at all.
        async with ElectrumBackend([liar.url], "ltc", Network.REGTEST) as b:
            with pytest.raises(NodeUnreachableError):
                await b.confirmations(txid)


async def test_a_claimed_height_above_our_verified_tip_is_refused(
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    txid = await confirmed_tx(ltc_node, ltc_electrum)

    def far_future(request: dict[str, Any], result: Any) -> Any:
        return [{**item, "height": item["height"] + 1000} for item in result]

    async with proxy(ltc_electrum, {"blockchain.scripthash.get_history": far_future}) as liar:
        backend = ElectrumBackend([liar.url, ltc_electrum.url], "ltc", Network.REGTEST)
        async with backend as b:
            assert await b.confirmations(txid) == 1
            assert backend.status()[0].state == "dropped"


async def test_a_fake_header_chain_is_refused(
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    ltc_electrum.wait_synced()

    def forged(request: dict[str, Any], result: Any) -> Any:
        # Re-stamp every header's time: the hashes change, so each link and its PoW break.
        blob = bytearray(bytes.fromhex(result["hex"]))
        for i in range(0, len(blob), 80):
            blob[i + 68 : i + 72] = (int.from_bytes(blob[i + 68 : i + 72], "little") + 1).to_bytes(
                4, "little"
            )
        return {**result, "hex": blob.hex()}

    async with proxy(ltc_electrum, {"blockchain.block.headers": forged}) as liar:
        backend = ElectrumBackend([liar.url, ltc_electrum.url], "ltc", Network.REGTEST)
        async with backend as b:
            tip = await b.tip()
            assert tip.hash == ltc_node.rpc("getbestblockhash")
            liar_status = backend.status()[0]
            assert liar_status.state == "dropped" and "header" in liar_status.detail


async def test_a_claimed_confirmation_of_a_mempool_tx_is_refused(
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    """The liar calls a mempool transaction confirmed in its tip block; it has no proof to
    give (e-x answers the merkle request with an error), so it is dropped, not believed and
    not passed on to the caller as an error: the honest server says unconfirmed."""
    _, script = new_key()
    txid, _ = ltc_node.fund_script(script, 3_000_000, mine=False)
    deadline = time.monotonic() + 10
    while txid not in {
        h["tx_hash"]
        for h in ltc_electrum.request("blockchain.scripthash.get_history", scripthash(script))
    }:
        assert time.monotonic() < deadline, "e-x did not index the mempool transaction"
        time.sleep(0.05)  # else the history shows nothing to lie about yet
    tip = int(ltc_node.rpc("getblockcount"))

    def confirmed(request: dict[str, Any], result: Any) -> Any:
        return [{**item, "height": tip} if item["height"] <= 0 else item for item in result]

    async with proxy(ltc_electrum, {"blockchain.scripthash.get_history": confirmed}) as liar:
        backend = ElectrumBackend([liar.url, ltc_electrum.url], "ltc", Network.REGTEST)
        async with backend as b:
            info = await b.get_tx(txid)
            assert info is not None and (info.confirmations, info.height) == (0, None)
            liar_status, honest = backend.status()
            assert liar_status.state == "dropped" and txid in liar_status.detail
            assert honest.state == "connected"


async def test_a_forged_header_after_connecting_is_refused(
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    """Honest while we connect, then it forges the header of the next block: the new tip
    comes from the honest server, and a confirmation in that block is proven there."""
    ltc_electrum.wait_synced()
    forging: list[int] = []

    def forged_from(request: dict[str, Any], result: Any) -> Any:
        start, _count = request["params"]
        if not forging or start + len(result["hex"]) // 160 <= forging[0]:
            return result
        blob = bytearray(bytes.fromhex(result["hex"]))
        at = (forging[0] - start) * 80
        # A made-up parent. (Not a made-up merkle root: regtest's proof of work is so easy
        # that such a header passes it half the time, and then it is a valid block.)
        blob[at + 4 : at + 36] = bytes(32)
        return {**result, "hex": blob.hex()}

    async with proxy(ltc_electrum, {"blockchain.block.headers": forged_from}) as liar:
        backend = ElectrumBackend([liar.url, ltc_electrum.url], "ltc", Network.REGTEST)
        async with backend as b:
            before = await b.tip()
            assert [s.state for s in backend.status()] == ["connected", "idle"]
            forging.append(before.height + 1)
            txid = await confirmed_tx(ltc_node, ltc_electrum)
            tip = await b.tip()
            assert (tip.height, tip.hash) == (before.height + 1, ltc_node.rpc("getbestblockhash"))
            liar_status, honest = backend.status()
            assert liar_status.state == "dropped" and "header" in liar_status.detail
            assert honest.state == "connected"
            assert await b.confirmations(txid) == 1


async def test_a_bad_proof_then_a_garbled_header_still_fails_over(
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    """After a proof that fails against our header we ask the server for its own block there
    (an honest one may be on an equal-work branch). A liar that answers that with garbage
    must be dropped like any liar, not hand the caller an error and stop the failover."""
    txid = await confirmed_tx(ltc_node, ltc_electrum)
    height = int(ltc_node.rpc("getblockcount"))

    def garbled(request: dict[str, Any], result: Any) -> Any:
        return "zz" if request["params"][0] == height else result

    lies: dict[str, Lie] = {
        "blockchain.transaction.get_merkle": bad_merkle,
        "blockchain.block.header": garbled,
    }
    async with proxy(ltc_electrum, lies) as liar:
        backend = ElectrumBackend([liar.url, ltc_electrum.url], "ltc", Network.REGTEST)
        async with backend as b:
            assert await b.confirmations(txid) == 1
            liar_status, honest = backend.status()
            assert liar_status.state == "dropped" and "merkle" in liar_status.detail
            assert honest.state == "connected"


@pytest.mark.parametrize(
    "malformed", [{}, {"merkle": "not a list", "pos": 0}, {"merkle": [], "pos": "0"}]
)
async def test_a_malformed_proof_of_a_claimed_confirmation_fails_over(
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
    malformed: dict[str, Any],
) -> None:
    """A proof with no usable branch or position backs no claim: the liar is dropped and the
    honest server proves the confirmation (a malformed answer must not reach the caller as
    an error, which would stop the failover for good while the liar stays first)."""
    txid = await confirmed_tx(ltc_node, ltc_electrum)
    lies = {"blockchain.transaction.get_merkle": lambda request, result: malformed}
    async with proxy(ltc_electrum, lies) as liar:
        backend = ElectrumBackend([liar.url, ltc_electrum.url], "ltc", Network.REGTEST)
        async with backend as b:
            assert await b.confirmations(txid) == 1
            liar_status, honest = backend.status()
            assert liar_status.state == "dropped" and txid in liar_status.detail
            assert honest.state == "connected"


async def test_malformed_answers_drop_the_server_and_the_next_one_answers(
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    """Garbage where a history, a transaction or a broadcast's txid belongs: each time the
    liar (first in the list) is dropped and the honest server answers. Before, the caller
    got the malformed-answer error and the failover stopped: a liar first in the list could
    block every look-up, and make our broadcast look rejected."""
    (k1, s1) = new_key()
    coin = funded(ltc_node, k1, s1, 20_000_000, mine=True)
    txid = coin.utxo.outpoint.txid
    ltc_electrum.wait_synced()
    signed, _ = spend([coin])
    cases: list[tuple[str, Lie, Callable[[ElectrumBackend], Any]]] = [
        (
            "blockchain.scripthash.get_history",
            lambda r, res: {"not": "a list"},
            lambda b: b.used_scripts([s1]),
        ),
        ("blockchain.transaction.get", lambda r, res: "zz", lambda b: b.get_tx(txid)),
        (
            "blockchain.transaction.broadcast",
            lambda r, res: "ab" * 32,
            lambda b: b.broadcast(signed.raw),
        ),
    ]
    answers = []
    for method, lie, ask in cases:
        async with proxy(ltc_electrum, {method: lie}) as liar:
            backend = ElectrumBackend([liar.url, ltc_electrum.url], "ltc", Network.REGTEST)
            async with backend as b:
                answers.append(await ask(b))
                liar_status, honest = backend.status()
                assert liar_status.state == "dropped", (method, liar_status)
                assert honest.state == "connected"
    used, info, sent = answers
    assert used == {s1}
    assert info is not None and info.txid == txid and info.confirmations >= 1
    assert sent == signed.txid
    assert signed.txid in ltc_node.rpc("getrawmempool")
