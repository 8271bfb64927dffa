"""Reads of the CSV import, always scoped to the company."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from applicants.fields import BY_NAME
from applicants.models import Applicant, Company
from imports.models import ApplicantImport
from interviewmaker.numbers import id_or_404


def import_list(*, company: Company) -> QuerySet[ApplicantImport]:
    return ApplicantImport.objects.filter(company=company).select_related("job_posting", "created_by")


def import_get(*, company: Company, pk: int | str) -> ApplicantImport:
    try:
        return import_list(company=company).get(pk=id_or_404(pk))
    except ApplicantImport.DoesNotExist:
        raise Http404 from None


def d03_preview(*, applicant_import: ApplicantImport) -> dict[str, str] | None:
    """D03 as the first new applicant of the upload will receive it (docs/product.md §5), or None."""
    if not applicant_import.sample:
        return None
    from messaging.services.outbox import renderer_for

    company = applicant_import.company
    # Text values only: the sample is JSON (dates as strings), and D03 shows names, not dates.
    values = {
        k: v for k, v in applicant_import.sample.items() if k in BY_NAME and BY_NAME[k].sql_type == "text"
    }
    applicant = Applicant(
        company=company,
        job_posting=applicant_import.job_posting,
        # The ID the applicant would get if nobody else registers first; the URL token is made at import.
        im_id=company.last_im_id + 1,
        interview_token="…",  # noqa: S106 - a placeholder shown in the preview, not a secret
        **values,
    )
    subject, body, _html = renderer_for(company=company, code="D03").render(
        applicant, applicant_import.job_posting
    )
    return {"to": applicant.email, "subject": subject, "body": body}
