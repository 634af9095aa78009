"""First-run wizard as a plain state machine: no Qt, no disk, tested without a GUI.

Electrum's `wizard.py` idea: the widgets only render the current `Step` and hand the user's
input to one method per step; the method either advances or returns a `Problem` that the view
words (and translates). Nothing here writes anything: the caller creates the wallet from the
`WizardResult` once the wizard reaches DONE.

    NETWORK -> CHOOSE ─create─> SHOW_WORDS -> CONFIRM_WORDS ─┐
                      └restore> RESTORE_WORDS ───────────────┴> PASSWORD ─┐
          ┌─────────────────────────────────────────────────────────────────┘
          └─> BACKEND (mainnet and testnet only) -> SERVER -> DONE

NETWORK comes first: mainnet (real money), testnet (Bitcoin testnet4, Litecoin testnet) or the
local simnet (regtest). The result carries it; one data directory holds one network. Only a
simnet wallet is offered the simnet's DEX server. `back()` returns to the step the user came
from.

BACKEND picks how the wallet reaches both chains: the public Electrum servers (the default: a
light wallet, SPV-checked), the user's own Electrum server, or the user's own Bitcoin Core /
Litecoin Core node (its cookie found by itself, or a login file). A simnet wallet skips it and
keeps the simnet's own nodes.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit

from app.config import NodeConfig, light_nodes
from app.errors import WizardError
from app.wallet.errors import MnemonicError, MnemonicWordError
from app.wallet.mnemonic import (
    WORD_COUNT,
    complete_word,
    generate_mnemonic,
    mnemonic_to_entropy,
    normalize_words,
    suggest_words,
)
from dexproto.assets import SYMBOLS, Network, get_asset

# Where the built-in local simnet's DEX server listens (loopback, so plain ws:// is allowed).
SIMNET_DEX_URL = "ws://127.0.0.1:7232"
MIN_PASSWORD_LENGTH = 8
CONFIRM_COUNT = 3  # words asked back: enough to prove they were written down, few enough to type


class Step(Enum):
    NETWORK = "network"
    CHOOSE = "choose"
    SHOW_WORDS = "show_words"
    CONFIRM_WORDS = "confirm_words"
    RESTORE_WORDS = "restore_words"
    PASSWORD = "password"
    BACKEND = "backend"
    SERVER = "server"
    DONE = "done"


class Mode(Enum):
    CREATE = "create"
    RESTORE = "restore"


class Issue(Enum):
    """What is wrong with the user's input; the view turns it into a translated sentence."""

    WRONG_CONFIRM_WORD = "wrong_confirm_word"  # position
    MISSING_WORD = "missing_word"  # position
    UNKNOWN_WORD = "unknown_word"  # position, word, suggestions
    INCOMPLETE_WORD = "incomplete_word"  # position, word, suggestions (a prefix only)
    BAD_CHECKSUM = "bad_checksum"
    PASSWORD_TOO_SHORT = "password_too_short"  # position = the minimum length
    PASSWORD_MISMATCH = "password_mismatch"
    URL_EMPTY = "url_empty"
    URL_NOT_WEBSOCKET = "url_not_websocket"
    URL_INSECURE = "url_insecure"  # ws:// to a host that is not this machine
    URL_MALFORMED = "url_malformed"
    ELECTRUM_EMPTY = "electrum_empty"  # chain
    ELECTRUM_MALFORMED = "electrum_malformed"  # chain, word = the bad entry
    NODE_URL_MALFORMED = "node_url_malformed"  # chain


class BackendKind(Enum):
    """How a wallet reaches the chains (the same choice for both)."""

    PUBLIC_ELECTRUM = "public_electrum"
    OWN_ELECTRUM = "own_electrum"
    OWN_NODE = "own_node"


@dataclass(frozen=True)
class Problem:
    issue: Issue
    position: int = 0  # 1-based word position, or a number the message needs
    word: str = field(default="", repr=False)  # user input: kept out of logs
    suggestions: tuple[str, ...] = ()
    chain: str = ""  # the asset symbol a backend problem is about


class Strength(Enum):
    WEAK = 1
    FAIR = 2
    GOOD = 3
    STRONG = 4


class WordState(Enum):
    EMPTY = "empty"
    PARTIAL = "partial"  # the start of one or more list words
    VALID = "valid"
    INVALID = "invalid"  # no list word starts like this


