"""Bitcoin Core's own script interpreter for the tests' BTC-side transactions.

Bitcoin Core cannot be installed here, so the integration tests' BTC chain is a Litecoin Core
node, whose interpreter is a fork of Bitcoin's. libbitcoinkernel (py-bitcoinkernel, import
name `pbk`) is Bitcoin Core's consensus code: `verify_btc_tx` runs every input through its
VerifyScript against the output it spends, with the flags a Bitcoin node applies to every
block since taproot (`CONSENSUS`: P2SH, DERSIG, NULLDUMMY, CHECKLOCKTIMEVERIFY,
CHECKSEQUENCEVERIFY, WITNESS, TAPROOT; taproot needs all spent outputs, so they are given).
The kernel offers these consensus flags only: the relay policy's extra rules
(STANDARD_SCRIPT_VERIFY_FLAGS: low S, MINIMALIF, NULLFAIL, ...) cannot be asked for, and a
flag outside its set aborts the process.

The interpreter checks CLTV against the transaction's own nLockTime and the input's
nSequence, never against the chain's median-time-past: whether the chain is past the lock
time is the node's finality rule, outside the script.

The kernel answers yes or no per input. A refusal's kind comes from asking it again with one
rule off at a time: a spend it accepts once CHECKLOCKTIMEVERIFY is off was refused by CLTV
(nLockTime below the script's lock time, or a final sequence); one it refuses whatever rule
is off failed its script (signature, key, secret, the amount in the sighash).
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pbk import ScriptPubkey, ScriptVerifyException, ScriptVerifyStatus, Transaction
from pbk import ScriptVerificationFlags as Flags
from pbk import TransactionOutput as KernelOutput
from pbk.script import PrecomputedTransactionData

from app.wallet.backends.base import ChainBackend
from app.wallet.coins import TxOutput

CONSENSUS = (
    Flags.P2SH
    | Flags.DERSIG
    | Flags.NULLDUMMY
    | Flags.CHECKLOCKTIMEVERIFY
    | Flags.CHECKSEQUENCEVERIFY
    | Flags.WITNESS
    | Flags.TAPROOT
)
assert CONSENSUS == Flags.ALL  # every flag the kernel knows; nothing outside it (abort)


class Refusal(enum.Enum):
    LOCKTIME = "CHECKLOCKTIMEVERIFY"  # accepted once CLTV is off
    SEQUENCE = "CHECKSEQUENCEVERIFY"
    DERSIG = "DERSIG"
    NULLDUMMY = "NULLDUMMY"
    SCRIPT = "script"  # refused whatever single rule is off
    INVALID_FLAGS = "invalid flags combination"  # the kernel's own status codes
    SPENT_OUTPUTS_REQUIRED = "spent outputs required"


# Rules that can be switched off alone (the kernel refuses WITNESS without P2SH, and without
# WITNESS a segwit output is anyone-can-spend: no verdict on its script at all).
_SINGLE_RULES = (
    (Flags.CHECKLOCKTIMEVERIFY, Refusal.LOCKTIME),
    (Flags.CHECKSEQUENCEVERIFY, Refusal.SEQUENCE),
    (Flags.DERSIG, Refusal.DERSIG),
    (Flags.NULLDUMMY, Refusal.NULLDUMMY),
)
_STATUS = {
    ScriptVerifyStatus.ERROR_INVALID_FLAGS_COMBINATION: Refusal.INVALID_FLAGS,
    ScriptVerifyStatus.ERROR_SPENT_OUTPUTS_REQUIRED: Refusal.SPENT_OUTPUTS_REQUIRED,
}


@dataclass(frozen=True)
class Verdict:
    index: int
    refusal: Refusal | None  # None: the kernel accepted this input

    @property
    def ok(self) -> bool:
        return self.refusal is None


class KernelRefused(AssertionError):
    """Bitcoin Core's interpreter refused input `index` of transaction `txid`."""

    def __init__(self, txid: str, verdict: Verdict) -> None:
        assert verdict.refusal is not None
        super().__init__(
            f"libbitcoinkernel refused input {verdict.index} of {txid}: {verdict.refusal.value}"
        )
        self.txid = txid
        self.index = verdict.index
        self.kind = verdict.refusal


def _accepts(
    spk: ScriptPubkey,
    amount: int,
    tx: Transaction,
    txdata: PrecomputedTransactionData,
    index: int,
    flags: Flags,
) -> bool:
    return bool(spk.verify(amount, tx, txdata, index, flags))


