"""An in-memory chain (a ChainBackend) that settles whole swaps in unit tests, sub-second.

`MemChain` keeps blocks, a mempool and every transaction it accepted, and refuses what a node
refuses where a swap depends on it:
- inputs that do not exist or are spent in a block (`bad-txns-inputs-missingorspent`), a
  conflict with a mempool transaction that does not signal BIP125 or whose replacement does
  not pay more (`txn-mempool-conflict`, `insufficient fee`), or any conflict when the node
  runs without replacement (`replacement = False`, as Litecoin Core 0.21 does by default);
- a transaction whose nLockTime has not passed (`non-final`: BIP113, against the tip's
  median-time-past), outputs worth more than the inputs, a fee rate under the relay floor
  (`min_relay`) or the mempool's minimum (`mempool_min`);
- witnesses: a P2WPKH input needs the key of its hash, a P2WSH input its script; a §9
  contract's redeem branch needs the secret of its hash and the recipient's key, its refund
  branch the refund key and a lock time at least the contract's (CLTV); every signature is
  checked against the BIP143 digest of the input. (app/swap/htlc_tx.py computes the digest
  too: the regtest tests have Bitcoin Core's interpreter check the real thing.)

Time is a `SimClock` the test moves; `mine()` stamps blocks with it. Miners can pass over
transactions paying less than `mine_floor` (a redeem left unconfirmed, to be bumped).
`MemFunding` is a FundingSource paying fresh coins of ours on such a chain.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import statistics
import time
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass

import coincurve
from bitcoin.core import CMutableTransaction, COutPoint, CScript, CTransaction, CTxIn, CTxOut

from app.swap.actor import Funding
from app.swap.htlc_tx import bip143_sighash_all
from app.wallet.backends.base import (
    BlockInfo,
    ChainBackend,
    SpendInfo,
    TxInfo,
    TxRejectedError,
)
from app.wallet.coins import Outpoint, Utxo
from app.wallet.signing import KeyedUtxo
from app.wallet.txparse import TxParseError, parse_tx, stripped
from dexproto.address import p2wpkh_script
from dexproto.crypto import hash160, pubkey_from_secret, sha256
from dexproto.errors import ContractError
from dexproto.htlc import MIN_LOCK_TIME, Contract

FINAL = 0xFFFFFFFF
RBF_BELOW = 0xFFFFFFFE  # a sequence below this signals BIP125 replaceability


class SimClock:
    """The test's time, UNIX seconds: blocks are stamped with it, the engine reads it."""

    def __init__(self, start: int | None = None) -> None:
        self.now = int(time.time()) if start is None else start

    def advance(self, seconds: int) -> None:
        self.now += seconds

    def ms(self) -> int:
        return self.now * 1000


@dataclass
class _Tx:
    txid: str
    raw: bytes
    inputs: tuple[Outpoint, ...]
    outputs: tuple[tuple[bytes, int], ...]
    witnesses: tuple[tuple[bytes, ...], ...]
    fee: int
    vsize: int
    rbf: bool
    height: int | None = None  # None: in the mempool
    credit: bool = False  # money from nowhere (MemChain.credit): always mined


@dataclass(frozen=True)
class _Block:
    hash: str
    time: int
    txids: tuple[str, ...]


def _reject(reason: str) -> TxRejectedError:
    return TxRejectedError(reason, -26)


