"""A light wallet's verified header chain on disk, so a restart does not sync from the
checkpoint again (Litecoin's scrypt check runs at a few thousand headers a second, and a
mainnet chain is past a million headers beyond the checkpoint).

The file holds the raw 80-byte headers from the checkpoint up, one after another. It is a
cache of what we verified, never a source of trust beyond our own data directory: on load,
the first header must hash to the checkpoint of the rules in force and every next one must
name the previous one's hash; the first header that does not (a torn write at a crash, a
file from an older checkpoint) ends what is kept, and the sync asks a server for the rest.
Proof of work is not checked again: the headers were checked before they were written, and
whoever can write our data directory can replace the wallet's settings anyway.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.fileio import private_dir
from app.wallet.header_chain import HeaderChain
from app.wallet.spv import HEADER_SIZE, ChainRules, SpvError

# Read in pieces: the chain's own bytes are the only full copy of the file in memory.
_CHUNK = HEADER_SIZE * 16384


class HeaderStore:
    """The header file of one chain (`<folder>/<rules.name>.headers`)."""

    def __init__(self, folder: Path, rules: ChainRules) -> None:
        self.folder = Path(folder)
        self.rules = rules
        self.path = self.folder / f"{rules.name}.headers"
        self._saved = 0  # headers on disk that match our chain

    def load(self) -> HeaderChain | None:
        """The chain of the stored headers that link up from the checkpoint (None when
        not even the first is the checkpoint's)."""
        try:
            f = self.path.open("rb")
        except FileNotFoundError:
            return None
        with f:
            try:
                chain = HeaderChain(self.rules, f.read(HEADER_SIZE))
            except SpvError:
                return None
            while chunk := f.read(_CHUNK):
                if chain.extend_linked(chunk) * HEADER_SIZE < len(chunk):
                    break  # a header that does not link, or a torn tail
        self._saved = chain.tip_height - chain.base_height + 1
        return chain

    def save(self, chain: HeaderChain, changed_from: int) -> None:
        """Bring the file in line with `chain`, whose headers below `changed_from` are the
        ones already written (a reorg replaced what lies above)."""
        keep = min(self._saved, max(0, changed_from - chain.base_height))
        tail = chain.raw_from(chain.base_height + keep)
        private_dir(self.folder)
        flags = os.O_RDWR | os.O_CREAT
        fd = os.open(self.path, flags, 0o600)
        try:
            os.ftruncate(fd, keep * HEADER_SIZE)
            os.lseek(fd, keep * HEADER_SIZE, os.SEEK_SET)
            view = memoryview(tail)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        self._saved = keep + len(tail) // HEADER_SIZE
