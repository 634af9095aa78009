"""The first-run wizard's logic, without a GUI."""

from __future__ import annotations

import random

import pytest

from app.config import NodeConfig
from app.errors import WizardError
from app.wallet.backends.electrum import default_servers
from app.wallet.mnemonic import entropy_to_mnemonic
from app.wizard import (
    SIMNET_DEX_URL,
    BackendKind,
    Issue,
    Mode,
    Step,
    Strength,
    Wizard,
    WordState,
    check_electrum_url,
    check_server_url,
    check_word,
    password_strength,
    word_state,
)
from dexproto.assets import Network, get_asset

PHRASE = entropy_to_mnemonic(bytes(range(16)))
WORDS = PHRASE.split()
# A valid BIP39 phrase whose last word we can break: "abandon" x11 + "about".
ABOUT = ["abandon"] * 11 + ["about"]


def step(w: Wizard) -> Step:
    """The wizard's step, read afresh: mypy would carry an earlier `w.step is ...` narrowing
    across the calls that move it."""
    return w.step


def make(network: Network = Network.REGTEST) -> Wizard:
    w = Wizard(rng=random.Random(7), generate=lambda: PHRASE)
    w.choose_network(network)
    return w


def to_confirm(w: Wizard) -> None:
    w.choose(Mode.CREATE)
    w.words_written()


def test_create_flow_produces_result() -> None:
    w = Wizard(rng=random.Random(7), generate=lambda: PHRASE)
    assert step(w) is Step.NETWORK and w.progress() == (0, 0) and not w.can_go_back
    with pytest.raises(WizardError):
        w.choose(Mode.CREATE)  # the network comes first
    w.choose_network(Network.REGTEST)
    assert step(w) is Step.CHOOSE and w.progress() == (0, 0)
    w.choose(Mode.CREATE)
    assert step(w) is Step.SHOW_WORDS and w.words == tuple(WORDS)
    w.words_written()
    assert step(w) is Step.CONFIRM_WORDS
    assert len(w.confirm_positions) == 3 and len(set(w.confirm_positions)) == 3
    assert w.confirm({p: WORDS[p - 1] for p in w.confirm_positions}) == []
    assert step(w) is Step.PASSWORD
    assert w.set_password("correct horse", "correct horse", remember=True) is None
    assert w.choose_server() is None
    assert step(w) is Step.DONE and not w.can_go_back
    result = w.result()
    assert result.mnemonic == PHRASE and result.password == "correct horse"
    assert result.remember and result.dex_url == SIMNET_DEX_URL and not result.restored
    assert result.network is Network.REGTEST
    assert PHRASE not in repr(result) and "correct horse" not in repr(result)


def test_confirm_positions_random_and_not_sorted() -> None:
    seen = set()
    for seed in range(20):
        w = Wizard(rng=random.Random(seed), generate=lambda: PHRASE)
        w.choose_network(Network.TESTNET)
        to_confirm(w)
        seen.add(w.confirm_positions)
        assert all(1 <= p <= 12 for p in w.confirm_positions)
    assert len(seen) > 10
    assert any(list(p) != sorted(p) for p in seen)


def test_confirm_wrong_word_stays_and_names_position() -> None:
    w = make()
    to_confirm(w)
    first, second, third = w.confirm_positions
    answers = {first: WORDS[first - 1], second: "zoo", third: "  " + WORDS[third - 1].upper()}
    problems = w.confirm(answers)
    assert [(p.issue, p.position) for p in problems] == [(Issue.WRONG_CONFIRM_WORD, second)]
    assert step(w) is Step.CONFIRM_WORDS
    missing = w.confirm({})
    assert [p.position for p in missing] == list(w.confirm_positions)
    answers[second] = WORDS[second - 1]
    assert w.confirm(answers) == []  # case and spaces do not matter
    assert step(w) is Step.PASSWORD


