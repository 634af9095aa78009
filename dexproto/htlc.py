"""The §9 HTLC contract as a byte template with named positions, and the §9 lock times.

Layout (97 bytes; 98 when the lock time needs a 5-byte script number):

    pos  bytes                         meaning
      0  63                            OP_IF
      1  82 01 20 88                   OP_SIZE <32> OP_EQUALVERIFY
      5  a8 20                         OP_SHA256 PUSH32
      7  <secret hash, 32>
     39  88 76 a9 14                   OP_EQUALVERIFY OP_DUP OP_HASH160 PUSH20
     43  <recipient pkh, 20>
     63  67                            OP_ELSE
     64  04|05 <lock time, 4|5>        minimal CScriptNum push
   69|70 b1 75 76 a9 14                OP_CHECKLOCKTIMEVERIFY OP_DROP OP_DUP OP_HASH160 PUSH20
   74|75 <refund pkh, 20>
   94|95 68 88 ac                      OP_ENDIF OP_EQUALVERIFY OP_CHECKSIG

The spec's "4-byte script number" holds for every lock time below 2**31 (until 2038-01-19);
from there CScriptNum needs a fifth byte to keep the sign bit clear, which CLTV accepts.

Shared by the client (app/swap/htlc.py audits a counterparty's contract against it) and the
server (dexserver/settlement.py checks an `init`). No I/O in this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from dexproto.address import address_from_script, p2wsh_script
from dexproto.assets import AssetParams
from dexproto.errors import ContractError

SECRET_SIZE = 32
HASH_SIZE = 32
PKH_SIZE = 20
# Lock times are UNIX seconds (spec §9); below this the chain reads them as block heights.
MIN_LOCK_TIME = 500_000_000
MAX_LOCK_TIME = 0xFFFF_FFFF  # nLockTime is a uint32
LOCK_TIME_SLACK_MS = 60_000  # §9: a maker contract may lock up to one minute early

# Template pieces: literal bytes and named fields, in order.
_HEAD = bytes.fromhex("6382012088a820")  # OP_IF OP_SIZE <32> OP_EQUALVERIFY OP_SHA256 PUSH32
_AFTER_HASH = bytes.fromhex("8876a914")  # OP_EQUALVERIFY OP_DUP OP_HASH160 PUSH20
_ELSE = bytes.fromhex("67")
_AFTER_LOCK = bytes.fromhex("b17576a914")  # CLTV OP_DROP OP_DUP OP_HASH160 PUSH20
_TAIL = bytes.fromhex("6888ac")  # OP_ENDIF OP_EQUALVERIFY OP_CHECKSIG

SECRET_HASH_POS = len(_HEAD)  # 7
RECIPIENT_PKH_POS = SECRET_HASH_POS + HASH_SIZE + len(_AFTER_HASH)  # 43
LOCK_TIME_PUSH_POS = RECIPIENT_PKH_POS + PKH_SIZE + len(_ELSE)  # 64: the push opcode
LOCK_TIME_POS = LOCK_TIME_PUSH_POS + 1  # 65
CONTRACT_SIZE = LOCK_TIME_POS + 4 + len(_AFTER_LOCK) + PKH_SIZE + len(_TAIL)  # 97
MAX_CONTRACT_SIZE = CONTRACT_SIZE + 1  # 98, 5-byte lock time


def refund_pkh_pos(lock_time_len: int) -> int:
    """Offset of the refund key hash; it moves with the lock time's encoded length (4 or 5)."""
    return LOCK_TIME_POS + lock_time_len + len(_AFTER_LOCK)


def encode_script_num(value: int) -> bytes:
    """Minimal little-endian CScriptNum encoding (sign bit in the top byte)."""
    if value == 0:
        return b""
    magnitude = abs(value)
    out = bytearray()
    while magnitude:
        out.append(magnitude & 0xFF)
        magnitude >>= 8
    if out[-1] & 0x80:
        out.append(0x80 if value < 0 else 0x00)  # extra byte keeps the sign bit free
    elif value < 0:
        out[-1] |= 0x80
    return bytes(out)


def decode_script_num(data: bytes) -> int:
    """Inverse of encode_script_num; does not enforce minimality (callers compare bytes)."""
    if not data:
        return 0
    value = int.from_bytes(data, "little")
    if data[-1] & 0x80:
        return -(value & ~(0x80 << (8 * (len(data) - 1))))
    return value


