"""The header file: a restart takes the verified chain back, a reorg rewrites only what it
replaced, and a torn or foreign file costs a re-sync, never a wrong chain."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.wallet.header_chain import HeaderChain
from app.wallet.header_store import HeaderStore
from app.wallet.spv import HEADER_SIZE, SpvError
from dexproto.crypto import sha256d
from tests.headerchains import extend, header_bytes, regtest_chain


def reloaded(folder: Path, chain: HeaderChain) -> HeaderChain | None:
    return HeaderStore(folder, chain.rules).load()


def test_a_restart_takes_the_chain_back_and_a_reorg_rewrites_its_branch(tmp_path: Path) -> None:
    chain, genesis = regtest_chain()
    store = HeaderStore(tmp_path, chain.rules)
    assert store.load() is None
    main = extend(genesis, 6, 1_296_700_000)
    assert chain.connect(1, main)
    store.save(chain, 1)
    again = reloaded(tmp_path, chain)
    assert again is not None and again.tip.raw == main[-1] and again.work == chain.work
    # A longer branch from height 3 replaces 3..6; the file follows.
    branch = extend(main[1], 6, 1_296_900_000, salt=2)
    assert chain.connect(3, branch)
    store.save(chain, 3)
    again = reloaded(tmp_path, chain)
    assert again is not None and again.tip_height == 8 and again.tip.raw == branch[-1]
    assert again.at(2).raw == main[1]
    assert store.path.stat().st_size == 9 * HEADER_SIZE
    assert store.path.stat().st_mode & 0o777 == 0o600


def test_a_torn_tail_is_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    chain, genesis = regtest_chain()
    chain.connect(1, extend(genesis, 4, 1_296_700_000))
    store = HeaderStore(tmp_path, chain.rules)
    store.save(chain, 1)
    with store.path.open("ab") as f:
        f.write(b"\x01" * 50)  # a crash in the middle of the next write
    assert (loaded := store.load()) is not None and loaded.tip_height == 4
    # A header that does not link ends what is kept, even with good ones after it.
    data = bytearray(store.path.read_bytes()[: 5 * HEADER_SIZE])
    data[3 * HEADER_SIZE + 4] ^= 0xFF
    store.path.write_bytes(bytes(data))
    assert (loaded := store.load()) is not None and loaded.tip_height == 2


def test_a_file_of_another_checkpoint_is_not_used(tmp_path: Path) -> None:
    chain, genesis = regtest_chain()
    chain.connect(1, extend(genesis, 3, 1_296_700_000))
    HeaderStore(tmp_path, chain.rules).save(chain, 1)
    other = header_bytes(b"\x00" * 32, 1_300_000_000, 0x207FFFFF)
    moved = dataclasses.replace(
        chain.rules,
        checkpoint=dataclasses.replace(chain.rules.checkpoint, hash=sha256d(other)[::-1].hex()),
    )
    assert HeaderStore(tmp_path, moved).load() is None


def test_stored_headers_must_link() -> None:
    chain, _ = regtest_chain()
    stray = extend(b"\x22" * 80, 1, 1_296_700_000)
    with pytest.raises(SpvError, match="does not link"):
        chain.extend_verified(b"".join(stray))