def verdicts(
    raw_tx: bytes, spent: Sequence[TxOutput], flags: Flags = CONSENSUS
) -> tuple[Verdict, ...]:
    """The kernel's verdict on each input; `spent[i]` is the output input i spends."""
    if int(flags) & ~int(Flags.ALL):
        raise ValueError("a flag the kernel does not know would abort the process")
    tx = Transaction(raw_tx)
    if len(spent) != len(tx.inputs):
        raise ValueError(f"{len(tx.inputs)} inputs but {len(spent)} spent outputs given")
    outputs = [KernelOutput(ScriptPubkey(o.script), o.value) for o in spent]
    txdata = PrecomputedTransactionData(tx, outputs)
    out = []
    for index, o in enumerate(spent):
        spk = ScriptPubkey(o.script)
        try:
            if _accepts(spk, o.value, tx, txdata, index, flags):
                out.append(Verdict(index, None))
                continue
        except ScriptVerifyException as exc:
            out.append(Verdict(index, _STATUS[exc.status]))
            continue
        kind = next(
            (
                k
                for rule, k in _SINGLE_RULES
                if flags & rule
                and _accepts(spk, o.value, tx, txdata, index, Flags(flags & ~int(rule)))
            ),
            Refusal.SCRIPT,
        )
        out.append(Verdict(index, kind))
    return tuple(out)


def txid_of(raw_tx: bytes) -> str:
    return str(Transaction(raw_tx).txid)


def verify_btc_tx(raw_tx: bytes, spent: Sequence[TxOutput]) -> None:
    """Raise KernelRefused (an AssertionError) for the first input Bitcoin's consensus
    script rules refuse. For BTC-side (Bitcoin) transactions only."""
    for verdict in verdicts(raw_tx, spent):
        if not verdict.ok:
            raise KernelRefused(txid_of(raw_tx), verdict)


async def spent_outputs(
    backend: ChainBackend, raw_tx: bytes, timeout: float = 10.0
) -> list[TxOutput] | None:
    """The outputs `raw_tx` spends, from the node's transactions (mempool or -txindex);
    None when a parent stays unknown (the node will refuse the spend for missing inputs)."""
    out = []
    for tin in Transaction(raw_tx).inputs:
        txid, vout = str(tin.out_point.txid), tin.out_point.index
        deadline = time.monotonic() + timeout
        while (info := await backend.get_tx(txid)) is None:
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(0.05)
        parent = Transaction(info.raw).outputs[vout]
        out.append(TxOutput(bytes(parent.script_pubkey), parent.amount))
    return out


@dataclass
class KernelLedger:
    """What the kernel checked: txid -> number of inputs; refusals; unknown parents."""

    verified: dict[str, int] = field(default_factory=dict)
    refused: list[KernelRefused] = field(default_factory=list)
    unknown_parents: list[str] = field(default_factory=list)


# Every in-process check of this test session, for the closing summary (tests/conftest.py).
SESSION = KernelLedger()
KERNEL_LOG = "kernel-verified.txt"  # in an engine process's datadir: "<txid> <inputs>" lines


def absorb_log(path: Path) -> dict[str, int]:
    """The transactions another process's KernelCheckedBackend verified (added to SESSION);
    a line "? <txid>" is one it could not check, which fails here."""
    verified: dict[str, int] = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        assert not line.startswith("?"), f"not verified (a parent unknown): {line}"
        txid, inputs = line.split()
        verified[txid] = int(inputs)
    SESSION.verified.update(verified)
    return verified


class KernelCheckedBackend:
    """A BTC-side backend whose `broadcast` first has the kernel verify the transaction
    against the outputs it spends (looked up from the same node); a refused one never
    reaches the node. Everything else is delegated. `log`: also append each verified txid
    to this file (for engines in another process)."""

    def __init__(self, inner: ChainBackend, log: Path | None = None) -> None:
        self._inner = inner
        self._log = log
        self.ledger = KernelLedger()
        self._checked: set[bytes] = set()  # raw bytes: a rebroadcast is not looked up again

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def broadcast(self, raw: bytes) -> str:
        if raw not in self._checked:
            await self._verify(raw)
        return await self._inner.broadcast(raw)

    async def _verify(self, raw: bytes) -> None:
        txid = txid_of(raw)
        spent = await spent_outputs(self._inner, raw)
        if spent is None:
            for ledger in (self.ledger, SESSION):
                ledger.unknown_parents.append(txid)
            self._write(f"? {txid}")
            return
        try:
            verify_btc_tx(raw, spent)
        except KernelRefused as exc:
            for ledger in (self.ledger, SESSION):
                ledger.refused.append(exc)
            raise
        self._checked.add(raw)
        for ledger in (self.ledger, SESSION):
            ledger.verified[txid] = len(spent)
        self._write(f"{txid} {len(spent)}")

    def _write(self, line: str) -> None:
        if self._log is not None:
            with self._log.open("a") as f:
                f.write(line + "\n")

    def check_clean(self) -> None:
        """No refusal and no transaction left unverified (parents the node never knew)."""
        assert not self.ledger.refused, self.ledger.refused
        assert not self.ledger.unknown_parents, self.ledger.unknown_parents
