"""A wallet on disk: create, restore and unlock it, and reach each asset's AssetWallet.

The data directory holds `wallet.json` (the encrypted seed), `cambio.db` (the store) and
`config.json` (network, nodes, DEX). The GUI and the CLI both go through here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.config import AppConfig, NodeConfig, load_config, save_config
from app.fileio import private_dir
from app.store.db import Store
from app.wallet.backends.base import ChainBackend
from app.wallet.backends.electrum import electrum_backend
from app.wallet.backends.nodes import node_backend
from app.wallet.backends.switchable import SwitchableBackend
from app.wallet.errors import KeystoreExistsError, NoNodeConfiguredError, PassphraseNeeded
from app.wallet.hd import HDWallet
from app.wallet.keystore import DEFAULT_SCRYPT_N, SeedRecord, load_keystore, save_keystore
from app.wallet.mnemonic import generate_mnemonic, mnemonic_to_entropy
from app.wallet.service import AssetWallet
from dexproto.assets import SYMBOLS, Network, get_asset

KEYSTORE_NAME = "wallet.json"
DB_NAME = "cambio.db"


def keystore_path(datadir: Path) -> Path:
    return Path(datadir) / KEYSTORE_NAME


def wallet_exists(datadir: Path) -> bool:
    return keystore_path(datadir).exists()


def create_wallet(
    datadir: Path,
    password: str,
    *,
    network: Network,
    mnemonic: str | None = None,
    passphrase: str = "",
    nodes: dict[str, NodeConfig] | None = None,
    scrypt_n: int = DEFAULT_SCRYPT_N,
) -> str:
    """Write a new (or restored) wallet into `datadir`; returns its mnemonic.

    The mnemonic is validated word by word before anything is written, so a wrong word
    leaves the directory untouched.
    """
    phrase = mnemonic or generate_mnemonic()
    entropy = mnemonic_to_entropy(phrase)
    path = keystore_path(datadir)
    if path.exists():
        raise KeystoreExistsError(str(path))
    config = load_config(datadir)
    config.network = network
    config.nodes.update(nodes or {})
    private_dir(Path(datadir))
    save_keystore(path, SeedRecord(entropy, bool(passphrase)), password, scrypt_n=scrypt_n)
    save_config(datadir, config)
    return phrase


@dataclass
class OpenWallet:
    """An unlocked wallet: keys in memory, the store open, backends made on first use.

    Each asset's backend is a SwitchableBackend, the same object for the wallet's whole life:
    `apply_config` points it at a new node, and everyone holding it (the swap engine, the
    views) uses that node from their next call. Without a node, calls raise
    NoNodeConfiguredError."""

    datadir: Path
    config: AppConfig
    hd: HDWallet
    store: Store
    _assets: dict[str, AssetWallet] = field(default_factory=dict)
    _switches: dict[str, SwitchableBackend] = field(default_factory=dict)

    def backend(self, symbol: str) -> ChainBackend | None:
        """A new backend for the configured node of `symbol`, None without one; it refuses a
        node of another network than the wallet's (WrongNetworkError at its first call)."""
        node = self.config.nodes.get(symbol)
        if node is None:
            return None
        if node.electrum:
            return electrum_backend(node.electrum, symbol, self.config.network, self.datadir)
        return node_backend(node, get_asset(symbol, self.config.network))

    def symbols(self) -> list[str]:
        """Every asset this wallet may trade, with or without a node configured now."""
        return sorted(set(SYMBOLS) | set(self.config.nodes))

    def asset(self, symbol: str) -> AssetWallet:
        if symbol not in self._assets:
            params = get_asset(symbol, self.config.network)
            switch = SwitchableBackend(self.backend(symbol), lambda: NoNodeConfiguredError(symbol))
            self._switches[symbol] = switch
            self._assets[symbol] = AssetWallet(params, self.hd.account(params), self.store, switch)
        return self._assets[symbol]

    async def apply_config(self, config: AppConfig) -> list[str]:
        """Use `config` from now on (the network stays); rebuild the backend of each asset
        whose node changed. Returns those assets' symbols."""
        if config.network != self.config.network:
            raise ValueError("the network of an open wallet cannot change")
        old, self.config = self.config, config
        changed = sorted(
            s for s in set(old.nodes) | set(config.nodes) if old.nodes.get(s) != config.nodes.get(s)
        )
        for symbol in changed:  # an asset not opened yet picks the new node when it opens
            if symbol in self._switches:
                await self._switches[symbol].switch(self.backend(symbol))
        return changed

    async def close(self) -> None:
        for wallet in self._assets.values():
            if wallet.has_backend:
                await wallet.backend.close()
        self._assets.clear()
        self.store.close()


def unlock_wallet(datadir: Path, password: str, passphrase: str = "") -> OpenWallet:
    """Decrypt the seed and open the store; raises WrongPasswordError etc. unchanged, and
    PassphraseNeeded for a passphrase wallet opened without one (for every caller: the GUI,
    the CLI, the daemon), since an empty passphrase would silently open another wallet."""
    record = load_keystore(keystore_path(datadir), password)
    if record.has_passphrase and not passphrase:
        raise PassphraseNeeded()
    hd = HDWallet(record.seed(passphrase))
    private_dir(Path(datadir))
    return OpenWallet(Path(datadir), load_config(datadir), hd, Store(Path(datadir) / DB_NAME))
