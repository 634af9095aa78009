"""BIP32 test vectors 1 and 2, the BIP84 vector, Litecoin BIP84 and the DEX account key."""

from __future__ import annotations

import itertools

import pytest

from app.wallet.hd import (
    HARDENED,
    XPUB,
    ZPRV,
    ZPUB,
    AccountKeys,
    ExtendedKey,
    HDWallet,
    b58check_decode,
    format_path,
    parse_path,
)
from dexproto.assets import get_asset
from dexproto.crypto import hash160, pubkey_from_secret, xonly_from_secret

ABOUT = "abandon " * 11 + "about"

# bitcoin/bips bip-0032.mediawiki, "Test Vectors": (path, xpub, xprv)
BIP32_TV1_SEED = "000102030405060708090a0b0c0d0e0f"
BIP32_TV1 = [
    (
        "m",
        "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TM"
        "g7usUDFdp6W1EGMcet8",
        "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TG"
        "tRBeJgk33yuGBxrMPHi",
    ),
    (
        "m/0'",
        "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5"
        "ski8PX9rL2dZXvgGDnw",
        "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7Xn"
        "xHrnYeSvkzY7d2bhkJ7",
    ),
    (
        "m/0'/1",
        "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2"
        "AxYysAA7xmALppuCkwQ",
        "xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2E"
        "U4pWcQDnRnrVA1xe8fs",
    ),
    (
        "m/0'/1/2'",
        "xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJh7n7epu4tr"
        "krX7x7DogT5Uv6fcLW5",
        "xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTt"
        "pgP4mLTj34bhnZX7UiM",
    ),
    (
        "m/0'/1/2'/2",
        "xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj37sR62cfN7"
        "fe5JnJ7dh8zL4fiyLHV",
        "xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3w"
        "DvUAKRHSC34sJ7in334",
    ),
    (
        "m/0'/1/2'/2/1000000000",
        "xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXE"
        "YBVPamhGW6cFJodrTHy",
        "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihU"
        "ZREPSL39UNdE3BBDu76",
    ),
]
BIP32_TV2_SEED = (
    "fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b7875"
    "726f6c696663605d5a5754514e4b484542"
)
BIP32_TV2 = [
    (
        "m",
        "xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8BDzTJ"
        "Y47LJhkJ8UB7WEGuduB",
        "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3"
        "LqFtT2emdEXVYsCzC2U",
    ),
    (
        "m/0",
        "xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7a"
        "p6r1D3tgFxHmwMkQTPH",
        "xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwS"
        "M1fwqWpWkeS3v86pgKt",
    ),
    (
        "m/0/2147483647'",
        "xpub6ASAVgeehLbnwdqV6UKMHVzgqAG8Gr6riv3Fxxpj8ksbH9ebxaEyBLZ85ySDhKiLDBrQSARLq1uNRts8RuJiHjaD"
        "MBU4Zn9h8LZNnBC5y4a",
        "xprv9wSp6B7kry3Vj9m1zSnLvN3xH8RdsPP1Mh7fAaR7aRLcQMKTR2vidYEeEg2mUCTAwCd6vnxVrcjfy2kRgVsFawNz"
        "mjuHc2YmYRmagcEPdU9",
    ),
    (
        "m/0/2147483647'/1",
        "xpub6DF8uhdarytz3FWdA8TvFSvvAh8dP3283MY7p2V4SeE2wyWmG5mg5EwVvmdMVCQcoNJxGoWaU9DCWh89LojfZ537"
        "wTfunKau47EL2dhHKon",
        "xprv9zFnWC6h2cLgpmSA46vutJzBcfJ8yaJGg8cX1e5StJh45BBciYTRXSd25UEPVuesF9yog62tGAQtHjXajPPdbRCH"
        "uWS6T8XA2ECKADdw4Ef",
    ),
    (
        "m/0/2147483647'/1/2147483646'",
        "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRja"
        "DMzQLcgJvLJuZZvRcEL",
        "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsT"
        "jSyQbLYnMpCqE2VbFWc",
    ),
    (
        "m/0/2147483647'/1/2147483646'/2",
        "xpub6FnCn6nSzZAw5Tw7cgR9bi15UV96gLZhjDstkXXxvCLsUXBGXPdSnLFbdpq8p9HmGsApME5hQTZ3emM2rnY5agb9"
        "rXpVGyy3bdW6EEgAtqt",
        "xprvA2nrNbFZABcdryreWet9Ea4LvTJcGsqrMzxHx98MMrotbir7yrKCEXw7nadnHM8Dq38EGfSh6dqA9QWTyefMLEcB"
        "YJUuekgW4BYPJcr9E7j",
    ),
]
BIP32_CASES = [(BIP32_TV1_SEED, *row) for row in BIP32_TV1] + [
    (BIP32_TV2_SEED, *row) for row in BIP32_TV2
]


