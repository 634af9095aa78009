"""The simnet as the desktop app's `--simnet` mode uses it (app/ui/launch.py `LocalNet`).

main.py hands `start_gui_simnet` to the GUI: nothing in app imports simnet (the contract of
tests/unit/test_import_contract.py), so the app runs without this package bundled.
"""

from __future__ import annotations

from pathlib import Path

from app.client.registration import Confirm
from simnet.devnet import SIMNET_PASSWORD, DemoMaker, Devnet, start_devnet
from simnet.regfee_policy import SimnetRegfeePolicy


class GuiSimnet:
    """A started (or joined) simnet: trader1's wallet for the window, trader2 as the demo
    maker when this process runs the chains."""

    password = SIMNET_PASSWORD  # throwaway regtest wallets; shown to the user on purpose

    def __init__(self, devnet: Devnet) -> None:
        self.devnet = devnet
        self.maker: DemoMaker | None = None

    @property
    def wallet_dir(self) -> Path:
        return self.devnet.wallet_dir

    def regfee_policy(self, fallback: Confirm | None) -> Confirm:
        """The simnet's own server's fee is paid without asking; any other still asks."""
        return SimnetRegfeePolicy(self.devnet.dex_url, fallback=fallback)

    def start_maker(self) -> None:
        if self.devnet.net is not None:  # else joined another process's simnet, maker and all
            self.maker = DemoMaker(self.devnet.maker_dir, self.devnet.dex_url)
            self.maker.start()

    async def stop_maker(self) -> None:
        if self.maker is not None:
            await self.maker.stop()

    def stop(self) -> None:
        self.devnet.stop()  # the chains and the DEX server last: nothing uses them any more


def start_gui_simnet(datadir: Path, light: bool) -> GuiSimnet:
    return GuiSimnet(start_devnet(datadir, light=light))
