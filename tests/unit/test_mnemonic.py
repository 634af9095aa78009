"""BIP39: the published Trezor vectors, word-by-word validation, completion, generation."""

from __future__ import annotations

import unicodedata

import pytest

from app.wallet import mnemonic as mn
from app.wallet.errors import (
    MnemonicChecksumError,
    MnemonicError,
    MnemonicWordCountError,
    MnemonicWordError,
)
from app.wallet.hd import ExtendedKey

ABOUT = "abandon " * 11 + "about"

# trezor/python-mnemonic vectors.json (English), passphrase "TREZOR":
# (entropy, mnemonic, seed, master xprv)
TREZOR_VECTORS = [
    (
        "00000000000000000000000000000000",
        ABOUT,
        "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1"
        "c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
        "xprv9s21ZrQH143K3h3fDYiay8mocZ3afhfULfb5GX8kCBdno77K4HiA15Tg23wpbeF1pLfs1c5SPmYHrEpTuuRh"
        "xMwvKDwqdKiGJS9XFKzUsAF",
    ),
    (
        "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
        "legal winner thank year wave sausage worth useful legal winner thank yellow",
        "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c809"
        "37a1c1069be3a3a5bd381ee6260e8d9739fce1f607",
        "xprv9s21ZrQH143K2gA81bYFHqU68xz1cX2APaSq5tt6MFSLeXnCKV1RVUJt9FWNTbrrryem4ZckN8k4Ls1H6nwd"
        "vDTvnV7zEXs2HgPezuVccsq",
    ),
    (
        "80808080808080808080808080808080",
        "letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
        "d71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30fa280f12eb2e47ed2ac03b"
        "5c462a0358d18d69fe4f985ec81778c1b370b652a8",
        "xprv9s21ZrQH143K2shfP28KM3nr5Ap1SXjz8gc2rAqqMEynmjt6o1qboCDpxckqXavCwdnYds6yBHZGKHv7ef2e"
        "TXy461PXUjBFQg6PrwY4Gzq",
    ),
    (
        "ffffffffffffffffffffffffffffffff",
        "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
        "ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620"
        "c6f15b11c61dee327651a14c34e18231052e48c069",
        "xprv9s21ZrQH143K2V4oox4M8Zmhi2Fjx5XK4Lf7GKRvPSgydU3mjZuKGCTg7UPiBUD7ydVPvSLtg9hjp7MQTYsW"
        "67rZHAXeccqYqrsx8LcXnyd",
    ),
    (
        "000000000000000000000000000000000000000000000000",
        "abandon " * 17 + "agent",
        "035895f2f481b1b0f01fcf8c289c794660b289981a78f8106447707fdd9666ca06da5a9a565181599b79f5"
        "3b844d8a71dd9f439c52a3d7b3e8a79c906ac845fa",
        "xprv9s21ZrQH143K3mEDrypcZ2usWqFgzKB6jBBx9B6GfC7fu26X6hPRzVjzkqkPvDqp6g5eypdk6cyhGnBngbje"
        "HTe4LsuLG1cCmKJka5SMkmU",
    ),
    (
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "zoo " * 23 + "vote",
        "dd48c104698c30cfe2b6142103248622fb7bb0ff692eebb00089b32d22484e1613912f0a5b694407be899f"
        "fd31ed3992c456cdf60f5d4564b8ba3f05a69890ad",
        "xprv9s21ZrQH143K2WFF16X85T2QCpndrGwx6GueB72Zf3AHwHJaknRXNF37ZmDrtHrrLSHvbuRejXcnYxoZKvRq"
        "uTPyp2JiNG3XcjQyzSEgqCB",
    ),
    (
        "9e885d952ad362caeb4efe34a8e91bd2",
        "ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic",
        "274ddc525802f7c828d8ef7ddbcdc5304e87ac3535913611fbbfa986d0c9e5476c91689f9c8a54fd55bd38"
        "606aa6a8595ad213d4c9c9f9aca3fb217069a41028",
        "xprv9s21ZrQH143K2oZ9stBYpoaZ2ktHj7jLz7iMqpgg1En8kKFTXJHsjxry1JbKH19YrDTicVwKPehFKTbmaxgV"
        "Ec5TpHdS1aYhB2s9aFJBeJH",
    ),
    (
        "6610b25967cdcca9d59875f5cb50b0ea75433311869e930b",
        "gravity machine north sort system female filter attitude volume fold club stay feature "
        "office ecology stable narrow fog",
        "628c3827a8823298ee685db84f55caa34b5cc195a778e52d45f59bcf75aba68e4d7590e101dc414bc1bbd5"
        "737666fbbef35d1f1903953b66624f910feef245ac",
        "xprv9s21ZrQH143K3uT8eQowUjsxrmsA9YUuQQK1RLqFufzybxD6DH6gPY7NjJ5G3EPHjsWDrs9iivSbmvjc9DQJ"
        "bJGatfa9pv4MZ3wjr8qWPAK",
    ),
    (
        "68a79eaca2324873eacc50cb9c6eca8cc68ea5d936f98787c60c7ebc74e6ce7c",
        "hamster diagram private dutch cause delay private meat slide toddler razor book happy "
        "fancy gospel tennis maple dilemma loan word shrug inflict delay length",
        "64c87cde7e12ecf6704ab95bb1408bef047c22db4cc7491c4271d170a1b213d20b385bc1588d9c7b38f1b3"
        "9d415665b8a9030c9ec653d75e65f847d8fc1fc440",
        "xprv9s21ZrQH143K2XTAhys3pMNcGn261Fi5Ta2Pw8PwaVPhg3D8DWkzWQwjTJfskj8ofb81i9NP2cUNKxwjueJH"
        "HMQAnxtivTA75uUFqPFeWzk",
    ),
    (
        "c0ba5a8e914111210f2bd131f3d5e08d",
        "scheme spot photo card baby mountain device kick cradle pact join borrow",
        "ea725895aaae8d4c1cf682c1bfd2d358d52ed9f0f0591131b559e2724bb234fca05aa9c02c57407e04ee9d"
        "c3b454aa63fbff483a8b11de949624b9f1831a9612",
        "xprv9s21ZrQH143K3FperxDp8vFsFycKCRcJGAFmcV7umQmcnMZaLtZRt13QJDsoS5F6oYT6BB4sS6zmTmyQAEkJ"
        "KxJ7yByDNtRe5asP2jFGhT6",
    ),
    (
        "23db8160a31d3e0dca3688ed941adbf3",
        "cat swing flag economy stadium alone churn speed unique patch report train",
        "deb5f45449e615feff5640f2e49f933ff51895de3b4381832b3139941c57b59205a42480c52175b6efcffa"
        "a58a2503887c1e8b363a707256bdd2b587b46541f5",
        "xprv9s21ZrQH143K4G28omGMogEoYgDQuigBo8AFHAGDaJdqQ99QKMQ5J6fYTMfANTJy6xBmhvsNZ1CJzRZ64PWb"
        "nTFUn6CDV2FxoMDLXdk95DQ",
    ),
    (
        "f30f8c1da665478f49b001d94c5fc452",
        "vessel ladder alter error federal sibling chat ability sun glass valve picture",
        "2aaa9242daafcee6aa9d7269f17d4efe271e1b9a529178d7dc139cd18747090bf9d60295d0ce74309a7885"
        "2a9caadf0af48aae1c6253839624076224374bc63f",
        "xprv9s21ZrQH143K2QWV9Wn8Vvs6jbqfF1YbTCdURQW9dLFKDovpKaKrqS3SEWsXCu6ZNky9PSAENg6c9AQYHcg4"
        "PjopRGGKmdD313ZHszymnps",
    ),
]