def test_back_navigation_keeps_generated_words() -> None:
    calls = []

    def gen() -> str:
        calls.append(1)
        return PHRASE

    w = Wizard(rng=random.Random(1), generate=gen)
    assert not w.can_go_back
    w.choose_network(Network.MAINNET)
    to_confirm(w)
    w.back()
    assert step(w) is Step.SHOW_WORDS
    w.back()
    assert step(w) is Step.CHOOSE and w.mode is None
    w.back()
    assert step(w) is Step.NETWORK and not w.can_go_back
    w.choose_network(Network.MAINNET)
    w.choose(Mode.CREATE)
    assert w.words == tuple(WORDS) and len(calls) == 1  # same words after going back
    w.back()
    w.choose(Mode.RESTORE)
    assert step(w) is Step.RESTORE_WORDS and w.progress() == (1, 4)  # + the backend step
    assert w.restore(ABOUT) is None
    assert step(w) is Step.PASSWORD
    w.back()
    assert step(w) is Step.RESTORE_WORDS
    with pytest.raises(WizardError):
        w.set_password("x" * 10, "x" * 10, remember=False)


def test_restore_flow_with_passphrase() -> None:
    w = make()
    w.choose(Mode.RESTORE)
    assert w.restore([f" {x.upper()} " for x in ABOUT], passphrase="extra") is None
    w.set_password("password1", "password1", remember=False)
    w.choose_server("wss://dex.example.org:7232/ws")
    result = w.result()
    assert result.mnemonic == " ".join(ABOUT) and result.passphrase == "extra"
    assert result.restored and result.dex_url == "wss://dex.example.org:7232/ws"


def test_restore_wrong_word_names_word_and_position() -> None:
    w = make()
    w.choose(Mode.RESTORE)
    words = list(ABOUT)
    words[4] = "abandom"
    problem = w.restore(words)
    assert problem is not None and problem.issue is Issue.UNKNOWN_WORD
    assert problem.position == 5 and problem.word == "abandom"
    assert "abandon" in problem.suggestions
    assert step(w) is Step.RESTORE_WORDS


def test_restore_missing_and_incomplete_words() -> None:
    w = make()
    w.choose(Mode.RESTORE)
    words = list(ABOUT)
    words[2] = ""
    problem = w.restore(words)
    assert problem is not None and (problem.issue, problem.position) == (Issue.MISSING_WORD, 3)
    words[2] = "aban"
    problem = w.restore(words)
    assert problem is not None and problem.issue is Issue.INCOMPLETE_WORD
    assert problem.position == 3 and problem.suggestions == ("abandon",)
    with pytest.raises(WizardError):
        w.restore(ABOUT[:11])


def test_restore_bad_checksum() -> None:
    w = make()
    w.choose(Mode.RESTORE)
    problem = w.restore(["abandon"] * 12)
    assert problem is not None and problem.issue is Issue.BAD_CHECKSUM
    assert step(w) is Step.RESTORE_WORDS


def test_word_state_while_typing() -> None:
    assert word_state("") is WordState.EMPTY
    assert word_state("aban") is WordState.PARTIAL
    assert word_state("Abandon ") is WordState.VALID
    assert word_state("xyzq") is WordState.INVALID
    assert word_state("abandon about") is WordState.INVALID
    assert check_word(2, "aban", final=False) is None
    bad = check_word(2, "xyzq", final=False)
    assert bad is not None and (bad.issue, bad.position, bad.word) == (
        Issue.UNKNOWN_WORD,
        2,
        "xyzq",
    )
    assert make().candidates("zo") == ["zone", "zoo"]


def test_password_rules() -> None:
    w = make()
    to_confirm(w)
    w.confirm({p: WORDS[p - 1] for p in w.confirm_positions})
    short = w.set_password("short", "short", remember=False)
    assert short is not None and short.issue is Issue.PASSWORD_TOO_SHORT and short.position == 8
    mismatch = w.set_password("long enough", "long enuogh", remember=False)
    assert mismatch is not None and mismatch.issue is Issue.PASSWORD_MISMATCH
    assert step(w) is Step.PASSWORD
    assert w.set_password("long enough", "long enough", remember=False) is None