@pytest.mark.parametrize(("seed", "path", "xpub", "xprv"), BIP32_CASES)
def test_bip32_vectors(seed: str, path: str, xpub: str, xprv: str) -> None:
    node = ExtendedKey.from_seed(bytes.fromhex(seed)).derive(path)
    assert node.to_string() == xprv
    assert node.neuter().to_string() == xpub
    assert node.to_string(XPUB) == xpub
    # Parsing gives back the same node, private and public.
    assert ExtendedKey.from_string(xprv) == node
    assert ExtendedKey.from_string(xpub) == node.neuter()


@pytest.mark.parametrize("rows", [BIP32_TV1, BIP32_TV2])
def test_public_derivation_matches_private(rows: list[tuple[str, str, str]]) -> None:
    # Every non-hardened step of the vectors, done from the parent xpub alone.
    for (_, parent_xpub, _), (path, child_xpub, _) in itertools.pairwise(rows):
        last = parse_path(path)[-1]
        if last < HARDENED:
            parent = ExtendedKey.from_string(parent_xpub)
            assert parent.child(last).to_string() == child_xpub


def test_hardened_child_of_public_key_is_refused() -> None:
    xpub = ExtendedKey.from_string(BIP32_TV1[0][1])
    with pytest.raises(ValueError, match="hardened"):
        xpub.child(HARDENED)


def test_bad_extended_keys_are_rejected() -> None:
    good = BIP32_TV1[0][2]
    with pytest.raises(ValueError):
        ExtendedKey.from_string(good[:-1] + ("1" if good[-1] != "1" else "2"))
    with pytest.raises(ValueError):
        ExtendedKey.from_string(good[:-4])
    with pytest.raises(ValueError):
        ExtendedKey.from_string("0OIl" + good[4:])


def test_paths() -> None:
    assert parse_path("m/84'/1h/0H/0/5") == [84 + HARDENED, 1 + HARDENED, HARDENED, 0, 5]
    assert format_path(parse_path("m/84'/1'/0'/0/5")) == "m/84'/1'/0'/0/5"
    assert parse_path("m") == []
    for bad in ("84'/0'", "m/x", "m/2147483648", "m//1", "m/-1"):
        with pytest.raises(ValueError):
            parse_path(bad)


