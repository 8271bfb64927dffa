"""The interviews app's part of the recruiter's applicant page (applicants.pages): the answers."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest

from applicants.models import Applicant
from applicants.pages import Section, section_register
from interviews import selectors, storage
from interviews.models import Answer


def applicant_section(request: HttpRequest, applicant: Applicant) -> dict[str, Any]:
    """Each question with its answer video (short-lived URL), poster, duration and take count."""
    rows = []
    for row in selectors.applicant_answers(applicant=applicant):
        answer = row.answer
        rows.append(
            {
                "question": row.question,
                "answer": answer,
                "take_count": row.take_count,
                "video_url": storage.playback_url(answer.playback_name) if answer else "",
                "poster_url": storage.playback_url(answer.poster.name or "") if answer else "",
                "duration": answer.display_duration if answer else None,
            }
        )
    archived = [
        {
            "answer": answer,
            "video_url": storage.playback_url(answer.playback_name),
            "duration": answer.display_duration,
        }
        for answer in selectors.archived_answers(applicant=applicant)
    ]
    resettable = applicant.status == Applicant.Status.SUBMITTED or any(row["take_count"] for row in rows)
    return {
        "applicant": applicant,
        "rows": rows,
        "archived": archived,
        "progress": posting_video_progress(job_posting_id=applicant.job_posting_id),
        "can_reset": resettable and applicant.status != Applicant.Status.WITHDRAWN,
    }


def posting_video_progress(*, job_posting_id: int) -> dict[str, int]:
    """How far normalisation has come for the posting's current answers, in one query: the recruiter
    sees a backlog of the video queue (and answers kept in their original format) where they watch."""
    done, pending = Answer.Processing.DONE, Answer.Processing.PENDING
    original = [Answer.Processing.FAILED, Answer.Processing.SKIPPED]
    return (
        Answer.objects.current()
        .filter(applicant__job_posting_id=job_posting_id)
        .aggregate(
            total=Count("pk"),
            ready=Count("pk", filter=Q(processing=done)),
            pending=Count("pk", filter=Q(processing=pending)),
            original=Count("pk", filter=Q(processing__in=original)),
        )
    )


def register() -> None:
    section_register(
        Section(order=20, template="interviews/_applicant_section.html", values=applicant_section)
    )
