"""Receivers of the core's announcements (applicants.signals): share links follow registrations and
withdrawals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from applicants.signals import applicants_registered, applicants_withdrawn
from interviewmaker.tasks import enqueue_on_commit
from sharing import services


@receiver(applicants_registered, dispatch_uid="sharing.registered")
def registered(sender: Any, job_posting: Any, applicants: list[Any], **kwargs: Any) -> None:
    """After commit, a worker gives the posting's new applicants their links (one set-based INSERT)."""
    if applicants and job_posting.company.share_url_enabled:
        from sharing.tasks import share_links_for_posting_task

        enqueue_on_commit(share_links_for_posting_task, job_posting.pk)


@receiver(applicants_withdrawn, dispatch_uid="sharing.withdrawn")
def withdrawn(sender: Any, applicant_ids: list[int], **kwargs: Any) -> None:
    """A withdrawn applicant's reviewer page answers 404 at once."""
    services.share_links_revoke(applicant_ids=applicant_ids)
