"""Deleting what must not be kept: videos after a posting's retention period, and an applicant's
personal data on request (個人情報の削除依頼). The core decides what and when; each app deletes its
own rows and files in receivers of applicants.signals, in the same transaction, and reports counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.models import Applicant, ApplicantEvent, Company, DataDeletion, JobPosting, new_token
from applicants.signals import applicants_erase, applicants_videos_delete

COUNT_LABELS = {
    "answers": _("answers"),
    "takes": _("recordings"),
    "files": _("files"),
    "share_links": _("share URLs"),
    "evaluations": _("evaluations"),
    "messages": _("mails"),
    "suppressions": _("suppression entries"),
    "webhook_deliveries": _("webhook deliveries"),
    "history": _("history lines"),
}


def counts_text(counts: dict[str, int]) -> str:
    """「回答 3 · 録画 4 · 共有用URL 1」 in the reader's language."""
    parts = [f"{COUNT_LABELS.get(name, name)} {n:,}" for name, n in counts.items() if n]
    return " · ".join(parts) or str(_("nothing"))


def _gathered(responses: Sequence[tuple[Any, Any]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for _receiver, counts in responses:
        total.update(counts or {})
    return {k: v for k, v in sorted(total.items()) if v}


# --- Retention ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    posting: JobPosting
    delete_on: dt.datetime
    counts: dict[str, int]

    @property
    def summary(self) -> str:
        return counts_text(self.counts)


def retention_preview(*, company: Company, within_days: int = 30) -> list[Due]:
    """What the retention sweep will delete now or within `within_days`, with counts: the page shows it."""
    if not company.video_retention_days:
        return []
    horizon = timezone.now() + dt.timedelta(days=within_days)
    days = dt.timedelta(days=company.video_retention_days)
    due = []
    for posting in JobPosting.objects.filter(
        company=company, videos_deleted_at__isnull=True, deadline__lte=horizon - days
    ).order_by("deadline", "pk"):
        ids = list(posting.applicants.values_list("pk", flat=True))
        counts = _gathered(applicants_videos_delete.send(sender=Applicant, applicant_ids=ids, dry_run=True))
        due.append(Due(posting=posting, delete_on=posting.deadline + days, counts=counts))
    return due


def retention_sweep(*, now: dt.datetime | None = None) -> int:
    """Delete the videos and share links of every posting whose retention period is over; each
    posting in its own transaction, with an audit entry. Returns how many postings were purged."""
    moment = now or timezone.now()
    purged = 0
    for company in Company.objects.filter(video_retention_days__isnull=False):
        cutoff = moment - dt.timedelta(days=company.video_retention_days or 0)
        for posting_id in JobPosting.objects.filter(
            company=company, videos_deleted_at__isnull=True, deadline__lte=cutoff
        ).values_list("pk", flat=True):
            purged += _purge(posting_id, cutoff)
    return purged


@transaction.atomic
def _purge(posting_id: int, cutoff: dt.datetime) -> int:
    posting = (
        JobPosting.objects.select_for_update()
        .filter(pk=posting_id, videos_deleted_at__isnull=True, deadline__lte=cutoff)
        .first()
    )
    if posting is None:  # another sweep did it, or the deadline moved
        return 0
    ids = list(posting.applicants.values_list("pk", flat=True))
    counts = _gathered(applicants_videos_delete.send(sender=Applicant, applicant_ids=ids, dry_run=False))
    posting.videos_deleted_at = timezone.now()
    posting.save(update_fields=["videos_deleted_at"])
    DataDeletion.objects.create(
        company_id=posting.company_id, kind=DataDeletion.Kind.RETENTION, job_posting=posting, counts=counts
    )
    return 1


# --- 個人情報の削除依頼 ---------------------------------------------------------------------------------

ERASED_FIELDS = {
    "last_name": "",
    "first_name": "",
    "last_name_kana": "",
    "first_name_kana": "",
    "phone": "",
    "birth_date": None,
    "school": "",
    "faculty": "",
    "department": "",
    "graduation_year": None,
    "free_area_1": "",
    "free_area_2": "",
    "free_area_3": "",
}


def erasure_preview(*, applicant: Applicant) -> dict[str, int]:
    return _gathered(applicants_erase.send(sender=Applicant, applicant_ids=[applicant.pk], dry_run=True))


@transaction.atomic
def applicant_erase(*, applicant: Applicant, by: Any = None) -> DataDeletion:
    """Delete the applicant's personal data everywhere — videos, messages, evaluations, share links and
    their logs, history — and keep an anonymised tombstone: iM採用ID, posting, status and dates."""
    applicant = Applicant.objects.select_for_update(of=("self",)).get(pk=applicant.pk)
    counts = _gathered(applicants_erase.send(sender=Applicant, applicant_ids=[applicant.pk], dry_run=False))
    counts["history"] = ApplicantEvent.objects.filter(applicant=applicant).delete()[0]
    for name, value in ERASED_FIELDS.items():
        setattr(applicant, name, value)
    applicant.email = f"erased-{applicant.pk}@invalid"
    applicant.interview_token = new_token()  # the old link opens nothing
    if applicant.status in (Applicant.Status.AWAITING, Applicant.Status.EXPIRED):
        # Someone who asked to be deleted is not waiting for mail: no D04, no D06, ever.
        applicant.status = Applicant.Status.WITHDRAWN
    applicant.erased_at = timezone.now()
    applicant.save()
    # The search entry follows by itself (the applicant_search_sync trigger, migration 0014).
    return DataDeletion.objects.create(
        company_id=applicant.company_id,
        kind=DataDeletion.Kind.ERASURE,
        job_posting_id=applicant.job_posting_id,
        applicant_im_id=applicant.im_id,
        by=by if getattr(by, "pk", None) else None,
        counts={k: v for k, v in counts.items() if v},
    )
