"""Accounts (spec §5): register, the registration fee checked on chain, connect, bans.

Each account pays its fee to its own address, derived from the operator's fee key P as
P + SHA256(P ‖ account ID)·G (P2WPKH), so a payment names its account and the operator can
spend every fee with one secret. Replayed signed requests (the same signature again while its
timestamp is inside the tolerance window) are refused with 15.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from coincurve import PublicKey

from dexproto import codec, signing
from dexproto import messages as m
from dexproto.address import decode_segwit, encode_segwit, p2wpkh_script
from dexproto.crypto import hash160, pubkey_from_secret, sha256, xonly_from_secret
from dexproto.errors import ErrorCode, ProtocolError
from dexserver.chain import ChainView
from dexserver.config import ServerConfig
from dexserver.store import AccountRow, ServerStore

BAN_AFTER = 3  # violations before a ban (§10: repeated violations ban the account)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def fail(code: ErrorCode, message: str) -> ProtocolError:
    return ProtocolError(code, message)


class ReplayGuard:
    """Signatures seen recently; a signed request is accepted once (bounded memory)."""

    def __init__(self, window_ms: int, capacity: int = 200_000) -> None:
        self.window_ms = window_ms
        self.capacity = capacity
        self._seen: OrderedDict[bytes, int] = OrderedDict()

    def check(self, sig: bytes, now: int) -> None:
        while self._seen and (
            len(self._seen) > self.capacity
            or next(iter(self._seen.values())) < now - 2 * self.window_ms
        ):
            self._seen.popitem(last=False)
        if sig in self._seen:
            raise fail(ErrorCode.DUPLICATE, "replayed request")
        self._seen[sig] = now


class Accounts:
    def __init__(
        self,
        config: ServerConfig,
        store: ServerStore,
        server_key: bytes,
        chains: dict[str, ChainView],
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.config = config
        self.store = store
        self.key = server_key
        self.pubkey = xonly_from_secret(server_key)
        self.chains = chains
        self.clock = clock
        self.replay = ReplayGuard(config.timestamp_tolerance)
        self._fee_key = config.regfee.pubkey or pubkey_from_secret(server_key)
        self.on_ban: Callable[[bytes], None] = lambda account: None  # revokes its orders

    # -- shared checks --------------------------------------------------------------------
    def check_time(self, timestamp: int) -> int:
        now = self.clock()
        if abs(now - timestamp) > self.config.timestamp_tolerance:
            raise fail(
                ErrorCode.TIMESTAMP_TOLERANCE,
                f"timestamp {timestamp} is {now - timestamp} ms from server time",
            )
        return now

    def account(self, account_id: bytes) -> AccountRow:
        row = self.store.account(account_id)
        if row is None:
            raise fail(ErrorCode.UNKNOWN_ACCOUNT, "unknown account")
        return row

    def verify(self, row: AccountRow, sig: bytes, payload: codec.Payload, what: str) -> None:
        signing.verify(row.pubkey, sig, payload, what=what)

    def fee_address(self, account_id: bytes) -> str:
        tweak = sha256(self._fee_key + account_id)
        derived = PublicKey(self._fee_key).add(tweak).format(compressed=True)
        asset = self.config.assets[self.config.regfee.asset].params
        return encode_segwit(asset.hrp, 0, hash160(derived))

    # -- §5 ------------------------------------------------------------------------------
    def register(self, p: m.RegisterParams) -> m.RegisterResult:
        signing.verify(p.pubkey, p.sig, p.payload(), what="register")
        now = self.check_time(p.timestamp)
        self.replay.check(p.sig, now)
        account_id = codec.account_id(p.pubkey)
        existing = self.store.account(account_id)
        if existing is not None and existing.banned:
            raise fail(ErrorCode.ACCOUNT_BANNED, "account banned")
        address = existing.fee_address if existing else self.fee_address(account_id)
        self.store.add_account(account_id, p.pubkey, address, now)
        fee = self.config.regfee.amount
        payload = codec.RegisterResultPayload(self.pubkey, p.pubkey, now, fee, address)
        return m.RegisterResult(
            pubkey=self.pubkey,
            address=address,
            fee=fee,
            asset=self.config.regfee.asset,
            timestamp=now,
            sig=signing.sign(self.key, payload),
        )

    async def notifyfee(self, p: m.NotifyFeeParams) -> m.SigResult:
        row = self.account(p.accountid)
        self.verify(row, p.sig, p.payload(), "notifyfee")
        now = self.check_time(p.timestamp)
        self.replay.check(p.sig, now)
        if row.banned:
            raise fail(ErrorCode.ACCOUNT_BANNED, "account banned")
        if self.store.fee_outpoint_used(p.txid, p.vout, p.accountid):
            raise fail(ErrorCode.DUPLICATE, "this output paid another account's fee")
        confs = await self._fee_confirmations(row, p.txid, p.vout)
        self.store.set_fee(p.accountid, p.txid, p.vout, confs >= self.config.regfee.confs)
        return m.SigResult(sig=signing.sign(self.key, p.payload()))

    async def _fee_confirmations(self, row: AccountRow, txid: bytes, vout: int) -> int:
        chain = self.chains[self.config.regfee.asset]
        tx = await chain.tx(txid.hex())
        out = tx.outputs.get(vout) if tx else None
        asset = self.config.assets[self.config.regfee.asset].params
        want = p2wpkh_script(decode_segwit(asset.hrp, row.fee_address))
        if tx is None or out is None:
            raise fail(ErrorCode.FEE_NOT_PAID, "fee transaction output not found")
        if out.script != want:
            raise fail(ErrorCode.FEE_NOT_PAID, "the output does not pay the fee address")
        if out.value < self.config.regfee.amount:
            raise fail(
                ErrorCode.FEE_NOT_PAID, f"paid {out.value}, fee is {self.config.regfee.amount}"
            )
        return tx.confirmations

    async def check_connect(self, p: m.ConnectParams) -> AccountRow:
        row = self.account(p.accountid)
        self.verify(row, p.sig, p.payload(), "connect")
        now = self.check_time(p.timestamp)
        self.replay.check(p.sig, now)
        if p.apiver != 1:
            raise fail(ErrorCode.UNSUPPORTED_API, f"API version {p.apiver} is not supported")
        if row.banned:
            raise fail(ErrorCode.ACCOUNT_BANNED, "account banned")
        if not row.paid:
            if row.fee_txid is None or row.fee_vout is None:
                raise fail(ErrorCode.FEE_NOT_PAID, "registration fee not paid (notifyfee)")
            confs = await self._fee_confirmations(row, row.fee_txid, row.fee_vout)
            if confs < self.config.regfee.confs:
                raise fail(
                    ErrorCode.FEE_NOT_PAID,
                    f"fee has {confs} of {self.config.regfee.confs} confirmations",
                )
            self.store.set_fee(row.account_id, row.fee_txid, row.fee_vout, True)
            row.paid = True
        return row

    def violation(self, account_id: bytes, serious: bool = False) -> bool:
        """Record a violation; returns True when the account is (now) banned."""
        before = self.store.account(account_id)
        count = self.store.add_violation(account_id, BAN_AFTER)
        if serious:
            self.store.set_banned(account_id)
        banned = serious or count >= BAN_AFTER
        if banned and before is not None and not before.banned:
            self.on_ban(account_id)
        return banned
