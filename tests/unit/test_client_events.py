"""How the core turns DEX client events into the app's events."""

from __future__ import annotations

from app.client.client import NOT_REGISTERED_YET, Client
from app.client.events import CoreError, Dispatcher
from app.dex.events import ClientError
from dexproto.errors import ErrorCode


class _Stub:
    """Just enough of a Client for `_on_dex_event` (the method under test is unbound)."""

    def __init__(self) -> None:
        self.events = Dispatcher()
        self.seen: list[object] = []
        self.events.subscribe(self.seen.append)


def test_connect_refused_before_registration_is_not_shown_as_an_error() -> None:
    stub = _Stub()
    for code in NOT_REGISTERED_YET:
        Client._on_dex_event(stub, ClientError("unknown account", "x", int(code)))  # type: ignore[arg-type]
    assert stub.seen == []
    Client._on_dex_event(stub, ClientError("banned", "x", int(ErrorCode.ACCOUNT_BANNED)))  # type: ignore[arg-type]
    Client._on_dex_event(stub, ClientError("order book out of date", "y"))  # type: ignore[arg-type]
    assert [type(e) for e in stub.seen] == [CoreError, CoreError]


def test_every_swap_state_has_a_stage() -> None:
    """Events carry a Stage; a state class without one would fail in `stage_of` mid-swap."""
    from app.swap.states import STATE_TYPES, Stage

    assert {Stage(t.__name__) for t in STATE_TYPES} == set(Stage)
