import pytest

from app.assets import (
    ASSETS,
    Network,
    UnknownAssetError,
    format_atoms,
    get_asset,
    parse_coins,
)


def test_every_asset_network_pair_has_its_prefix_and_coin_type() -> None:
    expected = {
        ("btc", "mainnet"): ("bc", 0), ("btc", "testnet"): ("tb", 1),
        ("btc", "regtest"): ("bcrt", 1), ("ltc", "mainnet"): ("ltc", 2),
        ("ltc", "testnet"): ("tltc", 1), ("ltc", "regtest"): ("rltc", 1),
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
    [("1", 100_000_000), ("0.00000001", 1), ("1.5", 150_000_000), (".25", 25_000_000),
     ("21000000.00000000", 21_000_000 * 10**8)],
)
def test_coin_amounts_parse_exactly(text: str, atoms: int) -> None:
    assert parse_coins(text) == atoms
    assert parse_coins(format_atoms(atoms)) == atoms


@pytest.mark.parametrize("text", ["", ".", "1.000000001", "-1", "1e3", "abc", "1.2.3", "0x10"])
def test_bad_coin_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_coins(text)
