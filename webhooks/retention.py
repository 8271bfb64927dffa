"""The webhooks app's part of deletion requests: deliveries about the applicant carry their data."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from applicants.signals import applicants_erase
from webhooks.models import WebhookDelivery


@receiver(applicants_erase, dispatch_uid="webhooks.erase")
def erase(sender: Any, applicant_ids: list[int], dry_run: bool, **kwargs: Any) -> dict[str, int]:
    deliveries = WebhookDelivery.objects.filter(applicant_id__in=applicant_ids)
    count = deliveries.count()
    if not dry_run and count:
        deliveries.delete()
    return {"webhook_deliveries": count}
