"""What the apps call to announce an event (they sit above this app: docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from applicants.models import Applicant, Company, JobPosting
from webhooks import payloads, services
from webhooks.models import Event


def applicants_event(*, company: Company, event: str, applicants: Sequence[Applicant]) -> int:
    """An applicant event for each applicant, in the caller's transaction. One query when no endpoint
    of the company wants it, so registering 100,000 applicants costs nothing without webhooks."""
    endpoints = services.subscribed(company_id=company.pk, event=event) if applicants else []
    if not endpoints:
        return 0
    _postings_cache(applicants)
    data = payloads.applicants_data(company=company, applicants=list(applicants))
    items = [services.Item(data=d, applicant_id=a.pk) for d, a in zip(data, applicants, strict=True)]
    return services.events_emit(company=company, event=event, items=items, endpoints=endpoints)


def object_event(
    *, company: Company, event: str, data: dict[str, Any], applicant_id: int | None = None
) -> int:
    """One event about another object (an evaluation, an import, an answer request)."""
    assert event in Event.values, event
    return services.events_emit(
        company=company, event=event, items=[services.Item(data=data, applicant_id=applicant_id)]
    )


def _postings_cache(applicants: Sequence[Applicant]) -> None:
    """Give every applicant its posting from one query (their deadline is the posting's by default)."""
    missing = {a.job_posting_id for a in applicants if "job_posting" not in a._state.fields_cache}
    if not missing:
        return
    postings = JobPosting.objects.in_bulk(missing)
    for applicant in applicants:
        if "job_posting" not in applicant._state.fields_cache:
            applicant._state.fields_cache["job_posting"] = postings[applicant.job_posting_id]
