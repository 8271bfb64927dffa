"""The upload form: a job posting of the company and a CSV file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from applicants.models import Company, JobPosting
from interviewmaker import csvfiles

ENCODINGS = list(csvfiles.ENCODING_LABELS.items())


class ImportUploadForm(forms.Form):
    job_posting = forms.ModelChoiceField(queryset=JobPosting.objects.none(), label=_("Job posting"))
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or Shift_JIS (CP932), at most 100,000 rows and 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, company: Company, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["job_posting"].queryset = JobPosting.objects.filter(company=company)  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Oversized files are refused here, before anything reads them (docs/product.md §4).
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size_mb)s MB; files of at most %(max_mb)s MB can be uploaded."),
                params={
                    "size_mb": f"{upload.size / 1_000_000:.1f}",
                    "max_mb": settings.IMPORT_MAX_BYTES // 1_000_000,
                },
            )
        return upload


class ConfirmForm(forms.Form):
    """The confirm buttons: 取り込む, or 「エラー行を除いて取り込む」 (skip_error_rows)."""

    skip_error_rows = forms.BooleanField(required=False)


class EncodingForm(forms.Form):
    encoding = forms.ChoiceField(choices=ENCODINGS, required=False)

    def encoding_or_default(self) -> str:
        return self.cleaned_data.get("encoding") or "cp932" if self.is_valid() else "cp932"
