"""Enqueueing on commit, the same way for every app: the row is the truth, the task only a nudge."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

# One quick retry, then give up: the request that committed must not hang or fail on the broker.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0, "interval_max": 0.2}


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """Publish `task(*args)` once the current transaction commits.

    A broker outage is logged, never raised: the work is already recorded in the database, and the
    app's beat sweep re-enqueues what could not be published here (docs/product.md §11: broker down,
    nothing lost).
    """

    def publish() -> None:
        try:
            task.apply_async(args=args, retry=True, retry_policy=RETRY_POLICY)
        except Exception:  # kombu raises several connection error types
            logger.warning("broker unavailable; %s%r waits for its sweep", task.name, args, exc_info=True)

    transaction.on_commit(publish)