@dataclass(frozen=True)
class WizardResult:
    """What the caller needs to create (or restore) the wallet and connect."""

    network: Network
    mnemonic: str = field(repr=False)
    passphrase: str = field(repr=False)
    password: str = field(repr=False)
    remember: bool
    dex_url: str
    restored: bool = False  # a restored wallet should scan the chain for its history
    nodes: dict[str, NodeConfig] = field(default_factory=dict, repr=False)  # {}: the simnet's


def password_strength(password: str) -> Strength:
    """A hint, not a rule: length and variety of character classes."""
    classes = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if len(password) < MIN_PASSWORD_LENGTH:
        return Strength.WEAK
    score = classes + (len(password) >= 12) + (len(password) >= 16)
    if score >= 5:
        return Strength.STRONG
    if score >= 4:
        return Strength.GOOD
    return Strength.FAIR if score >= 2 else Strength.WEAK


def check_password(password: str, confirm: str) -> Problem | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return Problem(Issue.PASSWORD_TOO_SHORT, MIN_PASSWORD_LENGTH)
    if password != confirm:
        return Problem(Issue.PASSWORD_MISMATCH)
    return None


def check_server_url(url: str) -> Problem | None:
    """wss:// anywhere, or plain ws:// to this machine only (the same policy as app.dex)."""
    url = url.strip()
    if not url:
        return Problem(Issue.URL_EMPTY)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return Problem(Issue.URL_MALFORMED)
    if parts.scheme not in ("ws", "wss"):
        return Problem(Issue.URL_NOT_WEBSOCKET)
    host = parts.hostname
    if not host or any(c.isspace() for c in url):
        return Problem(Issue.URL_MALFORMED)
    # Here, not at the top: app.dex.connection loads websockets and the protocol messages
    # (~100 ms), which the unlock dialog (via app.ui.forms) must not wait for.
    from app.dex.connection import is_loopback

    if parts.scheme == "ws" and not is_loopback(host):
        return Problem(Issue.URL_INSECURE)
    return None


