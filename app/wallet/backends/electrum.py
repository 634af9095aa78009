"""Chain backend over Electrum servers, with SPV checks of everything a swap acts on.

Several servers per chain, used one at a time in list order: when the current one dies or
times out the next is asked (failover); a server caught in a lie (a header that breaks the
chain rules, a confirmation without a valid merkle proof, a transaction that does not hash to
its txid) is dropped for the life of the backend. Our own header chain (app.wallet.spv) is
kept across servers, so a new server has to agree with, or out-work, what we verified.

What is proven: tip, median-time-past and every confirmation height (get_tx, confirmations,
find_spend) come from our verified headers and merkle proofs. What a server can still do:
hide transactions or coins (we then wait, or ask another server), and report unconfirmed
ones wrongly; it cannot make us believe a confirmation.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any, TypeVar

from app.wallet.backends.base import BlockInfo, ChainBackend, SpendInfo, TxInfo, TxRejectedError
from app.wallet.backends.cert_pins import CertChange, CertPins, PinRefused
from app.wallet.backends.electrum_conn import ElectrumConnection, RpcError
from app.wallet.coins import Outpoint, Utxo
from app.wallet.errors import BackendError, NodeResponseError, NodeUnreachableError, WalletError
from app.wallet.header_chain import HeaderChain
from app.wallet.header_store import HeaderStore
from app.wallet.spv import (
    ChainRules,
    SpvError,
    merkle_root_from_proof,
    parse_header,
    verify_merkle,
)
from app.wallet.spv_params import candidate_rules, rules_for_genesis
from app.wallet.txparse import ParsedTx, TxParseError, parse_tx
from dexproto.assets import Network

T = TypeVar("T")
PROTOCOL = "1.4"
HEADERS_PER_REQUEST = 2016
CONN_CHECK_SECONDS = 0.25  # how often a waiting blocks() looks whether its server died
_ALREADY_KNOWN = (
    "txn-already-in-mempool",
    "txn-already-known",
    "already in block chain",
    "already in utxo set",
)


class ServerLied(BackendError):
    """The server said something our headers or hashes disprove."""


class MalformedAnswer(NodeResponseError):
    """An answer without the shape the protocol gives it (a missing key, bad hex, a txid
    that is no txid). Such a server is broken or lying, and is dropped like a liar: passed
    to the caller as an error it would stop the failover, so a liar first in the list could
    block every look-up (or, for a broadcast, pass for a rejection of our transaction)."""


@dataclass
class ServerStatus:
    url: str
    state: str = "idle"  # idle | connected | unreachable | dropped
    detail: str = ""
    height: int | None = None
    cert_change: CertChange | None = None  # refused for another certificate than the pinned


def scripthash(script: bytes) -> str:
    return hashlib.sha256(script).digest()[::-1].hex()


def coins_per_kb_to_rate(value: Any) -> int | None:
    """An Electrum fee (coins/kB; -1 for none) as atoms/vB rounded up, None when absent."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise NodeResponseError("the server returned a non-numeric fee rate")
    if value <= 0:
        return None
    return int((Decimal(value) * 100_000).to_integral_value(rounding=ROUND_CEILING))


