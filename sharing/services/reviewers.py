"""Writes about reviewers (面接官): the company's list, their review links, assignments with the D07
evaluation request, and the evaluations they give from their queue."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Applicant, Company, JobPosting
from applicants.normalize import clean_email
from messaging.services import DirectMail, direct_messages_queue
from sharing.models import (
    Evaluation,
    EvaluationSheet,
    Reviewer,
    ReviewerAssignment,
    SubmissionDigest,
    new_share_token,
)
from webhooks import emit

User = Any
# Applicants assigned per INSERT when a whole search is assigned at once.
ASSIGN_CHUNK = 5000


def _user_or_none(user: User | None) -> Any:
    return user if user is not None and user.is_authenticated else None


# --- The company's reviewers ----------------------------------------------------------------------


def _clean(*, company: Company, name: str, email: str, exclude_pk: int | None = None) -> tuple[str, str]:
    """A reviewer's name and address as stored; ValidationError per field when unusable or taken."""
    name = " ".join(name.split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter the reviewer's name.")]
    try:
        email = clean_email(email)
    except ValidationError as exc:
        errors["email"] = exc.messages
    else:
        taken = (
            Reviewer.objects.filter(company=company).alias(lower=Lower("email")).filter(lower=email.lower())
        )
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            errors["email"] = [_("A reviewer with this email address is already on the list.")]
    if errors:
        raise ValidationError(errors)
    return name, email


@transaction.atomic
def reviewer_create(*, company: Company, name: str, email: str, by: User | None = None) -> Reviewer:
    """Add a reviewer with a fresh review link (sent with D07 when they are first assigned)."""
    name, email = _clean(company=company, name=name, email=email)
    try:
        with transaction.atomic():
            return Reviewer.objects.create(
                company=company, name=name, email=email, created_by=_user_or_none(by)
            )
    except IntegrityError:
        # The same address added at the same moment by a colleague.
        raise ValidationError(
            {"email": [_("A reviewer with this email address is already on the list.")]}
        ) from None


@transaction.atomic
def reviewer_update(*, reviewer: Reviewer, name: str, email: str) -> Reviewer:
    """Change name or address; their evaluations from the queue carry the new name."""
    reviewer.name, reviewer.email = _clean(
        company=reviewer.company, name=name, email=email, exclude_pk=reviewer.pk
    )
    reviewer.save(update_fields=["name", "email"])
    Evaluation.objects.filter(reviewer=reviewer).exclude(reviewer_name=reviewer.name).update(
        reviewer_name=reviewer.name
    )
    return reviewer


@transaction.atomic
def reviewer_delete(*, reviewer: Reviewer) -> None:
    """Remove a reviewer: their link dies and their assignments go; their evaluations stay, by name."""
    reviewer.delete()


@transaction.atomic
def reviewer_link_regenerate(*, reviewer: Reviewer, by: User | None = None) -> Reviewer:
    """A new review link (the old URL is dead at once), sent to the reviewer with D07."""
    # Locked: two regenerations at once must not mail a link the other one has already replaced.
    reviewer = Reviewer.objects.select_for_update().select_related("company").get(pk=reviewer.pk)
    now = timezone.now()
    reviewer.token = new_share_token()
    reviewer.link_created_at, reviewer.link_revoked_at = now, None
    # The queue is theirs again from now on; D07 points them to it, the digest reports what follows.
    reviewer.digest_until = max(reviewer.digest_until, now)
    reviewer.save(update_fields=["token", "link_created_at", "link_revoked_at", "digest_until"])
    review_requests_queue(
        company=reviewer.company, reviewers=[reviewer], key=f"link-{uuid.uuid4().hex}", by=by
    )
    return reviewer


@transaction.atomic
def reviewer_link_revoke(*, reviewer: Reviewer) -> Reviewer:
    """The review link stops working at once (the not-found page); regenerate to give a new one."""
    reviewer.token = None
    reviewer.link_revoked_at = timezone.now()
    reviewer.save(update_fields=["token", "link_revoked_at"])
    return reviewer


# --- Assignments and D07 --------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignResult:
    """How many applicants (or postings) the request covered, and how many D07 it queued."""

    targets: int
    mailed: int


def review_requests_queue(
    *, company: Company, reviewers: Iterable[Reviewer], key: str, by: User | None = None
) -> int:
    """D07 (評価依頼) to each reviewer with a live link, once per request `key` and reviewer."""
    mails = [
        DirectMail(
            key=f"D07:{key}:reviewer:{reviewer.pk}",
            to=reviewer.email,
            values={"面接官名": reviewer.name, "会社名": company.name, "評価URL": reviewer.review_url},
        )
        for reviewer in reviewers
        if reviewer.token
    ]
    if not mails:
        return 0
    return direct_messages_queue(company=company, template_code="D07", mails=mails, by=_user_or_none(by))


def _check_reviewers(company: Company, reviewers: Sequence[Reviewer]) -> None:
    if any(reviewer.company_id != company.pk for reviewer in reviewers):
        raise ValueError("a reviewer of another company")


@transaction.atomic
def reviewers_assign_posting(
    *, job_posting: JobPosting, reviewers: Sequence[Reviewer], key: str, by: User | None = None
) -> AssignResult:
    """Assign reviewers to every applicant of a posting, present and future; D07 to each, once per key."""
    company = job_posting.company
    _check_reviewers(company, reviewers)
    user = _user_or_none(by)
    ReviewerAssignment.objects.bulk_create(
        [
            ReviewerAssignment(company=company, reviewer=reviewer, job_posting=job_posting, created_by=user)
            for reviewer in reviewers
        ],
        ignore_conflicts=True,
    )
    mailed = review_requests_queue(company=company, reviewers=reviewers, key=key, by=by)
    return AssignResult(targets=1, mailed=mailed)


@transaction.atomic
def reviewers_assign_applicants(
    *,
    company: Company,
    reviewers: Sequence[Reviewer],
    applicants: QuerySet[Applicant],
    key: str,
    by: User | None = None,
) -> AssignResult:
    """Assign reviewers to a selection (withdrawn applicants left out); D07 to each, once per key.

    Assigning someone already assigned changes nothing (ON CONFLICT DO NOTHING on the partial unique
    index), so a repeated request, or one that overlaps a posting's assignment, is harmless.
    """
    _check_reviewers(company, reviewers)
    user = _user_or_none(by)
    pks = (
        applicants.filter(company=company)
        .exclude(status=Applicant.Status.WITHDRAWN)
        .order_by()
        .values_list("pk", flat=True)
    )
    targets = 0
    chunk: list[int] = []
    for pk in pks.iterator(chunk_size=ASSIGN_CHUNK):
        chunk.append(pk)
        if len(chunk) >= ASSIGN_CHUNK:
            _assign_chunk(company, reviewers, chunk, user)
            targets += len(chunk)
            chunk = []
    if chunk:
        _assign_chunk(company, reviewers, chunk, user)
        targets += len(chunk)
    mailed = review_requests_queue(company=company, reviewers=reviewers, key=key, by=by) if targets else 0
    return AssignResult(targets=targets, mailed=mailed)


def _assign_chunk(company: Company, reviewers: Sequence[Reviewer], pks: list[int], user: Any) -> None:
    ReviewerAssignment.objects.bulk_create(
        [
            ReviewerAssignment(company=company, reviewer=reviewer, applicant_id=pk, created_by=user)
            for reviewer in reviewers
            for pk in pks
        ],
        ignore_conflicts=True,
        batch_size=ASSIGN_CHUNK,
    )


@transaction.atomic
def posting_reviewers_set(
    *, job_posting: JobPosting, reviewers: Sequence[Reviewer], key: str, by: User | None = None
) -> AssignResult:
    """Make these the posting's reviewers: the new ones are assigned (and get D07), the others unassigned."""
    chosen = {reviewer.pk for reviewer in reviewers}
    current = set(
        ReviewerAssignment.objects.filter(job_posting=job_posting).values_list("reviewer_id", flat=True)
    )
    ReviewerAssignment.objects.filter(job_posting=job_posting).exclude(reviewer_id__in=chosen).delete()
    added = [reviewer for reviewer in reviewers if reviewer.pk not in current]
    if not added:
        return AssignResult(targets=0, mailed=0)
    return reviewers_assign_posting(job_posting=job_posting, reviewers=added, key=key, by=by)


@transaction.atomic
def assignment_delete(*, assignment: ReviewerAssignment) -> None:
    """Unassign: the applicants leave the reviewer's queue; evaluations already given stay."""
    assignment.delete()


# --- Evaluations from the queue -------------------------------------------------------------------


@transaction.atomic
def reviewer_evaluation_save(
    *, reviewer: Reviewer, applicant: Applicant, sheet: EvaluationSheet, answers: Mapping[int, str]
) -> tuple[Evaluation, bool]:
    """The reviewer's one evaluation of the applicant: created the first time, changed after that.

    Returns (evaluation, created). The name is the reviewer's own, never typed; the unique
    (reviewer, applicant) index makes two posts at once end as one evaluation.
    """
    from sharing.services import _evaluation_values, evaluation_data, evaluation_update

    existing = Evaluation.objects.select_for_update().filter(reviewer=reviewer, applicant=applicant).first()
    if existing is not None:
        return evaluation_update(
            evaluation=existing, sheet=sheet, reviewer_name=reviewer.name, answers=answers
        ), False
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                company=applicant.company,
                applicant=applicant,
                reviewer=reviewer,
                sheet_name=sheet.name,
                reviewer_name=reviewer.name,
                values=_evaluation_values(sheet, answers),
            )
    except IntegrityError:
        # The twin post committed first (PostgreSQL made this one wait for it): change that one.
        existing = Evaluation.objects.get(reviewer=reviewer, applicant=applicant)
        return evaluation_update(
            evaluation=existing, sheet=sheet, reviewer_name=reviewer.name, answers=answers
        ), False
    emit.object_event(
        company=applicant.company,
        event="evaluation.submitted",
        data=evaluation_data(evaluation),
        applicant_id=applicant.pk,
    )
    return evaluation, True


# --- The recruiter's digest choice ----------------------------------------------------------------


@transaction.atomic
def submission_digest_set(*, user: User, company: Company, enabled: bool) -> SubmissionDigest:
    """Switch the recruiter's D08 on or off; switched on, it reports submissions from now on."""
    digest, created = SubmissionDigest.objects.select_for_update().get_or_create(
        user=user, defaults={"company": company, "enabled": enabled}
    )
    if not created and (digest.enabled != enabled or digest.company_id != company.pk):
        if enabled and not digest.enabled:
            digest.digest_until = max(digest.digest_until, timezone.now())
        digest.enabled, digest.company = enabled, company
        digest.save(update_fields=["enabled", "company", "digest_until"])
    return digest
