"""Registration with a DEX server (§5): `register`, pay the fee from the wallet, wait for its
confirmations, `notifyfee`.

The fee is paid only as the server advertises it in `assets.regfee` (C3 of the security
review): the `register` answer must name that asset and amount, a P2WPKH address of that
asset's chain, and the server's fee rate for the asset must lie inside our fee bounds
(app/safety/fee_rates.py). Anything else is refused (`ServerRefused`) before a coin is touched.
Then the user decides: the signed payment becomes a `RegistrationQuote` for the caller's
`confirm` callback (GUI dialog, CLI prompt or flag, the simnet's own policy); no callback or a
"no" pays nothing.

The payment is stored with its coins locked (`regfee:<url>`) before it is broadcast, so a crash
or retry never pays twice (one fee record per server URL), and re-broadcast until it confirms
(L5). A stored payment that can never confirm (the node does not know it and its coins were
spent elsewhere) is dropped with a clear message instead of blocking registration forever.

`Registration` holds what it needs and nothing more: the wallet (the fee is paid from it and
recorded in its store), the current DEX client and URL as callables (a server switch replaces
both), and the event dispatcher. `register_until_done` is the one retry loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.client.balances import init_inputs
from app.client.errors import RegistrationFailed, RegistrationRefused
from app.client.events import CoreError, DexConnection, Dispatcher, ServerRefused
from app.dex.client import DexClient
from app.dex.errors import DexClientError, DexNotReady, ServerRejected
from app.errors import log_text
from app.safety.errors import LimitsError
from app.safety.fee_rates import fee_bounds
from app.swap.observer import tx_outputs
from app.wallet.backends.base import TxRejectedError
from app.wallet.coins import SignedTx
from app.wallet.errors import BackendError, WalletError
from app.wallet.service import AssetWallet
from app.wallet.session import OpenWallet
from dexproto.address import AddressError, decode_segwit, script_from_address
from dexproto.assets import format_atoms
from dexproto.errors import ErrorCode
from dexproto.messages import ConfigResult, RegisterResult

log = logging.getLogger(__name__)
POLL_S = 0.5  # how often we ask the node about the stored payment
REBROADCAST_S = 10.0  # how often a payment the node does not know is sent again
REGISTER_RETRY_S = 2.0


# -- the terms, the quote, the user's answer ---------------------------------------------------
@dataclass(frozen=True)
class RegistrationQuote:
    """What the user is asked to pay, exactly as it will be signed: `amount` atoms of `asset`
    to `fee_address` at `fee_rate` atoms/vB, costing `network_fee` atoms more."""

    url: str
    asset: str  # symbol, e.g. "ltc"
    ticker: str
    asset_name: str
    amount: int
    fee_address: str
    fee_rate: int
    network_fee: int
    confs: int

    def describe(self) -> str:
        return (
            f"{format_atoms(self.amount)} {self.ticker} ({self.amount} atoms) to "
            f"{self.fee_address}, network fee {format_atoms(self.network_fee)} "
            f"{self.ticker} at {self.fee_rate} atoms/vB, for {self.url}"
        )


Confirm = Callable[[RegistrationQuote], Awaitable[bool]]


# -- the stored payment ------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredPayment:
    key: str  # meta key and coin-lock reason: regfee:<url>
    asset: str
    txid: str
    vout: int
    raw: bytes


class Registration:
    """Register with the current server and pay its fee (the rules above)."""

    def __init__(
        self,
        wallet: OpenWallet,
        dex: Callable[[], DexClient],
        dex_url: Callable[[], str],
        events: Dispatcher,
    ) -> None:
        self.wallet = wallet
        self.dex = dex
        self.dex_url = dex_url
        self.events = events

    def _terms_problem(self, config: ConfigResult, reg: RegisterResult) -> str | None:
        """Pure check of the `register` answer against the advertised `regfee` (None: fine)."""
        advertised = config.regfee
        if reg.asset != advertised.asset:
            return (
                f"the server asks the registration fee in {reg.asset.upper()}, but advertises "
                f"it in {advertised.asset.upper()}"
            )
        if reg.fee != advertised.amount:
            return (
                f"the server asks a registration fee of {reg.fee} atoms, but advertises "
                f"{advertised.amount} atoms"
            )
        if reg.asset not in self.wallet.symbols():
            return f"this wallet has no {reg.asset.upper()} account to pay the registration fee"
        if not any(a.symbol == reg.asset for a in config.assets):
            return f"the server names no {reg.asset.upper()} fee rate"
        params = self.wallet.asset(reg.asset).asset
        try:
            program = decode_segwit(params.hrp, reg.address)
        except AddressError as exc:
            return f"the registration fee address {reg.address!r} is refused: {exc}"
        if len(program) != 20:
            return (
                f"the registration fee address {reg.address!r} is not a P2WPKH address of "
                f"{params.name} {params.network.value}"
            )
        return None

    async def _rate_problem(self, config: ConfigResult, reg: RegisterResult) -> str | None:
        """The server's fee rate for the fee's chain against our bounds (BackendError propagates:
        without our node the rate cannot be judged, so we retry later)."""
        rate = next(a.feerate for a in config.assets if a.symbol == reg.asset)
        wallet = self.wallet.asset(reg.asset)
        try:
            limits = self.wallet.config.safety_limits()
        except LimitsError as exc:
            return str(exc)
        bounds = await fee_bounds(wallet.backend, wallet.asset, limits)
        return bounds.problem(rate, "the registration fee payment")

    def _refuse(self, reason: str) -> RegistrationRefused:
        self.events.emit(ServerRefused(self.dex_url(), reason))
        return RegistrationRefused(reason)

    def _stored_payment(self) -> StoredPayment | None:
        store, key = self.wallet.store, f"regfee:{self.dex_url()}"
        paid = store.get_meta(key)
        if paid is None:
            return None
        txid, _, vout = paid.partition(":")
        rows = store.query(
            "SELECT asset, raw FROM wallet_txs WHERE txid = ? AND kind = 'regfee'", (txid,)
        )
        if not rows:
            raise RegistrationFailed(
                f"the stored registration payment {txid} has no transaction record"
            )
        return StoredPayment(key, str(rows[0]["asset"]), txid, int(vout), bytes(rows[0]["raw"]))

    def _store_payment(
        self, wallet: AssetWallet, signed: SignedTx, address: str, amount: int
    ) -> StoredPayment:
        """Record the signed payment and lock its coins, in one transaction, before broadcast."""
        key = f"regfee:{self.dex_url()}"
        script = script_from_address(address, wallet.asset)
        vout = next(i for i, o in enumerate(tx_outputs(signed.raw)) if o.script == script)
        inputs = init_inputs([signed.raw])
        symbol, now = wallet.asset.symbol, int(time.time() * 1000)
        with self.wallet.store.transaction() as db:
            taken = wallet.locked_outpoints() & inputs  # an order took one while the user read
            if taken:
                raise RegistrationFailed(
                    f"coin {sorted(taken)[0]} was reserved meanwhile; asking again"
                )
            db.executemany(
                "INSERT INTO coin_locks (asset, txid, vout, reason, created_ms) VALUES (?,?,?,?,?)",
                [(symbol, o.txid, o.vout, key, now) for o in sorted(inputs)],
            )
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                (key, f"{signed.txid}:{vout}"),
            )
            db.execute(
                "INSERT OR REPLACE INTO wallet_txs (asset, txid, raw, kind, amount, fee, "
                "created_ms) VALUES (?,?,?,?,?,?,?)",
                (symbol, signed.txid, signed.raw, "regfee", amount, signed.fee, now),
            )
        return StoredPayment(key, symbol, signed.txid, vout, signed.raw)

    def _drop_payment(self, paid: StoredPayment) -> None:
        """Forget a payment that can never confirm (it never happened on chain: no history row)."""
        log.warning(
            "dropping registration payment %s for %s: its coins were spent elsewhere",
            paid.txid,
            paid.key,
        )
        with self.wallet.store.transaction() as db:
            db.execute("DELETE FROM meta WHERE key = ?", (paid.key,))
            db.execute(
                "DELETE FROM coin_locks WHERE asset = ? AND reason = ?", (paid.asset, paid.key)
            )
            db.execute("DELETE FROM wallet_txs WHERE txid = ? AND kind = 'regfee'", (paid.txid,))

    async def _push(self, wallet: AssetWallet, paid: StoredPayment) -> None:
        """(Re-)broadcast the stored payment. When the node refuses it and knows its coins as spent
        by another transaction, it can never confirm: drop it and say so."""
        backend = wallet.backend
        try:
            await backend.broadcast(paid.raw)
            return
        except TxRejectedError as exc:
            rejected: BackendError = exc
        except BackendError as exc:  # node down: try again at the next round
            log.info("registration payment %s not broadcast: %s", paid.txid, exc)
            return
        spent = [o for o in sorted(init_inputs([paid.raw])) if await backend.output_spent(o)]
        if not spent or await backend.confirmations(paid.txid) is not None:
            log.info("registration payment %s refused by the node: %s", paid.txid, rejected)
            return
        self._drop_payment(paid)
        message = (
            f"the registration payment {paid.txid} can never confirm: the node does not "
            f"know it and its coin {spent[0]} was spent by another transaction. It was "
            "dropped; nothing was paid with it. Registering again asks to pay anew."
        )
        self.events.emit(CoreError("registration payment dropped", message))
        raise RegistrationFailed(message)

    async def _wait_confirmed(self, paid: StoredPayment, confs: int, timeout: float) -> None:
        wallet = self.wallet.asset(paid.asset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        pushed = float("-inf")
        while True:
            try:
                seen = await wallet.backend.confirmations(paid.txid)
            except BackendError as exc:
                log.info("registration payment %s: %s", paid.txid, exc)
                seen = -1  # unknown now; not a reason to broadcast
            if seen is not None and seen >= confs:
                wallet.unlock_coins(paid.key)  # spent on chain: no lock needed any more
                return
            if seen is None and loop.time() - pushed >= REBROADCAST_S:
                pushed = loop.time()
                await self._push(wallet, paid)
            if loop.time() > deadline:
                raise RegistrationFailed("the registration fee did not confirm in time")
            await asyncio.sleep(POLL_S)

    async def _pay_fee(
        self, config: ConfigResult, reg: RegisterResult, confirm: Confirm | None
    ) -> StoredPayment:
        """Check the terms, sign, ask, store (coins locked), broadcast. Raises RegistrationRefused
        when nothing may be paid."""
        problem = self._terms_problem(config, reg) or await self._rate_problem(config, reg)
        if problem is not None:
            raise self._refuse(problem)
        if confirm is None:
            raise self._refuse(
                "nobody was asked to confirm the registration fee, so it was not paid"
            )
        wallet = self.wallet.asset(reg.asset)
        rate = next(a.feerate for a in config.assets if a.symbol == reg.asset)
        signed = await wallet.create_payment(reg.address, reg.fee, rate, min_confirmations=1)
        quote = RegistrationQuote(
            self.dex_url(),
            reg.asset,
            wallet.asset.ticker,
            wallet.asset.name,
            reg.fee,
            reg.address,
            rate,
            signed.fee,
            config.regfee.confs,
        )
        url = self.dex_url()
        if not await confirm(quote):
            raise self._refuse(
                f"the registration fee ({format_atoms(reg.fee)} "
                f"{wallet.asset.ticker}) was declined; nothing was paid"
            )
        if self.dex_url() != url:  # the server changed while the user decided
            raise RegistrationFailed(
                "the DEX server changed before the fee was paid; nothing was paid"
            )
        paid = self._store_payment(wallet, signed, reg.address, reg.fee)
        log.info("registration fee for %s: %s", url, quote.describe())
        try:
            await wallet.backend.broadcast(signed.raw)
        except BackendError as exc:  # stored and locked: wait_confirmed sends it again
            log.warning("registration payment %s not broadcast yet: %s", signed.txid, exc)
            self.events.emit(
                DexConnection(
                    False,
                    f"registration fee {signed.txid} stored, not broadcast yet; sending it again",
                )
            )
        else:
            self.events.emit(DexConnection(False, f"registration fee paid in {signed.txid}"))
        return paid

    async def register_account(self, timeout: float, confirm: Confirm | None = None) -> None:
        config = self.dex().config
        if config is None:
            raise DexNotReady("The DEX server sent no configuration.")
        reg = await self.dex().register()
        paid = self._stored_payment()
        if paid is None:
            paid = await self._pay_fee(config, reg, confirm)
        await self._wait_confirmed(paid, config.regfee.confs, timeout)
        try:
            await self.dex().notify_fee(bytes.fromhex(paid.txid), paid.vout)
        except ServerRejected as exc:
            if exc.code != ErrorCode.DUPLICATE:  # already notified by an earlier attempt
                raise


async def register_until_done(
    ensure: Callable[[Confirm | None], Awaitable[None]],
    dex_url: Callable[[], str],
    events: Dispatcher,
    confirm: Confirm | None,
    on_error: Callable[[BaseException], None] | None = None,
    retry_s: float = REGISTER_RETRY_S,
) -> bool:
    """Register with the current server, retrying passing failures (server or node down, fee
    not confirmed yet) while it stays the chosen one. False when refused (reported already as
    `ServerRefused`) or when the server changed meanwhile."""
    url = dex_url()
    while dex_url() == url:
        try:
            await ensure(confirm)
            return True
        except RegistrationRefused:
            return False
        except (DexClientError, TimeoutError, OSError, WalletError) as exc:
            if on_error is not None:
                on_error(exc)
            else:
                events.emit(CoreError("cannot register with the DEX server yet", log_text(exc)))
            await asyncio.sleep(retry_s)
    return False
