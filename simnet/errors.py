"""The simnet's own errors. They are CambioErrors (app/errors.py), so the command line's
edge (app/cli/edge.py) prints one of them as one line, without a traceback, like the app's.

    SimnetError                      root
    ├── NodeError                    a regtest node failed to start, or an RPC call failed
    │                                (simnet/node.py)
    └── SimnetBusy                   another live process owns the simnet in this
                                     directory (simnet/lifecycle.py)
"""

from __future__ import annotations

from app.errors import CambioError


class SimnetError(CambioError):
    """Root of the simnet's errors."""


class NodeError(SimnetError):
    """The regtest node failed to start or answered an RPC call with an error."""


class SimnetBusy(SimnetError):
    """Another live process owns the simnet in this directory."""
