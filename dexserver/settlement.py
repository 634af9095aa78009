"""Settlement monitor (spec §9–§10): `match` requests, `init`/`redeem` checked on chain,
`audit`/`redemption` relayed, broadcast timeouts enforced with `revoke_match`.

A match moves newly_matched → maker_swap_cast → taker_swap_cast → maker_redeemed →
match_complete, or to revoked. Each step is written to the store before it is acked or relayed.
The server never holds funds: a revoked match only stops the server from relaying; what is on
chain can still be redeemed or refunded by the clients.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from dexproto import codec, signing
from dexproto import messages as m
from dexproto._wire import Json
from dexproto.address import decode_segwit, p2wsh_script
from dexproto.crypto import sha256
from dexproto.errors import ContractError, DexError, ErrorCode, ProtocolError
from dexproto.htlc import Contract, min_maker_lock_time, min_taker_lock_time
from dexproto.rules import quote_amount
from dexserver.accounts import Accounts, fail
from dexserver.chain import ChainView
from dexserver.config import ServerConfig
from dexserver.epochs import Market
from dexserver.feed import Peer
from dexserver.store import MatchRow, ServerStore

log = logging.getLogger("cambio.dexserver.settlement")
MAKER, TAKER = "maker", "taker"
NEXT_INIT = {MAKER: "newly_matched", TAKER: "maker_swap_cast"}
NEXT_REDEEM = {MAKER: "taker_swap_cast", TAKER: "maker_redeemed"}


class Settlement:
    def __init__(
        self,
        config: ServerConfig,
        store: ServerStore,
        accounts: Accounts,
        chains: dict[str, ChainView],
        peers: Callable[[bytes], list[Peer]],
        clock: Callable[[], int],
    ) -> None:
        self.config = config
        self.store = store
        self.accounts = accounts
        self.chains = chains
        self.peers = peers
        self.clock = clock
        self.key = accounts.key
        self.active: dict[bytes, MatchRow] = {r.matchid: r for r in store.active_matches()}
        self._tasks: set[asyncio.Task[None]] = set()

    def active_count(self, account: bytes) -> int:
        return sum(1 for r in self.active.values() if account in (r.maker_account, r.taker_account))

    # -- roles and amounts ----------------------------------------------------------------
    def _role(self, r: MatchRow, account: bytes | None, oid: bytes | None = None) -> str:
        if account == r.maker_account and oid in (None, r.maker_oid):
            return MAKER
        if account == r.taker_account and oid in (None, r.taker_oid):
            return TAKER
        raise fail(ErrorCode.UNKNOWN_MATCH, "no such match for this account and order")

    def _pays(self, r: MatchRow, role: str) -> tuple[str, int]:
        """(asset, atoms) that `role` locks in its contract."""
        maker_order = self.store.order(r.maker_oid)
        maker_sells = maker_order is not None and maker_order.side == 1
        base, quote = r.market.split("_")
        sends_base = maker_sells == (role == MAKER)
        return (base, r.quantity) if sends_base else (quote, quote_amount(r.quantity, r.rate))

    def _oid(self, r: MatchRow, role: str) -> bytes:
        return r.maker_oid if role == MAKER else r.taker_oid

    def _other(self, role: str) -> str:
        return TAKER if role == MAKER else MAKER

    def _address(self, oid: bytes) -> str:
        row = self.store.order(oid)
        return row.address if row else ""

    def note(self, r: MatchRow, role: str) -> m.MatchNote:
        asset, _ = self._pays(r, role)
        note = m.MatchNote(
            orderid=self._oid(r, role),
            matchid=r.matchid,
            quantity=r.quantity,
            rate=r.rate,
            address=self._address(self._oid(r, self._other(role))),
            side=m.MatchSide(role),
            feerate=self.config.assets[asset].feerate,
            servertime=r.servertime,
            sig=b"\0" * 64,
        )
        sig = signing.sign(self.key, note.payload())
        return m.MatchNote(**{**note.__dict__, "sig": sig})

    def state(self, r: MatchRow, role: str) -> m.MatchState:
        n, other = self.note(r, role), r.data.get(f"{self._other(role)}_init")
        return m.MatchState(
            orderid=n.orderid,
            matchid=n.matchid,
            quantity=n.quantity,
            rate=n.rate,
            address=n.address,
            side=n.side,
            feerate=n.feerate,
            servertime=n.servertime,
            status=m.MatchStatus(r.status),
            contract=bytes.fromhex(other["contract"]) if other else None,
            txid=bytes.fromhex(other["txid"]) if other else None,
            vout=other["vout"] if other else None,
            secret=bytes.fromhex(r.data["secret"]) if "secret" in r.data else None,
        )

    def states_of(self, account: bytes) -> list[m.MatchState]:
        return [
            self.state(r, self._role(r, account))
            for r in self.active.values()
            if account in (r.maker_account, r.taker_account)
        ]

    def status(self, account: bytes | None, p: m.MatchStatusParams) -> list[Json]:
        out: list[Json] = []
        for mid in p.matchids:
            r = self.active.get(mid) or self.store.match(mid)
            if r is None:
                raise fail(ErrorCode.UNKNOWN_MATCH, f"unknown match {mid.hex()}")
            out.append(self.state(r, self._role(r, account)).to_json())
        return out

    # -- sending ----------------------------------------------------------------------------
    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def new_matches(self, market: Market, rows: list[MatchRow]) -> None:
        per_account: dict[bytes, list[tuple[MatchRow, str]]] = {}
        for r in rows:
            self.active[r.matchid] = r
            per_account.setdefault(r.maker_account, []).append((r, MAKER))
            per_account.setdefault(r.taker_account, []).append((r, TAKER))
        for account, items in per_account.items():
            self._spawn(self._send_matches(account, items))

    async def _send_matches(self, account: bytes, items: list[tuple[MatchRow, str]]) -> None:
        notes = [self.note(r, role) for r, role in items]
        for peer in self.peers(account):
            try:
                reply = await peer.request("match", [n.to_json() for n in notes])
                parsed = m.ACK_LIST.parse(reply, "match")
            except (DexError, OSError, TimeoutError) as exc:
                log.info("match request not acknowledged: %s", exc)
                continue
            row = self.accounts.account(account)
            by_id = {n.matchid: (n, role, r) for n, (r, role) in zip(notes, items, strict=True)}
            for ack in parsed:
                found = by_id.get(ack.matchid)
                if found is None:
                    continue
                note, role, r = found
                if self._ack_ok(row.pubkey, ack.sig, note):
                    r.data[f"{role}_ack"] = ack.sig.hex()
                    self.store.save_match(r)
            return

    @staticmethod
    def _ack_ok(pubkey: bytes, sig: bytes, note: m.MatchNote) -> bool:
        try:
            signing.verify(pubkey, sig, note.payload(), what="match ack")
        except ProtocolError:
            return False
        return True

    def _relay(self, account: bytes, method: str, params: Json) -> None:
        async def send() -> None:
            for peer in self.peers(account):
                try:
                    await peer.request(method, params)
                except (DexError, OSError, TimeoutError) as exc:
                    log.info("%s relay not acknowledged: %s", method, exc)

        self._spawn(send())

    # -- init / redeem ----------------------------------------------------------------------
    def _match(self, account: bytes | None, orderid: bytes, matchid: bytes) -> tuple[MatchRow, str]:
        """The match (active, or finished: a re-sent report of it is acked again) and the
        sender's role in it."""
        r = self.active.get(matchid) or self.store.match(matchid)
        if r is None:
            raise fail(ErrorCode.UNKNOWN_MATCH, "unknown match")
        return r, self._role(r, account, orderid)

    def _live(self, r: MatchRow) -> None:
        if r.matchid not in self.active:
            raise fail(ErrorCode.SETTLEMENT_SEQUENCE, "match is finished")

    def _ack(self, r: MatchRow, payload: codec.Payload) -> m.MatchAck:
        """The signed ack: the server's signature over the client's report serialization."""
        return m.MatchAck(matchid=r.matchid, sig=signing.sign(self.key, payload))

    @staticmethod
    def recorded_init(r: MatchRow, role: str, p: m.InitParams) -> bool:
        """The same init was recorded before (same txid and contract): clients re-send
        reports after a reconnect or restart, and get the ack again (§9)."""
        rec = r.data.get(f"{role}_init")
        if not rec:
            return False
        return bool(rec["txid"] == p.txid.hex() and rec["contract"] == p.contract.hex())

    @staticmethod
    def recorded_redeem(r: MatchRow, role: str, p: m.RedeemParams) -> bool:
        """This role's redeem was recorded with the same secret (a fee-bumped redeem has
        another txid but reveals the same secret)."""
        return f"{role}_redeem" in r.data and r.data.get("secret") == p.secret.hex()

    async def init(self, account: bytes | None, p: m.InitParams) -> m.MatchAck:
        r, role = self._match(account, p.orderid, p.matchid)
        self.accounts.verify(self.accounts.account(account or b""), p.sig, p.payload(), "init")
        if self.recorded_init(r, role, p):
            return self._ack(r, p.payload())
        self._live(r)
        if r.status != NEXT_INIT[role]:
            raise fail(ErrorCode.SETTLEMENT_SEQUENCE, f"{role} init while {r.status}")
        try:
            contract = Contract.parse(p.contract)
        except (ContractError, ValueError) as exc:  # ContractError is not a ValueError
            raise fail(ErrorCode.CONTRACT_INVALID, f"not a swap contract: {exc}") from None
        asset, amount = self._pays(r, role)
        pay_asset = self.config.assets[asset]
        try:  # the recipient is the counterparty's address on the asset we pay
            want_pkh = decode_segwit(
                pay_asset.params.hrp, self._address(self._oid(r, self._other(role)))
            )
        except ValueError:
            want_pkh = b""
        lock = self.config.maker_lock if role == MAKER else self.config.taker_lock
        min_lock = (min_maker_lock_time if role == MAKER else min_taker_lock_time)(
            r.servertime, lock
        )
        problems = []
        if contract.recipient_pkh != want_pkh:
            problems.append("recipient is not the counterparty's address")
        if contract.lock_time < min_lock:
            problems.append(f"lock time {contract.lock_time} < {min_lock}")
        maker_init = r.data.get("maker_init")
        if (
            role == TAKER
            and maker_init
            and contract.secret_hash
            != Contract.parse(bytes.fromhex(maker_init["contract"])).secret_hash
        ):
            problems.append("secret hash differs from the maker's")
        tx = await self.chains[asset].tx(p.txid.hex())
        out = tx.outputs.get(p.vout) if tx else None
        if out is None:
            problems.append("contract output not found on chain")
        elif out.script != p2wsh_script(p.contract) or out.value != amount:
            problems.append(f"output does not pay {amount} to the contract")
        if problems:
            raise fail(ErrorCode.CONTRACT_INVALID, "; ".join(problems))
        r.data[f"{role}_init"] = {
            "txid": p.txid.hex(),
            "vout": p.vout,
            "contract": p.contract.hex(),
            "time": self.clock(),
        }
        r.status = "maker_swap_cast" if role == MAKER else "taker_swap_cast"
        self.store.save_match(r)
        other = self._other(role)
        now = self.clock()
        audit = codec.InitPayload(self._oid(r, other), r.matchid, p.txid, p.vout, now, p.contract)
        self._relay(
            r.maker_account if other == MAKER else r.taker_account,
            "audit",
            m.AuditParams(
                orderid=self._oid(r, other),
                matchid=r.matchid,
                txid=p.txid,
                vout=p.vout,
                contract=p.contract,
                timestamp=now,
                sig=signing.sign(self.key, audit),
            ).to_json(),
        )
        return self._ack(r, p.payload())

    async def redeem(self, account: bytes | None, p: m.RedeemParams) -> m.MatchAck:
        r, role = self._match(account, p.orderid, p.matchid)
        self.accounts.verify(self.accounts.account(account or b""), p.sig, p.payload(), "redeem")
        if self.recorded_redeem(r, role, p):
            return self._ack(r, p.payload())
        self._live(r)
        if r.status != NEXT_REDEEM[role]:
            raise fail(ErrorCode.SETTLEMENT_SEQUENCE, f"{role} redeem while {r.status}")
        maker_init = r.data["maker_init"]
        if sha256(p.secret) != Contract.parse(bytes.fromhex(maker_init["contract"])).secret_hash:
            raise fail(ErrorCode.CONTRACT_INVALID, "secret does not match the contract")
        other = self._other(role)
        spent = r.data[f"{other}_init"]
        asset, _ = self._pays(r, other)
        tx = await self.chains[asset].tx(p.txid.hex())
        if (
            tx is None
            or not p.vin < len(tx.inputs)
            or tx.inputs[p.vin] != (spent["txid"], spent["vout"])
        ):
            raise fail(
                ErrorCode.CONTRACT_INVALID,
                "the transaction does not spend the counterparty's contract at that input",
            )
        r.data["secret"] = p.secret.hex()
        r.data[f"{role}_redeem"] = {"txid": p.txid.hex(), "vin": p.vin}
        r.status = "maker_redeemed" if role == MAKER else "match_complete"
        self.store.save_match(r)
        if r.status == "match_complete":
            self.active.pop(r.matchid, None)
        now = self.clock()
        other_oid = self._oid(r, other)
        payload = codec.RedeemPayload(other_oid, r.matchid, p.txid, p.vin, now, p.secret)
        self._relay(
            r.maker_account if other == MAKER else r.taker_account,
            "redemption",
            m.RedemptionParams(
                orderid=other_oid,
                matchid=r.matchid,
                txid=p.txid,
                vin=p.vin,
                secret=p.secret,
                timestamp=now,
                sig=signing.sign(self.key, payload),
            ).to_json(),
        )
        return self._ack(r, p.payload())

    # -- broadcast timeout (§10) -------------------------------------------------------------
    async def _confirmed_at(self, r: MatchRow, role: str) -> int | None:
        key = f"{role}_conf_at"
        if key not in r.data:
            init = r.data.get(f"{role}_init")
            asset, _ = self._pays(r, role)
            tx = await self.chains[asset].tx(init["txid"]) if init else None
            if tx is None or tx.confirmations < self.config.assets[asset].swapconf:
                return None
            r.data[key] = self.clock()
            self.store.save_match(r)
        return int(r.data[key])

    async def check_timeouts(self) -> None:
        now, limit = self.clock(), self.config.btimeout
        for r in list(self.active.values()):
            start: int | None = None
            fault = MAKER
            if r.status == "newly_matched":
                start = r.servertime
            elif r.status == "maker_swap_cast":
                start, fault = await self._confirmed_at(r, MAKER), TAKER
            elif r.status == "taker_swap_cast":
                start = await self._confirmed_at(r, TAKER)
            if start is not None and now - start > limit:
                self.revoke(r, fault)

    def revoke(self, r: MatchRow, fault: str | None) -> None:
        r.status = "revoked"
        r.data["fault"] = fault
        self.store.save_match(r)
        self.active.pop(r.matchid, None)
        if fault is not None:
            self.accounts.violation(r.maker_account if fault == MAKER else r.taker_account)
        for role in (MAKER, TAKER):
            oid = self._oid(r, role)
            sig = signing.sign(self.key, codec.RevokePayload(oid, r.matchid))
            self._relay(
                r.maker_account if role == MAKER else r.taker_account,
                "revoke_match",
                m.RevokeMatchParams(orderid=oid, matchid=r.matchid, sig=sig).to_json(),
            )

    async def run(self) -> None:
        while True:
            await asyncio.sleep(min(1.0, self.config.btimeout / 4000))
            try:
                await self.check_timeouts()
            except Exception:  # a node hiccup must not end the monitor
                log.exception("timeout check failed")

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
