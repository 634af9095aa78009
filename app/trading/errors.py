"""Exceptions of the trading package (the root is app/errors.py: CambioError).

    TradingError                     base
    └── InvalidOrderError            the order form's fields do not make an order; .problems
                                     lists each (orderform.py, next to its Problem type; also
                                     a ValueError)

The order form's checks themselves return problems as values (`OrderFormState.problems`), so
the view shows them inline; only `request()` on a form with problems raises.
"""

from __future__ import annotations

from app.errors import CambioError


class TradingError(CambioError):
    """Base of the trading package."""
