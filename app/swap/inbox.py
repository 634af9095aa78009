"""Counterparty messages from the DEX, kept per match until the swap's state consumes them.

The newest `audit` (their contract announced) and `redemption` (their redeem, with the
secret) of each match are kept; an announcement that failed our audit is dropped and
remembered, so a re-delivery of the same one is not audited again (review L3).
"""

from __future__ import annotations

import logging

from app.swap.messages import CounterpartyInit, CounterpartyRedeem, IncomingMessage

log = logging.getLogger(__name__)

Announced = tuple[str, int, bytes]  # txid, vout, contract of an announced counterparty init


def _announced(msg: CounterpartyInit) -> Announced:
    return (msg.txid, msg.vout, msg.contract)


class Inbox:
    def __init__(self) -> None:
        self._audits: dict[str, CounterpartyInit] = {}
        self._redemptions: dict[str, CounterpartyRedeem] = {}
        self._refused: dict[str, set[Announced]] = {}

    def put(self, msg: IncomingMessage) -> bool:
        """Keep `msg` for its match; False when it is an announcement already refused."""
        if isinstance(msg, CounterpartyRedeem):
            self._redemptions[msg.match_id] = msg
            return True
        if _announced(msg) in self._refused.get(msg.match_id, set()):
            log.info(
                "swap %s: the refused contract %s:%d was announced again; ignored",
                msg.match_id[:8],
                msg.txid,
                msg.vout,
            )
            return False
        self._audits[msg.match_id] = msg
        return True

    def audit(self, match_id: str) -> CounterpartyInit | None:
        return self._audits.get(match_id)

    def redemption(self, match_id: str) -> CounterpartyRedeem | None:
        return self._redemptions.get(match_id)

    def refuse(self, match_id: str, audit: CounterpartyInit) -> None:
        """Drop the announcement that failed the audit (the swap waits for a correct one
        until its deadline) and never audit it again."""
        if self._audits.get(match_id) == audit:
            del self._audits[match_id]
        self._refused.setdefault(match_id, set()).add(_announced(audit))

    def settled(self, match_id: str) -> None:
        """The swap ended: forget which announcements were refused."""
        self._refused.pop(match_id, None)