class ElectrumBackend(ChainBackend):
    def __init__(
        self,
        servers: Sequence[str],
        symbol: str,
        network: Network,
        *,
        pins_path: Path | None = None,
        headers_dir: Path | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        batch_size: int = 250,
        poll_interval: float = 5.0,
    ) -> None:
        if not servers:
            raise ValueError("an Electrum backend needs at least one server")
        self.servers = list(servers)
        self.symbol = symbol
        self.network = network
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.batch_size = batch_size
        self.poll_interval = poll_interval  # header re-check when no notification comes
        self._pins = CertPins(pins_path)
        self._status = {url: ServerStatus(url) for url in self.servers}
        self._conn: ElectrumConnection | None = None
        self._chain: HeaderChain | None = None
        self._headers_dir = headers_dir  # where the verified headers are kept (None: memory)
        self._header_file: HeaderStore | None = None
        self._sync_lock = asyncio.Lock()  # one header sync at a time (it runs in a thread)
        self._lock = asyncio.Lock()
        self._new_header = asyncio.Event()
        self._closed = False
        self._closes = 0

    # -- servers --------------------------------------------------------------------------
    def status(self) -> list[ServerStatus]:
        return [self._status[url] for url in self.servers]

    def trust_new_certificate(self, change: CertChange) -> None:
        """The user checked the certificate a server was refused for and trusts it: that one
        (not whatever the server shows next) is pinned, and the server is asked again."""
        for status in self._status.values():
            if status.cert_change == change:
                try:
                    self._pins.trust_offered(change)
                except PinRefused as exc:  # the file is damaged, or the pin moved meanwhile
                    raise WalletError(str(exc)) from exc
                status.cert_change = None
                status.state, status.detail = "idle", ""
                return
        raise WalletError(f"no server was refused for that certificate of {change.key}")

    def status_line(self) -> str:
        """One line for the chain's status bar entry."""
        up = [s for s in self.status() if s.state == "connected"]
        if not up:
            return f"{self.symbol.upper()}: no Electrum server reachable"
        s = up[0]
        dropped = sum(1 for x in self.status() if x.state == "dropped")
        extra = f", {dropped} dropped" if dropped else ""
        return (
            f"{self.symbol.upper()}: {s.url} at height {s.height} "
            f"(verified headers to {self._chain.tip_height if self._chain else '-'}{extra})"
        )

    def _on_notify(self, method: str, params: list[Any]) -> None:
        if method == "blockchain.headers.subscribe":
            self._new_header.set()

    async def _drop(self, conn: ElectrumConnection, state: str, detail: str) -> None:
        self._status[conn.url].state = state
        self._status[conn.url].detail = detail
        if self._conn is conn:
            self._conn = None
        await conn.close()

    async def _connection(self) -> ElectrumConnection:
        closes = self._closes
        async with self._lock:
            if self._conn is not None and not self._conn.closed:
                return self._conn
            if self._conn is not None:  # its server hung up: release the socket too
                dead, self._conn = self._conn, None
                self._status[dead.url].state = "unreachable"
                await dead.close()
            problems = []
            for url in self.servers:
                if self._status[url].state == "dropped":
                    problems.append(f"{url}: dropped ({self._status[url].detail})")
                    continue
                conn = ElectrumConnection(
                    url,
                    timeout=self.timeout,
                    connect_timeout=self.connect_timeout,
                    pins=self._pins,
                    on_notify=self._on_notify,
                )
                try:
                    await conn.connect()
                    await conn.request("server.version", "cambio", PROTOCOL)
                    await self._start_chain(conn)
                    header = await conn.request("blockchain.headers.subscribe")
                    await self._sync_headers(conn, _int(header, "height"))
                except (NodeUnreachableError, NodeResponseError) as exc:
                    self._status[url].cert_change = conn.cert_change
                    await self._drop(conn, "unreachable", exc.detail or str(exc))
                    problems.append(f"{url}: {exc.detail or exc}")
                    continue
                except (ServerLied, SpvError, TxParseError, ValueError) as exc:
                    await self._drop(conn, "dropped", str(exc))
                    problems.append(f"{url}: dropped ({exc})")
                    continue
                if self._closes != closes:  # close() ran meanwhile: leave no socket open
                    await conn.close()
                    raise NodeUnreachableError(url, "the backend was closed")
                self._conn = conn
                self._status[url].state = "connected"
                self._status[url].detail = ""
                self._status[url].cert_change = None
                return conn
            raise NodeUnreachableError(", ".join(self.servers), "; ".join(problems))

    async def _call(self, fn: Callable[[ElectrumConnection], Awaitable[T]]) -> T:
        """Run `fn` on a server, moving on to the next one when it dies or lies."""
        for _attempt in range(len(self.servers) + 1):
            conn = await self._connection()
            try:
                return await fn(conn)
            except NodeUnreachableError as exc:
                await self._drop(conn, "unreachable", exc.detail)
            except (ServerLied, SpvError, TxParseError, MalformedAnswer) as exc:
                await self._drop(conn, "dropped", str(exc))
        raise NodeUnreachableError(", ".join(self.servers), "every server failed")

    # -- headers --------------------------------------------------------------------------
    async def _start_chain(self, conn: ElectrumConnection) -> None:
        genesis = _hex_bytes(await conn.request("blockchain.block.header", 0), "header 0")
        genesis_hash = hashlib.sha256(hashlib.sha256(genesis).digest()).digest()[::-1].hex()
        rules = rules_for_genesis(self.symbol, self.network, genesis_hash)
        if rules is None:
            names = ", ".join(r.name for r in candidate_rules(self.symbol, self.network))
            raise ServerLied(f"the server runs another chain (genesis {genesis_hash}), not {names}")
        if self._chain is not None:
            if self._chain.rules != rules:
                raise ServerLied(f"the server runs {rules.name}, not {self._chain.rules.name}")
            return
        stored = self._load_headers(rules)
        if stored:
            self._chain = stored
            return
        raw = (
            genesis
            if rules.checkpoint.height == 0
            else _hex_bytes(
                await conn.request("blockchain.block.header", rules.checkpoint.height), "checkpoint"
            )
        )
        self._chain = HeaderChain(rules, raw)

    def _load_headers(self, rules: ChainRules) -> HeaderChain | None:
        """Our header chain as a previous run left it (see app/wallet/header_store.py)."""
        if self._headers_dir is None:
            return None
        self._header_file = HeaderStore(self._headers_dir, rules)
        return self._header_file.load()

    async def _sync_headers(self, conn: ElectrumConnection, server_height: int) -> None:
        async with self._sync_lock:
            await self._sync_headers_locked(conn, server_height)

    async def _sync_headers_locked(self, conn: ElectrumConnection, server_height: int) -> None:
        """Fetch headers up to the server's tip; walk back to the fork point if the server
        is on another branch. A branch with less work than ours is kept out."""
        chain = self._chain
        assert chain is not None
        start = min(chain.tip_height + 1, server_height + 1)
        step = 1
        while start <= server_height:
            count = min(HEADERS_PER_REQUEST, server_height - start + 1)
            reply = await conn.request("blockchain.block.headers", start, count)
            blob = _hex_bytes(_get(reply, "hex"), "headers.hex")
            raws = [blob[i : i + 80] for i in range(0, len(blob), 80)]
            if not raws or len(blob) % 80:
                raise ServerLied(f"headers from {start}: a truncated answer")
            first = raws[0]
            if start > chain.base_height + 1 and first[4:36] != chain.hash_at(start - 1):
                start = max(chain.base_height + 1, start - step)  # a fork: look further back
                step *= 2
                continue
            # In a thread: a batch of scrypt checks takes about half a second.
            if await asyncio.to_thread(chain.connect, start, raws) and self._header_file:
                with contextlib.suppress(OSError):  # a full disk costs a re-sync, no more
                    await asyncio.to_thread(self._header_file.save, chain, start)
            start += len(raws)
        self._status[conn.url].height = server_height
        if server_height < chain.tip_height:
            return  # behind us (or on a weaker branch): its proofs are checked against ours

    async def _refresh(self, conn: ElectrumConnection) -> None:
        header = await conn.request("blockchain.headers.subscribe")
        await self._sync_headers(conn, _int(header, "height"))

    def _block(self) -> BlockInfo:
        assert self._chain is not None
        tip = self._chain.tip
        return BlockInfo(
            self._chain.tip_height, tip.hash_hex, tip.time, self._chain.median_time_past()
        )

    async def tip(self) -> BlockInfo:
        async def run(conn: ElectrumConnection) -> BlockInfo:
            await self._refresh(conn)
            return self._block()

        return await self._call(run)

    async def median_time_past(self) -> int:
        return (await self.tip()).median_time

    async def blocks(self, since: str | None = None) -> AsyncGenerator[BlockInfo, None]:
        """New tips as the server announces them (`blockchain.headers.subscribe`
        notifications, every connection subscribes), each checked into our header chain;
        re-checked every `poll_interval` without one. Ends quietly when the backend is
        closed."""
        closes = self._closes
        last = since if since is not None else (await self.tip()).hash
        while self._closes == closes:
            self._new_header.clear()  # before asking: a header announced meanwhile wakes us
            try:
                info = await self.tip()
            except NodeUnreachableError:
                if self._closes != closes:  # close() cut the call: no failure
                    return
                raise
            if info.hash != last:
                last = info.hash
                yield info
                continue
            await self._header_announced(closes)

    async def _header_announced(self, closes: int) -> None:
        """Until a header notification, a dead connection (asked again at once: the next
        server then subscribes and its notifications come here), close(), or `poll_interval`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.poll_interval
        while self._closes == closes:
            conn = self._conn
            if conn is None or conn.closed:
                return
            left = deadline - loop.time()
            if left <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_header.wait(), min(left, CONN_CHECK_SECONDS))
                return

    # -- coins ----------------------------------------------------------------------------
    async def _batch(
        self, conn: ElectrumConnection, method: str, params: Sequence[Sequence[Any]]
    ) -> list[Any]:
        results: list[Any] = []
        for start in range(0, len(params), self.batch_size):
            chunk = params[start : start + self.batch_size]
            replies = await conn.batch([(method, p) for p in chunk])
            for reply in replies:
                if isinstance(reply, RpcError):
                    raise NodeResponseError(
                        reply.message, code=reply.code, detail=f"{method}: {reply.message}"
                    )
            results.extend(replies)
        return results

    async def utxos(self, scripts: Sequence[bytes]) -> list[Utxo]:
        unique = list(dict.fromkeys(scripts))
        if not unique:
            return []

        async def run(conn: ElectrumConnection) -> list[Utxo]:
            await self._refresh(conn)
            tip = self._block().height
            replies = await self._batch(
                conn, "blockchain.scripthash.listunspent", [[scripthash(s)] for s in unique]
            )
            coins = []
            for script, reply in zip(unique, replies, strict=True):
                for item in _list(reply, "listunspent"):
                    height = max(_int(item, "height"), 0)
                    if height > tip:
                        raise ServerLied(f"a coin at height {height}, above the tip {tip}")
                    coins.append(
                        Utxo(
                            Outpoint(_txid(_get(item, "tx_hash")), _int(item, "tx_pos")),
                            _int(item, "value"),
                            script,
                            height,
                            tip - height + 1 if height else 0,
                        )
                    )
            return sorted(coins, key=lambda u: u.outpoint)

        return await self._call(run)

    async def used_scripts(self, scripts: Sequence[bytes]) -> set[bytes]:
        # The full history: a script whose coins were all spent still counts as used.
        unique = list(dict.fromkeys(scripts))
        if not unique:
            return set()

        async def run(conn: ElectrumConnection) -> set[bytes]:
            replies = await self._batch(
                conn, "blockchain.scripthash.get_history", [[scripthash(s)] for s in unique]
            )
            return {s for s, r in zip(unique, replies, strict=True) if _list(r, "history")}

        return await self._call(run)

    # -- transactions ---------------------------------------------------------------------
    async def _raw_tx(self, conn: ElectrumConnection, txid: str) -> tuple[bytes, ParsedTx] | None:
        try:
            reply = await conn.request("blockchain.transaction.get", txid)
        except NodeResponseError:
            return None  # "no such mempool or blockchain transaction"
        raw = _hex_bytes(reply, "tx")
        parsed = parse_tx(raw)
        if parsed.txid != txid:
            raise ServerLied(f"asked for {txid}, the server sent {parsed.txid}")
        return raw, parsed

    async def _history(self, conn: ElectrumConnection, script: bytes) -> list[tuple[str, int]]:
        reply = await conn.request("blockchain.scripthash.get_history", scripthash(script))
        return [
            (_txid(_get(item, "tx_hash")), _int(item, "height")) for item in _list(reply, "history")
        ]

    async def _proven_height(
        self, conn: ElectrumConnection, txid: str, raw: bytes, height: int
    ) -> int | None:
        """`height` once its merkle proof checks against our headers; None in the mempool."""
        if height <= 0:
            return None
        chain = self._chain
        assert chain is not None
        if height > chain.tip_height:
            await self._refresh(conn)
        if height > chain.tip_height:
            raise ServerLied(f"{txid} confirmed at {height}, above our verified tip")
        try:
            proof = await conn.request("blockchain.transaction.get_merkle", txid, height)
            branch = [str(h) for h in _list(_get(proof, "merkle"), "merkle")]
            pos = _int(proof, "pos")
        except NodeResponseError as exc:
            if isinstance(exc, NodeUnreachableError):
                raise
            # It told us the height itself: a claim it cannot back (an error, or a malformed
            # proof) is a lie, and must not reach the caller as a mere error (that would stop
            # the failover).
            raise ServerLied(
                f"{txid} claimed confirmed at {height}, with no proof ({exc.detail or exc})"
            ) from exc
        header = chain.at(height)
        try:
            verify_merkle(header, txid, raw, pos, branch)
        except SpvError as exc:
            # A reorg we have not seen yet puts another block at that height: an honest
            # server proves against its new branch. Catch up, and call it a lie only when
            # our (most-work) header there still disagrees.
            await self._refresh(conn)
            if chain.hash_at(height) == header.hash:
                if await self._on_weaker_branch(conn, height, txid, pos, branch):
                    return None
                raise ServerLied(str(exc)) from exc
            try:
                verify_merkle(chain.at(height), txid, raw, pos, branch)
            except SpvError as again:
                raise ServerLied(str(again)) from again
        return height

    async def _on_weaker_branch(
        self, conn: ElectrumConnection, height: int, txid: str, pos: int, branch: list[str]
    ) -> bool:
        """Whether the server holds another block at `height`, which its proof does match:
        an honest server on a branch with no more work than ours (two blocks found at once;
        the first one seen stays our tip, as in Core). The transaction is then not
        confirmed on our chain, and the server is not dropped for it: that would cost us an
        honest server at each such fork. A liar gains nothing by saying so: it is a way to
        hide a confirmation, which it could do anyway."""
        assert self._chain is not None
        try:
            theirs = parse_header(
                _hex_bytes(await conn.request("blockchain.block.header", height), "header")
            )
        except NodeResponseError as exc:
            if isinstance(exc, NodeUnreachableError):
                raise
            return False  # no block of its own to show: the bad proof stands, it lied
        return (
            theirs.hash != self._chain.hash_at(height)
            and merkle_root_from_proof(txid, pos, branch) == theirs.merkle_root
        )

    async def _tx_height(self, conn: ElectrumConnection, parsed: ParsedTx) -> int:
        """The server's height for the tx (0: mempool), from the history of one of its
        outputs' scripts (the Electrum protocol has no txid -> height lookup)."""
        for script, _ in parsed.outputs:
            if script[:1] == b"\x6a":
                continue  # OP_RETURN outputs are not indexed
            for txid, height in await self._history(conn, script):
                if txid == parsed.txid:
                    return max(height, 0)
            return 0  # not indexed yet: the server has it in its mempool at best
        return 0

    async def get_tx(self, txid: str) -> TxInfo | None:
        async def run(conn: ElectrumConnection) -> TxInfo | None:
            found = await self._raw_tx(conn, txid)
            if found is None:
                return None
            raw, parsed = found
            height = await self._proven_height(conn, txid, raw, await self._tx_height(conn, parsed))
            if height is None:
                return TxInfo(txid, raw, 0, None, None)
            assert self._chain is not None
            return TxInfo(
                txid, raw, self._chain.tip_height - height + 1, height, self._chain.at(height).time
            )

        return await self._call(run)

    async def confirmations(self, txid: str) -> int | None:
        info = await self.get_tx(txid)
        return None if info is None else info.confirmations

    async def _find_spend(
        self, conn: ElectrumConnection, outpoint: Outpoint, from_height: int
    ) -> SpendInfo | None:
        found = await self._raw_tx(conn, outpoint.txid)
        if found is None or outpoint.vout >= len(found[1].outputs):
            return None
        script = found[1].outputs[outpoint.vout][0]
        for txid, height in await self._history(conn, script):
            if txid == outpoint.txid or (0 < height < from_height):
                continue
            spender = await self._raw_tx(conn, txid)
            if spender is None:
                continue  # left the mempool since the listing
            raw, parsed = spender
            if outpoint in parsed.inputs:
                proven = await self._proven_height(conn, txid, raw, height)
                return SpendInfo(txid, parsed.inputs.index(outpoint), raw, proven)
        return None

    async def output_spent(self, outpoint: Outpoint) -> bool:
        return await self._call(lambda c: self._find_spend(c, outpoint, 0)) is not None

    async def find_spend(self, outpoint: Outpoint, from_height: int) -> SpendInfo | None:
        return await self._call(lambda c: self._find_spend(c, outpoint, from_height))

    async def broadcast(self, raw: bytes) -> str:
        async def run(conn: ElectrumConnection) -> str:
            try:
                reply = await conn.request("blockchain.transaction.broadcast", raw.hex())
            except NodeResponseError as exc:
                reason = str(exc.detail).partition(": ")[2] or str(exc)
                if any(k in reason.lower() for k in _ALREADY_KNOWN):
                    return parse_tx(raw).txid
                raise TxRejectedError(_reject_reason(reason), exc.code) from exc
            if (said := _txid(reply)) != parse_tx(raw).txid:
                raise ServerLied(f"broadcast answered with {said}, not our transaction's txid")
            return said

        return await self._call(run)

    async def estimate_fee_rate(self, target_blocks: int) -> int | None:
        return coins_per_kb_to_rate(
            await self._call(lambda c: c.request("blockchain.estimatefee", target_blocks))
        )

    async def min_fee_rate(self) -> int | None:
        return coins_per_kb_to_rate(await self._call(lambda c: c.request("blockchain.relayfee")))

    async def close(self) -> None:
        self._closed = True
        self._closes += 1  # ends every blocks() iteration running now
        self._new_header.set()
        if self._conn is not None:
            conn, self._conn = self._conn, None
            self._status[conn.url].state = "idle"
            await conn.close()


