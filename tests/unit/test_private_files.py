"""The data directory and the database are private to their owner (L7), and objects holding
private keys never show them in their repr (L9)."""

from __future__ import annotations

import stat
from pathlib import Path

from app.swap.engine import Funding
from app.wallet.coins import Outpoint, Utxo
from app.wallet.keystore import MIN_SCRYPT_N
from app.wallet.session import create_wallet, unlock_wallet
from app.wallet.signing import KeyedUtxo
from dexproto.assets import Network


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_datadir_is_0700_and_the_database_files_0600(tmp_path: Path) -> None:
    datadir = tmp_path / "wallet"
    datadir.mkdir(mode=0o755)
    create_wallet(datadir, "pw", network=Network.REGTEST, scrypt_n=MIN_SCRYPT_N)
    wallet = unlock_wallet(datadir, "pw")
    try:
        with wallet.store.transaction() as db:
            db.execute("INSERT INTO meta (key, value) VALUES ('probe', 'x')")
        assert mode(datadir) == 0o700
        files = [datadir / n for n in ("cambio.db", "cambio.db-wal", "cambio.db-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        wallet.store.close()


def test_private_keys_stay_out_of_reprs() -> None:
    secret = bytes(range(32))
    coin = KeyedUtxo(Utxo(Outpoint("11" * 32, 0), 1000, b"\x00\x14" + bytes(20), 1, 1), secret)
    for text in (repr(coin), repr(Funding((coin,), b"\x00"))):
        assert secret.hex() not in text and repr(secret) not in text
