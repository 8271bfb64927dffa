"""One parser for whole numbers that come from people or URLs: ASCII digits 0-9 and nothing else.

`str.isdigit()` accepts "²" and "𐩀" and `int()` accepts "١٢", " 12", "+12" and "1_2", so pairing them
turned odd query parameters into server errors. Every id, im_id or count read from a query string,
a form or a CSV cell goes through `ascii_int`.
"""

from __future__ import annotations

from django.http import Http404

# 18 digits always fit PostgreSQL's bigint (and so every id column).
MAX_DIGITS = 18


def ascii_int(value: object, *, max_digits: int = MAX_DIGITS) -> int | None:
    """The non-negative integer `value` spells in ASCII digits, or None for anything else."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if not 0 < len(text) <= max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def id_or_404(value: object) -> int:
    """An id from a URL or a query string for a lookup; anything but ASCII digits is a 404."""
    number = ascii_int(value)
    if number is None:
        raise Http404
    return number
