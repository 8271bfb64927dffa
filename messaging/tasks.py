"""Celery tasks of the outbox: thin, they call one service each."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from messaging.services import sending

logger = logging.getLogger(__name__)


@shared_task(name="messaging.send_due", ignore_result=True)
def messages_send() -> None:
    """Claim and send due messages until none is left or the time budget is spent."""
    sending.messages_send_due()


@shared_task(name="messaging.sweep", ignore_result=True)
def messages_sweep() -> None:
    """Beat: give expired leases back to the queue and nudge senders for anything due."""
    sending.messages_sweep()


def senders_kick(*, count: int, countdown: float | None = None) -> None:
    """Publish enough sender tasks for `count` messages; a broker outage only delays them.

    Never raises: the rows are committed already, and the beat sweep re-enqueues what could not be
    published here.
    """
    batch = settings.MESSAGING_BATCH_SIZE
    tasks = max(1, min(settings.MESSAGING_SENDERS, -(-count // batch)))
    try:
        for _ in range(tasks):
            messages_send.apply_async(
                countdown=countdown or 0,
                retry=True,
                retry_policy={
                    "max_retries": 1,
                    "interval_start": 0.2,
                    "interval_step": 0,
                    "interval_max": 0.2,
                },
            )
    except Exception:  # broker down: kombu raises various connection errors
        logger.warning("broker unavailable; %s queued messages wait for the sweep", count, exc_info=True)
