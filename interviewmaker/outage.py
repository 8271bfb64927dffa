"""Per-process memory that Redis just failed, so that the next requests don't each wait on it again.

Redis carries the broker and the rate-limit counters, neither of which a page needs to answer: the
database row is the truth and a beat sweep publishes what could not be published (docs/decisions.md).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

logger = logging.getLogger(__name__)


class Backoff:
    """After a failure, `down()` is true for REDIS_BACKOFF_SECONDS: callers skip Redis meanwhile."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._until = 0.0

    def down(self) -> bool:
        return time.monotonic() < self._until

    def failed(self, exc: BaseException, consequence: str) -> None:
        seconds = settings.REDIS_BACKOFF_SECONDS
        self._until = time.monotonic() + seconds
        # One line per outage and process, not a traceback per request.
        logger.warning(
            "%s unavailable (%s); %s; next attempt in %ss",
            self.what,
            type(exc).__name__,
            consequence,
            seconds,
        )

    def reset(self) -> None:
        self._until = 0.0


broker = Backoff("Celery broker")
ratelimit_cache = Backoff("rate-limit cache")
