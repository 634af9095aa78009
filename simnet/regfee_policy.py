"""The simnet pays its own DEX server's registration fee without asking (and nothing else).

The desktop app and `client run` ask the user before any registration fee is paid (C3 of the
security review). The simnet's demo maker, its funded traders and the `--simnet` window must
run without a human, so their launch code passes this policy as the `confirm` callback. It
says yes only to the server the simnet started itself: the exact URL from its simnet.json, on
a loopback address, asking the exact amount and asset the simnet configured (harness.REG_FEE
LTC). Any other quote goes to `fallback` (the GUI's dialog), or is refused.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.client.registration import Confirm, RegistrationQuote
from simnet.harness import REG_FEE

log = logging.getLogger("cambio.simnet")


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class SimnetRegfeePolicy:
    dex_url: str  # the simnet's own server (simnet.json's dex_url)
    asset: str = "ltc"
    amount: int = REG_FEE
    fallback: Confirm | None = None

    def __post_init__(self) -> None:
        if not is_loopback(self.dex_url):
            raise ValueError(
                f"the simnet auto-accepts fees only of a loopback server, not {self.dex_url}"
            )

    def accepts(self, quote: RegistrationQuote) -> bool:
        return (
            quote.url == self.dex_url
            and is_loopback(quote.url)
            and quote.asset == self.asset
            and quote.amount == self.amount
        )

    async def __call__(self, quote: RegistrationQuote) -> bool:
        if self.accepts(quote):
            log.warning(
                "simnet: paying its own server's registration fee without asking: %s",
                quote.describe(),
            )
            return True
        if self.fallback is not None:
            return await self.fallback(quote)
        log.warning("simnet: not paying a registration fee it did not set up: %s", quote.describe())
        return False
