"""E2E fixtures: a whole simnet per test module (chains, miner, DEX server process) and one
`client run` process per trader, registered before the first test uses them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simnet.harness import Simnet
from tests.e2e.procs import Client

RATE = 10_000_000  # 0.1 BTC per LTC
LOT = 1_000_000  # 0.01 LTC


@pytest.fixture(scope="module")
def simnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simnet]:
    net = Simnet.start(
        tmp_path_factory.mktemp("simnet"), traders=2, epochlen=2000, mine_interval=1.0
    )
    yield net
    net.stop()


@pytest.fixture(scope="module")
def traders(simnet: Simnet) -> Iterator[tuple[Client, Client]]:
    maker = Client(simnet.traders["trader1"], "maker").start()
    taker = Client(simnet.traders["trader2"], "taker").start()
    try:
        maker.wait_registered()
        taker.wait_registered()
        yield maker, taker
    finally:
        maker.stop()
        taker.stop()
