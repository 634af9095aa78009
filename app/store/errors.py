"""Store exceptions.

StoreError            base: the local database cannot be used
  StoreVersionError   the database was written by a newer Cambio (refuse, change nothing)
"""


class StoreError(Exception):
    """The local database could not be opened or written."""


class StoreVersionError(StoreError):
    """The database schema is newer than this program understands."""
