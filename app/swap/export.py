"""A swap's export file: everything needed to finish it elsewhere (`main.py swaps recover`).

It holds the signed refund, the key as its wallet path and the maker's secret sealed by the
wallet (in clear only in an old record flagged `key_in_clear`), so it is written with mode 0600
(app/fileio.atomic_write). One format for the app's Export button and `main.py swaps export`.
"""

from __future__ import annotations

import json

from app.swap.states import STATE_FORMAT, SwapState
from app.swap.store import encode_state

EXPORT_KIND = "cambio-swap-export"
EXPORT_VERSION = 1


def export_json(state: SwapState) -> bytes:
    data = {
        "kind": EXPORT_KIND,
        "version": EXPORT_VERSION,
        "fmt": STATE_FORMAT,
        "match_id": state.match.match_id,
        "record": json.loads(encode_state(state)),
    }
    return json.dumps(data, indent=1).encode()