# Well-known public servers (TLS), the defaults of a light wallet on the public networks.
DEFAULT_SERVERS: dict[tuple[str, Network], tuple[str, ...]] = {
    ("btc", Network.MAINNET): (
        "ssl://electrum.blockstream.info:50002",
        "ssl://electrum.emzy.de:50002",
        "ssl://bitcoin.lu.ke:50002",
    ),
    # testnet4 (BIP94) servers: a testnet3 server is refused by its genesis block.
    ("btc", Network.TESTNET): (
        "ssl://mempool.space:40002",
        "ssl://testnet4-electrumx.wakiyamap.dev:51002",
        "ssl://blackie.c3-soft.com:57010",
    ),
    ("ltc", Network.MAINNET): (
        "ssl://electrum-ltc.bysh.me:50002",
        "ssl://electrum.ltc.xurious.com:50002",
    ),
    ("ltc", Network.TESTNET): (
        "ssl://electrum-ltc.bysh.me:51002",
        "ssl://electrum.ltc.xurious.com:51002",
    ),
}
PINS_FILE = "electrum_certs.json"
HEADERS_DIR = "headers"  # the light chains' verified headers, one file per chain


def default_servers(symbol: str, network: Network) -> tuple[str, ...]:
    return DEFAULT_SERVERS.get((symbol, network), ())