def test_password_strength_hint() -> None:
    assert password_strength("abc") is Strength.WEAK
    assert password_strength("abcdefgh") is Strength.WEAK
    assert password_strength("abcdefgh1") is Strength.FAIR
    assert password_strength("Abcdefgh1234") is Strength.GOOD
    assert password_strength("Abcdefgh1234!xyz") is Strength.STRONG


@pytest.mark.parametrize(
    ("url", "issue"),
    [
        ("wss://dex.example.org", None),
        ("wss://dex.example.org:443/api", None),
        ("ws://127.0.0.1:7232", None),
        ("ws://localhost:7232", None),
        ("ws://[::1]:7232", None),
        ("", Issue.URL_EMPTY),
        ("   ", Issue.URL_EMPTY),
        ("https://dex.example.org", Issue.URL_NOT_WEBSOCKET),
        ("dex.example.org", Issue.URL_NOT_WEBSOCKET),
        ("ws://dex.example.org", Issue.URL_INSECURE),
        ("ws://10.0.0.2:7232", Issue.URL_INSECURE),
        ("wss://", Issue.URL_MALFORMED),
        ("wss://dex.example.org:99999", Issue.URL_MALFORMED),
        ("wss://dex example.org", Issue.URL_MALFORMED),
    ],
)
def test_server_url_validation(url: str, issue: Issue | None) -> None:
    problem = check_server_url(url)
    assert (problem.issue if problem else None) is issue


def test_server_step_rejects_bad_url_and_stays() -> None:
    w = make()
    w.choose(Mode.RESTORE)
    w.restore(ABOUT)
    w.set_password("password1", "password1", remember=False)
    problem = w.choose_server("ws://dex.example.org")
    assert problem is not None and problem.issue is Issue.URL_INSECURE
    assert step(w) is Step.SERVER
    with pytest.raises(WizardError):
        w.result()
    w.back()
    assert step(w) is Step.PASSWORD


@pytest.mark.parametrize("network", [Network.MAINNET, Network.TESTNET])
def test_mainnet_and_testnet_wallets_are_not_offered_the_simnet(network: Network) -> None:
    w = make(network)
    assert not w.offers_simnet and w.dex_url == ""
    w.choose(Mode.RESTORE)
    w.restore(ABOUT)
    w.set_password("password1", "password1", remember=False)
    assert step(w) is Step.BACKEND and w.progress() == (3, 4)
    assert w.choose_backend() is None
    with pytest.raises(WizardError, match="simnet"):
        w.choose_server()
    assert step(w) is Step.SERVER
    assert w.choose_server("wss://dex.example.org") is None
    result = w.result()
    assert result.network is network and result.dex_url == "wss://dex.example.org"


def test_the_network_can_be_changed_by_going_back() -> None:
    w = make(Network.MAINNET)
    w.back()
    w.choose_network(Network.REGTEST)
    assert (w.offers_simnet, w.dex_url) == (True, SIMNET_DEX_URL)
    w.back()
    w.choose_network(Network.TESTNET)
    assert (w.offers_simnet, w.dex_url) == (False, "")
    w.choose(Mode.RESTORE)
    w.restore(ABOUT)
    w.set_password("password1", "password1", remember=False)
    w.choose_backend()
    w.choose_server("wss://dex.example.org")
    assert w.result().network is Network.TESTNET


def to_backend(network: Network) -> Wizard:
    w = make(network)
    w.choose(Mode.RESTORE)
    w.restore(ABOUT)
    w.set_password("password1", "password1", remember=False)
    assert step(w) is Step.BACKEND
    return w


@pytest.mark.parametrize("network", [Network.MAINNET, Network.TESTNET])
def test_light_on_the_public_electrum_servers_is_the_default(network: Network) -> None:
    w = to_backend(network)
    assert w.choose_backend() is None and step(w) is Step.SERVER
    w.choose_server("wss://dex.example.org")
    nodes = w.result().nodes
    assert set(nodes) == {"btc", "ltc"}
    for symbol, node in nodes.items():
        assert node.rpc_url == "" and node.light
        assert node.electrum.split(",") == list(default_servers(symbol, network))
        assert all(url.startswith("ssl://") for url in node.electrum.split(","))


