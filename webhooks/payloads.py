"""What an event carries: the object as the API shows it (docs/webhooks.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from applicants import fields as applicant_fields
from applicants import pages
from applicants.models import Applicant, Company


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def applicant_data(applicant: Applicant) -> dict[str, Any]:
    """The applicant as `GET /api/v1/applicants/{im_id}/` shows it, with the posting's deadline."""
    data: dict[str, Any] = {"im_id": applicant.im_id, "job_posting": applicant.job_posting_id}
    for name in applicant_fields.NAMES:
        value = getattr(applicant, name)
        data[name] = _iso(value) if isinstance(value, dt.date) else value
    link = getattr(applicant, "share_link", None)
    data.update(
        status=applicant.status,
        deadline=_iso(applicant.deadline),
        answer_deadline=_iso(applicant.answer_deadline),
        submitted_at=_iso(applicant.submitted_at),
        created_via=applicant.created_via,
        created_at=_iso(applicant.created_at),
        interview_url=applicant.interview_url,
        share_url=link.url if link else None,
    )
    return data


def applicants_data(*, company: Company, applicants: list[Applicant]) -> list[dict[str, Any]]:
    """Many applicants at once; their share URLs come from the share feature when it is on."""
    if company.share_url_enabled:
        pages.applicants_attach(company=company, applicants=applicants)
    return [applicant_data(a) for a in applicants]
