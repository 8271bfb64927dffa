"""The interviews app's part of the recruiter's applicant page (applicants.pages): the answers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from applicants.models import Applicant
from applicants.pages import Section, section_register
from interviews import selectors, storage


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
        "can_reset": resettable and applicant.status != Applicant.Status.WITHDRAWN,
    }


def register() -> None:
    section_register(
        Section(order=20, template="interviews/_applicant_section.html", values=applicant_section)
    )
