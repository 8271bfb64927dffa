"""Operators see every answer request (read-only): who, when, which search, how far it got."""

from __future__ import annotations

from django.contrib import admin

from applicants.admin import ReadOnlyAdmin
from bulk.models import AnswerRequest


@admin.register(AnswerRequest)
class AnswerRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "company",
        "job_posting",
        "source",
        "created_by",
        "created_at",
        "target_count",
        "skipped_count",
        "queued_count",
        "state",
    ]
    list_filter = ["state", "source", "company"]
    list_select_related = ["company", "job_posting", "created_by"]
    search_fields = ["=id", "company__name", "idempotency_key"]
    show_full_result_count = False
