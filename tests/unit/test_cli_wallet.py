"""The wallet CLI as a user runs it: separate processes, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import cambio

ABANDON = "abandon " * 11 + "about"


def test_derive_matches_the_bip84_vector_for_btc_and_ltc() -> None:
    btc = cambio(
        "wallet",
        "derive",
        "--mnemonic-file",
        "-",
        "--asset",
        "btc",
        "--network",
        "mainnet",
        "--index",
        "0",
        "--json",
        words=ABANDON,
    )
    assert btc.returncode == 0, btc.stderr
    assert json.loads(btc.stdout) == {
        "path": "m/84'/0'/0'/0/0",
        "address": "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
    }
    change = cambio(
        "wallet", "derive", "--asset", "btc", "--index", "0", "--change", "--json", words=ABANDON
    )  # not a terminal: one line of stdin
    assert json.loads(change.stdout)["address"] == "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"
    ltc = cambio(
        "wallet",
        "derive",
        "--mnemonic-file",
        "-",
        "--asset",
        "ltc",
        "--network",
        "regtest",
        "--index",
        "3",
        "--json",
        words=ABANDON,
    )
    data = json.loads(ltc.stdout)
    assert data["path"] == "m/84'/1'/0'/0/3"
    assert data["address"].startswith("rltc1q")


def test_restore_with_a_wrong_word_names_it_and_writes_nothing(tmp_path: Path) -> None:
    words = ABANDON.split()
    words[4] = "abandom"
    result = cambio(
        "wallet",
        "restore",
        "--datadir",
        str(tmp_path / "w"),
        env={"CAMBIO_PASSWORD": "pw"},
        words=" ".join(words),
    )
    assert result.returncode == 1
    assert "Word 5" in result.stderr and "abandom" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "w").exists()


def test_restore_with_a_bad_checksum_is_refused(tmp_path: Path) -> None:
    result = cambio(
        "wallet",
        "restore",
        "--datadir",
        str(tmp_path / "w"),
        env={"CAMBIO_PASSWORD": "pw"},
        words="abandon " * 12,
    )
    assert result.returncode == 1
    assert "checksum" in result.stderr
    assert not (tmp_path / "w").exists()


def test_words_from_a_file_and_the_old_flag_with_a_warning(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text(ABANDON + "\n")
    args = ("--asset", "btc", "--network", "mainnet", "--json")
    from_file = cambio("wallet", "derive", "--mnemonic-file", str(words), *args)
    assert from_file.returncode == 0 and from_file.stderr == ""
    old = cambio("wallet", "derive", "--mnemonic", ABANDON, *args)
    assert old.returncode == 0 and "warning: --mnemonic puts your recovery words" in old.stderr
    assert json.loads(old.stdout) == json.loads(from_file.stdout)
    missing = cambio("wallet", "derive", "--mnemonic-file", str(tmp_path / "nope"), *args)
    assert missing.returncode == 1 and "cannot read the words" in missing.stderr


def test_wrong_password_is_a_clear_error(tmp_path: Path) -> None:
    created = cambio(
        "wallet", "create", "--datadir", str(tmp_path), "--json", env={"CAMBIO_PASSWORD": "right"}
    )
    assert created.returncode == 0, created.stderr
    assert len(json.loads(created.stdout)["mnemonic"].split()) == 12
    before = (tmp_path / "wallet.json").read_bytes()
    wrong = cambio(
        "wallet",
        "address",
        "--datadir",
        str(tmp_path),
        "--asset",
        "ltc",
        env={"CAMBIO_PASSWORD": "wrong"},
    )
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "error: Wrong password."
    assert (tmp_path / "wallet.json").read_bytes() == before
    address = cambio(
        "wallet",
        "address",
        "--datadir",
        str(tmp_path),
        "--asset",
        "ltc",
        env={"CAMBIO_PASSWORD": "right"},
    )
    assert address.returncode == 0, address.stderr
    assert address.stdout.strip().startswith("rltc1q")


def test_a_passphrase_wallet_never_opens_without_its_passphrase(tmp_path: Path) -> None:
    import pytest

    from app.wallet.errors import PassphraseNeeded
    from app.wallet.keystore import MIN_SCRYPT_N
    from app.wallet.session import create_wallet, unlock_wallet
    from dexproto.assets import Network

    create_wallet(
        tmp_path, "pw", network=Network.REGTEST, passphrase="extra words", scrypt_n=MIN_SCRYPT_N
    )
    with pytest.raises(PassphraseNeeded):
        unlock_wallet(tmp_path, "pw")  # for every caller, not only the unlock dialog
    right = unlock_wallet(tmp_path, "pw", "extra words")
    expected = right.asset("ltc").keys.address(False, 0)
    right.store.close()
    args = ("wallet", "address", "--datadir", str(tmp_path), "--asset", "ltc", "--json")
    refused = cambio(*args, env={"CAMBIO_PASSWORD": "pw"})
    assert refused.returncode == 1 and "CAMBIO_PASSPHRASE" in refused.stderr
    opened = cambio(*args, env={"CAMBIO_PASSWORD": "pw", "CAMBIO_PASSPHRASE": "extra words"})
    assert opened.returncode == 0, opened.stderr
    assert json.loads(opened.stdout)["address"] == expected


def test_create_stores_the_nodes_login_files_and_warns_of_passwords_in_argv(tmp_path: Path) -> None:
    cookie = tmp_path / "litecoin" / "testnet4" / ".cookie"
    login = tmp_path / "btc-login"
    created = cambio(
        "wallet",
        "create",
        "--datadir",
        str(tmp_path / "w"),
        "--json",
        "--network",
        "testnet",
        "--node",
        "ltc=http://127.0.0.1:19332",
        "--node-cookie",
        f"ltc={cookie}",
        "--node",
        "btc",
        "--node-auth-file",
        f"btc={login}",
        env={"CAMBIO_PASSWORD": "pw"},
    )
    assert created.returncode == 0, created.stderr
    assert "warning" not in created.stderr
    config = json.loads((tmp_path / "w" / "config.json").read_text())
    assert config["network"] == "testnet"
    assert config["nodes"]["ltc"] == {
        "rpc_url": "http://127.0.0.1:19332",
        "rpc_user": "",
        "rpc_password": "",
        "cookie_file": str(cookie),
        "auth_file": "",
        "electrum": "",
    }
    # A bare symbol: this machine, the network's default port (testnet4: 48332).
    assert config["nodes"]["btc"]["rpc_url"] == "http://127.0.0.1:48332"
    assert config["nodes"]["btc"]["auth_file"] == str(login)

    old = cambio(
        "wallet",
        "create",
        "--datadir",
        str(tmp_path / "old"),
        "--json",
        "--node",
        "ltc=http://rpc:s3cret@127.0.0.1:19443",
        env={"CAMBIO_PASSWORD": "pw"},
    )
    assert old.returncode == 0, old.stderr
    assert "warning: the LTC node's user and password in --node are visible" in old.stderr
    assert "s3cret" not in old.stderr
    node = json.loads((tmp_path / "old" / "config.json").read_text())["nodes"]["ltc"]
    assert (node["rpc_url"], node["rpc_user"], node["rpc_password"]) == (
        "http://127.0.0.1:19443",
        "rpc",
        "s3cret",
    )

    orphan = cambio(
        "wallet",
        "create",
        "--datadir",
        str(tmp_path / "x"),
        "--node-cookie",
        f"ltc={cookie}",
        env={"CAMBIO_PASSWORD": "pw"},
    )
    assert orphan.returncode == 1 and "needs a --node ltc=URL" in orphan.stderr
    assert not (tmp_path / "x" / "wallet.json").exists()


def test_create_on_mainnet_is_light_unless_a_chain_names_its_backend(tmp_path: Path) -> None:
    env = {"CAMBIO_PASSWORD": "pw"}
    light = cambio(
        "wallet",
        "create",
        "--datadir",
        str(tmp_path / "light"),
        "--json",
        "--network",
        "mainnet",
        env=env,
    )
    assert light.returncode == 0, light.stderr
    nodes = json.loads((tmp_path / "light" / "config.json").read_text())["nodes"]
    assert set(nodes) == {"btc", "ltc"}
    assert all(n["rpc_url"] == "" and n["electrum"].startswith("ssl://") for n in nodes.values())

    mixed = cambio(
        "wallet",
        "create",
        "--datadir",
        str(tmp_path / "mixed"),
        "--json",
        "--network",
        "testnet",
        "--node",
        "btc",
        "--electrum",
        "ltc=tcp://127.0.0.1:51001, ssl://10.0.0.2:51002",
        env=env,
    )
    assert mixed.returncode == 0, mixed.stderr
    nodes = json.loads((tmp_path / "mixed" / "config.json").read_text())["nodes"]
    assert (nodes["btc"]["rpc_url"], nodes["btc"]["electrum"]) == ("http://127.0.0.1:48332", "")
    assert (nodes["ltc"]["rpc_url"], nodes["ltc"]["electrum"]) == (
        "",
        "tcp://127.0.0.1:51001,ssl://10.0.0.2:51002",
    )

    simnet = cambio("wallet", "create", "--datadir", str(tmp_path / "sim"), "--json", env=env)
    assert simnet.returncode == 0, simnet.stderr
    assert json.loads((tmp_path / "sim" / "config.json").read_text())["nodes"] == {}

    bad = cambio(
        "wallet",
        "create",
        "--datadir",
        str(tmp_path / "bad"),
        "--network",
        "mainnet",
        "--electrum",
        "ltc=electrum.example.org:50002",
        env=env,
    )
    assert bad.returncode == 1 and "electrum.example.org:50002" in bad.stderr
    assert not (tmp_path / "bad" / "wallet.json").exists()
