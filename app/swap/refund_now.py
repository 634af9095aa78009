""" "Refund now": the user's (or the CLI's) request to broadcast a swap's presigned refund.

One workflow for the desktop app (`Client.refund_now`) and `main.py swaps refund`. It refuses,
with a `RefundRefused` saying why, when there is nothing of ours to refund, when the lock time
has not passed on our chain (the node would reject it anyway), and when our contract output is
already spent by anything but our own refund: the counterparty redeemed it, so the secret is on
chain and the swap must redeem theirs (broadcasting our refund then is pointless, and a user
told "refund sent" would stop watching a swap that still owes them coins). A refund already
out (the presigned one or a fee-bumped version) is sent again, which is harmless.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.swap.errors import ContractSpent, NothingToRefund, RefundTooEarly
from app.swap.states import Refunding, SwapState, is_terminal, ours_of, state_name
from app.wallet.backends.base import ChainBackend


def utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def time_left(lock: int, now: int) -> str:
    secs = lock - now
    if secs <= 0:
        return "passed"
    hours, rest = divmod(secs, 3600)
    return f"{hours}h {rest // 60:02d}m"


async def refund_now(state: SwapState, backend: ChainBackend) -> str:
    """Broadcast the presigned refund of `state` on our chain (`backend`); its txid. Raises
    NothingToRefund, RefundTooEarly or ContractSpent before anything is sent."""
    ours = ours_of(state)
    if is_terminal(state) or ours is None:
        raise NothingToRefund(
            f"nothing to refund: the swap is {state_name(state)}"
            + (
                ""
                if ours is not None or is_terminal(state)
                else " and none of our coins are locked yet"
            )
        )
    lock = ours.contract.lock_time
    mtp = await backend.median_time_past()
    if mtp < lock:
        raise RefundTooEarly(
            f"the lock time has not passed: refundable after {utc(lock)} "
            f"(chain time {utc(mtp)}, {time_left(lock, mtp)} left); the app "
            "refunds by itself then",
            lock,
            mtp,
        )
    if await backend.output_spent(ours.outpoint):
        spend = await backend.find_spend(ours.outpoint, ours.start_height)
        refunds = (
            {v.txid for v in state.versions} if isinstance(state, Refunding) else {ours.refund.txid}
        )  # a fee-bumped refund is ours too
        if spend is None or spend.txid not in refunds:
            raise ContractSpent(
                "our contract is already spent (the counterparty redeemed "
                "it); run the app to redeem theirs",
                None if spend is None else spend.txid,
            )
    return await backend.broadcast(ours.refund.raw)
