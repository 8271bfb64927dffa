"""Celery tasks of the sharing app: thin, they load ids and call one service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from sharing import services


@shared_task
def share_links_for_posting_task(job_posting_id: int) -> int:
    """Give the posting's new applicants their share links (after a registration commits)."""
    return services.share_links_for_posting(job_posting_id=job_posting_id)


@shared_task
def share_links_sweep_task() -> int:
    """Links for every applicant of companies with share URLs on (e.g. just switched on by an operator)."""
    return services.share_links_sweep()


@shared_task
def submission_digests_task() -> int:
    """Beat: D08 to every reviewer and opted-in recruiter with new submissions in the last interval."""
    return services.submission_digests_send(now=timezone.now())
