"""Operators see every CSV upload (read-only): who, when, which file, counts and outcome."""

from __future__ import annotations

from django.contrib import admin

from applicants.admin import ReadOnlyAdmin
from imports.models import ApplicantImport


@admin.register(ApplicantImport)
class ApplicantImportAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "company",
        "job_posting",
        "file_name",
        "created_by",
        "status",
        "n_new",
        "n_update",
        "n_skipped",
        "n_error",
        "finished_at",
    ]
    list_filter = ["status", "company"]
    search_fields = ["file_name"]
    list_select_related = ["company", "job_posting", "created_by"]
    exclude = ["errors", "sample", "preview_rows"]
