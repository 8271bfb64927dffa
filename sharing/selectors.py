"""Reads of the sharing app. Every selector takes the company (or an object already scoped to one)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Exists, FilteredRelation, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from applicants.models import Applicant, Company, JobPosting
from interviewmaker.numbers import id_or_404
from sharing.models import (
    Evaluation,
    EvaluationSheet,
    Reviewer,
    ReviewerAssignment,
    ShareLink,
    ShareLinkView,
    ShareUrlExport,
    SharingSettings,
    SubmissionDigest,
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
    """Per applicant pk: count of evaluations, their headline grades and the reviewers (from a queue)
    who gave one, in one query."""
    ids = [a.pk for a in applicants]
    summaries: dict[int, dict[str, Any]] = {}
    rows = Evaluation.objects.filter(company=company, applicant_id__in=ids).order_by("created_at", "id")
    for evaluation in rows.only("applicant_id", "values", "reviewer_id"):
        entry = summaries.setdefault(
            evaluation.applicant_id, {"count": 0, "headlines": [], "reviewers": set()}
        )
        entry["count"] += 1
        if evaluation.headline:
            entry["headlines"].append(evaluation.headline)
        if evaluation.reviewer_id is not None:
            entry["reviewers"].add(evaluation.reviewer_id)
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


# --- Reviewers (面接官), their assignments and queues -----------------------------------------------


def reviewer_list(*, company: Company) -> QuerySet[Reviewer]:
    return Reviewer.objects.filter(company=company).order_by("name", "id")


def reviewer_get(*, company: Company, pk: int | str) -> Reviewer:
    try:
        return reviewer_list(company=company).get(pk=id_or_404(pk))
    except Reviewer.DoesNotExist:
        raise Http404 from None


def reviewer_for_link(*, token: str) -> Reviewer:
    """The reviewer behind a review link; unknown, revoked or feature-disabled all raise Http404."""
    if not token or len(token) > 64:
        raise Http404
    reviewer = Reviewer.objects.select_related("company").filter(token=token).first()
    if reviewer is None or not reviewer.company.share_url_enabled:
        raise Http404
    return reviewer


def assignment_get(*, company: Company, pk: int | str) -> ReviewerAssignment:
    try:
        return ReviewerAssignment.objects.select_related("reviewer", "applicant", "job_posting").get(
            company=company, pk=id_or_404(pk)
        )
    except ReviewerAssignment.DoesNotExist:
        raise Http404 from None


def assignment_list(*, company: Company) -> QuerySet[ReviewerAssignment]:
    return (
        ReviewerAssignment.objects.filter(company=company)
        .select_related("reviewer", "applicant", "job_posting")
        .order_by("created_at", "id")
    )


def assignments_covering(outer: str = "pk") -> QuerySet[ReviewerAssignment]:
    """Assignments that cover the row whose applicant id is `outer` (and whose posting is its
    `job_posting_id`): to that applicant, or to its whole posting. For Exists()."""
    return ReviewerAssignment.objects.filter(
        Q(applicant_id=OuterRef(outer)) | Q(job_posting_id=OuterRef("job_posting_id"))
    )


def assigned_applicants(*, reviewer: Reviewer) -> QuerySet[Applicant]:
    """Every applicant the reviewer is assigned to, directly or through the posting (later
    registrations of an assigned posting included); withdrawn applicants are out of review."""
    mine = assignments_covering().filter(reviewer=reviewer)
    return (
        Applicant.objects.filter(company_id=reviewer.company_id)
        .filter(Exists(mine))
        .exclude(status=Applicant.Status.WITHDRAWN)
    )


def review_queue_applicants(*, reviewer: Reviewer) -> QuerySet[Applicant]:
    """The reviewer's queue: assigned applicants who have submitted, in the order they submitted."""
    return (
        assigned_applicants(reviewer=reviewer)
        .filter(status=Applicant.Status.SUBMITTED)
        .order_by("submitted_at", "im_id")
    )


@dataclass(frozen=True)
class QueueEntry:
    pk: int
    im_id: int
    name: str
    evaluated: bool


def review_queue(*, reviewer: Reviewer) -> list[QueueEntry]:
    """The queue's entries, each marked evaluated (by this reviewer) or not: two queries."""
    rows = list(
        review_queue_applicants(reviewer=reviewer).values_list("pk", "im_id", "last_name", "first_name")
    )
    evaluated = set(
        Evaluation.objects.filter(reviewer=reviewer, applicant_id__in=[row[0] for row in rows]).values_list(
            "applicant_id", flat=True
        )
    )
    return [
        QueueEntry(pk=pk, im_id=im_id, name=f"{last} {first}".strip(), evaluated=pk in evaluated)
        for pk, im_id, last, first in rows
    ]