# bitcoin/bips bip-0084.mediawiki test vectors (account zpub and root zpub as widely published
# with them); WIF secrets decoded below.
BIP84_ROOT_ZPRV = (
    "zprvAWgYBBk7JR8Gjrh4UJQ2uJdG1r3WNRRfURiABBE3RvMXYSrRJL62XuezvGdPvG6GFBZduosCc1YP5wixPox7zhZL"
    "fiUm8aunE96BBa4Kei5"
)
BIP84_ROOT_ZPUB = (
    "zpub6jftahH18ngZxLmXaKw3GSZzZsszmt9WqedkyZdezFtWRFBZqsQH5hyUmb4pCEeZGmVfQuP5bedXTB8is6fTv19U"
    "1GQRyQUKQGUTzyHACMF"
)
BIP84_ACCOUNT_ZPRV = (
    "zprvAdG4iTXWBoARxkkzNpNh8r6Qag3irQB8PzEMkAFeTRXxHpbF9z4QgEvBRmfvqWvGp42t42nvgGpNgYSJA9iefm1y"
    "YNZKEm7z6qUWCroSQnE"
)
BIP84_ACCOUNT_ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31m"
    "GDtKsAYz2oz2AGutZYs"
)
BIP84_ADDRESSES = [  # (change, index, WIF secret, pubkey, address)
    (
        False,
        0,
        "KyZpNDKnfs94vbrwhJneDi77V6jF64PWPF8x5cdJb8ifgg2DUc9d",
        "0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c",
        "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
    ),
    (
        False,
        1,
        "Kxpf5b8p3qX56DKEe5NqWbNUP9MnqoRFzZwHRtsFqhzuvUJsYZCy",
        "03e775fd51f0dfb8cd865d9ff1cca2a158cf651fe997fdc9fee9c1d3b5e995ea77",
        "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g",
    ),
    (
        True,
        0,
        "KxuoxufJL5csa1Wieb2kp29VNdn92Us8CoaUG3aGtPtcF3AzeXvF",
        "03025324888e429ab8e3dbaf1f7802648b9cd01e9b418485c5fa4c1b9b5700e1a6",
        "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el",
    ),
]


def _wif_secret(wif: str) -> bytes:
    payload = b58check_decode(wif)
    assert payload[0] == 0x80 and payload[-1] == 0x01 and len(payload) == 34
    return payload[1:33]


@pytest.fixture(scope="module")
def about_wallet() -> HDWallet:
    return HDWallet.from_mnemonic(ABOUT)


def test_bip84_root_and_account(about_wallet: HDWallet) -> None:
    assert about_wallet.root.to_string(ZPRV) == BIP84_ROOT_ZPRV
    assert about_wallet.root.to_string(ZPUB) == BIP84_ROOT_ZPUB
    account = about_wallet.account(get_asset("btc", "mainnet"))
    assert account.base_path == "m/84'/0'/0'"
    assert about_wallet.derive("m/84'/0'/0'").to_string(ZPRV) == BIP84_ACCOUNT_ZPRV
    assert account.xpub.to_string(ZPUB) == BIP84_ACCOUNT_ZPUB
    # The same account key under the plain xpub version bytes.
    assert account.xpub.to_string() == (
        "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHP"
        "J4ZeZXYVUhLv1VMrjPC7PW6V"
    )
    assert about_wallet.fingerprint.hex() == "73c5da0a"


@pytest.mark.parametrize(("change", "index", "wif", "pubkey", "address"), BIP84_ADDRESSES)
def test_bip84_addresses(
    about_wallet: HDWallet, change: bool, index: int, wif: str, pubkey: str, address: str
) -> None:
    account = about_wallet.account(get_asset("btc", "mainnet"))
    assert account.secret(change, index) == _wif_secret(wif)
    assert account.pubkey(change, index).hex() == pubkey
    assert account.address(change, index) == address
    assert account.script(change, index) == b"\x00\x14" + hash160(bytes.fromhex(pubkey))
    assert account.path(change, index) == f"m/84'/0'/0'/{int(change)}/{index}"


# Litecoin m/84'/2'/0' of the same phrase, as published by several independent wallets' tests
# (Trust Wallet Core derived values, among others).
LTC_ADDRESSES = [
    (False, 0, "ltc1qjmxnz78nmc8nq77wuxh25n2es7rzm5c2rkk4wh"),
    (False, 1, "ltc1qwlezpr3890hcp6vva9twqh27mr6edadreqvhnn"),
    (True, 0, "ltc1qyeljcy9v88jg8sqvnqh0m5q390xruc5r98q9yy"),
]


@pytest.mark.parametrize(("change", "index", "address"), LTC_ADDRESSES)
def test_litecoin_bip84_published(
    about_wallet: HDWallet, change: bool, index: int, address: str
) -> None:
    account = about_wallet.account(get_asset("ltc", "mainnet"))
    assert account.path(change, index) == f"m/84'/2'/0'/{int(change)}/{index}"
    assert account.address(change, index) == address


