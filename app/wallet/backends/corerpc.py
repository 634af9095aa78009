"""Chain backend for Bitcoin Core / Litecoin Core over JSON-RPC (no node wallet needed).

We talk to the node in raw scripts and descriptors, never address strings: a Litecoin node
may stand in for the BTC chain and would only speak rltc addresses.

Confirmed coins come from `scantxoutset` with `raw(<hex>)` descriptors (one scan per call for
all scripts); the mempool is walked with `getrawmempool` + batched verbose
`getrawtransaction`. Only one scan may run per node, so scans are serialized with a lock and
retried while another client's scan is in progress. The node needs `-txindex` for `get_tx` of
confirmed transactions that are not in its mempool (the simnet nodes run with it).

Given `network` (a NetworkCheck: the genesis hashes the wallet's network allows), the first
call asks the node for `getblockhash 0` and refuses a node of another network with
WrongNetworkError before anything else is asked or sent; once it matched it is not asked again.

Two caches. txid -> (inputs, outputs) of mempool transactions: a txid commits to both, so an
entry can never be wrong, and it is pruned to the node's current mempool on every walk. And,
per outpoint `find_spend` looks for, the hashes of the blocks it already read without finding
the spend: the next search reads only newer blocks, so a spend that stays in the mempool, or
an output that never appears (a vanished counterparty init), costs a few calls per tick, not
a scan of every block since the audit (M7). The remembered hashes are checked against the
node's best chain first: after a reorg the search resumes at the fork point.
Transactions from `get_tx` are checked against the txid asked for (app/wallet/txparse.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Collection, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from app.wallet.backends.base import (
    BlockInfo,
    ChainBackend,
    NodeAuthError,
    SpendInfo,
    SyncState,
    TxInfo,
    TxRejectedError,
    WrongNetworkError,
)
from app.wallet.backends.jsonrpc import (
    MAX_REPLY_BYTES,
    JsonRpcClient,
    RpcFailure,
    as_bytes,
    as_dict,
    as_hash,
    as_int,
    as_list,
    coins_to_atoms,
    get,
)
from app.wallet.backends.rpcauth import RpcAuth
from app.wallet.coins import Outpoint, Utxo
from app.wallet.errors import NodeResponseError, NodeUnreachableError
from app.wallet.txparse import check_txid

log = logging.getLogger(__name__)

# Core's RPC error codes we act on.
RPC_INVALID_ADDRESS_OR_KEY = -5  # no such transaction
RPC_VERIFY_ERROR = -25  # e.g. missing or spent inputs
RPC_VERIFY_REJECTED = -26  # policy or consensus rejection
RPC_VERIFY_ALREADY_IN_CHAIN = -27
RPC_DESERIALIZATION_ERROR = -22
_ALREADY_KNOWN = ("txn-already-in-mempool", "txn-already-known")
# A blocks() long poll's wait: a few seconds, so a reorg to a lower tip is still seen soon
# and the node's RPC thread it holds is handed back often.
LONG_POLL_SECONDS = 5.0
MAX_SCANS = 1000  # outpoints whose scanned blocks are remembered (the least recent dropped)


@dataclass(frozen=True)
class NetworkCheck:
    """What the node's block 0 must be for the wallet's network."""

    genesis: Collection[str]
    chain: str  # "Litecoin"
    network: str  # "mainnet"


@dataclass(frozen=True)
class _MempoolTx:
    inputs: tuple[Outpoint, ...]  # in vin order; MWEB inputs are left out
    outputs: tuple[tuple[int, bytes, int], ...]  # (n, script, value)


@dataclass
class _Scan:
    """Blocks from `from_height` on already searched for one outpoint's spend, with no spend
    in them: `hashes[i]` is the hash of block `from_height + i` as it was read."""

    from_height: int
    hashes: list[str]

    @property
    def next_height(self) -> int:
        return self.from_height + len(self.hashes)


@dataclass(frozen=True)
class _Snapshot:
    confirmed: list[Utxo]
    mempool_outputs: list[Utxo]
    mempool_spent: set[Outpoint]


def _outputs_of(tx: dict[str, Any]) -> tuple[tuple[int, bytes, int], ...]:
    outputs = []
    for raw_out in as_list(get(tx, "vout", "tx"), "tx.vout"):
        out = as_dict(raw_out, "tx.vout[]")
        if "scriptPubKey" not in out:  # Litecoin MWEB outputs have no script
            continue
        spk = as_dict(out["scriptPubKey"], "vout.scriptPubKey")
        outputs.append(
            (
                as_int(get(out, "n", "vout"), "vout.n"),
                as_bytes(get(spk, "hex", "scriptPubKey"), "scriptPubKey.hex"),
                coins_to_atoms(get(out, "value", "vout"), "vout.value"),
            )
        )
    return tuple(outputs)


def _witness_of(tx: dict[str, Any], index: int) -> tuple[bytes, ...]:
    """The witness stack of input `index` as the node decoded it (`txinwitness`; absent for
    an input without one). The node's JSON reads every serialization it accepts, MWEB too."""
    vin = as_dict(as_list(get(tx, "vin", "tx"), "tx.vin")[index], "tx.vin[]")
    items = as_list(vin.get("txinwitness", []), "vin.txinwitness")
    return tuple(as_bytes(item, "vin.txinwitness[]") for item in items)


