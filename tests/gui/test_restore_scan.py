"""The wizard's restore path marks every asset of a restored wallet for address discovery at
its first refresh (a new wallet has nothing to scan). The scan itself on a real regtest node:
tests/integration/gui/test_restore_scan_regtest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import load_config
from app.wallet import restore_scan
from app.wallet.mnemonic import generate_mnemonic
from dexproto.assets import SYMBOLS, Network


@pytest.mark.parametrize("restored", [True, False])
def test_the_wizard_path_marks_a_restored_wallet_for_scanning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restored: bool
) -> None:
    from app.ui import launch, wizard_view
    from app.wizard import SIMNET_DEX_URL, WizardResult

    result = WizardResult(
        network=Network.REGTEST,
        mnemonic=generate_mnemonic(),
        passphrase="",
        password="pw-long-1",
        remember=False,
        dex_url=SIMNET_DEX_URL,
        restored=restored,
    )
    monkeypatch.setattr(wizard_view, "run_wizard", lambda: result)
    opened = launch._open_or_create(tmp_path)
    assert opened is not None
    try:
        expected = sorted(SYMBOLS) if restored else []
        assert restore_scan.pending(load_config(tmp_path)) == expected
        assert restore_scan.pending(opened.config) == expected
    finally:
        opened.store.close()
