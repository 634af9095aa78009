"""L6 of the security review: each order names a fresh receive address, each swap refunds to a
fresh change-branch script, and a restore from the seed still finds funds on all of them
(a fake chain here; tests/integration/test_fresh_addresses_regtest.py does it on regtest)."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path
from typing import cast

from app.client.client import Client
from app.swap.states import Matched
from app.wallet.backends.base import BlockInfo
from app.wallet.backends.switchable import SwitchableBackend
from app.wallet.coins import Outpoint, Utxo
from app.wallet.service import CHANGE, GAP_LIMIT, RECEIVE, AssetWallet
from app.wallet.session import OpenWallet, create_wallet, unlock_wallet
from dexproto.address import address_from_script
from dexproto.assets import Network
from dexproto.messages import MatchNote, MatchSide
from dexproto.signing import sign
from tests.fakes.chain_backends import Unused
from tests.fakes.dex_server import SERVER_SECRET, FakeServer

PHRASE_DIR = "w"


class FakeChain(Unused):
    """Coins by script; `paid` scripts count as used (the chain's history)."""

    def __init__(self) -> None:
        self.coins: list[Utxo] = []

    def pay(self, script: bytes, value: int) -> None:
        n = len(self.coins)
        self.coins.append(Utxo(Outpoint(f"{n + 1:064x}", 0), value, script, 100, 6))

    async def utxos(self, scripts: Sequence[bytes]) -> list[Utxo]:
        wanted = set(scripts)
        return [c for c in self.coins if c.script in wanted]

    async def used_scripts(self, scripts: Sequence[bytes]) -> set[bytes]:
        return {c.script for c in self.coins} & set(scripts)

    async def tip(self) -> BlockInfo:
        return BlockInfo(105, "00" * 32, 0, 0)

    async def estimate_fee_rate(self, t: int) -> int | None:
        return None  # as on regtest

    async def blocks(self, since: str | None = None) -> AsyncGenerator[BlockInfo, None]:
        yield await self.tip()


def _make(tmp_path: Path, name: str, phrase: str | None = None) -> tuple[OpenWallet, str]:
    phrase = create_wallet(
        tmp_path / name, "pw", network=Network.REGTEST, mnemonic=phrase, scrypt_n=2**10
    )
    return unlock_wallet(tmp_path / name, "pw"), phrase


async def _on_chain(wallet: OpenWallet, chain: FakeChain) -> None:
    for symbol in ("ltc", "btc"):
        await cast(SwitchableBackend, wallet.asset(symbol).backend).switch(chain)


async def _restored(tmp_path: Path, phrase: str, chain: FakeChain) -> OpenWallet:
    wallet, _ = _make(tmp_path, "restored", phrase)
    await _on_chain(wallet, chain)
    return wallet


def _index(wallet: AssetWallet, script: bytes) -> tuple[bool, int]:
    return wallet.known_scripts()[script]


# --- the wallet alone ----------------------------------------------------------------------
async def test_each_order_and_swap_gets_its_own_address_and_restore_finds_them(
    tmp_path: Path,
) -> None:
    chain = FakeChain()
    wallet, phrase = _make(tmp_path, PHRASE_DIR)
    await _on_chain(wallet, chain)
    ltc = wallet.asset("ltc")
    orders = [ltc.order_address() for _ in range(3)]
    refunds = [ltc.refund_script() for _ in range(2)]
    assert len(set(orders)) == 3 and len(set(refunds)) == 2
    assert [ltc.keys.address(RECEIVE, i) for i in range(3)] == orders
    assert [ltc.keys.script(CHANGE, i) for i in range(2)] == refunds
    # The address shown to the user and the payment change skip what orders and swaps hold.
    assert ltc.receive_address() == ltc.keys.address(RECEIVE, 3)
    assert ltc.change_script() == ltc.keys.script(CHANGE, 2)
    for script in refunds:
        assert _index(ltc, script)[0] is CHANGE  # known: balances and keys see it

    # Paid on chain: the last order's address and the last refund script.
    chain.pay(ltc.keys.script(RECEIVE, 2), 70_000)
    chain.pay(refunds[1], 30_000)
    assert (await ltc.balance()).available == 100_000
    await wallet.close()

    restored = await _restored(tmp_path, phrase, chain)
    found = await restored.asset("ltc").discover()
    assert (found.last_used_receive, found.last_used_change) == (2, 1)
    assert (await restored.asset("ltc").balance()).available == 100_000
    await restored.close()


async def test_unpaid_order_addresses_stay_within_the_gap_limit(tmp_path: Path) -> None:
    chain = FakeChain()
    wallet, phrase = _make(tmp_path, PHRASE_DIR)
    await _on_chain(wallet, chain)
    btc = wallet.asset("btc")
    chain.pay(btc.keys.script(RECEIVE, 0), 5_000)
    await btc.discover()
    given = [btc.order_address() for _ in range(GAP_LIMIT + 5)]  # none of them ever paid
    # Index 0 is used on chain: a restore scans 1..20 after it, so that is as far as it goes.
    assert given[:GAP_LIMIT] == [btc.keys.address(RECEIVE, i) for i in range(1, GAP_LIMIT + 1)]
    # Past the gap limit they are given out again in turn, the oldest first.
    assert given[GAP_LIMIT:] == given[:5]
    chain.pay(script_of(btc, given[-1]), 8_000)  # the newest order's address gets paid
    await wallet.close()

    restored = await _restored(tmp_path, phrase, chain)
    found = await restored.asset("btc").discover()
    assert found.last_used_receive == 5
    assert (await restored.asset("btc").balance()).available == 13_000
    await restored.close()


def script_of(wallet: AssetWallet, address: str) -> bytes:
    return next(
        s for s in wallet.known_scripts() if address_from_script(s, wallet.asset) == address
    )


# --- through the Client: orders placed, matches taken ------------------------------------
async def test_two_orders_two_addresses_two_swaps_two_refund_scripts(
    tmp_path: Path, server: FakeServer
) -> None:
    chain = FakeChain()
    wallet, _ = _make(tmp_path, PHRASE_DIR)
    await _on_chain(wallet, chain)
    ltc, btc = wallet.asset("ltc"), wallet.asset("btc")
    for i in range(2):  # one coin per order
        chain.pay(ltc.keys.script(RECEIVE, i), 5 * 10**6)
    core = Client(wallet, dex_url=server.url, settle=False)
    await core.start()
    try:
        await core.ready(5)
        oids = [
            await core.place_order("ltc_btc", "sell", "limit", 10**6, 100_000) for _ in range(2)
        ]
        orders = [core.order_store.get(o) for o in oids]
        addresses = [o.address for o in orders if o is not None]
        assert len(addresses) == 2 and addresses[0] != addresses[1]
        assert [script_of(btc, a) for a in addresses] == [
            btc.keys.script(RECEIVE, i) for i in range(2)
        ]

        their = address_from_script(b"\x00\x14" + bytes(range(20)), ltc.asset)
        for n, oid in enumerate(oids):
            unsigned = MatchNote(
                orderid=bytes.fromhex(oid),
                matchid=bytes([0xC0 + n]) * 32,
                quantity=10**6,
                rate=10_000_000,
                address=their,
                side=MatchSide.MAKER,
                feerate=10,
                servertime=time.time_ns() // 10**6,
                sig=bytes(64),
            )
            note = MatchNote(
                **{**unsigned.__dict__, "sig": sign(SERVER_SECRET, unsigned.payload())}
            )
            response = await server.request("match", [note.to_json()])
            assert response["result"]
        states = [core.swaps.load((bytes([0xC0 + n]) * 32).hex()) for n in range(2)]
        refunds = [s.match.refund_script for s in states if isinstance(s, Matched)]
        assert len(refunds) == 2 and refunds[0] != refunds[1]
        for script in refunds:
            assert _index(ltc, script)[0] is CHANGE
    finally:
        await core.stop()
        await wallet.close()