def _vsize(raw: bytes) -> int:
    base = len(stripped(raw))
    return -(-(3 * base + len(raw)) // 4)


def _p2pkh_code(pkh: bytes) -> bytes:
    return b"\x76\xa9\x14" + pkh + b"\x88\xac"


class MemChain(ChainBackend):
    """One chain in memory; `history` blocks (spaced `spacing` s, ending at the clock) are
    there from the start, so the median-time-past is meaningful at once."""

    def __init__(
        self, clock: SimClock, *, name: str = "chain", history: int = 11, spacing: int = 60
    ) -> None:
        self.clock = clock
        self.name = name
        self.min_relay = 1  # atoms/vB
        self.mempool_min: int | None = None  # atoms/vB: a full mempool's floor
        self.mine_floor = 0  # atoms/vB: miners pass over transactions paying less
        self.replacement = True  # False: any conflict is refused (no BIP125)
        self.fee_estimate: int | None = None
        self.refused: list[tuple[str, str]] = []  # (txid, reason) of each refusal
        self._blocks: list[_Block] = []
        self._txs: dict[str, _Tx] = {}
        self._mempool: list[str] = []  # arrival order: parents before children
        self._spent: dict[Outpoint, str] = {}  # outpoint -> spender (block or mempool)
        self._credits = 0
        self._new_block = asyncio.Event()
        for i in range(history):
            self._append_block(clock.now - (history - 1 - i) * spacing, ())

    # -- what the test does ------------------------------------------------------------------
    def mine(self, n: int = 1) -> None:
        """Mine `n` blocks at the clock's time (at least a second apart), each taking the
        mempool's transactions that pay `mine_floor` and whose parents are mined."""
        for _ in range(n):
            taken: list[str] = []
            for txid in self._mempool:
                tx = self._txs[txid]
                parents_in = all(
                    op.txid in taken or self._txs[op.txid].height is not None for op in tx.inputs
                )
                if parents_in and (tx.credit or tx.fee >= self.mine_floor * tx.vsize):
                    taken.append(txid)
            self._append_block(max(self._blocks[-1].time + 1, self.clock.now), tuple(taken))

    def credit(self, script: bytes, value: int) -> Outpoint:
        """A new output of `value` paying `script`, in the mempool (mined by the next block)."""
        self._credits += 1
        tag = self._credits.to_bytes(4, "little") + self.name.encode()
        raw = CMutableTransaction(
            [CTxIn(COutPoint(), CScript([tag]))], [CTxOut(value, CScript(script))]
        ).serialize()
        txid = parse_tx(raw).txid
        self._txs[txid] = _Tx(
            txid, raw, (), ((script, value),), (), 0, _vsize(raw), False, credit=True
        )
        self._mempool.append(txid)
        return Outpoint(txid, 0)

    @property
    def mempool(self) -> list[str]:
        return list(self._mempool)

    @property
    def height(self) -> int:
        return len(self._blocks) - 1

    def balance(self, script: bytes) -> int:
        """Atoms of the unspent outputs paying `script`, mempool included."""
        return sum(value for _, s, value, _ in self._unspent() if s == script)

    def fee_of(self, txid: str) -> int:
        return self._txs[txid].fee

    # -- ChainBackend ------------------------------------------------------------------------
    async def tip(self) -> BlockInfo:
        return self._tip()

    async def median_time_past(self) -> int:
        return self._mtp()

    async def utxos(self, scripts: Sequence[bytes]) -> list[Utxo]:
        wanted = set(scripts)
        found = [
            Utxo(op, value, script, height or 0, self._confs(height))
            for op, script, value, height in self._unspent()
            if script in wanted
        ]
        return sorted(found, key=lambda u: u.outpoint)

    async def used_scripts(self, scripts: Sequence[bytes]) -> set[bytes]:
        paid = {s for tx in self._txs.values() for s, _ in tx.outputs}
        return set(scripts) & paid

    async def get_tx(self, txid: str) -> TxInfo | None:
        tx = self._txs.get(txid)
        if tx is None:
            return None
        block_time = None if tx.height is None else self._blocks[tx.height].time
        return TxInfo(txid, tx.raw, self._confs(tx.height), tx.height, block_time)

    async def confirmations(self, txid: str) -> int | None:
        tx = self._txs.get(txid)
        return None if tx is None else self._confs(tx.height)

    async def output_spent(self, outpoint: Outpoint) -> bool:
        return outpoint in self._spent

    async def find_spend(self, outpoint: Outpoint, from_height: int) -> SpendInfo | None:
        spender = self._spent.get(outpoint)
        if spender is None:
            return None
        tx = self._txs[spender]
        if tx.height is not None and tx.height < from_height:
            return None  # a node searching from `from_height` would not see it
        vin = tx.inputs.index(outpoint)
        return SpendInfo(tx.txid, vin, tx.raw, tx.height, tx.witnesses[vin])

    async def broadcast(self, raw: bytes) -> str:
        try:
            txid = parse_tx(raw).txid
        except TxParseError as exc:
            raise TxRejectedError(f"TX decode failed: {exc}", -22) from exc
        if txid in self._txs:  # known: success, as a node says
            return txid
        try:
            self._accept(txid, raw)
        except TxRejectedError as exc:
            self.refused.append((txid, exc.reason))
            raise
        return txid

    async def estimate_fee_rate(self, target_blocks: int) -> int | None:
        return self.fee_estimate

    async def min_fee_rate(self) -> int | None:
        return max(self.min_relay, self.mempool_min or 0)

    async def blocks(self, since: str | None = None) -> AsyncGenerator[BlockInfo, None]:
        last = since or self._tip().hash
        while True:
            if self._tip().hash != last:
                last = self._tip().hash
                yield self._tip()
            else:
                await self._new_block.wait()

    async def close(self) -> None:
        pass

    # -- the node's rules --------------------------------------------------------------------
    def _accept(self, txid: str, raw: bytes) -> None:
        parsed, tx = parse_tx(raw), CTransaction.deserialize(raw)
        inputs: list[Outpoint] = []
        conflicts: set[str] = set()
        value_in = 0
        for i, op in enumerate(parsed.inputs):
            prev = self._output(op) if op is not None else None
            if op is None or prev is None:
                raise _reject("bad-txns-inputs-missingorspent")
            spender = self._spent.get(op)
            if spender is not None:
                if self._txs[spender].height is not None:
                    raise _reject("bad-txns-inputs-missingorspent")
                conflicts.add(spender)
            self._check_witness(tx, i, prev)
            inputs.append(op)
            value_in += prev[1]
        fee = value_in - sum(v for _, v in parsed.outputs)
        if fee < 0:
            raise _reject("bad-txns-in-belowout")
        if not self._final(tx):
            raise _reject("non-final")
        vsize = _vsize(raw)
        if fee < self.min_relay * vsize:
            raise _reject(f"min relay fee not met, {fee} < {self.min_relay * vsize}")
        if self.mempool_min is not None and fee < self.mempool_min * vsize:
            raise _reject(f"mempool min fee not met, {fee} < {self.mempool_min * vsize}")
        self._replace(conflicts, fee, vsize)
        wits = tx.wit.vtxinwit
        witnesses = tuple(
            tuple(bytes(x) for x in wits[i].scriptWitness.stack) if i < len(wits) else ()
            for i in range(len(inputs))
        )
        rbf = any(txin.nSequence < RBF_BELOW for txin in tx.vin)
        self._txs[txid] = _Tx(txid, raw, tuple(inputs), parsed.outputs, witnesses, fee, vsize, rbf)
        self._mempool.append(txid)
        for op in inputs:
            self._spent[op] = txid

    def _replace(self, conflicts: set[str], fee: int, vsize: int) -> None:
        """BIP125, as far as a swap meets it: every conflict signals, the new transaction pays
        a higher rate than each and more than all of them by the relay floor on its size."""
        if not conflicts:
            return
        if not self.replacement or not all(self._txs[c].rbf for c in conflicts):
            raise _reject("txn-mempool-conflict")
        old = [self._txs[c] for c in conflicts]
        if (
            any(fee * o.vsize <= o.fee * vsize for o in old)
            or fee < sum(o.fee for o in old) + self.min_relay * vsize
        ):
            raise _reject("insufficient fee, rejecting replacement")
        for c in conflicts:
            self._evict(c)

    def _evict(self, txid: str) -> None:
        """Drop a mempool transaction and everything spending it."""
        tx = self._txs.pop(txid)
        self._mempool.remove(txid)
        for op in tx.inputs:
            del self._spent[op]
        for vout in range(len(tx.outputs)):
            child = self._spent.get(Outpoint(txid, vout))
            if child is not None:
                self._evict(child)

    def _final(self, tx: CTransaction) -> bool:
        """BIP113: a lock time below the next block's height, or below the tip's MTP."""
        lock = int(tx.nLockTime)
        if lock == 0 or all(txin.nSequence == FINAL for txin in tx.vin):
            return True
        return lock < (self.height + 1 if lock < MIN_LOCK_TIME else self._mtp())

    def _check_witness(self, tx: CTransaction, i: int, prev: tuple[bytes, int]) -> None:
        script, value = prev
        wits = tx.wit.vtxinwit
        stack = [bytes(x) for x in wits[i].scriptWitness.stack] if i < len(wits) else []
        if len(script) == 22 and script[:2] == b"\x00\x14":
            if len(stack) != 2 or hash160(stack[1]) != script[2:]:
                raise _reject("non-mandatory-script-verify-flag (Witness program mismatch)")
            self._check_sig(tx, i, stack[0], stack[1], _p2pkh_code(script[2:]), value)
        elif len(script) == 34 and script[:2] == b"\x00\x20":
            if not stack or sha256(stack[-1]) != script[2:]:
                raise _reject("non-mandatory-script-verify-flag (Witness program hash mismatch)")
            self._check_contract(tx, i, stack, value)

    def _check_contract(self, tx: CTransaction, i: int, stack: list[bytes], value: int) -> None:
        """The §9 contract's two branches (the only P2WSH scripts a swap spends)."""
        try:
            contract = Contract.parse(stack[-1])
        except ContractError as exc:
            raise _reject("mandatory-script-verify-flag-failed (not a swap contract)") from exc
        if len(stack) == 5 and stack[3] == b"\x01":  # redeem: sig, pubkey, secret, 1, script
            sig, pubkey, secret = stack[0], stack[1], stack[2]
            if sha256(secret) != contract.secret_hash or hash160(pubkey) != contract.recipient_pkh:
                raise _reject("mandatory-script-verify-flag-failed (redeem)")
        elif len(stack) == 4 and stack[2] == b"":  # refund: sig, pubkey, "", script
            sig, pubkey = stack[0], stack[1]
            if hash160(pubkey) != contract.refund_pkh:
                raise _reject("mandatory-script-verify-flag-failed (refund key)")
            if tx.nLockTime < contract.lock_time or tx.vin[i].nSequence == FINAL:
                raise _reject("mandatory-script-verify-flag-failed (Locktime requirement)")
        else:
            raise _reject("mandatory-script-verify-flag-failed (witness)")
        self._check_sig(tx, i, sig, pubkey, stack[-1], value)

    @staticmethod
    def _check_sig(
        tx: CTransaction, i: int, sig: bytes, pubkey: bytes, code: bytes, value: int
    ) -> None:
        if not sig or sig[-1] != 0x01:
            raise _reject("mandatory-script-verify-flag-failed (sighash type)")
        digest = bip143_sighash_all(CMutableTransaction.from_tx(tx), i, code, value)
        try:
            good = bool(coincurve.PublicKey(pubkey).verify(sig[:-1], digest, hasher=None))
        except (ValueError, TypeError):
            good = False
        if not good:
            raise _reject("mandatory-script-verify-flag-failed (Signature check failed)")

    # -- bookkeeping -------------------------------------------------------------------------
    def _append_block(self, when: int, txids: tuple[str, ...]) -> None:
        prev = self._blocks[-1].hash if self._blocks else "00" * 32
        seed = f"{self.name}:{len(self._blocks)}:{prev}:{when}:{','.join(txids)}"
        self._blocks.append(_Block(hashlib.sha256(seed.encode()).hexdigest(), when, txids))
        for txid in txids:
            self._txs[txid].height = self.height
            self._mempool.remove(txid)
        self._new_block.set()
        self._new_block = asyncio.Event()

    def _tip(self) -> BlockInfo:
        block = self._blocks[-1]
        return BlockInfo(self.height, block.hash, block.time, self._mtp())

    def _mtp(self) -> int:
        return int(statistics.median_low(b.time for b in self._blocks[-11:]))

    def _confs(self, height: int | None) -> int:
        return 0 if height is None else self.height - height + 1

    def _output(self, op: Outpoint) -> tuple[bytes, int] | None:
        tx = self._txs.get(op.txid)
        if tx is None or op.vout >= len(tx.outputs):
            return None
        return tx.outputs[op.vout]

    def _unspent(self) -> list[tuple[Outpoint, bytes, int, int | None]]:
        return [
            (Outpoint(tx.txid, vout), script, value, tx.height)
            for tx in self._txs.values()
            for vout, (script, value) in enumerate(tx.outputs)
            if Outpoint(tx.txid, vout) not in self._spent
        ]


class MemFunding:
    """A FundingSource: each call credits a fresh key of ours on `chain` with the amount
    asked for plus `margin` (in the mempool), and hands over that one coin."""

    def __init__(self, chain: MemChain, margin: int = 100_000) -> None:
        self.chain = chain
        self.margin = margin
        self.calls = 0
        self.change_script = p2wpkh_script(hash160(pubkey_from_secret(os.urandom(32))))

    async def fund(
        self, amount: int, fee_rate: int, contracts: int, orders: tuple[str, ...] = ()
    ) -> Funding:
        self.calls += 1
        key = os.urandom(32)
        script = p2wpkh_script(hash160(pubkey_from_secret(key)))
        value = amount + self.margin
        outpoint = self.chain.credit(script, value)
        return Funding((KeyedUtxo(Utxo(outpoint, value, script, 0, 0), key),), self.change_script)
