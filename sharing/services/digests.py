"""D08, the digest of newly submitted applicants: one mail per recipient and interval, never one per
submission, nothing when there is nothing new (docs/sharing.md, "Submission digests").

Intervals are whole multiples of SUBMISSION_DIGEST_MINUTES since the epoch (UTC), closed a minute
after their end (SUBMISSION_DIGEST_GRACE_SECONDS) so that a submission committing at the boundary is
not missed. Each recipient's row keeps `digest_until`, the end of the last interval reported to them:
the beat task reports (digest_until, end of the last closed interval], then moves it there, with the
row locked, in the transaction that writes the Message; the Message's key names the recipient and the
interval. A second run in the same interval finds nothing to do; two runs at once skip each other's
locked rows; and the key would refuse a second mail even then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from applicants.models import Applicant, Membership
from messaging.services import DirectMail, direct_messages_queue
from sharing import selectors
from sharing.models import Reviewer, SubmissionDigest

# A digest names at most this many applicants, then how many more there are.
DIGEST_LIST_MAX = 50


def interval_end(now: dt.datetime) -> dt.datetime:
    """The end of the last closed interval before `now`: what a digest sent now reports up to."""
    step = settings.SUBMISSION_DIGEST_MINUTES * 60
    closed = (now - dt.timedelta(seconds=settings.SUBMISSION_DIGEST_GRACE_SECONDS)).timestamp()
    return dt.datetime.fromtimestamp(closed - closed % step, tz=dt.UTC)


def submission_digests_send(*, now: dt.datetime) -> int:
    """Queue every D08 that is due at `now`; returns how many mails were queued."""
    until = interval_end(now)
    queued = 0
    reviewers = Reviewer.objects.filter(
        digest_until__lt=until, token__isnull=False, company__share_url_enabled=True
    ).values_list("pk", flat=True)
    for pk in list(reviewers):
        queued += _reviewer_digest(pk=pk, until=until)
    recruiters = SubmissionDigest.objects.filter(enabled=True, digest_until__lt=until).values_list(
        "pk", flat=True
    )
    for pk in list(recruiters):
        queued += _recruiter_digest(pk=pk, until=until)
    return queued


def _key(kind: str, pk: int, until: dt.datetime) -> str:
    return f"D08:{kind}:{pk}:{until:%Y%m%dT%H%MZ}"


def _lines(applicants: Sequence[Applicant], total: int) -> str:
    lines = [
        f"- {a.im_id} {a.full_name or '—'} ({a.job_posting.title})" for a in applicants[:DIGEST_LIST_MAX]
    ]
    if total > DIGEST_LIST_MAX:
        lines.append(f"- … (+{total - DIGEST_LIST_MAX})")
    return "\n".join(lines)


def _new(
    applicants: QuerySet[Applicant], since: dt.datetime, until: dt.datetime
) -> tuple[list[Applicant], int]:
    found = applicants.filter(
        status=Applicant.Status.SUBMITTED, submitted_at__gt=since, submitted_at__lte=until
    ).order_by("submitted_at", "im_id")
    rows = list(found.select_related("job_posting")[: DIGEST_LIST_MAX + 1])
    total = len(rows) if len(rows) <= DIGEST_LIST_MAX else found.count()
    return rows, total


@transaction.atomic
def _reviewer_digest(*, pk: int, until: dt.datetime) -> int:
    # Locked and re-checked: a second run at the same moment skips the row instead of mailing twice.
    reviewer = (
        Reviewer.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("company")
        .filter(pk=pk, digest_until__lt=until, token__isnull=False)
        .first()
    )
    if reviewer is None:
        return 0
    rows, total = _new(selectors.review_queue_applicants(reviewer=reviewer), reviewer.digest_until, until)
    queued = 0
    if total:
        mail = DirectMail(
            key=_key("reviewer", reviewer.pk, until),
            to=reviewer.email,
            values={
                "宛先名": reviewer.name,
                "会社名": reviewer.company.name,
                "件数": str(total),
                "提出者一覧": _lines(rows, total),
                "確認URL": reviewer.review_url,
            },
        )
        queued = direct_messages_queue(company=reviewer.company, template_code="D08", mails=[mail])
    reviewer.digest_until = until
    reviewer.save(update_fields=["digest_until"])
    return queued


@transaction.atomic
def _recruiter_digest(*, pk: int, until: dt.datetime) -> int:
    digest = (
        SubmissionDigest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("company", "user")
        .filter(pk=pk, enabled=True, digest_until__lt=until)
        .first()
    )
    if digest is None:
        return 0
    user, company = digest.user, digest.company
    # Only while they are still a recruiter of that company, with an address to write to.
    member = Membership.objects.filter(user=user, company=company).exists()
    queued = 0
    if member and user.is_active and user.email:
        rows, total = _new(Applicant.objects.filter(company=company), digest.digest_until, until)
        if total:
            mail = DirectMail(
                key=_key("recruiter", user.pk, until),
                to=user.email,
                values={
                    "宛先名": user.get_full_name() or user.get_username(),
                    "会社名": company.name,
                    "件数": str(total),
                    "提出者一覧": _lines(rows, total),
                    "確認URL": f"{settings.SITE_URL}{reverse('applicants:applicant_list')}?status=submitted",
                },
            )
            queued = direct_messages_queue(company=company, template_code="D08", mails=[mail])
    digest.digest_until = until
    digest.save(update_fields=["digest_until"])
    return queued