def _inputs_of(tx: dict[str, Any]) -> list[Outpoint | None]:
    """Outpoints in vin order; None for coinbase and MWEB inputs (keeps indexes right)."""
    inputs: list[Outpoint | None] = []
    for raw_in in as_list(get(tx, "vin", "tx"), "tx.vin"):
        vin = as_dict(raw_in, "tx.vin[]")
        if "txid" in vin and "vout" in vin:
            inputs.append(
                Outpoint(as_hash(vin["txid"], "vin.txid"), as_int(vin["vout"], "vin.vout"))
            )
        else:
            inputs.append(None)
    return inputs


def _spend_in_block(outpoint: Outpoint, block: dict[str, Any], height: int) -> SpendInfo | None:
    """The spend of `outpoint` in a verbose (`getblock <hash> 2`) block, or None."""
    for raw_tx in as_list(get(block, "tx", "block"), "block.tx"):
        tx = as_dict(raw_tx, "block.tx[]")
        for index, spent in enumerate(_inputs_of(tx)):
            if spent == outpoint:
                return SpendInfo(
                    txid=as_hash(get(tx, "txid", "tx"), "tx.txid"),
                    vin=index,
                    raw=as_bytes(get(tx, "hex", "tx"), "tx.hex"),
                    height=height,
                    witness=_witness_of(tx, index),
                )
    return None


