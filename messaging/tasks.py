"""Celery tasks of the outbox: thin, they call one service each."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from interviewmaker.tasks import publish
from messaging.services import sending

logger = logging.getLogger(__name__)


@shared_task
def messages_send() -> None:
    """Claim and send due messages until none is left or the time budget is spent."""
    sending.messages_send_due()


@shared_task
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
    for _ in range(tasks):
        if not publish(messages_send, countdown=countdown or 0):
            logger.warning("%s queued messages wait for the sweep", count)
            return
