"""The data directory and its settings file (config.json), shared by the GUI and the CLI."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.errors import ConfigError
from app.fileio import atomic_write
from app.safety.limits import SafetyLimits
from dexproto.assets import Network

CONFIG_VERSION = 1


def default_datadir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cambio"


@dataclass(frozen=True)
class NodeConfig:
    """How to reach one chain's Bitcoin/Litecoin Core JSON-RPC server and log in: a user and
    password, the node's `.cookie` file (read at each connection: it changes when the node
    restarts), or a file holding `user:password`. With none of them the node's default cookie
    for the wallet's network is looked for (app/wallet/backends/rpcauth.py)."""

    rpc_url: str
    rpc_user: str = ""
    rpc_password: str = ""
    cookie_file: str = ""
    auth_file: str = ""
    # Light wallet: Electrum servers ("ssl://host:port,tcp://host:port"); when set, they are
    # used instead of the RPC server above.
    electrum: str = ""

    @property
    def light(self) -> bool:
        return bool(self.electrum)


def light_nodes(network: Network, symbols: tuple[str, ...] | None = None) -> dict[str, NodeConfig]:
    """The default of a new mainnet or testnet wallet: every chain on the well-known public
    Electrum servers (SPV-checked). Empty on the simnet, which brings its own nodes."""
    # Here, not at the top: the Electrum backend (ssl, asyncio, the SPV code) is not needed
    # to read a config file.
    from app.wallet.backends.electrum import default_servers
    from dexproto.assets import SYMBOLS

    if network is Network.REGTEST:
        return {}
    return {
        s: NodeConfig("", electrum=",".join(default_servers(s, network)))
        for s in (symbols or tuple(SYMBOLS))
        if default_servers(s, network)
    }


@dataclass
class AppConfig:
    network: Network = Network.REGTEST
    nodes: dict[str, NodeConfig] = field(default_factory=dict)
    dex_url: str = ""
    language: str = "en"
    theme: str = "dark"
    safety: dict[str, Any] = field(default_factory=dict)  # SafetyLimits as JSON; {}: defaults
    extra: dict[str, Any] = field(default_factory=dict)

    def safety_limits(self) -> SafetyLimits:
        """The user's safety limits (the network's defaults where none are set); raises
        LimitsError when config.json holds a bad one."""
        return SafetyLimits.from_json(self.safety, self.network)

    def set_safety_limits(self, limits: SafetyLimits) -> None:
        self.safety = limits.to_json()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["network"] = self.network.value
        data["version"] = CONFIG_VERSION
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AppConfig:
        nodes = {
            str(symbol): NodeConfig(**{k: str(v) for k, v in node.items()})
            for symbol, node in dict(data.get("nodes", {})).items()
        }
        return cls(
            network=Network(data.get("network", Network.REGTEST.value)),
            nodes=nodes,
            dex_url=str(data.get("dex_url", "")),
            language=str(data.get("language", "en")),
            theme=str(data.get("theme", "dark")),
            safety=dict(data.get("safety", {})),
            extra=dict(data.get("extra", {})),
        )


def config_path(datadir: Path) -> Path:
    return Path(datadir) / "config.json"


def load_config(datadir: Path) -> AppConfig:
    path = config_path(datadir)
    if not path.exists():
        return AppConfig()
    try:
        return AppConfig.from_json(json.loads(path.read_text()))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path} is malformed: {exc}") from exc


def save_config(datadir: Path, config: AppConfig) -> None:
    # Node passwords live here, so the file is private to the user.
    atomic_write(config_path(datadir), json.dumps(config.to_json(), indent=2).encode())
