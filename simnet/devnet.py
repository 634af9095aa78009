"""`make run`: the full local simnet for the desktop app, and a demo market maker.

`start_devnet(dir)` attaches to a `main.py simnet up` already running in `dir`, or starts the
same simnet itself (simnet/harness.py: two regtest chains, a miner, the DEX server, funded
trader dirs). The app opens `trader1`; `DemoMaker` trades as `trader2` inside the app's own
event loop and keeps a few standing orders on each side of the book, so a newcomer has
something to buy from or sell to within seconds of the window opening.

When `bitcoind` is not installed a second Litecoin Core regtest chain stands in for BTC
(stored as `btc_stand_in` in each trader's config.json; the app says so).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.client.client import Client
from app.config import NodeConfig, load_config, save_config
from app.dex.errors import DexClientError
from app.wallet.errors import WalletError
from app.wallet.session import unlock_wallet
from simnet.harness import LOT, TRADER_PASSWORD, Simnet, load_info
from simnet.lifecycle import owner_alive
from simnet.regfee_policy import SimnetRegfeePolicy

log = logging.getLogger("cambio.simnet")

SIMNET_PASSWORD = TRADER_PASSWORD  # throwaway regtest wallets; shown to the user on purpose
MID_RATE = 10_000_000  # 0.1 BTC per LTC
LEVEL_STEP = 20_000  # 0.0002 BTC between the maker's price levels
LEVEL_LOTS = (3, 5, 8, 12, 20)  # lots per level, nearest level first
TOP_UP_S = 6.0


@dataclass
class Devnet:
    dir: Path
    info: dict[str, Any]
    net: Simnet | None  # None when attached to a `simnet up` of another process

    @property
    def wallet_dir(self) -> Path:
        return Path(self.info["traders"]["trader1"]["datadir"])

    @property
    def maker_dir(self) -> Path:
        return Path(self.info["traders"]["trader2"]["datadir"])

    @property
    def dex_url(self) -> str:
        return str(self.info["dex_url"])

    def stop(self) -> None:
        if self.net is not None:
            self.net.stop()


def start_devnet(datadir: Path, *, light: bool = False) -> Devnet:
    """Attach to the simnet a live process owns in `datadir`, or start it (a crashed owner's
    leftovers are stopped first, its chains and DEX database kept: pending swaps resume).

    `light`: the app's wallet (trader1) reaches both chains through e-x servers over the
    simnet's chains instead of their RPC; the demo maker stays on Core RPC."""
    datadir = Path(datadir).resolve()
    try:
        info = load_info(datadir)
        if owner_alive(datadir) and len(info.get("traders", {})) >= 2:
            log.info("using the simnet already running in %s", datadir)
            if light:
                attach_light(info)
            return Devnet(datadir, info, None)
    except (FileNotFoundError, ValueError):
        pass
    log.info(
        "starting the simnet in %s (chains, miner, DEX server, funded traders%s)",
        datadir,
        ", Electrum servers" if light else "",
    )
    net = Simnet.start(datadir, traders=2, epochlen=2000, mine_interval=2.0, electrum=light)
    if light:
        net.make_light("trader1")
    return Devnet(datadir, net.info, net)


def attach_light(info: dict[str, Any]) -> None:
    """Point trader1 at the Electrum servers of a simnet another process runs (started with
    `simnet up --electrum`); without them the app stays on Core RPC, and says so."""
    servers: dict[str, str] = info.get("electrum") or {}
    if not servers:
        log.warning(
            "the running simnet has no Electrum servers (start it with `simnet up "
            "--electrum`): the app uses the chains' RPC"
        )
        return
    tdir = Path(info["traders"]["trader1"]["datadir"])
    config = load_config(tdir)
    config.nodes.update({s: NodeConfig("", electrum=url) for s, url in servers.items()})
    save_config(tdir, config)


def maker_levels(mid: int = MID_RATE) -> list[tuple[str, int, int]]:
    """(side, rate, base atoms) of every order the demo maker keeps on the book."""
    out = []
    for i, lots in enumerate(LEVEL_LOTS, start=1):
        out.append(("sell", mid + i * LEVEL_STEP, lots * LOT))
        out.append(("buy", mid - i * LEVEL_STEP, lots * LOT))
    return out


class DemoMaker:
    """`trader2` as a market maker in this process: it registers, keeps its levels on the book
    and settles its swaps like any client (its own Client, store and swap engine)."""

    def __init__(self, datadir: Path, dex_url: str) -> None:
        self.wallet = unlock_wallet(datadir, SIMNET_PASSWORD)
        self.core = Client(self.wallet, dex_url=dex_url, poll_interval=0.5)
        self.regfee_policy = SimnetRegfeePolicy(dex_url)  # pays only the simnet's own server
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self.run())

    async def run(self) -> None:
        await self.core.start()
        if not await self.core.register_until_done(
            self.regfee_policy, lambda exc: log.info("demo maker not registered yet: %s", exc)
        ):
            log.warning("demo maker: registration refused; no orders")
            return
        while True:
            await self.top_up()
            await asyncio.sleep(TOP_UP_S)

    async def top_up(self) -> int:
        """Place the levels that are not on the book; how many were placed."""
        live = {(o.side, o.rate) for o in self.core.order_store.live()}
        placed = 0
        for side, rate, qty in maker_levels():
            if (side, rate) in live:
                continue
            try:
                await self.core.place_order("ltc_btc", side, "limit", qty, rate, "standing")
                placed += 1
            except (DexClientError, TimeoutError, OSError, WalletError, ValueError) as exc:
                log.info("demo maker: %s %d at %d: %s", side, qty, rate, exc)
        return placed

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.core.stop()
        await self.wallet.close()
