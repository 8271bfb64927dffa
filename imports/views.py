"""Recruiter pages of the CSV import: upload, preview and confirm, progress, history, downloads."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from applicants.access import company_of, feature_required, get_job_posting_for_user
from applicants.models import Applicant
from imports import exports, selectors, services
from imports.errors import ignored_columns_message
from imports.forms import ConfirmForm, EncodingForm, ImportUploadForm
from imports.parsing import HEADERS

csv_upload_required = feature_required("csv_upload_enabled")
PREVIEW_ERRORS = 100


def _streamed(response: StreamingHttpResponse) -> HttpResponse:
    """CSV downloads stream; the access decorators are typed for plain responses."""
    return cast(HttpResponse, response)


def _encoding(request: HttpRequest) -> str:
    return EncodingForm(request.GET).encoding_or_default()


@csv_upload_required
def import_list(request: HttpRequest) -> HttpResponse:
    imports = selectors.import_list(company=company_of(request))
    page = Paginator(imports, 50).get_page(request.GET.get("page"))
    return render(request, "imports/import_list.html", {"page": page})


@csv_upload_required
def import_create(request: HttpRequest) -> HttpResponse:
    company = company_of(request)
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        company=company,
        initial={"job_posting": request.GET.get("job_posting") or None},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        applicant_import = services.applicant_import_create(
            job_posting=form.cleaned_data["job_posting"], file=upload, file_name=upload.name, by=request.user
        )
        return redirect("imports:import_detail", pk=applicant_import.pk)
    return render(request, "imports/import_form.html", {"form": form})


@csv_upload_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    applicant_import = selectors.import_get(company=company_of(request), pk=pk)
    d03 = rows = None
    if applicant_import.can_confirm or applicant_import.can_skip_error_rows:
        d03 = selectors.d03_preview(applicant_import=applicant_import)
    if not applicant_import.file_error:
        rows = selectors.import_preview(applicant_import=applicant_import)
    ignored = applicant_import.ignored_columns
    return render(
        request,
        "imports/import_detail.html",
        {
            "imp": applicant_import,
            "errors": applicant_import.rendered_errors(limit=PREVIEW_ERRORS),
            "more_errors": len(applicant_import.errors) > PREVIEW_ERRORS,
            "ignored_message": ignored_columns_message(ignored) if ignored else "",
            "d03": d03,
            "preview": rows,
        },
    )


@csv_upload_required
@require_GET
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Polled by the detail page while the upload is validated or imported."""
    applicant_import = selectors.import_get(company=company_of(request), pk=pk)
    return JsonResponse(
        {
            "status": applicant_import.status,
            "status_display": applicant_import.status_label,
            "progress": applicant_import.progress,
            "running": applicant_import.is_running,
            "counts": applicant_import.counts,
        }
    )


@csv_upload_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    applicant_import = selectors.import_get(company=company_of(request), pk=pk)
    form = ConfirmForm(request.POST)
    skip_error_rows = form.is_valid() and form.cleaned_data["skip_error_rows"]
    try:
        services.applicant_import_confirm(
            applicant_import=applicant_import, by=request.user, skip_error_rows=skip_error_rows
        )
    except services.ImportNotConfirmable as exc:
        messages.error(request, str(exc))
    return redirect("imports:import_detail", pk=applicant_import.pk)


@csv_upload_required
@require_GET
def import_errors_csv(request: HttpRequest, pk: int) -> HttpResponse:
    applicant_import = selectors.import_get(company=company_of(request), pk=pk)
    encoding = _encoding(request)
    # Error messages quote the file's cells, which may hold emoji or other text Shift_JIS lacks:
    # checked before the first byte is sent, as the other CP932 exports are.
    if encoding == "cp932" and not exports.error_rows_cp932_ok(applicant_import=applicant_import):
        messages.error(
            request,
            _(
                "Some errors quote characters that cannot be written in Shift_JIS (CP932). "
                "Download the errors in UTF-8 instead."
            ),
        )
        return redirect("imports:import_detail", pk=applicant_import.pk)
    return _streamed(
        exports.csv_response(
            exports.error_rows(applicant_import=applicant_import),
            header=exports.error_header(),
            filename=_("errors_%(name)s") % {"name": applicant_import.file_name},
            encoding=encoding,
        )
    )


@csv_upload_required
@require_GET
def import_format_csv(request: HttpRequest) -> HttpResponse:
    """The upload format itself: the header row only."""
    return _streamed(
        exports.csv_response(
            [], header=HEADERS, filename="applicants_format.csv", encoding=_encoding(request)
        )
    )


@csv_upload_required
@require_GET
def import_export_csv(request: HttpRequest) -> HttpResponse:
    """A posting's current applicants in the upload format (edit and re-upload as updates)."""
    if not request.GET.get("job_posting"):
        messages.error(request, _("Choose a job posting to download its applicants."))
        return redirect("applicants:applicant_list")
    posting = get_job_posting_for_user(request, request.GET["job_posting"])
    queryset = Applicant.objects.filter(job_posting=posting)
    encoding = _encoding(request)
    if encoding == "cp932" and (bad := exports.unencodable(queryset=queryset)):
        messages.error(request, unencodable_message(bad))
        return redirect(f"{reverse('applicants:applicant_list')}?job_posting={posting.pk}")
    return _streamed(
        exports.upload_format_csv(
            queryset=queryset, filename=f"applicants_{posting.pk}.csv", encoding=encoding
        )
    )


def unencodable_message(bad: list[tuple[int, str]]) -> str:
    rows = "、".join(f"{im_id} ({chars})" for im_id, chars in bad)
    return _(
        "Some characters cannot be written in Shift_JIS (CP932): iM ID %(rows)s. Download in UTF-8 instead."
    ) % {"rows": rows}
