"""Receivers: registrations and withdrawals announced by the core become events (applicants.signals)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from applicants.models import Applicant, Company
from applicants.signals import applicants_registered, applicants_withdrawn
from webhooks import emit


@receiver(applicants_registered, dispatch_uid="webhooks.registered")
def registered(sender: Any, job_posting: Any, applicants: list[Applicant], **kwargs: Any) -> None:
    emit.applicants_event(company=job_posting.company, event="applicant.registered", applicants=applicants)


@receiver(applicants_withdrawn, dispatch_uid="webhooks.withdrawn")
def withdrawn(sender: Any, applicant_ids: list[int], **kwargs: Any) -> None:
    if not applicant_ids:
        return
    rows = list(Applicant.objects.filter(pk__in=applicant_ids).select_related("job_posting").order_by("pk"))
    for company_id in sorted({a.company_id for a in rows}):
        company = Company.objects.get(pk=company_id)
        mine = [a for a in rows if a.company_id == company_id]
        emit.applicants_event(company=company, event="applicant.withdrawn", applicants=mine)
