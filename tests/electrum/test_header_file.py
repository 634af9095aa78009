"""A light wallet's verified headers outlive the backend: a new one over a real e-x takes
them from the file and asks the server only for the blocks found since."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.wallet.backends.electrum import ElectrumBackend
from app.wallet.backends.electrum_conn import ElectrumConnection
from app.wallet.spv import HEADER_SIZE
from dexproto.assets import Network
from simnet.electrum import ElectrumServer
from simnet.node import RegtestNode

pytestmark = pytest.mark.regtest


async def test_a_second_backend_starts_from_the_header_file(
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ltc_electrum.wait_synced()
    async with ElectrumBackend(
        [ltc_electrum.url], "ltc", Network.REGTEST, headers_dir=tmp_path
    ) as first:
        tip = await first.tip()
    stored = next(tmp_path.glob("*.headers"))
    assert stored.stat().st_size == (tip.height + 1) * HEADER_SIZE  # from genesis up

    asked: list[tuple[str, tuple[Any, ...]]] = []
    original = ElectrumConnection.request

    async def recording(self: ElectrumConnection, method: str, *params: Any) -> Any:
        asked.append((method, params))
        return await original(self, method, *params)

    monkeypatch.setattr(ElectrumConnection, "request", recording)
    ltc_node.mine(3)
    ltc_electrum.wait_synced()
    async with ElectrumBackend(
        [ltc_electrum.url], "ltc", Network.REGTEST, headers_dir=tmp_path
    ) as second:
        now = await second.tip()
    assert now.height == tip.height + 3 and now.hash == ltc_node.rpc("getbestblockhash")
    header_starts = [p[0] for m, p in asked if m == "blockchain.block.headers"]
    assert header_starts and min(header_starts) == tip.height + 1
    assert stored.stat().st_size == (now.height + 1) * HEADER_SIZE