def reviewer_evaluation(*, reviewer: Reviewer, applicant: Applicant) -> Evaluation | None:
    return Evaluation.objects.filter(reviewer=reviewer, applicant=applicant).first()


@dataclass
class ReviewProgress:
    """An applicant's assigned reviewers (names, in order) and which of them have evaluated."""

    reviewers: list[str]
    evaluated_by: list[str]

    @property
    def assigned(self) -> int:
        return len(self.reviewers)

    @property
    def evaluated(self) -> int:
        return len(self.evaluated_by)


def reviewers_on_page(*, company: Company, applicants: Sequence[Applicant]) -> list[Reviewer]:
    """Every reviewer of the company (alphabetical, as the list's search form offers them), each with
    the postings and applicants of the page they are assigned to (`page_postings`, `page_applicants`),
    in one query."""
    pks = [a.pk for a in applicants]
    postings = list({a.job_posting_id for a in applicants})
    return list(
        reviewer_list(company=company).annotate(
            page_postings=ArrayAgg(
                "assignments__job_posting_id",
                filter=Q(assignments__job_posting_id__in=postings),
                default=Value([]),
            ),
            page_applicants=ArrayAgg(
                "assignments__applicant_id", filter=Q(assignments__applicant_id__in=pks), default=Value([])
            ),
        )
    )


def review_progress(
    *, applicants: Sequence[Applicant], reviewers: Sequence[Reviewer], evaluated: set[tuple[int, int]]
) -> dict[int, ReviewProgress]:
    """Per applicant pk with at least one assigned reviewer: who is assigned and who has evaluated,
    from reviewers_on_page and the (applicant, reviewer) pairs evaluated (evaluation_summaries)."""
    progress: dict[int, ReviewProgress] = {}
    for applicant in applicants:
        assigned = [
            r
            for r in reviewers
            if applicant.job_posting_id in r.page_postings  # type: ignore[attr-defined]
            or applicant.pk in r.page_applicants  # type: ignore[attr-defined]
        ]
        if assigned:
            progress[applicant.pk] = ReviewProgress(
                reviewers=[r.name for r in assigned],
                evaluated_by=[r.name for r in assigned if (applicant.pk, r.pk) in evaluated],
            )
    return progress


def applicant_assignments(*, applicant: Applicant) -> list[ReviewerAssignment]:
    """The assignments that cover one applicant (its own and its posting's), reviewers alphabetical."""
    return list(
        ReviewerAssignment.objects.filter(company_id=applicant.company_id)
        .filter(Q(applicant=applicant) | Q(job_posting_id=applicant.job_posting_id))
        .select_related("reviewer")
        .order_by("reviewer__name", "reviewer_id", "id")
    )


def posting_reviewer_ids(*, job_posting: JobPosting) -> set[int]:
    return set(
        ReviewerAssignment.objects.filter(job_posting=job_posting).values_list("reviewer_id", flat=True)
    )


def reviewer_summaries(*, company: Company) -> dict[int, dict[str, Any]]:
    """Per reviewer pk: the postings and the number of single applicants assigned (two queries)."""
    summaries: dict[int, dict[str, Any]] = {}
    for assignment in assignment_list(company=company).filter(job_posting__isnull=False):
        entry = summaries.setdefault(assignment.reviewer_id, {"postings": [], "applicants": 0})
        entry["postings"].append(assignment.job_posting)
    singles = ReviewerAssignment.objects.filter(company=company, applicant__isnull=False)
    for reviewer_id in singles.values_list("reviewer_id", flat=True):
        entry = summaries.setdefault(reviewer_id, {"postings": [], "applicants": 0})
        entry["applicants"] += 1
    return summaries


def submission_digest_get(*, user: Any, company: Company) -> SubmissionDigest:
    """The recruiter's digest choice; an unsaved row (off) when never set."""
    found = SubmissionDigest.objects.filter(user=user, company=company).first()
    return found or SubmissionDigest(user=user, company=company, enabled=False)


def postings_with_reviewers(*, company: Company) -> list[dict[str, Any]]:
    """The company's postings, newest first, each with the names of the reviewers assigned to all of it."""
    names: dict[int, list[str]] = {}
    for assignment in assignment_list(company=company).filter(job_posting__isnull=False):
        names.setdefault(assignment.job_posting_id or 0, []).append(assignment.reviewer.name)
    return [
        {"posting": posting, "reviewers": sorted(names.get(posting.pk, []))}
        for posting in JobPosting.objects.filter(company=company).order_by("-created_at", "-id")
    ]