def test_litecoin_bip84_against_bip_utils(about_wallet: HDWallet) -> None:
    from bip_utils import Bip39SeedGenerator, Bip44Changes, Bip84, Bip84Coins

    oracle = Bip84.FromSeed(Bip39SeedGenerator(ABOUT).Generate(), Bip84Coins.LITECOIN)
    oracle_account = oracle.Purpose().Coin().Account(0)
    ours = about_wallet.account(get_asset("ltc", "mainnet"))
    for change, branch in ((False, Bip44Changes.CHAIN_EXT), (True, Bip44Changes.CHAIN_INT)):
        node = oracle_account.Change(branch)
        for index in range(5):
            leaf = node.AddressIndex(index)
            assert ours.address(change, index) == leaf.PublicKey().ToAddress()
            assert ours.secret(change, index) == leaf.PrivateKey().Raw().ToBytes()


def test_test_networks_use_coin_type_one_and_their_hrp(about_wallet: HDWallet) -> None:
    for symbol, hrp in (("btc", "bcrt1"), ("ltc", "rltc1")):
        account = about_wallet.account(get_asset(symbol, "regtest"))
        assert account.path(False, 5) == "m/84'/1'/0'/0/5"
        assert account.address(False, 5).startswith(hrp)
    btc_test = about_wallet.account(get_asset("btc", "testnet"))
    assert btc_test.address(False, 0).startswith("tb1")
    assert btc_test.pubkey(False, 0) == about_wallet.derive("m/84'/1'/0'/0/0").pubkey


def test_pubkeys_match_secrets_and_are_cached(about_wallet: HDWallet) -> None:
    account = about_wallet.account(get_asset("btc", "regtest"))
    assert about_wallet.account(get_asset("btc", "regtest")) is account
    for change in (False, True):
        for index in (0, 1, 7, 1000, 2**31 - 1):
            pub = account.pubkey(change, index)
            assert account.pubkey(change, index) is pub  # served from the cache
            assert pubkey_from_secret(account.secret(change, index)) == pub
    for bad in (-1, 2**31):
        with pytest.raises(ValueError):
            account.pubkey(False, bad)


def test_watch_only_account_from_zpub() -> None:
    btc = get_asset("btc", "mainnet")
    watch = AccountKeys(btc, ExtendedKey.from_string(BIP84_ACCOUNT_ZPUB), "m/84'/0'/0'")
    assert watch.watch_only
    for change, index, _, _, address in BIP84_ADDRESSES:
        assert watch.address(change, index) == address
    with pytest.raises(ValueError, match="watch-only"):
        watch.secret(False, 0)


def test_dex_account_key(about_wallet: HDWallet) -> None:
    from bip_utils import Bip32Slip10Secp256k1

    secret = about_wallet.dex_account_key(0)
    assert secret == about_wallet.derive("m/1017'/0'/0'").key and len(secret) == 32
    oracle = Bip32Slip10Secp256k1.FromSeed(about_wallet_seed())
    assert secret == oracle.DerivePath("m/1017'/0'/0'").PrivateKey().Raw().ToBytes()
    assert about_wallet.dex_account_pubkey(0) == xonly_from_secret(secret)
    assert len(about_wallet.dex_account_pubkey(0)) == 32
    assert about_wallet.dex_account_key(1) != secret
    # Restoring the words restores the account key.
    assert HDWallet.from_mnemonic(ABOUT).dex_account_key(0) == secret
    assert HDWallet.from_mnemonic(ABOUT, "other").dex_account_key(0) != secret


def about_wallet_seed() -> bytes:
    from app.wallet.mnemonic import mnemonic_to_seed

    return mnemonic_to_seed(ABOUT)


def test_reprs_hold_no_key_material(about_wallet: HDWallet) -> None:
    root = about_wallet.root
    account = about_wallet.account(get_asset("btc", "mainnet"))
    for text in (repr(about_wallet), repr(root), repr(account), repr(account.xpub)):
        assert root.key.hex() not in text and root.chain_code.hex() not in text
        assert "key=" not in text and "chain_code" not in text


def test_seed_length_is_checked() -> None:
    with pytest.raises(ValueError):
        HDWallet(b"\0" * 15)
    with pytest.raises(ValueError):
        HDWallet(b"\0" * 65)
