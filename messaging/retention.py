"""The messaging app's part of deletion requests (applicants.retention): the applicant's mail and
the address on the company's suppression list."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from applicants.models import Applicant
from applicants.signals import applicants_erase
from messaging.models import Message, Suppression


@receiver(applicants_erase, dispatch_uid="messaging.erase")
def erase(sender: Any, applicant_ids: list[int], dry_run: bool, **kwargs: Any) -> dict[str, int]:
    messages = Message.objects.filter(applicant_id__in=applicant_ids)
    pairs = list(Applicant.objects.filter(pk__in=applicant_ids).values_list("company_id", "email"))
    suppressed = Suppression.objects.none()
    for company_id, email in pairs:
        suppressed = suppressed | Suppression.objects.filter(company_id=company_id, email=email.lower())
    counts = {"messages": messages.count(), "suppressions": suppressed.count()}
    if not dry_run:
        messages.delete()
        suppressed.delete()
    return counts
