"""Exceptions of the store package (the root is app/errors.py: CambioError).

StoreError            the local database cannot be opened, read or written; every
│                     sqlite3.Error is mapped to it in db.py (`raise … from`), with the
│                     SQLite text as .detail
├── StoreVersionError the database was written by a newer Cambio (refuse, change nothing)
└── RecordUnreadable  one stored record (an order, a queued report) is damaged: its JSON
                      or its fields do not parse; nothing is changed
"""

from app.errors import CambioError


class StoreError(CambioError):
    """The local database could not be opened, read or written."""


class StoreVersionError(StoreError):
    """The database schema is newer than this program understands."""


class RecordUnreadable(StoreError):
    """A stored record does not parse (damaged by hand or by a disk): refuse to act on it."""

    def __init__(self, what: str, key: str, problem: BaseException) -> None:
        super().__init__(f"A stored {what} could not be read.", f"{what} {key}: {problem!r}")
