"""The sharing app's part of retention and deletion requests (applicants.retention)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from applicants.signals import applicants_erase, applicants_videos_delete
from sharing.models import Evaluation, ShareLink


@receiver(applicants_videos_delete, dispatch_uid="sharing.retention")
def retention(sender: Any, applicant_ids: list[int], dry_run: bool, **kwargs: Any) -> dict[str, int]:
    """Share links go with the videos they show (and their view logs with them); evaluations stay."""
    links = ShareLink.objects.filter(applicant_id__in=applicant_ids)
    count = links.count()
    if not dry_run and count:
        links.delete()
    return {"share_links": count}


@receiver(applicants_erase, dispatch_uid="sharing.erase")
def erase(sender: Any, applicant_ids: list[int], dry_run: bool, **kwargs: Any) -> dict[str, int]:
    links = ShareLink.objects.filter(applicant_id__in=applicant_ids)
    evaluations = Evaluation.objects.filter(applicant_id__in=applicant_ids)
    counts = {"share_links": links.count(), "evaluations": evaluations.count()}
    if not dry_run:
        evaluations.delete()
        links.delete()
    return counts
