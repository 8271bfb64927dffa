"""The interviews app's part of retention and deletion requests (applicants.retention): takes and
answers with every stored file (original, normalised video, poster)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from applicants.signals import applicants_erase, applicants_videos_delete
from interviews import storage
from interviews.models import Answer, Take

logger = logging.getLogger(__name__)


def _delete_files(names: list[str]) -> None:
    store = storage.media_storage()
    for name in names:
        try:
            store.delete(name)
        except Exception:  # a file already gone must not keep the rest
            logger.warning("deleting %s failed", name, exc_info=True)


def videos_delete(*, applicant_ids: list[int], dry_run: bool) -> dict[str, int]:
    answers = Answer.objects.filter(applicant_id__in=applicant_ids)
    takes = Take.objects.filter(applicant_id__in=applicant_ids)
    counts = {"answers": answers.count(), "takes": takes.count()}
    if dry_run or not (counts["answers"] or counts["takes"]):
        return counts
    names = [n for pair in answers.values_list("video", "poster") for n in pair if n]
    names += [n for n in takes.values_list("file", flat=True) if n]
    answers.delete()  # before the takes: an answer protects its take
    takes.delete()
    # Files go once the rows are gone for good: a rollback must not leave rows without files.
    transaction.on_commit(lambda: _delete_files(names))
    counts["files"] = len(names)
    return counts


@receiver(applicants_videos_delete, dispatch_uid="interviews.retention")
def retention(sender: Any, applicant_ids: list[int], dry_run: bool, **kwargs: Any) -> dict[str, int]:
    return videos_delete(applicant_ids=applicant_ids, dry_run=dry_run)


@receiver(applicants_erase, dispatch_uid="interviews.erase")
def erase(sender: Any, applicant_ids: list[int], dry_run: bool, **kwargs: Any) -> dict[str, int]:
    return videos_delete(applicant_ids=applicant_ids, dry_run=dry_run)
