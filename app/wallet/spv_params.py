"""Header-chain rules and checkpoints per chain, and telling which chain a server runs.

Checkpoints are genesis blocks for now: correct, but a mainnet client then downloads every
header once (about 70 MB for Bitcoin). A later, pinned checkpoint (the last block of a retarget
period plus the next period's bits) makes the first sync short.
"""

from __future__ import annotations

from app.assets import Network
from app.wallet.spv import ChainRules, Checkpoint

_BTC_LIMIT = (1 << 224) - 1
_LTC_LIMIT = (1 << 236) - 1
_REGTEST_LIMIT = (1 << 255) - 1
_BTC_SPACING, _BTC_TIMESPAN = 600, 14 * 24 * 3600
_LTC_SPACING, _LTC_TIMESPAN = 150, 3 * 24 * 3600 + 12 * 3600

BTC_MAINNET = ChainRules(
    "bitcoin-mainnet", "sha256d",
    Checkpoint(0, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"),
    _BTC_LIMIT, _BTC_SPACING, _BTC_TIMESPAN)
BTC_TESTNET3 = ChainRules(
    "bitcoin-testnet3", "sha256d",
    Checkpoint(0, "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943"),
    _BTC_LIMIT, _BTC_SPACING, _BTC_TIMESPAN, min_difficulty=True)
BTC_TESTNET4 = ChainRules(
    "bitcoin-testnet4", "sha256d",
    Checkpoint(0, "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043"),
    _BTC_LIMIT, _BTC_SPACING, _BTC_TIMESPAN, min_difficulty=True, bip94=True)
BTC_REGTEST = ChainRules(
    "bitcoin-regtest", "sha256d",
    Checkpoint(0, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"),
    _REGTEST_LIMIT, _BTC_SPACING, _BTC_TIMESPAN, retarget=False)
LTC_MAINNET = ChainRules(
    "litecoin-mainnet", "scrypt",
    Checkpoint(0, "12a765e31ffd4059bada1e25190f6e98c99d9714d334efa41a195a7e7e04bfe2"),
    _LTC_LIMIT, _LTC_SPACING, _LTC_TIMESPAN, litecoin_lookback=True)
LTC_TESTNET = ChainRules(
    "litecoin-testnet4", "scrypt",
    Checkpoint(0, "4966625a4b2851d9fdee139e56211a0d88575f59ed816ff5e6a63deb4e3e29a0"),
    _LTC_LIMIT, _LTC_SPACING, _LTC_TIMESPAN, min_difficulty=True, litecoin_lookback=True)
LTC_REGTEST = ChainRules(
    "litecoin-regtest", "scrypt",
    Checkpoint(0, "530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9"),
    _REGTEST_LIMIT, _LTC_SPACING, _LTC_TIMESPAN, retarget=False, litecoin_lookback=True)

_BY_ASSET: dict[tuple[str, Network], tuple[ChainRules, ...]] = {
    ("btc", Network.MAINNET): (BTC_MAINNET,),
    ("btc", Network.TESTNET): (BTC_TESTNET3, BTC_TESTNET4),
    # A Litecoin regtest chain may stand in for BTC (as on this machine): the server's
    # genesis block says which chain, and so which proof of work, is actually run.
    ("btc", Network.REGTEST): (BTC_REGTEST, LTC_REGTEST),
    ("ltc", Network.MAINNET): (LTC_MAINNET,),
    ("ltc", Network.TESTNET): (LTC_TESTNET,),
    ("ltc", Network.REGTEST): (LTC_REGTEST,),
}


def candidate_rules(symbol: str, network: Network) -> tuple[ChainRules, ...]:
    """The chains `symbol` may be on `network`; the genesis hash picks one."""
    return _BY_ASSET[(symbol, network)]


def rules_for_genesis(symbol: str, network: Network, genesis_hash: str) -> ChainRules | None:
    for rules in candidate_rules(symbol, network):
        if rules.checkpoint.height == 0 and rules.checkpoint.hash == genesis_hash:
            return rules
    return None
