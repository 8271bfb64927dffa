"""Reads shared by views and APIs. Tenancy lives here: every selector takes the company."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def applicant_search(*, company: Company, params: Mapping[str, Any]) -> QuerySet[Applicant]:
    """The applicant list's search conditions (SPEC §7), as used by the list, bulk mode and CSV exports.

    Understands `job_posting`, `status` and `q`; unknown or malformed values are ignored, and a posting
    of another company matches nothing.
    """
    queryset = applicant_list(company=company)
    posting = str(params.get("job_posting") or "").strip()
    if posting:
        queryset = queryset.filter(job_posting_id=int(posting)) if posting.isdigit() else queryset.none()
    status = params.get("status")
    if status in Applicant.Status.values:
        queryset = queryset.filter(status=status)
    q = str(params.get("q") or "").strip()
    if q:
        text = (
            Q(email__icontains=q)
            | Q(last_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name_kana__icontains=q)
            | Q(first_name_kana__icontains=q)
            | Q(school__icontains=q)
            | Q(free_area_1__icontains=q)
            | Q(free_area_2__icontains=q)
            | Q(free_area_3__icontains=q)
        )
        if q.isdigit() and len(q) < 19:
            text |= Q(im_id=int(q))
        queryset = queryset.filter(text)
    return queryset.order_by("-im_id")