def split_servers(text: str) -> list[str]:
    """The editable server list as stored in NodeConfig.electrum: comma or space separated."""
    return [s for s in text.replace(",", " ").split() if s]


def electrum_backend(servers: str, symbol: str, network: Network, datadir: Path) -> ElectrumBackend:
    """The light backend of one asset, pinning self-signed certificates in the datadir."""
    # A regtest chain is thrown away and mined anew with the same genesis: headers kept
    # from an older one would out-work the new chain and hide it.
    headers = None if network is Network.REGTEST else Path(datadir) / HEADERS_DIR
    return ElectrumBackend(
        split_servers(servers),
        symbol,
        network,
        pins_path=Path(datadir) / PINS_FILE,
        headers_dir=headers,
    )


def _reject_reason(text: str) -> str:
    """e-x wraps the node's reason: 'the transaction was rejected by network rules.\\n\\n
    <reason>\\n[<hex>]'; keep the node's own words."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[1:]:
        if not line.startswith("["):
            return line
    return lines[0] if lines else text


def _get(obj: Any, key: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise MalformedAnswer(f"the server's answer lacks {key}")
    return obj[key]


def _int(obj: Any, key: str) -> int:
    value = _get(obj, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedAnswer(f"the server's {key} is not an integer")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedAnswer(f"the server's {what} is not a list")
    return value


def _hex_bytes(value: Any, what: str) -> bytes:
    if isinstance(value, str):
        try:
            return bytes.fromhex(value)
        except ValueError:
            pass
    raise MalformedAnswer(f"the server's {what} is not hex")


def _txid(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 64:
        raise MalformedAnswer("the server returned a malformed txid")
    _hex_bytes(value, "txid")
    return value.lower()
