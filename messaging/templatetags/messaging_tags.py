"""The applicant page's message section: the message log and correct-and-resend of D03."""

from __future__ import annotations

import uuid
from typing import Any

from django import template

from applicants.models import Applicant
from messaging.forms import ResendForm
from messaging.selectors import applicant_messages, suppressed_emails

register = template.Library()


@register.inclusion_tag("messaging/_applicant_section.html", takes_context=True)
def messaging_applicant_section(context: template.Context, applicant: Applicant) -> dict[str, Any]:
    messages = list(applicant_messages(applicant=applicant)[:50])
    return {
        "request": context.get("request"),
        "applicant": applicant,
        "log": messages,
        "suppressed": bool(suppressed_emails(company_id=applicant.company_id, emails=[applicant.email])),
        "resend_form": ResendForm(initial={"email": applicant.email, "nonce": uuid.uuid4().hex}),
    }
