"""Exceptions of the store package (the root is app/errors.py: CambioError).

StoreError            the local database cannot be opened, read or written; every
│                     sqlite3.Error is mapped to it in db.py (`raise … from`), with the
│                     SQLite text as .detail
└── StoreVersionError the database was written by a newer Cambio (refuse, change nothing)
"""

from app.errors import CambioError


class StoreError(CambioError):
    """The local database could not be opened, read or written."""


class StoreVersionError(StoreError):
    """The database schema is newer than this program understands."""
