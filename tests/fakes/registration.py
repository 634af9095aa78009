"""The user's side of a registration fee in tests: an Answer that says yes (or not) and
remembers each quote it was shown, and the fee address the scripted servers name."""

from __future__ import annotations

from app.client.registration import RegistrationQuote
from dexproto.address import encode_segwit

FEE_ADDRESS = encode_segwit("rltc", 0, bytes(range(1, 21)))


class Answer:
    """The user: says `yes` (or not) and remembers what was asked."""

    def __init__(self, yes: bool) -> None:
        self.yes = yes
        self.quotes: list[RegistrationQuote] = []

    async def __call__(self, quote: RegistrationQuote) -> bool:
        self.quotes.append(quote)
        return self.yes