class CoreRpcBackend(ChainBackend):
    """ChainBackend over a Core node's JSON-RPC."""

    def __init__(
        self,
        url: str,
        user: str = "",
        password: str = "",
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        scan_timeout: float = 600.0,
        poll_interval: float = 1.0,
        batch_size: int = 500,
        max_reply_bytes: int = MAX_REPLY_BYTES,
        auth: RpcAuth | None = None,
        network: NetworkCheck | None = None,
        long_poll: float = LONG_POLL_SECONDS,
    ) -> None:
        self._rpc = JsonRpcClient(
            url,
            user,
            password,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_reply_bytes=max_reply_bytes,
            auth=auth,
        )
        self._network = network
        self._network_ok = network is None
        self._network_lock = asyncio.Lock()
        self.url = self._rpc.url
        self.scan_timeout = scan_timeout  # a mainnet UTXO-set scan takes minutes
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self._scan_lock = asyncio.Lock()
        self._mempool_cache: dict[str, _MempoolTx] = {}
        self._scans: dict[Outpoint, _Scan] = {}
        self.long_poll = long_poll  # seconds a blocks() long poll waits; 0: poll instead
        self._long_poll_refused = False
        self._watches: set[JsonRpcClient] = set()  # the long polls' own connections
        self._closes = 0

    async def call(self, method: str, *params: Any) -> Any:
        """Any RPC by name: the result, or NodeResponseError carrying the node's code."""
        await self.check_network()
        return await self._rpc.call(method, params)

    async def check_network(self) -> None:
        """Raise WrongNetworkError unless the node's genesis block is the expected one; asks
        the node once (a failed or refused check is asked again at the next call)."""
        if self._network_ok:
            return
        async with self._network_lock:
            if self._network_ok or self._network is None:
                return
            genesis = as_hash(await self._rpc.call("getblockhash", [0]), "getblockhash 0")
            if genesis not in self._network.genesis:
                raise WrongNetworkError(
                    self.url, self._network.chain, self._network.network, genesis
                )
            self._network_ok = True

    async def close(self) -> None:
        self._closes += 1  # ends every blocks() iteration running now
        watches, self._watches = list(self._watches), set()
        for watch in watches:
            await watch.close()
        await self._rpc.close()

    # -- blocks ---------------------------------------------------------------------------
    async def _best_hash(self) -> str:
        return as_hash(await self.call("getbestblockhash"), "getbestblockhash")

    async def _header(self, block_hash: str) -> BlockInfo:
        header = as_dict(await self.call("getblockheader", block_hash, True), "header")
        return BlockInfo(
            height=as_int(get(header, "height", "header"), "header.height"),
            hash=as_hash(get(header, "hash", "header"), "header.hash"),
            time=as_int(get(header, "time", "header"), "header.time"),
            median_time=as_int(get(header, "mediantime", "header"), "header.mediantime"),
        )

    async def tip(self) -> BlockInfo:
        return await self._header(await self._best_hash())

    async def median_time_past(self) -> int:
        info = as_dict(await self.call("getblockchaininfo"), "getblockchaininfo")
        return as_int(get(info, "mediantime", "getblockchaininfo"), "mediantime")

    async def sync_state(self) -> SyncState:
        info = as_dict(await self.call("getblockchaininfo"), "getblockchaininfo")
        ibd = get(info, "initialblockdownload", "getblockchaininfo")
        if not isinstance(ibd, bool):
            raise NodeResponseError("getblockchaininfo.initialblockdownload is not a boolean")
        best = as_hash(get(info, "bestblockhash", "getblockchaininfo"), "bestblockhash")
        return SyncState(ibd, (await self._header(best)).time)

    async def blocks(self, since: str | None = None) -> AsyncGenerator[BlockInfo, None]:
        """New tips as the node announces them: a `waitforblockheight` long poll on a
        connection of its own (it holds that connection for up to `long_poll` seconds, so it
        never queues the other calls), polling `getbestblockhash` when the node refuses it.
        Ends quietly when the backend is closed."""
        closes = self._closes
        tip = await self.tip()
        last = since if since is not None else tip.hash
        # The call timeout exceeds the long poll's own, or every quiet wait would time out.
        watch = JsonRpcClient(
            self.url,
            timeout=self.long_poll + self._rpc.timeout,
            connect_timeout=self._rpc.connect_timeout,
            auth=self._rpc.auth,
        )
        self._watches.add(watch)
        try:
            while True:
                if tip.hash != last:
                    last = tip.hash
                    yield tip
                try:
                    tip = await self._next_tip(watch, tip, closes)
                except NodeUnreachableError:
                    if self._closes != closes:  # close() cut the long poll: no failure
                        return
                    raise
                if self._closes != closes:
                    return
        finally:
            self._watches.discard(watch)
            await watch.close()

    async def _next_tip(self, watch: JsonRpcClient, tip: BlockInfo, closes: int) -> BlockInfo:
        """The tip once a block above `tip` arrives or the long poll times out (which also
        catches a reorg to a branch no higher than ours); `tip` itself when the backend was
        closed meanwhile (nothing more is asked: a call would open a new session)."""
        best = tip.hash
        poll = self.long_poll <= 0 or self._long_poll_refused
        if not poll:
            try:
                reply = as_dict(
                    await watch.call(
                        "waitforblockheight", [tip.height + 1, int(self.long_poll * 1000)]
                    ),
                    "waitforblockheight",
                )
                best = as_hash(get(reply, "hash", "waitforblockheight"), "waitforblockheight")
            except NodeAuthError as exc:
                if exc.status == 401:  # our credentials: as much a failure as any call's
                    raise
                self._refuse_long_poll(exc)  # 403: an -rpcwhitelist without the call
                poll = True
            except NodeUnreachableError:
                raise
            except NodeResponseError as exc:
                if exc.code is not None:  # the node's own error: an old node, say
                    self._refuse_long_poll(exc)
                poll = True  # else a passing refusal ("Work queue depth exceeded")
        if poll:
            await asyncio.sleep(self.poll_interval)
            if self._closes != closes:
                return tip
            best = await self._best_hash()
        if best == tip.hash or self._closes != closes:
            return tip
        return await self._header(best)

    def _refuse_long_poll(self, exc: Exception) -> None:
        log.info(
            "%s refuses waitforblockheight (%s); polling for blocks every %s s",
            self.url,
            exc,
            self.poll_interval,
        )
        self._long_poll_refused = True

    # -- coins ----------------------------------------------------------------------------
    async def _scan_utxo_set(self, scripts: Sequence[bytes]) -> tuple[str, list[Utxo]]:
        await self.check_network()
        """(best block hash of the scan, confirmed outputs paying `scripts`)."""
        descriptors = [{"desc": f"raw({s.hex()})"} for s in dict.fromkeys(scripts)]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.scan_timeout
        delay = 0.05
        async with self._scan_lock:
            while True:
                try:
                    reply = await self._rpc.call(
                        "scantxoutset", ["start", descriptors], timeout=self.scan_timeout
                    )
                    break
                except NodeResponseError as exc:
                    # Another client's scan holds the node's single scan slot: wait it out.
                    if "in progress" not in str(exc) or loop.time() > deadline:
                        raise
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 1.0)
        scan = as_dict(reply, "scantxoutset")
        if get(scan, "success", "scantxoutset") is not True:
            raise NodeResponseError("the node's UTXO-set scan did not complete")
        height = as_int(get(scan, "height", "scantxoutset"), "scantxoutset.height")
        best = as_hash(get(scan, "bestblock", "scantxoutset"), "scantxoutset.bestblock")
        wanted = set(scripts)
        coins = []
        for raw in as_list(get(scan, "unspents", "scantxoutset"), "unspents"):
            item = as_dict(raw, "unspents[]")
            script = as_bytes(get(item, "scriptPubKey", "unspent"), "unspent.scriptPubKey")
            if script not in wanted:
                raise NodeResponseError("the node's scan returned a script we did not ask for")
            coin_height = as_int(get(item, "height", "unspent"), "unspent.height")
            coins.append(
                Utxo(
                    outpoint=Outpoint(
                        as_hash(get(item, "txid", "unspent"), "unspent.txid"),
                        as_int(get(item, "vout", "unspent"), "unspent.vout"),
                    ),
                    value=coins_to_atoms(get(item, "amount", "unspent"), "unspent.amount"),
                    script=script,
                    height=coin_height,
                    confirmations=height - coin_height + 1,
                )
            )
        return best, coins

    async def _mempool(self) -> dict[str, _MempoolTx]:
        txids = [
            as_hash(t, "mempool txid")
            for t in as_list(await self.call("getrawmempool"), "getrawmempool")
        ]
        current = set(txids)
        for gone in set(self._mempool_cache) - current:
            del self._mempool_cache[gone]
        missing = [t for t in txids if t not in self._mempool_cache]
        for start in range(0, len(missing), self.batch_size):
            chunk = missing[start : start + self.batch_size]
            replies = await self._rpc.batch([("getrawtransaction", [t, True]) for t in chunk])
            for txid, reply in zip(chunk, replies, strict=True):
                if isinstance(reply, RpcFailure):
                    if reply.code == RPC_INVALID_ADDRESS_OR_KEY:
                        continue  # left the mempool since the listing: mined or replaced
                    raise NodeResponseError(reply.message, code=reply.code)
                tx = as_dict(reply, "mempool tx")
                inputs = tuple(o for o in _inputs_of(tx) if o is not None)
                self._mempool_cache[txid] = _MempoolTx(inputs, _outputs_of(tx))
        return {t: self._mempool_cache[t] for t in txids if t in self._mempool_cache}

    async def _snapshot(self, scripts: Sequence[bytes]) -> _Snapshot:
        wanted = set(scripts)
        for _attempt in range(3):
            best, confirmed = await self._scan_utxo_set(scripts)
            mempool = await self._mempool()
            # A block found between the scan and the mempool walk would hide its coins
            # from both views: take the snapshot again.
            if await self._best_hash() == best:
                break
        outputs = [
            Utxo(Outpoint(txid, n), value, script, 0, 0)
            for txid, tx in mempool.items()
            for n, script, value in tx.outputs
            if script in wanted
        ]
        spent = {o for tx in mempool.values() for o in tx.inputs}
        return _Snapshot(confirmed, outputs, spent)

    async def utxos(self, scripts: Sequence[bytes]) -> list[Utxo]:
        if not scripts:
            return []
        snap = await self._snapshot(scripts)
        coins = [
            u for u in snap.confirmed + snap.mempool_outputs if u.outpoint not in snap.mempool_spent
        ]
        return sorted(coins, key=lambda u: u.outpoint)

    async def used_scripts(self, scripts: Sequence[bytes]) -> set[bytes]:
        # Limitation: only the UTXO set and the mempool are visible (see the base class).
        if not scripts:
            return set()
        snap = await self._snapshot(scripts)
        return {u.script for u in snap.confirmed + snap.mempool_outputs}

    # -- transactions ---------------------------------------------------------------------
    async def _tx_json(self, txid: str) -> dict[str, Any] | None:
        try:
            reply = await self.call("getrawtransaction", txid, True)
        except NodeResponseError as exc:
            if exc.code == RPC_INVALID_ADDRESS_OR_KEY:
                return None
            raise
        return as_dict(reply, "getrawtransaction")

    async def _tx_info(self, tx: dict[str, Any]) -> TxInfo:
        confirmations = as_int(tx.get("confirmations", 0), "tx.confirmations")
        height = block_time = None
        if confirmations > 0:
            block_hash = as_hash(get(tx, "blockhash", "tx"), "tx.blockhash")
            height = (await self._header(block_hash)).height
            block_time = as_int(get(tx, "blocktime", "tx"), "tx.blocktime")
        return TxInfo(
            txid=as_hash(get(tx, "txid", "tx"), "tx.txid"),
            raw=as_bytes(get(tx, "hex", "tx"), "tx.hex"),
            confirmations=max(confirmations, 0),
            height=height,
            block_time=block_time,
        )

    async def get_tx(self, txid: str) -> TxInfo | None:
        """The transaction, checked against the txid asked for: its hex must hash to it
        (a node answering with another transaction is a NodeResponseError, L10)."""
        tx = await self._tx_json(txid)
        if tx is None:
            return None
        info = await self._tx_info(tx)
        if info.txid != txid:
            raise NodeResponseError(f"the node sent transaction {info.txid} when asked for {txid}")
        check_txid(info.raw, txid, "the node")
        return info

    async def confirmations(self, txid: str) -> int | None:
        tx = await self._tx_json(txid)
        if tx is None:
            return None
        return max(as_int(tx.get("confirmations", 0), "tx.confirmations"), 0)

    async def output_spent(self, outpoint: Outpoint) -> bool:
        if await self.call("gettxout", outpoint.txid, outpoint.vout, True) is not None:
            return False
        tx = await self._tx_json(outpoint.txid)
        # Not in the UTXO set or mempool: spent if the output exists at all.
        return tx is not None and any(n == outpoint.vout for n, _, _ in _outputs_of(tx))

    async def find_spend(self, outpoint: Outpoint, from_height: int) -> SpendInfo | None:
        if await self.call("gettxout", outpoint.txid, outpoint.vout, True) is not None:
            return None  # still unspent, even counting the mempool
        scan = await self._resume_scan(outpoint, max(from_height, 0))
        while True:
            tip_height = as_int(await self.call("getblockcount"), "getblockcount")
            while scan.next_height <= tip_height:
                h = scan.next_height
                block_hash = as_hash(await self.call("getblockhash", h), "getblockhash")
                block = as_dict(await self.call("getblock", block_hash, 2), "getblock")
                if scan.hashes and block.get("previousblockhash") != scan.hashes[-1]:
                    scan.hashes.pop()  # the chain changed under us: read the one below again
                    continue
                found = _spend_in_block(outpoint, block, h)
                if found is not None:
                    return found  # not remembered as scanned: found again if asked again
                scan.hashes.append(block_hash)
            found = await self._spend_in_mempool(outpoint)
            if found is not None:
                return found
            # The spend may have left the mempool for a block we have not read yet.
            if as_int(await self.call("getblockcount"), "getblockcount") == tip_height:
                return None

    async def _resume_scan(self, outpoint: Outpoint, from_height: int) -> _Scan:
        """Where the search for this outpoint's spend goes on: after the blocks already read
        with no spend in them (M7), back to the fork point when the chain reorganized."""
        scan = self._scans.pop(outpoint, None)
        if scan is None or scan.from_height != from_height:
            scan = _Scan(from_height, [])
        self._scans[outpoint] = scan  # most recently used last
        while len(self._scans) > MAX_SCANS:
            del self._scans[next(iter(self._scans))]
        if scan.hashes:
            tip_height = as_int(await self.call("getblockcount"), "getblockcount")
            del scan.hashes[max(tip_height + 1 - from_height, 0) :]  # above a shorter tip
        while scan.hashes:  # drop blocks no longer in the best chain (a reorg)
            top = scan.next_height - 1
            if as_hash(await self.call("getblockhash", top), "getblockhash") == scan.hashes[-1]:
                break
            scan.hashes.pop()
        return scan

    async def _spend_in_mempool(self, outpoint: Outpoint) -> SpendInfo | None:
        for txid, mempool_tx in (await self._mempool()).items():
            if outpoint not in mempool_tx.inputs:
                continue
            tx = await self._tx_json(txid)
            if tx is None:
                return None  # just left the mempool; the caller's next look finds it
            index = _inputs_of(tx).index(outpoint)
            info = await self._tx_info(tx)
            return SpendInfo(
                txid=txid,
                vin=index,
                raw=info.raw,
                height=info.height,
                witness=_witness_of(tx, index),
            )
        return None

    async def broadcast(self, raw: bytes) -> str:
        try:
            return as_hash(await self.call("sendrawtransaction", raw.hex()), "txid")
        except NodeResponseError as exc:
            reason = exc.detail.partition(": ")[2] or str(exc)
            if exc.code == RPC_VERIFY_ALREADY_IN_CHAIN or any(k in reason for k in _ALREADY_KNOWN):
                decoded = as_dict(await self.call("decoderawtransaction", raw.hex()), "decoded")
                return as_hash(get(decoded, "txid", "decoded"), "decoded.txid")
            if exc.code in (RPC_VERIFY_ERROR, RPC_VERIFY_REJECTED, RPC_DESERIALIZATION_ERROR):
                raise TxRejectedError(reason, exc.code) from exc
            raise

    async def estimate_fee_rate(self, target_blocks: int) -> int | None:
        reply = as_dict(await self.call("estimatesmartfee", target_blocks), "estimatesmartfee")
        if "feerate" not in reply:
            return None  # "Insufficient data or no feerate found"
        per_kvb = reply["feerate"]
        if isinstance(per_kvb, bool) or not isinstance(per_kvb, (Decimal, int)):
            raise NodeResponseError("estimatesmartfee returned a non-numeric feerate")
        if per_kvb <= 0:
            return None
        # coins/kvB -> atoms/vB is x 1e8 / 1e3; exact in Decimal, rounded up.
        return int((Decimal(per_kvb) * 100_000).to_integral_value(rounding=ROUND_CEILING))

    async def min_fee_rate(self) -> int | None:
        """max(mempoolminfee, minrelaytxfee) of `getmempoolinfo`: below it the node refuses a
        transaction (a fee spike raises the mempool minimum above the relay minimum)."""
        info = as_dict(await self.call("getmempoolinfo"), "getmempoolinfo")
        rates = [info.get("mempoolminfee"), info.get("minrelaytxfee")]
        per_kvb = [r for r in rates if isinstance(r, (Decimal, int)) and not isinstance(r, bool)]
        if not per_kvb:
            return None
        return int((Decimal(max(per_kvb)) * 100_000).to_integral_value(rounding=ROUND_CEILING))