@pytest.mark.parametrize(("entropy", "phrase", "seed", "xprv"), TREZOR_VECTORS)
def test_trezor_vectors(entropy: str, phrase: str, seed: str, xprv: str) -> None:
    assert mn.entropy_to_mnemonic(bytes.fromhex(entropy)) == phrase
    assert mn.mnemonic_to_entropy(phrase) == bytes.fromhex(entropy)
    assert mn.mnemonic_to_seed(phrase, "TREZOR").hex() == seed
    assert ExtendedKey.from_seed(bytes.fromhex(seed)).to_string() == xprv


def test_wordlist_is_the_bip39_english_list() -> None:
    words = mn.wordlist()
    assert len(words) == 2048 and words[0] == "abandon" and words[-1] == "zoo"
    assert len({w[:4] for w in words}) == 2048  # BIP39: four letters identify a word


def test_wordlist_falls_back_to_bip_utils(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = mn.wordlist()
    monkeypatch.setattr(mn, "_read_packaged_list", lambda: None)
    mn.wordlist.cache_clear()
    try:
        assert mn.wordlist() == expected
    finally:
        mn.wordlist.cache_clear()


def test_generate_gives_twelve_valid_fresh_words() -> None:
    phrases = {mn.generate_mnemonic() for _ in range(20)}
    assert len(phrases) == 20
    for phrase in phrases:
        assert len(phrase.split()) == mn.WORD_COUNT
        assert len(mn.mnemonic_to_entropy(phrase)) == 16


@pytest.mark.parametrize("position", [1, 5, 12])
def test_unknown_word_names_word_position_and_suggestions(position: int) -> None:
    words = ABOUT.split()
    words[position - 1] = "abandn"
    with pytest.raises(MnemonicWordError) as info:
        mn.validate_mnemonic(" ".join(words))
    err = info.value
    assert (err.position, err.word) == (position, "abandn")
    assert err.suggestions[0] == "abandon"
    assert f"Word {position}" in str(err) and "abandn" in str(err) and "abandon" in str(err)


def test_first_unknown_word_is_reported() -> None:
    words = ABOUT.split()
    words[2], words[7] = "zzzz", "abbout"
    with pytest.raises(MnemonicWordError) as info:
        mn.validate_mnemonic(" ".join(words))
    assert (info.value.position, info.value.word, info.value.suggestions) == (3, "zzzz", [])


def test_close_suggestions() -> None:
    assert "hello" in mn.suggest_words("helo")
    assert mn.suggest_words("zooo") == ["zoo"]


def test_bad_checksum() -> None:
    with pytest.raises(MnemonicChecksumError) as info:
        mn.validate_mnemonic("abandon " * 11 + "abandon")
    assert "checksum" in str(info.value)
    # Two valid phrases with two words swapped: every word is known, the checksum catches it.
    with pytest.raises(MnemonicChecksumError):
        mn.validate_mnemonic(
            "legal winner thank year wave sausage worth useful legal winner yellow thank"
        )


@pytest.mark.parametrize("count", [0, 1, 11, 13, 23, 25])
def test_wrong_word_count(count: int) -> None:
    with pytest.raises(MnemonicWordCountError) as info:
        mn.validate_mnemonic(" ".join(["abandon"] * count))
    assert info.value.count == count
    assert f"has {count} words" in str(info.value)


def test_app_can_insist_on_twelve_words() -> None:
    phrase = TREZOR_VECTORS[4][1]  # a valid 18-word phrase
    mn.validate_mnemonic(phrase)
    with pytest.raises(MnemonicWordCountError, match="should have 12"):
        mn.validate_mnemonic(phrase, word_counts=(12,))


def test_errors_are_mnemonic_errors_and_change_nothing() -> None:
    seed = mn.mnemonic_to_seed(ABOUT)
    for bad in ("abandon abandn", "abandon " * 12, "abandon " * 11):
        assert not mn.is_valid_mnemonic(bad)
        with pytest.raises(MnemonicError):
            mn.mnemonic_to_seed(bad)
    assert mn.mnemonic_to_seed(ABOUT) == seed
    assert mn.is_valid_mnemonic(ABOUT)
    # No silent correction: four-letter stems are not accepted as words.
    with pytest.raises(MnemonicWordError) as info:
        mn.validate_mnemonic("aban " * 11 + "abou")
    assert info.value.position == 1


def test_normalization_of_case_and_whitespace() -> None:
    messy = "  Abandon\tABANDON abandon\nabandon abandon abandon abandon abandon abandon "
    messy += "abandon abandon   about \n"
    assert mn.mnemonic_to_seed(messy, "TREZOR") == mn.mnemonic_to_seed(ABOUT, "TREZOR")


def test_passphrase_is_nfkd_and_not_trimmed() -> None:
    composed = unicodedata.normalize("NFC", "caf\u00e9")
    decomposed = unicodedata.normalize("NFD", "caf\u00e9")
    assert composed != decomposed
    assert mn.mnemonic_to_seed(ABOUT, composed) == mn.mnemonic_to_seed(ABOUT, decomposed)
    assert mn.mnemonic_to_seed(ABOUT, "x ") != mn.mnemonic_to_seed(ABOUT, "x")
    assert mn.mnemonic_to_seed(ABOUT, "") != mn.mnemonic_to_seed(ABOUT, "TREZOR")


def test_complete_word() -> None:
    assert mn.complete_word("zo") == ["zone", "zoo"]
    assert mn.complete_word("ZOO") == ["zoo"]
    assert mn.complete_word("ab", limit=3) == ["abandon", "ability", "able"]
    assert mn.complete_word("") == []
    assert mn.complete_word("xq") == []
    assert all(w.startswith("ab") for w in mn.complete_word("ab"))


def test_entropy_length_is_checked() -> None:
    with pytest.raises(ValueError):
        mn.entropy_to_mnemonic(b"\0" * 15)
