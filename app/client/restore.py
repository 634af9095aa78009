"""A restored wallet's address discovery, resumed at each refresh until every asset is done
(app/wallet/restore_scan.py keeps the list in config.json); the window only shows progress."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from app.wallet import restore_scan
from app.wallet.restore_scan import ProgressFn
from app.wallet.session import OpenWallet

log = logging.getLogger("cambio.client")


async def resume_restore_scan(
    wallet: OpenWallet, symbols: Sequence[str], progress: ProgressFn
) -> bool:
    """Discover the addresses of the assets among `symbols` still to scan, before their first
    balance; an asset whose node failed is scanned at the next call. True when a scan ran."""
    pending = restore_scan.pending(wallet.config)
    todo = [s for s in symbols if s in pending]
    if not todo:
        return False
    done, problems = await restore_scan.discover_assets([wallet.asset(s) for s in todo], progress)
    if done:
        try:
            restore_scan.finish(wallet.datadir, wallet.config, done)
        except OSError as exc:  # scanned again at the next start: harmless
            log.warning("could not record the finished restore scan: %s", exc)
    for symbol, problem in problems.items():
        log.info("restore scan of %s waits: %s", symbol, problem)
    return True
