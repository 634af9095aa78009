"""What the server asks of a chain: outputs, their spent state and confirmations, tx inputs.

A thin view over the node's RPC (dexserver/node_rpc.py). Node errors surface as ChainError,
which the request handlers turn into -32603 without letting a node hiccup end a connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dexproto.assets import coins_to_atoms
from dexserver.node_rpc import NodeRpc, NodeRpcError

RPC_NO_TX = -5


class ChainError(Exception):
    """The node could not answer (down, timeout, malformed reply)."""


@dataclass(frozen=True)
class TxOut:
    script: bytes
    value: int  # atoms
    confirmations: int  # 0 in the mempool


@dataclass(frozen=True)
class TxView:
    confirmations: int
    inputs: list[tuple[str, int] | None]  # (txid hex, vout) per vin; None for coinbase
    outputs: dict[int, TxOut]


class ChainView:
    def __init__(self, node: NodeRpc) -> None:
        self.node = node

    async def _call(self, method: str, *params: Any) -> Any:
        try:
            return await self.node.call(method, *params)
        except NodeRpcError as exc:
            if exc.code == RPC_NO_TX:
                return None
            raise ChainError(str(exc)) from exc

    async def unspent(self, txid: str, vout: int) -> TxOut | None:
        """The output if it exists and is unspent, counting mempool spends."""
        reply = await self._call("gettxout", txid, vout, True)
        if not isinstance(reply, dict):
            return None
        try:
            return TxOut(
                bytes.fromhex(reply["scriptPubKey"]["hex"]),
                coins_to_atoms(reply["value"]),
                int(reply["confirmations"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ChainError(f"gettxout: malformed reply: {exc}") from exc

    async def tx(self, txid: str) -> TxView | None:
        reply = await self._call("getrawtransaction", txid, True)
        if not isinstance(reply, dict):
            return None
        try:
            outputs = {}
            for out in reply["vout"]:
                if "scriptPubKey" in out:  # Litecoin MWEB outputs have no script
                    outputs[int(out["n"])] = TxOut(
                        bytes.fromhex(out["scriptPubKey"]["hex"]),
                        coins_to_atoms(out["value"]),
                        0,
                    )
            inputs: list[tuple[str, int] | None] = [
                (str(i["txid"]), int(i["vout"])) if "txid" in i else None for i in reply["vin"]
            ]
            return TxView(max(int(reply.get("confirmations", 0)), 0), inputs, outputs)
        except (KeyError, TypeError, ValueError) as exc:
            raise ChainError(f"getrawtransaction: malformed reply: {exc}") from exc

    async def close(self) -> None:
        await self.node.close()
