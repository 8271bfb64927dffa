"""Enqueueing on commit, the same way for every app: the row is the truth, the task only a nudge."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

from interviewmaker.outage import broker

logger = logging.getLogger(__name__)

# One quick retry, then give up: the request that committed must not hang or fail on the broker. With
# the socket timeouts of settings.REDIS_OPTIONS a hanging broker costs about two seconds at most.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0, "interval_max": 0.2}


def publish(task: Task, *args: Any, **options: Any) -> bool:
    """Publish `task(*args)` now; False, logged, if the broker is down (or failed a moment ago).

    After a failure the process skips the broker for REDIS_BACKOFF_SECONDS, so a request that would
    publish several tasks, and the requests after it, don't each wait on a dead broker.
    """
    if broker.down():
        logger.info("broker unavailable; %s%r waits for its sweep", task.name, args)
        return False
    try:
        task.apply_async(args=args, retry=True, retry_policy=RETRY_POLICY, **options)
    except Exception as exc:  # kombu and redis raise several connection and timeout error types
        broker.failed(exc, "queued work waits for the beat sweeps")
        logger.warning("broker unavailable; %s%r waits for its sweep", task.name, args)
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """Publish `task(*args)` once the current transaction commits.

    A broker outage is logged, never raised: the work is already recorded in the database, and the
    app's beat sweep re-enqueues what could not be published here (docs/product.md §11: broker down,
    nothing lost).
    """
    transaction.on_commit(lambda: publish(task, *args))
