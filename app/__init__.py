"""Cambio engine: wallet, DEX protocol, swaps and store. Never imports Qt (see app/ui for that)."""

__version__ = "0.1.0"
