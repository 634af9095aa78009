"""A CoreRpcBackend for a configured node: the login (app/wallet/backends/rpcauth.py), the
network's default port when the URL names none, and the genesis check of the asset's network.
The wallet session and the CLI build their node backends here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.config import NodeConfig
from app.wallet.backends.corerpc import CoreRpcBackend, NetworkCheck
from app.wallet.backends.rpcauth import auth_for, with_default_port
from dexproto.assets import AssetParams, accepted_genesis


def network_check(asset: AssetParams) -> NetworkCheck:
    return NetworkCheck(accepted_genesis(asset), asset.name, asset.network.value)


def node_backend(
    node: NodeConfig, asset: AssetParams, *, home: Path | None = None, **options: Any
) -> CoreRpcBackend:
    """`options` go to CoreRpcBackend (timeouts, poll interval)."""
    return CoreRpcBackend(
        with_default_port(node.rpc_url, asset),
        auth=auth_for(node, asset, home),
        network=network_check(asset),
        **options,
    )
