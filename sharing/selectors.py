"""Reads of the sharing app. Every selector takes the company (or an object already scoped to one)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import FilteredRelation, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from applicants.models import Applicant, Company, JobPosting
from sharing.models import (
    Evaluation,
    EvaluationSheet,
    ShareLink,
    ShareLinkView,
    ShareUrlExport,
    SharingSettings,
    link_expires_at,
)


def share_link_view_count(*, link: ShareLink) -> int:
    """How often reviewers opened the link (its view log)."""
    return ShareLinkView.objects.filter(link=link).count()


def sharing_settings_get(*, company: Company) -> SharingSettings:
    """The company's settings; an unsaved row with the defaults when none was stored."""
    try:
        return SharingSettings.objects.get(company=company)
    except SharingSettings.DoesNotExist:
        return SharingSettings(company=company)


def share_link_active(*, company: Company, applicant: Applicant) -> ShareLink | None:
    return ShareLink.objects.filter(company=company, applicant=applicant, revoked_at__isnull=True).first()


def share_link_for_reviewer(*, token: str) -> ShareLink:
    """The live link behind a reviewer URL; unknown, revoked, expired or disabled all raise Http404."""
    if not token or len(token) > 64:
        raise Http404
    try:
        link = ShareLink.objects.select_related("applicant", "applicant__job_posting", "company").get(
            token=token, revoked_at__isnull=True
        )
    except ShareLink.DoesNotExist:
        raise Http404 from None
    if not link.company.share_url_enabled:
        raise Http404
    expires = link_expires_at(
        job_posting=link.applicant.job_posting,
        expiry_days=sharing_settings_get(company=link.company).link_expiry_days,
    )
    if expires is not None and timezone.now() >= expires:
        raise Http404
    return link


def evaluation_sheet_get(*, job_posting: JobPosting) -> EvaluationSheet | None:
    return EvaluationSheet.objects.filter(job_posting=job_posting).prefetch_related("items").first()


def evaluation_list(*, company: Company, applicant: Applicant) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(company=company, applicant=applicant).order_by("created_at", "id")


def evaluations_for_applicants(*, company: Company, applicants: QuerySet[Applicant]) -> QuerySet[Evaluation]:
    return (
        Evaluation.objects.filter(company=company, applicant__in=applicants.order_by().values("pk"))
        .select_related("applicant")
        .order_by("applicant__im_id", "created_at", "id")
    )


def evaluation_summaries(*, company: Company, applicants: Iterable[Applicant]) -> dict[int, dict[str, Any]]:
    """Per applicant pk: count of evaluations and their headline grades, in one query."""
    ids = [a.pk for a in applicants]
    summaries: dict[int, dict[str, Any]] = {}
    rows = Evaluation.objects.filter(company=company, applicant_id__in=ids).order_by("created_at", "id")
    for evaluation in rows.only("applicant_id", "values"):
        entry = summaries.setdefault(evaluation.applicant_id, {"count": 0, "headlines": []})
        entry["count"] += 1
        if evaluation.headline:
            entry["headlines"].append(evaluation.headline)
    return summaries


SHARE_CSV_FIELDS = (
    "im_id",
    "email",
    "last_name",
    "first_name",
    "free_area_1",
    "free_area_2",
    "free_area_3",
    "status",
    "active_link__token",
)


def _with_active_link(applicants: QuerySet[Applicant]) -> QuerySet[Applicant]:
    return applicants.annotate(
        active_link=FilteredRelation("share_links", condition=Q(share_links__revoked_at__isnull=True))
    )


def share_url_rows(*, applicants: QuerySet[Applicant]) -> QuerySet[Applicant, Any]:
    """The share URL CSV's columns with each applicant's live token, by one LEFT JOIN."""
    return _with_active_link(applicants).values_list(*SHARE_CSV_FIELDS)


def share_url_exports(*, company: Company) -> QuerySet[ShareUrlExport]:
    """The audit log of share URL CSV downloads, newest first."""
    return ShareUrlExport.objects.filter(company=company).select_related("user").order_by("-created_at")
