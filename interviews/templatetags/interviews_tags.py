"""The answers section of the recruiter's applicant page: `{% interviews_applicant_section applicant %}`."""

from __future__ import annotations

from typing import Any

from django import template

from applicants.models import Applicant
from interviews import selectors, storage

register = template.Library()


@register.inclusion_tag("interviews/_applicant_section.html")
def interviews_applicant_section(applicant: Applicant) -> dict[str, Any]:
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
    return {"applicant": applicant, "rows": rows}
