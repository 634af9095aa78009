"""What the UI may use besides the client: the value types, pure rules and helpers that
widgets show or check (issue 15, "the UI only binds"; tests/unit/test_import_contract.py).

A module of app/ui imports from the app only app.ui, app.client (this module included) and
error modules. Everything here is either a frozen value, an enum, a pure function or a small
file/keyring helper; none of it holds a store, runs SQL or talks to a chain or the DEX server.
When a package behind the client moves (app/dex into the shared protocol package, say), the
change is here and nowhere in app/ui.

What it names: assets and amounts; the config file, safety limits and the rules Settings shows
(Electrum server lists, node cookies, chain status); the wizard's rules and opening a wallet
(before a Client exists: session, keystore, mnemonic, the restore scan's mark); the order
form's rules, the order book mirror and market data (app/trading, the DEX wire types the
UI shows); swap stages; sending coins (fee speeds, the send checks); atomic file writes. The errors
defined outside an errors module are in app/client/errors.py.
"""

from __future__ import annotations

from app.config import AppConfig, ConfigError, NodeConfig, default_datadir, load_config, save_config
from app.dex.events import BookUpdated
from app.dex.orderbook import BookDelta, LevelChange, OrderBookMirror, PriceLevel
from app.fileio import atomic_write
from app.safety.limits import LimitsError, SafetyLimits
from app.safety.rules import client_swap_confs
from app.swap.states import Stage
from app.trading.book_rows import LevelRow, OpKind, SideRows, Spread, decimals_for
from app.trading.charts_data import (
    Bin,
    Countdown,
    DepthPoint,
    DepthView,
    ServerClock,
    Ticker,
    aggregate,
    depth_at,
    depth_view,
    epoch_countdown,
    format_change,
    format_countdown,
    nice_ticks,
    ticker_24h,
    time_ticks,
)
from app.trading.orderform import (
    Field,
    MarketRules,
    OrderFormState,
    OrderKind,
    OrderRequest,
)
from app.trading.orderform import (
    Issue as OrderIssue,
)
from app.trading.orderform import (
    Problem as OrderProblem,
)
from app.wallet.backends.cert_pins import CertChange
from app.wallet.backends.electrum import default_servers, split_servers
from app.wallet.backends.rpcauth import default_cookie
from app.wallet.chain_status import ELECTRUM, NODE, ChainStatus
from app.wallet.coins import SignedTx
from app.wallet.fees import TARGET_BLOCKS, FeeQuote, FeeSpeed
from app.wallet.keystore import forget_password, read_info, recall_password, remember_password
from app.wallet.mnemonic import WORD_COUNT, generate_mnemonic, wordlist
from app.wallet.restore_scan import ScanProgress, mark_pending
from app.wallet.send_check import (
    SendIssue,
    SendProblem,
    approx_fee,
    check_address,
    check_amount,
    max_amount,
)
from app.wallet.session import (
    OpenWallet,
    create_wallet,
    keystore_path,
    unlock_wallet,
    wallet_exists,
)
from app.wizard import (
    SIMNET_DEX_URL,
    BackendKind,
    Mode,
    Step,
    Strength,
    Wizard,
    WizardResult,
    check_electrum_url,
    check_server_url,
    check_word,
    password_strength,
)
from app.wizard import (
    Issue as WizardIssue,
)
from app.wizard import (
    Problem as WizardProblem,
)
from dexproto.assets import SYMBOLS, AssetParams, Network, format_atoms, get_asset, parse_coins
from dexproto.feed_messages import BookSide
from dexproto.marketdata import Candle, Trade
from dexproto.messages import ConfigResult, Side, TimeInForce

__all__ = [
    "ELECTRUM",
    "NODE",
    "SIMNET_DEX_URL",
    "SYMBOLS",
    "TARGET_BLOCKS",
    "WORD_COUNT",
    "AppConfig",
    "AssetParams",
    "BackendKind",
    "Bin",
    "BookDelta",
    "BookSide",
    "BookUpdated",
    "Candle",
    "CertChange",
    "ChainStatus",
    "ConfigError",
    "ConfigResult",
    "Countdown",
    "DepthPoint",
    "DepthView",
    "FeeQuote",
    "FeeSpeed",
    "Field",
    "LevelChange",
    "LevelRow",
    "LimitsError",
    "MarketRules",
    "Mode",
    "Network",
    "NodeConfig",
    "OpKind",
    "OpenWallet",
    "OrderBookMirror",
    "OrderFormState",
    "OrderIssue",
    "OrderKind",
    "OrderProblem",
    "OrderRequest",
    "PriceLevel",
    "SafetyLimits",
    "ScanProgress",
    "SendIssue",
    "SendProblem",
    "ServerClock",
    "Side",
    "SideRows",
    "SignedTx",
    "Spread",
    "Stage",
    "Step",
    "Strength",
    "Ticker",
    "TimeInForce",
    "Trade",
    "Wizard",
    "WizardIssue",
    "WizardProblem",
    "WizardResult",
    "aggregate",
    "approx_fee",
    "atomic_write",
    "check_address",
    "check_amount",
    "check_electrum_url",
    "check_server_url",
    "check_word",
    "client_swap_confs",
    "create_wallet",
    "decimals_for",
    "default_cookie",
    "default_datadir",
    "default_servers",
    "depth_at",
    "depth_view",
    "epoch_countdown",
    "forget_password",
    "format_atoms",
    "format_change",
    "format_countdown",
    "generate_mnemonic",
    "get_asset",
    "keystore_path",
    "load_config",
    "mark_pending",
    "max_amount",
    "nice_ticks",
    "parse_coins",
    "password_strength",
    "read_info",
    "recall_password",
    "remember_password",
    "save_config",
    "split_servers",
    "ticker_24h",
    "time_ticks",
    "unlock_wallet",
    "wallet_exists",
    "wordlist",
]
