"""One error model (app/errors.py, docs/errors.md): every exception class defined in app/
descends from CambioError, unless the short allow-list below says why not, and each is drawn
in the tree at the top of its package's errors.py (architecture rule 5). Every module of app
is imported to find them, so a class added anywhere is seen.

And the model's rules that a class alone does not show: str() is the user message, the
detail stays out of it, and third-party errors are mapped at the edge (`raise … from`).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import sqlite3
from pathlib import Path

import pytest

import app
from app.errors import CambioError, log_text, user_message
from app.store.db import Store
from app.store.errors import StoreError
from app.swap.contract import make_contract, parse_contract
from app.swap.errors import ContractError, SwapError
from dexproto.errors import ContractError as WireContractError

# Defined in app/ on purpose outside the tree: name -> why.
ALLOWED = {
    "app.dex.session.ServerKeyChanged": (
        "a dexproto ProtocolError: raised by the sans-I/O session's result check, where only "
        "a ProtocolError is answered and reported; it leaves app/dex as BadServerAnswer"
    ),
}


def _app_exception_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(app.__path__, "app."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


CLASSES = _app_exception_classes()


def _tree_module(module: str) -> str:
    """The errors module whose docstring draws the classes of `module`: its top package's
    (app.wallet.backends.electrum -> app.wallet.errors), app.errors for app's own modules."""
    parts = module.split(".")
    if len(parts) > 2:
        candidate = f"app.{parts[1]}.errors"
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    return "app.errors"


def test_the_walk_sees_classes_outside_the_errors_modules() -> None:
    for name in (
        "app.wallet.backends.electrum.ServerLied",
        "app.swap.store.StaleSwapWrite",
        "app.client.server_switch.DexSwitchRefused",
        "app.trading.orderform.InvalidOrderError",
        "app.dex.session.ServerKeyChanged",
    ):
        assert name in CLASSES
    assert len(CLASSES) > 60


def test_every_app_exception_descends_from_the_root() -> None:
    strays = sorted(
        name
        for name, cls in CLASSES.items()
        if not issubclass(cls, CambioError) and name not in ALLOWED
    )
    assert not strays, "outside the app's error tree (app/errors.py):\n" + "\n".join(strays)


def test_the_allow_list_stays_short_and_true() -> None:
    assert len(ALLOWED) <= 3
    for name, reason in ALLOWED.items():
        assert name in CLASSES, f"{name} is gone: drop it from the allow-list"
        assert not issubclass(CLASSES[name], CambioError), f"{name} is in the tree now"
        assert reason


def test_every_app_exception_is_drawn_in_its_packages_tree() -> None:
    missing = []
    for name, cls in CLASSES.items():
        tree = _tree_module(cls.__module__)
        doc = importlib.import_module(tree).__doc__ or ""
        if cls.__name__ not in doc:
            missing.append(f"{name} (not in the docstring of {tree})")
    assert not missing, "\n".join(sorted(missing))


def test_str_is_the_user_message_and_the_detail_stays_apart() -> None:
    err = CambioError("Cannot do it.", "errno 5 at offset 12")
    assert str(err) == err.user_message == user_message(err) == "Cannot do it."
    assert err.detail not in str(err) and log_text(err) == "Cannot do it. [errno 5 at offset 12]"
    assert f"failed: {err}" == "failed: Cannot do it."  # an f-string never leaks the detail
    assert log_text(OSError("disk full")) == user_message(OSError("disk full")) == "disk full"


def test_dexprotos_contract_error_is_mapped_into_the_swap_tree() -> None:
    with pytest.raises(SwapError, match="Not a swap contract") as parsed:
        parse_contract(b"\x63" * 10)
    assert type(parsed.value) is ContractError and parsed.value.detail == "length 10"
    assert isinstance(parsed.value.__cause__, WireContractError)
    with pytest.raises(ContractError, match="secret hash") as made:
        make_contract(b"\x01", bytes(20), bytes(20), 1_700_000_000)
    assert isinstance(made.value.__cause__, WireContractError)


def test_sqlite_errors_are_mapped_to_store_errors(tmp_path: Path) -> None:
    store = Store(tmp_path / "cambio.db")
    try:
        with pytest.raises(StoreError, match="Could not read the database") as read:
            store.query("SELECT value FROM no_such_table")
        assert "no_such_table" in read.value.detail
        assert isinstance(read.value.__cause__, sqlite3.Error)
        with (
            pytest.raises(StoreError, match="Could not write") as wrote,
            store.transaction() as db,
        ):
            db.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
            db.execute("INSERT INTO no_such_table VALUES (1)")
        assert isinstance(wrote.value.__cause__, sqlite3.Error)
        assert store.get_meta("k") is None  # rolled back: nothing of the failed write stays
    finally:
        store.close()
