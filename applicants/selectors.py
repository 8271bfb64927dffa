"""Reads shared by views and APIs. Tenancy lives here: every selector takes the company."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from applicants.models import Applicant, Company, JobPosting


def job_posting_list(*, company: Company) -> QuerySet[JobPosting]:
    return JobPosting.objects.filter(company=company)


def job_posting_get(*, company: Company, pk: int | str) -> JobPosting:
    try:
        return job_posting_list(company=company).get(pk=int(pk))
    except (JobPosting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def job_postings_with_counts(*, company: Company) -> QuerySet[JobPosting]:
    """Postings with a count per applicant status, in one query."""
    counts = {
        f"n_{status}": Count("applicants", filter=Q(applicants__status=status))
        for status in Applicant.Status.values
    }
    return job_posting_list(company=company).annotate(n_total=Count("applicants"), **counts)


def applicant_list(*, company: Company) -> QuerySet[Applicant]:
    return Applicant.objects.filter(company=company).select_related("job_posting")


def applicant_get(*, company: Company, im_id: int | str) -> Applicant:
    try:
        return applicant_list(company=company).get(im_id=int(im_id))
    except (Applicant.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def status_counts(*, queryset: QuerySet[Applicant]) -> dict[str, int]:
    """Applicants per status (every status present, zero included) in one query."""
    rows = queryset.order_by().values_list("status").annotate(n=Count("id"))
    counts = dict.fromkeys(Applicant.Status.values, 0)
    counts.update({status: n for status, n in rows})
    return counts
