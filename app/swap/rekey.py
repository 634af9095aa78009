"""Taking over swap records written before format 2: keys out of the store, secrets sealed.

Format 1 records held `Match.our_key` (the private key of our receiving address) and the
maker's secret in clear. Once the wallet is unlocked, every record of such a match (its current
row and its history) is rewritten in place: the key is looked up by its P2WPKH script among the
wallet's known addresses, checked equal to the key the wallet derives at that path, and
replaced by the path; a clear maker secret is sealed. The rewrite zeroes the old bytes
(SwapStore.rewrite). Nothing secret is logged, and nothing is appended to the history.

A key the wallet cannot match stays in clear and its row stays flagged (`key_in_clear`); the
warning names the match, never the key. The swap still settles with that key.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from app.swap.errors import SwapError
from app.swap.keys import WalletKeys
from app.swap.states import (
    ClearSecret,
    KeyPath,
    Match,
    SwapState,
    WithSealedSecret,
)
from app.swap.store import StoredRecord, SwapStore
from dexproto.address import p2wpkh_script

log = logging.getLogger(__name__)

# (asset, P2WPKH script) -> where the wallet has that script, or None.
PathFinder = Callable[[str, bytes], KeyPath | None]


@dataclass(frozen=True)
class RekeyReport:
    taken_over: list[str] = field(default_factory=list)  # match ids now without a clear key
    left_in_clear: list[str] = field(default_factory=list)  # flagged: not this wallet's key
    scrubbed: bool = True  # the WAL checkpoint completed (old page images gone)


def _path_of(m: Match, keys: WalletKeys, find: PathFinder) -> KeyPath | None:
    """The wallet path whose key equals `m.clear_key`: the receiving asset's account first
    (app/client/matches.py takes the key there), then the paying one."""
    if m.clear_key is None:
        return m.our_key_path
    script = p2wpkh_script(m.our_pkh)
    for asset in dict.fromkeys((m.their_asset, m.our_asset)):
        try:
            path = find(asset, script)
            if path is not None and hmac.compare_digest(keys.key_at(path, m.network), m.clear_key):
                return path
        except (ValueError, KeyError, SwapError):  # an asset or network this wallet lacks
            continue
    return None


def _taken_over(state: SwapState, match: Match, keys: WalletKeys) -> SwapState:
    if isinstance(state, WithSealedSecret) and isinstance(state.sealed_secret, ClearSecret):
        sealed = keys.seal(match.match_id, state.sealed_secret.value)
        return replace(state, match=match, sealed_secret=sealed)
    return replace(state, match=match)


def _rekey_match(store: SwapStore, match_id: str, keys: WalletKeys, find: PathFinder) -> bool:
    """Rewrite one match's records; True when none holds a clear key any more."""
    paths: dict[bytes, KeyPath | None] = {}
    rewritten: list[StoredRecord] = []
    complete = True
    for rec in store.records(match_id):
        m = rec.state.match
        if m.clear_key is None:
            continue
        if m.clear_key not in paths:
            paths[m.clear_key] = _path_of(m, keys, find)
        path = paths[m.clear_key]
        if path is None:
            complete = False
            continue
        moved = replace(m, our_key_path=path, clear_key=None)
        rewritten.append(StoredRecord(rec.event_id, _taken_over(rec.state, moved, keys)))
    if rewritten:
        store.rewrite(match_id, rewritten)
    return complete


def take_over_clear_keys(store: SwapStore, keys: WalletKeys, find: PathFinder) -> RekeyReport:
    """Move every clear key this wallet can match out of the store (see the module doc)."""
    report = RekeyReport()
    for match_id in store.ids_with_clear_keys():
        try:
            complete = _rekey_match(store, match_id, keys, find)
        except SwapError as exc:  # an unreadable record: leave it to the engine's errors
            log.warning("swap %s: its records could not be rewritten: %s", match_id[:8], exc)
            complete = False
        if complete:
            report.taken_over.append(match_id)
            log.info("swap %s: its key is no longer stored; the wallet derives it", match_id[:8])
        else:
            report.left_in_clear.append(match_id)
            log.warning(
                "swap %s: its key is not one of this wallet's addresses, so it stays "
                "stored in clear (flagged); open the wallet that made this swap",
                match_id[:8],
            )
    if report.taken_over:
        return replace(report, scrubbed=store.scrub_files())
    return report
