"""Reads of the CSV import, always scoped to the company."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from applicants.fields import BY_NAME, FIELDS
from applicants.models import Applicant, Company
from imports.models import ApplicantImport
from imports.validation import ERROR, NEW, PREVIEW_ROWS, SKIPPED, UPDATE
from interviewmaker.numbers import id_or_404

# What happens to a row of the preview table, and its badge (classes of static/css/app.css).
PREVIEW_KINDS = {
    NEW: (_("New"), "state-done"),
    UPDATE: (_("Update"), "state-running"),
    SKIPPED: (_("Skipped (already registered)"), ""),
    ERROR: (_("Error (not imported)"), "state-failed"),
}


def import_list(*, company: Company) -> QuerySet[ApplicantImport]:
    return ApplicantImport.objects.filter(company=company).select_related("job_posting", "created_by")


def import_get(*, company: Company, pk: int | str) -> ApplicantImport:
    try:
        return import_list(company=company).get(pk=id_or_404(pk))
    except ApplicantImport.DoesNotExist:
        raise Http404 from None


def d03_preview(*, applicant_import: ApplicantImport) -> dict[str, str] | None:
    """D03 as the first new applicant of the upload will receive it (docs/product.md §5), or None."""
    if not applicant_import.sample:
        return None
    from messaging.services.outbox import renderer_for

    company = applicant_import.company
    # Text values only: the sample is JSON (dates as strings), and D03 shows names, not dates.
    values = {
        k: v for k, v in applicant_import.sample.items() if k in BY_NAME and BY_NAME[k].sql_type == "text"
    }
    applicant = Applicant(
        company=company,
        job_posting=applicant_import.job_posting,
        # The ID the applicant would get if nobody else registers first; the URL token is made at import.
        im_id=company.last_im_id + 1,
        interview_token="…",  # noqa: S106 - a placeholder shown in the preview, not a secret
        **values,
    )
    subject, body, _html = renderer_for(company=company, code="D03").render(
        applicant, applicant_import.job_posting
    )
    return {"to": applicant.email, "subject": subject, "body": body}


def import_preview(*, applicant_import: ApplicantImport) -> dict[str, Any] | None:
    """The preview table (取り込み後の内容): a column per field of the file, labelled as
    applicants.fields labels it (free areas by the company's 応募設定), a row per stored preview row."""
    rows = applicant_import.preview_rows
    if not rows:
        return None
    present = {name for row in rows for name in row["values"]}
    company = applicant_import.company
    fields = [spec for spec in FIELDS if spec.name in present]
    columns = [
        company.free_area_label(int(spec.name[-1])) if spec.name.startswith("free_area_") else str(spec.label)
        for spec in fields
    ]
    table = []
    for row in rows:
        label, badge = PREVIEW_KINDS.get(row["kind"], (row["kind"], ""))
        values = row["values"]
        table.append(
            {
                "row": row["row"],
                "kind": row["kind"],
                "kind_label": str(label),
                "badge": badge,
                "im_id": row.get("im_id"),
                "cells": ["" if values.get(spec.name) is None else str(values[spec.name]) for spec in fields],
            }
        )
    return {"columns": columns, "rows": table, "limit": PREVIEW_ROWS}
