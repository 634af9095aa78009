"""Address discovery after a restore, asset by asset, resumable across starts.

A restored wallet must find its used addresses (with the gap limit) before its balance means
anything. The wizard marks the assets to scan in config.json (`extra["restore_scan"]`); the
app scans them when it has nodes and clears each one once done, so a start with a node down
scans that asset at the next try. Progress goes to a plain callback (the GUI shows a bar).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.config import AppConfig, load_config, save_config
from app.wallet.errors import NoNodeConfiguredError, WalletError
from app.wallet.service import AssetWallet, ScanStep

PENDING_KEY = "restore_scan"  # config.extra: symbols whose addresses are still to discover


@dataclass(frozen=True)
class ScanProgress:
    """Where a restore scan is: `step` of asset number `index` (0-based) of `count`."""

    step: ScanStep
    index: int
    count: int


ProgressFn = Callable[[ScanProgress], None]


def mark_pending(config: AppConfig, symbols: Sequence[str]) -> None:
    config.extra[PENDING_KEY] = sorted(symbols)


def pending(config: AppConfig) -> list[str]:
    value = config.extra.get(PENDING_KEY, [])
    return [str(s) for s in value] if isinstance(value, list) else []


def finish(datadir: Path, config: AppConfig, done: Sequence[str]) -> None:
    """Drop `done` from the pending list, in the running `config` and in config.json (read
    afresh: Settings may have written it since the start)."""
    for target in (config, load_config(datadir)):
        left = [s for s in pending(target) if s not in done]
        if left:
            target.extra[PENDING_KEY] = left
        else:
            target.extra.pop(PENDING_KEY, None)
        if target is not config:
            save_config(datadir, target)


async def discover_assets(
    wallets: Sequence[AssetWallet], progress: ProgressFn
) -> tuple[list[str], dict[str, str]]:
    """Discover each wallet's used addresses. Returns the symbols done and, for the others,
    why not (no node configured, or the node failed: try again later)."""
    done: list[str] = []
    problems: dict[str, str] = {}
    for index, wallet in enumerate(wallets):
        symbol = wallet.asset.symbol

        def report(step: ScanStep, i: int = index) -> None:
            progress(ScanProgress(step, i, len(wallets)))

        try:
            await wallet.discover(progress=report)
        except NoNodeConfiguredError:
            problems[symbol] = "unconfigured"
        except (WalletError, OSError) as exc:
            problems[symbol] = str(exc)
        else:
            done.append(symbol)
    return done, problems
