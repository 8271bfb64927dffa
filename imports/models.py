"""One CSV upload (応募者CSVアップロード): its file, validation outcome, progress and result."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicantImport(models.Model):
    class Status(models.TextChoices):
        VALIDATING = "validating", _("Validating")
        VALIDATED = "validated", _("Ready to import")
        INVALID = "invalid", _("Has errors")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    company = models.ForeignKey("applicants.Company", on_delete=models.CASCADE, related_name="imports")
    job_posting = models.ForeignKey(
        "applicants.JobPosting",
        on_delete=models.CASCADE,
        related_name="imports",
        verbose_name=_("job posting"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=255, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveIntegerField(default=0)
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    encoding = models.CharField(max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALIDATING)
    progress = models.PositiveSmallIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    n_new = models.PositiveIntegerField(_("new"), default=0)
    n_update = models.PositiveIntegerField(_("updates"), default=0)
    n_skipped = models.PositiveIntegerField(_("skipped"), default=0)
    n_error = models.PositiveIntegerField(_("errors"), default=0)
    # Codes and parameters, not sentences: rendered in the reader's language (imports.errors).
    errors = models.JSONField(default=list, blank=True)
    errors_truncated = models.BooleanField(default=False)
    file_error = models.JSONField(null=True, blank=True)
    ignored_columns = models.JSONField(default=list, blank=True)
    # Values of the first new applicant, for the D03 preview.
    sample = models.JSONField(null=True, blank=True)
    # The first 20 data rows as they will be registered (imports.validation.Report.preview_rows).
    preview_rows = models.JSONField(default=list, blank=True)
    # Confirmed with 「エラー行を除いて取り込む」: only the rows without errors were imported.
    skip_error_rows = models.BooleanField(_("error rows left out"), default=False)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("applicant import")
        verbose_name_plural = _("applicant imports")
        # The table kept its name when CSV uploads became an app of their own (imports/0001).
        db_table = "applicants_applicantimport"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"], name="import_company_created")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def counts(self) -> dict[str, int]:
        return {"new": self.n_new, "update": self.n_update, "skipped": self.n_skipped, "error": self.n_error}

    @property
    def can_confirm(self) -> bool:
        return (
            self.status == self.Status.VALIDATED
            and self.n_error == 0
            and self.file_error is None
            and not self.nothing_to_import
        )

    @property
    def nothing_to_import(self) -> bool:
        """Validated without errors, but every row is registered already (a re-upload): no 取り込む."""
        return self.status == self.Status.VALIDATED and self.n_error == 0 and self.n_new + self.n_update == 0

    @property
    def can_skip_error_rows(self) -> bool:
        """Has errors, yet rows to register: offered 「エラー行を除いて取り込む」 (docs/csv-import.md).

        Not when the error list was cut at 10,000: the error CSV must name every row left out.
        """
        return (
            self.status == self.Status.INVALID
            and self.n_error > 0
            and self.file_error is None
            and not self.errors_truncated
            and self.n_new + self.n_update > 0
        )

    @property
    def status_label(self) -> str:
        """The outcome as the history and the detail page name it."""
        if self.skip_error_rows and self.status == self.Status.DONE:
            return str(_("Imported without the error rows"))
        return str(self.get_status_display())

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.IMPORTING)

    def rendered_errors(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Row errors as {row, column, message} in the active language."""
        from imports.errors import render_error, render_file_error

        if self.file_error:
            return [{"row": None, "column": None, "message": render_file_error(self.file_error)}]
        items = self.errors if limit is None else self.errors[:limit]
        return [
            {"row": row, "column": column, "message": render_error(code, params)}
            for row, column, code, params in items
        ]