def test_a_simnet_wallet_skips_the_backend_and_keeps_the_simnets_nodes() -> None:
    w = make(Network.REGTEST)
    w.choose(Mode.CREATE)
    w.words_written()
    w.confirm({p: WORDS[p - 1] for p in w.confirm_positions})
    w.set_password("password1", "password1", remember=False)
    assert step(w) is Step.SERVER and w.progress() == (4, 4)
    with pytest.raises(WizardError):
        w.choose_backend()
    w.choose_server()
    assert w.result().nodes == {}


def test_own_electrum_servers_per_chain() -> None:
    w = to_backend(Network.MAINNET)
    problem = w.choose_backend(
        BackendKind.OWN_ELECTRUM, servers={"btc": "ssl://10.0.0.2:50002", "ltc": ""}
    )
    assert problem is not None and (problem.issue, problem.chain) == (Issue.ELECTRUM_EMPTY, "ltc")
    problem = w.choose_backend(
        BackendKind.OWN_ELECTRUM,
        servers={"btc": "ssl://10.0.0.2:50002 10.0.0.2:50001", "ltc": "tcp://127.0.0.1:50001"},
    )
    assert problem is not None and problem.issue is Issue.ELECTRUM_MALFORMED
    assert (problem.chain, problem.word) == ("btc", "10.0.0.2:50001")
    assert step(w) is Step.BACKEND
    assert (
        w.choose_backend(
            BackendKind.OWN_ELECTRUM,
            servers={
                "btc": "ssl://10.0.0.2:50002, tcp://10.0.0.2:50001",
                "ltc": "tcp://127.0.0.1:50001",
            },
        )
        is None
    )
    w.choose_server("wss://dex.example.org")
    nodes = w.result().nodes
    assert nodes == {
        "btc": NodeConfig("", electrum="ssl://10.0.0.2:50002,tcp://10.0.0.2:50001"),
        "ltc": NodeConfig("", electrum="tcp://127.0.0.1:50001"),
    }


def test_own_core_node_defaults_to_this_machine_and_its_cookie() -> None:
    w = to_backend(Network.TESTNET)
    problem = w.choose_backend(BackendKind.OWN_NODE, node_urls={"ltc": "ftp://x:1"})
    assert problem is not None and (problem.issue, problem.chain) == (
        Issue.NODE_URL_MALFORMED,
        "ltc",
    )
    assert (
        w.choose_backend(
            BackendKind.OWN_NODE,
            node_urls={"btc": "http://192.168.1.5:48332"},
            login_files={"ltc": "/home/me/ltc.login"},
        )
        is None
    )
    w.choose_server("wss://dex.example.org")
    nodes = w.result().nodes
    ltc_port = get_asset("ltc", Network.TESTNET).rpc_port
    assert nodes == {
        "btc": NodeConfig("http://192.168.1.5:48332"),  # no login given: the node's cookie
        "ltc": NodeConfig(f"http://127.0.0.1:{ltc_port}", auth_file="/home/me/ltc.login"),
    }
    assert not any(n.light for n in nodes.values())


def test_going_back_from_the_server_returns_to_the_backend() -> None:
    w = to_backend(Network.MAINNET)
    w.choose_backend(BackendKind.OWN_NODE)
    w.back()
    assert step(w) is Step.BACKEND
    w.choose_backend()
    w.choose_server("wss://dex.example.org")
    assert all(n.light for n in w.result().nodes.values())


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("ssl://electrum.example.org:50002", True),
        ("tcp://127.0.0.1:50001", True),
        ("tcp://[::1]:50001", True),
        ("electrum.example.org:50002", False),
        ("ssl://electrum.example.org", False),
        ("http://host:50002", False),
        ("ssl://host:99999", False),
        ("ssl://:50002", False),
        ("ssl://host:50002/x", False),
        ("ssl://ho st:50002", False),
        ("", False),
    ],
)
def test_electrum_url_validation(url: str, ok: bool) -> None:
    assert (check_electrum_url(url) is None) is ok
