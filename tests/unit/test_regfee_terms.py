"""What the client answers to a registration fee, with no node and no server: the security
review's PoC fee (named by the server, not advertised) refused before anything is paid, the
CLI's answer (the exact --accept-regfee amount or a terminal yes), and the simnet's own policy.
Paying it on a real node: tests/integration/test_regfee_safety.py."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.cli.trade_cmd import regfee_confirm
from app.client.errors import RegistrationRefused
from app.client.events import Dispatcher, ServerRefused
from app.client.registration import Registration, RegistrationQuote
from app.store.db import Store
from dexproto.messages import ConfigResult, RegisterResult
from simnet.harness import REG_FEE
from simnet.regfee_policy import SimnetRegfeePolicy
from tests.fakes.dex_server import REGFEE, config
from tests.fakes.registration import FEE_ADDRESS, Answer


# -- the PoC of the security review (poc5_regfee.py), now refused ---------------------------
async def test_poc5_server_named_fee_is_refused(tmp_path: Path) -> None:
    paid: list[tuple[str, int, int]] = []

    class Wallet:
        async def create_payment(
            self, address: str, amount: int, feerate: int, min_confirmations: int = 0
        ) -> None:
            paid.append((address, amount, feerate))

    cfg = ConfigResult.from_json(config())  # advertises regfee 0.1 LTC

    async def register() -> RegisterResult:
        return RegisterResult(
            pubkey=cfg.pubkey,
            address="bcrt1qevil",
            fee=21_000_000 * 10**8 - 1,
            asset="btc",
            timestamp=0,
            sig=bytes(64),
        )

    events = Dispatcher()
    seen: list[object] = []
    events.subscribe(seen.append)
    dex: Any = SimpleNamespace(config=cfg, register=register)
    fake_wallet: Any = SimpleNamespace(
        store=Store(tmp_path / "d"), asset=lambda s: Wallet(), symbols=lambda: ["btc", "ltc"]
    )
    registration = Registration(fake_wallet, lambda: dex, lambda: "wss://evil", events)
    with pytest.raises(RegistrationRefused) as refused:
        await registration.register_account(1, confirm=Answer(True))
    assert paid == []
    assert "advertises it in LTC" in refused.value.reason
    assert seen == [ServerRefused("wss://evil", refused.value.reason)]


# -- the CLI's answer and the simnet's own policy -------------------------------------------
async def test_cli_pays_only_the_exact_flag_amount_or_a_terminal_yes() -> None:
    quote = RegistrationQuote(
        "ws://127.0.0.1:1", "ltc", "LTC", "Litecoin", REGFEE, FEE_ADDRESS, 20, 2820, 1
    )
    err = io.StringIO()
    assert await regfee_confirm(REGFEE, False, err)(quote) is True
    assert await regfee_confirm(REGFEE - 1, True, err)(quote) is False
    assert "--accept-regfee says 9999999; nothing was paid" in err.getvalue()
    assert await regfee_confirm(None, False, err)(quote) is False
    assert f"run with --accept-regfee {REGFEE}" in err.getvalue()

    def typed(text: str) -> Callable[[], Awaitable[str]]:
        async def ask() -> str:
            return text

        return ask

    assert await regfee_confirm(None, True, err, typed("y\n"))(quote) is True
    assert await regfee_confirm(None, True, err, typed("\n"))(quote) is False  # default: no
    assert FEE_ADDRESS in err.getvalue() and "0.10000000 LTC" in err.getvalue()


def test_simnet_policy_accepts_only_its_own_loopback_server() -> None:
    own = SimnetRegfeePolicy("ws://127.0.0.1:4000")
    quote = RegistrationQuote(
        "ws://127.0.0.1:4000", "ltc", "LTC", "Litecoin", REG_FEE, FEE_ADDRESS, 20, 2820, 1
    )
    assert own.accepts(quote)
    assert not own.accepts(replace(quote, url="ws://127.0.0.1:4001"))
    assert not own.accepts(replace(quote, amount=REG_FEE + 1))
    assert not own.accepts(replace(quote, asset="btc"))
    assert asyncio.run(own(replace(quote, amount=REG_FEE * 10))) is False
    with pytest.raises(ValueError, match="loopback"):
        SimnetRegfeePolicy("wss://dex.example:7232")
