"""Fixtures shared by the integration tests (the regtest nodes are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.core_rpc import FakeNode


@pytest.fixture
async def fake_node() -> AsyncIterator[FakeNode]:
    """A fake Core RPC node on a free loopback port (tests/fakes/core_rpc.py)."""
    node = FakeNode()
    await node.start()
    yield node
    await node.stop()
