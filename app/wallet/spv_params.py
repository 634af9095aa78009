"""Header-chain rules and checkpoints per chain, and telling which chain a server runs.

The genesis hash a server serves picks the rules; the checkpoint is where our header chain
starts. On the mainnets it is the last block of a retarget period (height 2016k-1, Litecoin's
periods are 2016 blocks too) with the next period's bits, pinned from public sources named
beside each one, so a first sync does not fetch every header since 2009/2011 (Bitcoin:
44 MB less). A checkpoint is trusted, not checked (a false one would let a server that
mined from it feed us its chain), so each was cross-checked in two sources (hash, height,
next bits); a server whose header at that height hashes otherwise is refused. The testnets
and regtest start at genesis.
"""

from __future__ import annotations

from app.wallet.spv import ChainRules, Checkpoint
from dexproto.assets import Network

_BTC_LIMIT = (1 << 224) - 1
_LTC_LIMIT = (1 << 236) - 1
_REGTEST_LIMIT = (1 << 255) - 1
_BTC_SPACING, _BTC_TIMESPAN = 600, 14 * 24 * 3600
_LTC_SPACING, _LTC_TIMESPAN = 150, 3 * 24 * 3600 + 12 * 3600

# Bitcoin mainnet: block 558,431 (2016 * 277 - 1, January 2019). Two sources agree: the last
# entry of Electrum's electrum/checkpoints.json (spesmilo/electrum at 636b9f58: this hash,
# and as target the one of bits 0x172fd633), and the raw headers 558,431 and 558,432 in a
# public bitcoin-spv retarget test vector (BTCUtils tests): 558,431 hashes to this hash
# below its own target (0x173218a5) and 558,432 links to it carrying 0x172fd633.
BTC_MAINNET = ChainRules(
    "bitcoin-mainnet",
    "sha256d",
    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
    Checkpoint(
        558_431, "00000000000000000028a69d9498c46b2b073752133e3e9e585965e7dab55065", 0x172FD633
    ),
    _BTC_LIMIT,
    _BTC_SPACING,
    _BTC_TIMESPAN,
)
# Testnet4 (BIP94) from genesis: no source found with the bits of a later period (Electrum's
# testnet4 checkpoints carry hashes only); the chain is young (about 100k headers, 8 MB).
BTC_TESTNET4 = ChainRules(
    "bitcoin-testnet4",
    "sha256d",
    "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
    Checkpoint(0, "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043"),
    _BTC_LIMIT,
    _BTC_SPACING,
    _BTC_TIMESPAN,
    min_difficulty=True,
    bip94=True,
)
BTC_REGTEST = ChainRules(
    "bitcoin-regtest",
    "sha256d",
    "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
    Checkpoint(0, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"),
    _REGTEST_LIMIT,
    _BTC_SPACING,
    _BTC_TIMESPAN,
    retarget=False,
)
# Litecoin mainnet: block 1,798,271 (2016 * 892 - 1, March 2020). Two sources agree:
# Electrum-LTC's electrum/chains/mainnet/checkpoints.json (bitcart/electrum-ltc at 1b111908:
# this hash, and as target the one of bits 0x1a029e9d), and the full header of block
# 1,798,272 in horizontalsystems/bitcoin-kit-android, litecoinkit/.../MainNet.kt (a
# commented-out checkpoint): with version 0x20000000 it hashes to its stated id, carries
# real scrypt work for 0x1a029e9d and names this hash as its parent.
LTC_MAINNET = ChainRules(
    "litecoin-mainnet",
    "scrypt",
    "12a765e31ffd4059bada1e25190f6e98c99d9714d334efa41a195a7e7e04bfe2",
    Checkpoint(
        1_798_271, "a5bb20d85385a38069808aaa48021a28f767bc0fdc35390d32a548d00584c4a6", 0x1A029E9D
    ),
    _LTC_LIMIT,
    _LTC_SPACING,
    _LTC_TIMESPAN,
    litecoin_lookback=True,
)
# Litecoin testnet from genesis: no source found with a later period's bits.
LTC_TESTNET = ChainRules(
    "litecoin-testnet4",
    "scrypt",
    "4966625a4b2851d9fdee139e56211a0d88575f59ed816ff5e6a63deb4e3e29a0",
    Checkpoint(0, "4966625a4b2851d9fdee139e56211a0d88575f59ed816ff5e6a63deb4e3e29a0"),
    _LTC_LIMIT,
    _LTC_SPACING,
    _LTC_TIMESPAN,
    min_difficulty=True,
    litecoin_lookback=True,
)
LTC_REGTEST = ChainRules(
    "litecoin-regtest",
    "scrypt",
    "530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9",
    Checkpoint(0, "530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9"),
    _REGTEST_LIMIT,
    _LTC_SPACING,
    _LTC_TIMESPAN,
    retarget=False,
    litecoin_lookback=True,
)

_BY_ASSET: dict[tuple[str, Network], tuple[ChainRules, ...]] = {
    ("btc", Network.MAINNET): (BTC_MAINNET,),
    # Testnet4 only (dexproto/assets.py): a testnet3 server's genesis is refused.
    ("btc", Network.TESTNET): (BTC_TESTNET4,),
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
        if rules.genesis == genesis_hash:
            return rules
    return None
