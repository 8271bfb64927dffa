"""Saving message templates and the company's messaging switches."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from applicants.models import Company
from messaging.defaults import default_for
from messaging.models import MessageTemplate, MessagingSettings, TemplateCode
from messaging.rendering import placeholders_for, template_errors


def template_validate(*, subject: str, body: str, html_body: str, code: str | None = None) -> None:
    """Raise ValidationError per field naming each unknown or malformed placeholder (of the code's set)."""
    placeholders = placeholders_for(code)
    errors = {
        name: found
        for name, text in (("subject", subject), ("body", body), ("html_body", html_body))
        if (found := template_errors(text, placeholders))
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def template_save(
    *,
    company: Company,
    code: str,
    subject: str,
    body: str,
    html_body: str = "",
    language: str = "ja",
    by: Any,
) -> MessageTemplate:
    """Store the company's version of a template after checking every placeholder."""
    if code not in TemplateCode.values:
        raise ValidationError({"code": "unknown template"})
    template_validate(subject=subject, body=body, html_body=html_body, code=code)
    template, _created = MessageTemplate.objects.select_for_update().update_or_create(
        company=company,
        code=code,
        defaults={
            "subject": subject,
            "body": body,
            "html_body": html_body,
            "language": language,
            "updated_by": by if getattr(by, "pk", None) else None,
        },
    )
    return template


@transaction.atomic
def template_reset(*, company: Company, code: str, language: str = "ja", by: Any = None) -> MessageTemplate:
    """Back to the shipped default of the given language."""
    default = default_for(code, language, replies=bool(company.reply_to_email))
    return template_save(
        company=company, code=code, subject=default.subject, body=default.body, language=language, by=by
    )


@transaction.atomic
def messaging_settings_save(
    *, company: Company, d05_enabled: bool, auto_reminder_enabled: bool
) -> MessagingSettings:
    found, _created = MessagingSettings.objects.update_or_create(
        company=company, defaults={"d05_enabled": d05_enabled, "auto_reminder_enabled": auto_reminder_enabled}
    )
    return found
