import pytest

from dexproto.assets import (
    ASSETS,
    Network,
    UnknownAssetError,
    accepted_genesis,
    format_atoms,
    get_asset,
    parse_coins,
)


def test_every_asset_network_pair_has_its_prefix_and_coin_type() -> None:
    expected = {
        ("btc", "mainnet"): ("bc", 0),
        ("btc", "testnet"): ("tb", 1),
        ("btc", "regtest"): ("bcrt", 1),
        ("ltc", "mainnet"): ("ltc", 2),
        ("ltc", "testnet"): ("tltc", 1),
        ("ltc", "regtest"): ("rltc", 1),
    }
    for (symbol, network), (hrp, coin_type) in expected.items():
        asset = get_asset(symbol, network)
        assert (asset.hrp, asset.coin_type) == (hrp, coin_type)
    assert len(ASSETS) == len(expected)


def test_dust_limits_follow_each_nodes_policy() -> None:
    btc = get_asset("btc", Network.MAINNET)
    assert btc.p2wpkh_dust == 294  # Bitcoin Core's figure for P2WPKH at 3000 sat/kvB
    assert btc.p2wsh_dust == 330
    assert get_asset("ltc", Network.MAINNET).p2wpkh_dust == 2940


def test_unknown_names_are_clear_errors() -> None:
    with pytest.raises(UnknownAssetError, match="unknown asset 'doge'"):
        get_asset("doge", "mainnet")
    with pytest.raises(UnknownAssetError, match="unknown network 'signet'"):
        get_asset("btc", "signet")


@pytest.mark.parametrize(
    ("text", "atoms"),
    [
        ("1", 100_000_000),
        ("0.00000001", 1),
        ("1.5", 150_000_000),
        (".25", 25_000_000),
        ("21000000.00000000", 21_000_000 * 10**8),
    ],
)
def test_coin_amounts_parse_exactly(text: str, atoms: int) -> None:
    assert parse_coins(text) == atoms
    assert parse_coins(format_atoms(atoms)) == atoms


@pytest.mark.parametrize("text", ["", ".", "1.000000001", "-1", "1e3", "abc", "1.2.3", "0x10"])
def test_bad_coin_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_coins(text)


def test_genesis_ports_and_node_folders_per_network() -> None:
    # (genesis hash, default RPC port, Core's folder for the network)
    expected = {
        ("btc", "mainnet"): (
            "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
            8332,
            "",
        ),
        ("btc", "testnet"): (
            "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
            48332,
            "testnet4",
        ),
        ("btc", "regtest"): (
            "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
            18443,
            "regtest",
        ),
        ("ltc", "mainnet"): (
            "12a765e31ffd4059bada1e25190f6e98c99d9714d334efa41a195a7e7e04bfe2",
            9332,
            "",
        ),
        ("ltc", "testnet"): (
            "4966625a4b2851d9fdee139e56211a0d88575f59ed816ff5e6a63deb4e3e29a0",
            19332,
            "testnet4",
        ),
        ("ltc", "regtest"): (
            "530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9",
            19443,
            "regtest",
        ),
    }
    for (symbol, network), (genesis, port, folder) in expected.items():
        asset = get_asset(symbol, network)
        assert (asset.genesis_hash, asset.rpc_port, asset.net_dir) == (genesis, port, folder)
        assert asset.core_dir == (".bitcoin" if symbol == "btc" else ".litecoin")
    assert len({a.genesis_hash for a in ASSETS.values()}) == 6


def test_only_the_regtest_btc_chain_accepts_a_litecoin_stand_in() -> None:
    ltc_regtest = get_asset("ltc", Network.REGTEST).genesis_hash
    assert ltc_regtest in accepted_genesis(get_asset("btc", Network.REGTEST))
    for network in (Network.MAINNET, Network.TESTNET):
        for symbol in ("btc", "ltc"):
            asset = get_asset(symbol, network)
            assert accepted_genesis(asset) == {asset.genesis_hash}