@dataclass(frozen=True)
class Contract:
    """The parameters of one §9 contract; validated on construction."""

    secret_hash: bytes
    recipient_pkh: bytes
    refund_pkh: bytes
    lock_time: int

    def __post_init__(self) -> None:
        if len(self.secret_hash) != HASH_SIZE:
            raise ContractError("The contract's secret hash must be 32 bytes.")
        if len(self.recipient_pkh) != PKH_SIZE or len(self.refund_pkh) != PKH_SIZE:
            raise ContractError("The contract's key hashes must be 20 bytes.")
        if not MIN_LOCK_TIME <= self.lock_time <= MAX_LOCK_TIME:
            raise ContractError(
                "The contract's lock time is not a UNIX time.", f"lock time {self.lock_time}"
            )

    def to_script(self) -> bytes:
        lock = encode_script_num(self.lock_time)
        return b"".join(
            (
                _HEAD,
                self.secret_hash,
                _AFTER_HASH,
                self.recipient_pkh,
                _ELSE,
                bytes([len(lock)]),
                lock,
                _AFTER_LOCK,
                self.refund_pkh,
                _TAIL,
            )
        )

    def p2wsh_script(self) -> bytes:
        return p2wsh_script(self.to_script())

    def address(self, asset: AssetParams) -> str:
        return address_from_script(self.p2wsh_script(), asset)

    @classmethod
    def parse(cls, script: bytes) -> Contract:
        """Read a contract; anything but the exact template (minimal pushes) is ContractError."""
        if len(script) not in (CONTRACT_SIZE, MAX_CONTRACT_SIZE):
            raise ContractError("Not a swap contract.", f"length {len(script)}")
        lock_len = script[LOCK_TIME_PUSH_POS]
        if lock_len not in (4, 5) or len(script) != CONTRACT_SIZE - 4 + lock_len:
            raise ContractError("Not a swap contract.", "lock time push")
        refund_pos = refund_pkh_pos(lock_len)
        contract = cls(
            secret_hash=script[SECRET_HASH_POS : SECRET_HASH_POS + HASH_SIZE],
            recipient_pkh=script[RECIPIENT_PKH_POS : RECIPIENT_PKH_POS + PKH_SIZE],
            refund_pkh=script[refund_pos : refund_pos + PKH_SIZE],
            lock_time=decode_script_num(script[LOCK_TIME_POS : LOCK_TIME_POS + lock_len]),
        )  # out-of-range fields raise ContractError here
        # Rebuilding checks every literal opcode and the minimality of the lock time at once.
        if contract.to_script() != script:
            raise ContractError("Not a swap contract.", "template bytes differ")
        return contract


# -- lock times (§9) -------------------------------------------------------------------------
def lock_time_from_match(match_time_ms: int, duration_ms: int) -> int:
    """UNIX seconds at which a contract made for this match may be refunded."""
    return (match_time_ms + duration_ms) // 1000


def maker_lock_time(match_time_ms: int, maker_ms: int) -> int:
    return lock_time_from_match(match_time_ms, maker_ms)


def taker_lock_time(match_time_ms: int, taker_ms: int) -> int:
    return lock_time_from_match(match_time_ms, taker_ms)


def min_maker_lock_time(match_time_ms: int, maker_ms: int) -> int:
    """Earliest maker lock time the taker accepts: match time + maker duration − 1 minute."""
    return lock_time_from_match(match_time_ms, maker_ms - LOCK_TIME_SLACK_MS)


def taker_min_maker_lock_time(match_time_ms: int, maker_ms: int, taker_ms: int, gap_ms: int) -> int:
    """Earliest maker lock time the taker accepts: the match's (`min_maker_lock_time`) and
    at least `gap_ms` (rounded up to a second) after the taker's own lock time, whatever
    durations the server configured: without the gap a maker could refund its contract
    before our own one becomes refundable, and still redeem ours."""
    own = taker_lock_time(match_time_ms, taker_ms)
    return max(min_maker_lock_time(match_time_ms, maker_ms), own + -(-gap_ms // 1000))


def min_taker_lock_time(match_time_ms: int, taker_ms: int) -> int:
    """The same slack applied by the maker when it audits the taker's contract."""
    return lock_time_from_match(match_time_ms, taker_ms - LOCK_TIME_SLACK_MS)
