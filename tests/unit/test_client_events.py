"""How the core turns DEX client events into the app's events."""

from __future__ import annotations

from pathlib import Path

from app.client.dex_events import NOT_REGISTERED_YET
from app.client.events import CoreError
from app.dex.events import ClientError
from dexproto.errors import ErrorCode
from tests.fakes.dex_events import DexEventsRig


def test_connect_refused_before_registration_is_not_shown_as_an_error(tmp_path: Path) -> None:
    rig = DexEventsRig(tmp_path)
    for code in NOT_REGISTERED_YET:
        rig.part.on_dex_event(ClientError("unknown account", "x", int(code)))
    assert rig.seen == []
    rig.part.on_dex_event(ClientError("banned", "x", int(ErrorCode.ACCOUNT_BANNED)))
    rig.part.on_dex_event(ClientError("order book out of date", "y"))
    assert [type(e) for e in rig.seen] == [CoreError, CoreError]


def test_every_swap_state_has_a_stage() -> None:
    """Events carry a Stage; a state class without one would fail in `stage_of` mid-swap."""
    from app.swap.states import STATE_TYPES, Stage

    assert {Stage(t.__name__) for t in STATE_TYPES} == set(Stage)
