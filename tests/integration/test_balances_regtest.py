"""The balance breakdown against a real Litecoin Core regtest node: an order lock, a swap
funded, its init in the mempool then mined. The contract value stays in view throughout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.client.balances import asset_balance
from app.config import NodeConfig
from app.swap.htlc_tx import build_init_tx, build_refund_tx
from app.swap.states import ContractPrepared, InitBroadcast, Match, OurContract, Role
from app.swap.store import SwapStore
from app.wallet.service import SWAP_FUNDING, Balance
from app.wallet.session import create_wallet, unlock_wallet
from dexproto.assets import Network, get_asset
from dexproto.crypto import hash160, pubkey_from_secret
from dexproto.htlc import Contract
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode

LTC = get_asset("ltc", Network.REGTEST)
PASSWORD = "correct horse"
SWAP_KEY = bytes([9]) * 32
CONTRACT_VALUE = 60_000_000
ROOT = Path(__file__).resolve().parents[2]


def figures(b: Balance) -> tuple[int, int, int, int]:
    return b.available, b.locked_orders, b.locked_swaps, b.unconfirmed


async def test_contract_value_is_locked_in_swaps_from_init_to_block(
    tmp_path: Path, ltc_node: RegtestNode
) -> None:
    create_wallet(
        tmp_path,
        PASSWORD,
        network=Network.REGTEST,
        scrypt_n=2**10,
        nodes={"ltc": NodeConfig(ltc_node.rpc_url, RPC_USER, RPC_PASSWORD)},
    )
    wallet = unlock_wallet(tmp_path, PASSWORD)
    try:
        ltc = wallet.asset("ltc")
        swaps = SwapStore(wallet.store)
        for index, atoms in enumerate((100_000_000, 30_000_000, 5_000_000)):
            ltc_node.fund_script(ltc.keys.script(False, index), atoms, mine=False)
        ltc_node.mine(1)
        ltc_node.fund_script(ltc.keys.script(False, 3), 2_000_000, mine=False)  # incoming
        coins = {c.value: c for c in await ltc.utxos()}
        ltc.lock_coins([coins[30_000_000].outpoint], "order:ab")
        ltc.lock_coins([coins[100_000_000].outpoint], SWAP_FUNDING)
        balance, _ = await asset_balance(ltc, swaps)
        assert figures(balance) == (5_000_000, 30_000_000, 100_000_000, 2_000_000)

        # Our contract, signed and stored before the broadcast, as the engine does it.
        funding = ltc.keyed([coins[100_000_000]])
        pkh = hash160(pubkey_from_secret(SWAP_KEY))
        contract = Contract(bytes(32), bytes(20), pkh, 1_900_000_000)
        init = build_init_tx(funding, [(contract, CONTRACT_VALUE)], ltc.change_script(), 10, LTC)
        refund = build_refund_tx(
            contract,
            contract.to_script(),
            init.outpoint(0),
            CONTRACT_VALUE,
            SWAP_KEY,
            ltc.change_script(),
            10,
            LTC,
        )
        ours = OurContract(
            contract.to_script(), CONTRACT_VALUE, init.tx, init.contract_vouts[0], refund, 0
        )
        match = Match(
            order_id="ab" * 32,
            match_id=os.urandom(32).hex(),
            role=Role.MAKER,
            quantity=1,
            rate=1,
            network="regtest",
            our_asset="ltc",
            their_asset="btc",
            our_amount=CONTRACT_VALUE,
            their_amount=1_000_000,
            their_pkh=bytes(20),
            our_pkh=pkh,
            our_key_path=None,
            clear_key=SWAP_KEY,
            redeem_script=ltc.change_script(),
            refund_script=ltc.change_script(),
            our_fee_rate=10,
            their_fee_rate=10,
            their_swap_conf=1,
            match_time_ms=0,
            maker_lock_ms=1,
            taker_lock_ms=1,
        )
        swaps.create(ContractPrepared(match, bytes(32), ours, None))
        balance, _ = await asset_balance(ltc, swaps)
        assert figures(balance) == (5_000_000, 30_000_000, 100_000_000, 2_000_000)

        await ltc.backend.broadcast(init.tx.raw)  # a crash here leaves ContractPrepared
        balance, _ = await asset_balance(ltc, swaps)
        assert figures(balance) == (
            5_000_000,
            30_000_000,
            CONTRACT_VALUE,
            2_000_000 + init.change_value,
        )
        swaps.save(InitBroadcast(match, bytes(32), ours, None))
        ltc_node.mine(1)
        balance, _ = await asset_balance(ltc, swaps)
        assert figures(balance) == (
            5_000_000 + 2_000_000 + init.change_value,
            30_000_000,
            CONTRACT_VALUE,
            0,
        )
        assert balance.total + balance.in_contracts == 137_000_000 - init.tx.fee

        # The CLI prints the same breakdown (another process, the same data directory).
        cli = subprocess.run(
            [
                sys.executable,
                str(ROOT / "main.py"),
                "wallet",
                "balance",
                "--datadir",
                str(tmp_path),
                "--asset",
                "ltc",
                "--json",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "CAMBIO_PASSWORD": PASSWORD},
            timeout=120,
            check=False,
        )
        assert cli.returncode == 0, cli.stderr
        data = json.loads(cli.stdout)
        assert (
            data["available"],
            data["locked_orders"],
            data["locked_swaps"],
            data["unconfirmed"],
        ) == figures(balance)
        assert data["in_contracts"] == CONTRACT_VALUE
    finally:
        await wallet.close()
