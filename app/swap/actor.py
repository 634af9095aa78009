"""The swap actor: does what a transition asked, once the driver stored the new state.

- Broadcast: sent to that chain's node, at most once per `rebroadcast_interval` for the same
  transaction; the node's reason for a refusal is remembered (a fee refusal lets the
  transition re-sign above the node's minimum), and a node that refuses a replacement gets
  no more fee bumps this run: the earlier version stays in its mempool and may confirm.
- Send: a report to the server, held back while the broadcast it depends on was refused.
- Fund: coins from the wallet (and, for a maker, a fresh secret sealed at once); several
  maker matches funded by one transaction (protocol §9 case B) through `fund_batch`.

Every action is idempotent: the stored state repeats it on the next tick or after a crash.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from app.swap.errors import SwapError
from app.swap.keys import KeyRing
from app.swap.messages import OutgoingMessage
from app.swap.problems import Problems
from app.swap.states import Match
from app.swap.steps import Broadcast, Fund, Funded, Send, side_asset
from app.wallet.backends.base import ChainBackend, TxRejectedError
from app.wallet.errors import WalletError
from app.wallet.signing import KeyedUtxo
from dexproto.crypto import sha256

log = logging.getLogger(__name__)

SendFn = Callable[[OutgoingMessage], Awaitable[None]]
# Called at each crash point ("stored:<State>", "before:<what>-broadcast",
# "after:<what>-broadcast"); the crash tests SIGKILL the process there.
CheckpointFn = Callable[[str], None]


@dataclass(frozen=True)
class Funding:
    coins: tuple[KeyedUtxo, ...] = field(repr=False)  # they carry their private keys
    change_script: bytes


class FundingSource(Protocol):
    """Hands the engine coins (with their keys) covering `amount` plus the init fee, taken
    from what backs `orders` (the orders the funded matches belong to)."""

    async def fund(
        self, amount: int, fee_rate: int, contracts: int, orders: tuple[str, ...] = ()
    ) -> Funding: ...


class Actor:
    """Performs the actions of every swap of one engine. `backends` and `funding` are keyed
    by asset symbol; `keys` is the unlocked wallet (None: locked, nothing is funded)."""

    def __init__(
        self,
        backends: Mapping[str, ChainBackend],
        funding: Mapping[str, FundingSource],
        send: SendFn,
        problems: Problems,
        *,
        keys: KeyRing | None,
        checkpoint: CheckpointFn,
        rebroadcast_interval: float,
    ) -> None:
        self._backends = backends
        self._funding = funding
        self._send = send
        self._problems = problems
        self._keys = keys
        self._checkpoint = checkpoint
        self.rebroadcast_interval = rebroadcast_interval
        self._last_broadcast: dict[str, float] = {}
        self._refused: dict[str, str] = {}  # txid -> the node's reason for its last refusal
        # Chains whose node refused one of our replacements: no more bumps there this run.
        self._no_replacement: set[str] = set()

    # -- what the nodes said (the observer reads it) -----------------------------------------
    def refusal(self, txid: str) -> str | None:
        """The node's reason for refusing `txid` the last time it was sent, or None."""
        return self._refused.get(txid)

    def replaces(self, asset: str) -> bool:
        """False once `asset`'s node refused one of our replacements."""
        return asset not in self._no_replacement

    # -- broadcast ---------------------------------------------------------------------------
    async def broadcast(self, m: Match, action: Broadcast) -> bool:
        """True when the node accepted the transaction now (or already had it); False when it
        refused, or when it was sent moments ago and is not sent again yet."""
        now = time.monotonic()
        last = self._last_broadcast.get(action.tx.txid)
        if last is not None and now - last < self.rebroadcast_interval:
            return False
        self._last_broadcast[action.tx.txid] = now
        asset = side_asset(m, action.side)
        try:
            self._checkpoint(f"before:{action.what}-broadcast")
            await self._backends[asset].broadcast(action.tx.raw)
            self._refused.pop(action.tx.txid, None)
            self._checkpoint(f"after:{action.what}-broadcast")
            log.info("swap %s: broadcast %s %s", m.match_id[:8], action.what, action.tx.txid)
            return True
        except TxRejectedError as exc:
            self._last_broadcast.pop(action.tx.txid, None)
            self._refused[action.tx.txid] = exc.reason  # a fee refusal lets it be re-signed
            self._rejected(m, action, asset, exc)
        except WalletError as exc:  # e.g. a refund before the chain's clock passed lock time
            self._last_broadcast.pop(action.tx.txid, None)
            self._problems.problem(
                m.match_id, f"{action.what} {action.tx.txid} not accepted: {exc}"
            )
        except Exception:  # not sent: the next tick tries again (the driver shows the error)
            self._last_broadcast.pop(action.tx.txid, None)
            raise
        return False

    def _rejected(self, m: Match, action: Broadcast, asset: str, exc: TxRejectedError) -> None:
        if action.what.endswith("-bump") and _refuses_replacement(exc):
            # The earlier version is still in the mempool and may confirm; stop making
            # versions this node will refuse too.
            self._no_replacement.add(asset)
            log.warning(
                "swap %s: the %s node refuses replacements (%s); fee bumps "
                "stopped, the earlier version stays",
                m.match_id[:8],
                asset.upper(),
                exc.reason,
            )
        elif asset in self._no_replacement and _refuses_replacement(exc):
            log.debug(
                "swap %s: %s %s still refused: %s",
                m.match_id[:8],
                action.what,
                action.tx.txid,
                exc.reason,
            )  # its earlier version is in the mempool
        else:
            self._problems.problem(
                m.match_id, f"{action.what} {action.tx.txid} not accepted: {exc}"
            )

    # -- reports -----------------------------------------------------------------------------
    async def send(self, m: Match, action: Send, accepted: set[str]) -> None:
        """Send the report, unless it waits for a broadcast our node did not take in this
        step (`accepted`: the txids it took)."""
        if action.after_accepted is not None and action.after_accepted not in accepted:
            log.info(
                "swap %s: %s held back: our node has not accepted %s",
                m.match_id[:8],
                type(action.message).__name__,
                action.after_accepted,
            )
            return
        try:
            await self._send(action.message)
        except Exception as exc:  # the transport's problem; reports are re-sent on resume
            self._problems.problem(
                m.match_id, f"could not send {type(action.message).__name__}: {exc}"
            )

    # -- funding -----------------------------------------------------------------------------
    async def fund(self, m: Match, action: Fund) -> Funded | None:
        """Coins for this match (and the maker's fresh secret, sealed); None when there are
        none now: the problem is shown and the driver waits before asking again."""
        if self._keys is None:  # our refund must be signed before the init goes out
            self._problems.problem(m.match_id, "cannot fund the swap: the wallet is locked")
            return None
        try:
            funding = await self._funding[m.our_asset].fund(
                action.amount, m.our_fee_rate, 1, orders=(m.order_id,)
            )
        except (WalletError, SwapError) as exc:
            self._problems.problem(m.match_id, f"cannot fund the swap: {exc}")
            return None
        funded = Funded(tuple(funding.coins), funding.change_script)
        if action.secret_needed:  # drawn here, kept only sealed: the store never sees it
            secret = os.urandom(32)
            funded = Funded(
                funded.coins,
                funded.change_script,
                sha256(secret),
                self._keys.seal(m.match_id, secret),
            )
        return funded

    async def fund_batch(self, matches: Sequence[Match]) -> Funding:
        """Coins for one init funding every match (they share asset and fee rate: batch.py);
        raises WalletError or SwapError when there are none."""
        m0 = matches[0]
        return await self._funding[m0.our_asset].fund(
            sum(m.our_amount for m in matches),
            m0.our_fee_rate,
            len(matches),
            orders=tuple(sorted({m.order_id for m in matches})),
        )


def _refuses_replacement(exc: TxRejectedError) -> bool:
    """A node that does not replace (or not this one): `txn-mempool-conflict`, or a BIP125
    refusal such as `insufficient fee` for a replacement."""
    reason = exc.reason.lower()
    return "mempool-conflict" in reason or "replacement" in reason or "insufficient fee" in reason