def check_electrum_url(url: str, chain: str = "") -> Problem | None:
    """One Electrum server: tcp://host:port or ssl://host:port (the port is required: there is
    no default worth guessing across coins and networks)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        port = None
        parts = None
    if (
        parts is None
        or parts.scheme not in ("tcp", "ssl")
        or not parts.hostname
        or not port
        or parts.path not in ("", "/")
        or parts.query
        or any(c.isspace() for c in url)
    ):
        return Problem(Issue.ELECTRUM_MALFORMED, word=url, chain=chain)
    return None


def electrum_list(text: str) -> list[str]:
    """The entries of a server list as typed (comma, space or newline separated)."""
    return [s for s in text.replace(",", " ").split() if s]


def check_electrum_list(servers: Sequence[str], chain: str = "") -> Problem | None:
    if not servers:
        return Problem(Issue.ELECTRUM_EMPTY, chain=chain)
    for url in servers:
        problem = check_electrum_url(url, chain)
        if problem is not None:
            return problem
    return None


def check_node_url(url: str, chain: str = "") -> Problem | None:
    """A Core node's JSON-RPC address: empty (this machine, the network's port) or http(s)."""
    url = url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return Problem(Issue.NODE_URL_MALFORMED, word=url, chain=chain)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return Problem(Issue.NODE_URL_MALFORMED, word=url, chain=chain)
    return None


def backend_nodes(
    network: Network,
    kind: BackendKind,
    *,
    servers: Mapping[str, str] | None = None,
    node_urls: Mapping[str, str] | None = None,
    login_files: Mapping[str, str] | None = None,
    symbols: Sequence[str] = SYMBOLS,
) -> dict[str, NodeConfig] | Problem:
    """Each chain's NodeConfig for `kind`, or the first Problem (by chain) in the input.
    `servers`: per chain, the own Electrum server list; `node_urls` / `login_files`: per chain,
    the own node's address (empty: this machine, the network's default port) and a file
    holding user:password (empty: the node's cookie, found in its default data directory)."""
    if kind is BackendKind.PUBLIC_ELECTRUM:
        return light_nodes(network, tuple(symbols))
    nodes = {}
    for symbol in symbols:
        if kind is BackendKind.OWN_ELECTRUM:
            entries = electrum_list((servers or {}).get(symbol, ""))
            problem = check_electrum_list(entries, symbol)
            if problem is not None:
                return problem
            nodes[symbol] = NodeConfig("", electrum=",".join(entries))
            continue
        url = (node_urls or {}).get(symbol, "").strip()
        problem = check_node_url(url, symbol)
        if problem is not None:
            return problem
        url = url or f"http://127.0.0.1:{get_asset(symbol, network).rpc_port}"
        login = (login_files or {}).get(symbol, "").strip()
        nodes[symbol] = NodeConfig(url, auth_file=login)  # no file: the node's own cookie
    return nodes


def word_state(text: str) -> WordState:
    """How a restore field looks while typed: partial words are fine until the field is left."""
    words = normalize_words(text)
    if not words:
        return WordState.EMPTY
    if len(words) > 1:
        return WordState.INVALID
    candidates = complete_word(words[0])
    if words[0] in candidates:
        return WordState.VALID
    return WordState.PARTIAL if candidates else WordState.INVALID


def check_word(position: int, text: str, *, final: bool) -> Problem | None:
    """Validate one restore field; `final` once the user moves on (a prefix is then an error)."""
    state = word_state(text)
    word = " ".join(normalize_words(text))
    if state is WordState.INVALID:
        return Problem(Issue.UNKNOWN_WORD, position, word, tuple(suggest_words(word)))
    if final and state is WordState.PARTIAL:
        return Problem(Issue.INCOMPLETE_WORD, position, word, tuple(complete_word(word, 4)))
    if final and state is WordState.EMPTY:
        return Problem(Issue.MISSING_WORD, position)
    return None


class Wizard:
    """One wizard run. `step` is what to show; call the method for that step."""

    def __init__(
        self,
        *,
        rng: random.Random | None = None,
        generate: Callable[[], str] = generate_mnemonic,
        confirm_count: int = CONFIRM_COUNT,
    ) -> None:
        self._rng = rng or secrets.SystemRandom()  # the positions asked need not be guessable
        self._generate = generate
        self._confirm_count = confirm_count
        self.step = Step.NETWORK
        self.network: Network | None = None
        self._history: list[Step] = []
        self.mode: Mode | None = None
        self._created: tuple[str, ...] = ()  # kept across "back" so written words stay valid
        self.words: tuple[str, ...] = ()
        self.passphrase = ""
        self.confirm_positions: tuple[int, ...] = ()
        self._password = ""
        self.remember = False
        self.dex_url = ""
        self.backend = BackendKind.PUBLIC_ELECTRUM
        self.nodes: dict[str, NodeConfig] = {}

    # --- navigation -------------------------------------------------------------------

    def _go(self, step: Step) -> None:
        self._history.append(self.step)
        self.step = step

    def _expect(self, *steps: Step) -> None:
        if self.step not in steps:
            raise WizardError(f"not allowed in step {self.step.value}")

    @property
    def can_go_back(self) -> bool:
        return bool(self._history) and self.step is not Step.DONE

    def back(self) -> None:
        if not self.can_go_back:
            raise WizardError("nothing to go back to")
        self.step = self._history.pop()
        if self.step is Step.CHOOSE:
            self.mode = None

    def progress(self) -> tuple[int, int]:
        """(current 1-based, total) for a "step 2 of 4" indicator; (0, 0) on the welcome page,
        which is no step of either flow. Each flow counts its own steps, so the total never
        changes under the user: create is 4 (words, check, password, server), restore 3, one
        more (the chain backend) on mainnet and testnet. The network page comes before the
        welcome page and is no step either, so the total is known before the first step."""
        if self.step in (Step.NETWORK, Step.CHOOSE):
            return 0, 0
        tail = [Step.PASSWORD, *([Step.BACKEND] if self.offers_backend else []), Step.SERVER]
        order = [Step.SHOW_WORDS, Step.CONFIRM_WORDS, *tail]
        if self.mode is Mode.RESTORE:
            order = [Step.RESTORE_WORDS, *tail]
        if self.step is Step.DONE:
            return len(order), len(order)
        return order.index(self.step) + 1, len(order)

    @property
    def offers_simnet(self) -> bool:
        """The local simnet's DEX server is offered to a simnet (regtest) wallet only."""
        return self.network is Network.REGTEST

    @property
    def offers_backend(self) -> bool:
        """Mainnet and testnet wallets choose their chain backend; the simnet has its own."""
        return self.network is not None and self.network is not Network.REGTEST

    # --- steps ------------------------------------------------------------------------

    def choose_network(self, network: Network) -> None:
        self._expect(Step.NETWORK)
        self.network = network
        self.dex_url = SIMNET_DEX_URL if network is Network.REGTEST else ""
        self._go(Step.CHOOSE)

    def choose(self, mode: Mode) -> None:
        self._expect(Step.CHOOSE)
        self.mode = mode
        if mode is Mode.CREATE:
            if not self._created:
                self._created = tuple(normalize_words(self._generate()))
            self.words = self._created
            self.passphrase = ""
            self._go(Step.SHOW_WORDS)
        else:
            self.words = ()
            self._go(Step.RESTORE_WORDS)

    def words_written(self) -> None:
        """The user says the words are on paper: pick new positions to ask back."""
        self._expect(Step.SHOW_WORDS)
        count = min(self._confirm_count, len(self.words))
        # sample() returns them in random order, which is the point: not 3, 7, 11.
        self.confirm_positions = tuple(self._rng.sample(range(1, len(self.words) + 1), count))
        self._go(Step.CONFIRM_WORDS)

    def confirm(self, answers: Mapping[int, str]) -> list[Problem]:
        """Answers by 1-based position; every wrong or missing one is reported, in asked order."""
        self._expect(Step.CONFIRM_WORDS)
        problems = []
        for position in self.confirm_positions:
            given = normalize_words(answers.get(position, ""))
            if given != [self.words[position - 1]]:
                problems.append(Problem(Issue.WRONG_CONFIRM_WORD, position))
        if not problems:
            self._go(Step.PASSWORD)
        return problems

    def candidates(self, prefix: str, limit: int = 8) -> list[str]:
        """Completion candidates for a restore field."""
        return complete_word(prefix, limit)

    def restore(self, words: Sequence[str], passphrase: str = "") -> Problem | None:
        """All fields at once: the first bad word by position, then the checksum."""
        self._expect(Step.RESTORE_WORDS)
        if len(words) != WORD_COUNT:
            raise WizardError(f"expected {WORD_COUNT} fields, got {len(words)}")
        for position, text in enumerate(words, start=1):
            problem = check_word(position, text, final=True)
            if problem is not None:
                return problem
        phrase = " ".join(" ".join(normalize_words(w)) for w in words)
        try:
            mnemonic_to_entropy(phrase, (WORD_COUNT,))
        except MnemonicWordError as exc:  # cannot happen after check_word; kept for safety
            return Problem(Issue.UNKNOWN_WORD, exc.position, exc.word, tuple(exc.suggestions))
        except MnemonicError:  # every word is known and there are 12: the checksum failed
            return Problem(Issue.BAD_CHECKSUM)
        self.words = tuple(phrase.split())
        self.passphrase = passphrase
        self._go(Step.PASSWORD)
        return None

    def set_password(self, password: str, confirm: str, remember: bool) -> Problem | None:
        self._expect(Step.PASSWORD)
        problem = check_password(password, confirm)
        if problem is None:
            self._password = password
            self.remember = remember
            self._go(Step.BACKEND if self.offers_backend else Step.SERVER)
        return problem

    def choose_backend(
        self,
        kind: BackendKind = BackendKind.PUBLIC_ELECTRUM,
        *,
        servers: Mapping[str, str] | None = None,
        node_urls: Mapping[str, str] | None = None,
        login_files: Mapping[str, str] | None = None,
    ) -> Problem | None:
        """How both chains are reached (see backend_nodes); stays here on a Problem."""
        self._expect(Step.BACKEND)
        assert self.network is not None
        nodes = backend_nodes(
            self.network, kind, servers=servers, node_urls=node_urls, login_files=login_files
        )
        if isinstance(nodes, Problem):
            return nodes
        self.backend, self.nodes = kind, nodes
        self._go(Step.SERVER)
        return None

    def choose_server(self, custom_url: str | None = None) -> Problem | None:
        """None picks the local simnet (a simnet wallet only); otherwise the custom URL must
        pass check_server_url."""
        self._expect(Step.SERVER)
        if custom_url is None and not self.offers_simnet:
            raise WizardError("the simnet server is only for a simnet wallet")
        if custom_url is None:
            self.dex_url = SIMNET_DEX_URL
        else:
            problem = check_server_url(custom_url)
            if problem is not None:
                return problem
            self.dex_url = custom_url.strip()
        self._go(Step.DONE)
        return None

    def result(self) -> WizardResult:
        self._expect(Step.DONE)
        assert self.network is not None  # DONE is reached through NETWORK
        return WizardResult(
            network=self.network,
            mnemonic=" ".join(self.words),
            passphrase=self.passphrase,
            password=self._password,
            remember=self.remember,
            dex_url=self.dex_url,
            restored=self.mode is Mode.RESTORE,
            nodes=dict(self.nodes) if self.offers_backend else {},
        )
