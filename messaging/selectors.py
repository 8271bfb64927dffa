"""Reads of the messaging app. Every selector takes the company (tenancy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from applicants.models import Applicant, Company
from interviewmaker.numbers import ascii_int
from messaging.defaults import default_for
from messaging.models import Message, MessageTemplate, MessagingSettings, Suppression, TemplateCode


def template_get(*, company: Company, code: str) -> MessageTemplate:
    """The company's template for a code, or an unsaved copy of the shipped default in its language."""
    if code not in TemplateCode.values:
        raise Http404
    template = MessageTemplate.objects.filter(company=company, code=code).first()
    if template is None:
        default = default_for(code, company.language, replies=bool(company.reply_to_email))
        template = MessageTemplate(
            company=company, code=code, language=company.language, subject=default.subject, body=default.body
        )
    return template


def template_list(*, company: Company) -> list[MessageTemplate]:
    saved = {t.code: t for t in MessageTemplate.objects.filter(company=company)}
    return [saved.get(code) or template_get(company=company, code=code) for code in TemplateCode.values]


def messaging_settings_get(*, company: Company) -> MessagingSettings:
    """The company's switches; defaults (everything on) when never saved."""
    found = MessagingSettings.objects.filter(company=company).first()
    return found or MessagingSettings(company=company)


def auto_reminder_enabled(*, company: Company) -> bool:
    """Whether the automatic D04 reminder may run for this company (docs/product.md §5, §7)."""
    return messaging_settings_get(company=company).auto_reminder_enabled


def suppressed_emails(*, company_id: int, emails: Iterable[str] | None = None) -> set[str]:
    """Lower-cased suppressed addresses of a company (all of them, or those among `emails`)."""
    queryset = Suppression.objects.filter(company_id=company_id)
    if emails is not None:
        queryset = queryset.filter(email__in=[e.lower() for e in emails])
    return set(queryset.values_list("email", flat=True))


def message_list(*, company: Company) -> QuerySet[Message]:
    return Message.objects.filter(company=company).select_related("applicant")


def message_search(*, company: Company, params: Mapping[str, Any]) -> QuerySet[Message]:
    """The message log's filters: template, status, applicant (iM採用ID), date range (company time zone)."""
    queryset = message_list(company=company)
    template = params.get("template")
    if template in TemplateCode.values:
        queryset = queryset.filter(template_code=template)
    status = params.get("status")
    if status in Message.Status.values:
        queryset = queryset.filter(status=status)
    applicant = str(params.get("applicant") or "").strip()
    if applicant:
        im_id = ascii_int(applicant)
        queryset = queryset.none() if im_id is None else queryset.filter(applicant__im_id=im_id)
    for name, lookup, shift in (("date_from", "created_at__gte", 0), ("date_to", "created_at__lt", 1)):
        day = _parse_date(params.get(name))
        if day is not None:
            start = dt.datetime.combine(day + dt.timedelta(days=shift), dt.time(), tzinfo=company.tzinfo)
            queryset = queryset.filter(**{lookup: start})
    return queryset.order_by("-created_at", "-id")


def _parse_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def applicant_messages(*, applicant: Applicant) -> QuerySet[Message]:
    return Message.objects.filter(company_id=applicant.company_id, applicant=applicant).order_by(
        "-created_at", "-id"
    )
