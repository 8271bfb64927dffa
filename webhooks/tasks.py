"""Thin tasks: the rows are the truth (webhooks.services)."""

from __future__ import annotations

from celery import shared_task

from webhooks import services


@shared_task
def endpoint_deliver_task(endpoint_id: int) -> int:
    return services.endpoint_deliver(endpoint_id=endpoint_id)


@shared_task
def deliveries_sweep_task() -> int:
    return services.deliveries_sweep()
