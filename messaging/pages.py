"""The messaging app's part of the recruiter's applicant page (applicants.pages): the message log and
correct-and-resend of D03."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest

from applicants.models import Applicant
from applicants.pages import Section, section_register
from messaging.forms import ResendForm
from messaging.selectors import applicant_messages, suppressed_emails


def applicant_section(request: HttpRequest, applicant: Applicant) -> dict[str, Any]:
    return {
        "applicant": applicant,
        "log": list(applicant_messages(applicant=applicant)[:50]),
        "suppressed": bool(suppressed_emails(company_id=applicant.company_id, emails=[applicant.email])),
        "resend_form": ResendForm(initial={"email": applicant.email, "nonce": uuid.uuid4().hex}),
    }


def register() -> None:
    section_register(
        Section(order=30, template="messaging/_applicant_section.html", values=applicant_section)
    )
