"""Pages of まとめて処理モード: confirm a bulk action, follow an answer request, reminder settings."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from applicants import pages, selectors
from applicants import services as applicant_services
from applicants.access import company_of, get_job_posting_for_user, recruiter_required
from applicants.models import Company
from applicants.notices import extension_message
from bulk import selectors as bulk_selectors
from bulk import services
from bulk.forms import ReminderForm, SelectionForm
from bulk.models import AnswerRequest, AnswerRequestRecipient
from bulk.services import CSV_ENCODINGS
from imports import exports
from imports.views import unencodable_message

RECIPIENTS_PAGE_SIZE = 50


def _list_url(search: dict[str, str]) -> str:
    query = urlencode(search)
    return reverse("applicants:applicant_list") + (f"?{query}" if query else "")


def _check_posting(company: Company, search: dict[str, str]) -> None:
    """A posting of another company in the search is a 404, as on the list."""
    conditions = selectors.applicant_search_conditions(search)
    if conditions.other_posting or (
        conditions.job_posting_id is not None
        and not selectors.job_posting_list(company=company).filter(pk=conditions.job_posting_id).exists()
    ):
        raise Http404


@recruiter_required
def bulk_confirm(request: HttpRequest) -> HttpResponse:
    """GET: what the action would do, with a one-time token; POST: do it (once per token)."""
    company = company_of(request)
    posting_data = request.POST if request.method == "POST" else request.GET
    form = SelectionForm(posting_data, require_token=request.method == "POST")
    _check_posting(company, form.search)
    if form.is_valid() or _only_deadline_errors(form):
        if form.cleaned_data["action"] == SelectionForm.DOWNLOAD:
            return _download(request, company, form)
        registered = pages.bulk_action_get(form.cleaned_data["action"])
        if registered is not None:
            return _registered_action(request, company, form, registered)
        if request.method == "POST" and form.is_valid():
            try:
                return _execute(request, company, form)
            except applicant_services.DeadlineRefused as refused:
                form.add_error("deadline", str(refused))
        return _confirm_page(request, company, form)
    for error in dict.fromkeys(e for errors in form.errors.values() for e in errors):
        messages.error(request, str(error))
    return redirect(_list_url(form.search))


def _only_deadline_errors(form: SelectionForm) -> bool:
    """A 期限延長 posted without a usable deadline shows its confirm page again, with the error."""
    return set(form.errors) == {"deadline"} and form.cleaned_data.get("action") == SelectionForm.EXTEND


def _registered_action(
    request: HttpRequest, company: Company, form: SelectionForm, action: pages.BulkAction
) -> HttpResponse:
    """An action another app carries out (applicants.pages.bulk_action_register): its part of the confirm
    page, then, on the POST of a valid token, its work, keyed by the token so a resubmission repeats none."""
    if not action.shown(company):
        raise Http404
    applicants = services.selection_queryset(company=company, selection=form.cleaned_data["selection"])
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and form.is_valid():
        try:
            done = action.execute(request, company, applicants, data, f"list-{form.cleaned_data['token']}")
        except pages.BulkActionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, done)
            return redirect(_list_url(form.search))
    extra = action.values(company, applicants, data)
    return _confirm_page(request, company, form, registered=action, extra=extra)


def _confirm_page(
    request: HttpRequest,
    company: Company,
    form: SelectionForm,
    *,
    registered: pages.BulkAction | None = None,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    action = form.cleaned_data["action"]
    form.fields["deadline"].help_text = _("In %(tz)s, the company's time zone.") % {"tz": company.timezone}
    selection = form.cleaned_data["selection"]
    counts = services.selection_counts(company=company, selection=selection)
    recent = services.selection_recently_reminded(company=company, selection=selection, at=timezone.now())
    posting = None
    posting_id = selectors.applicant_search_conditions(selection.search).job_posting_id
    if posting_id is not None:
        posting = selectors.job_posting_get(company=company, pk=posting_id)
    return render(
        request,
        "bulk/confirm.html",
        {
            "action": action,
            "scope": form.cleaned_data["scope"],
            "selection": selection,
            "counts": counts,
            "recent": recent,
            "d04": services.d04_preview(company=company, selection=selection)
            if action == SelectionForm.ANSWER_REQUEST
            else None,
            "resend_hours": settings.ANSWER_REQUEST_RESEND_HOURS,
            "posting": posting,
            "search": form.search,
            "token": form.cleaned_data.get("token") or uuid.uuid4().hex,
            "back_url": _list_url(form.search),
            "form": form,
            "registered": registered,
            "extra": extra or {},
        },
        status=400 if form.errors else 200,
    )


def _execute(request: HttpRequest, company: Company, form: SelectionForm) -> HttpResponse:
    selection = form.cleaned_data["selection"]
    if form.cleaned_data["action"] == SelectionForm.WITHDRAW:
        changed = services.selection_withdraw(company=company, selection=selection, by=request.user)
        messages.success(request, _("%(n)s applicants were set to withdrawn.") % {"n": f"{changed:,}"})
        return redirect(_list_url(form.search))
    if form.cleaned_data["action"] == SelectionForm.EXTEND:
        result = services.selection_extend(
            company=company,
            selection=selection,
            deadline=form.cleaned_data["deadline"],
            notify=form.cleaned_data["notify"],
            by=request.user,
        )
        messages.success(request, extension_message(result, notify=form.cleaned_data["notify"]))
        return redirect(_list_url(form.search))
    answer_request, created = services.answer_request_create(
        company=company,
        selection=selection,
        idempotency_key=f"list-{form.cleaned_data['token']}",
        by=request.user,
        source=AnswerRequest.Source.LIST,
        send_again=form.cleaned_data["send_again"],
    )
    if not created:
        messages.info(request, _("This answer request was already sent; nothing was sent twice."))
    return redirect("bulk:answer_request_detail", pk=answer_request.pk)


def _download(request: HttpRequest, company: Company, form: SelectionForm) -> HttpResponse:
    encoding = form.cleaned_data.get("encoding") or "cp932"
    queryset = services.selection_queryset(company=company, selection=form.cleaned_data["selection"])
    if encoding == "cp932" and (bad := exports.unencodable(queryset=queryset)):
        messages.error(request, unencodable_message(bad))
        return redirect(_list_url(form.search))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = exports.upload_format_csv(
        queryset=queryset, filename=f"applicants-{stamp}.csv", encoding=encoding
    )
    return response  # type: ignore[return-value]  # streamed: the file can be 100,000 rows


def _answer_request_for_user(request: HttpRequest, pk: int) -> AnswerRequest:
    return bulk_selectors.answer_request_get(company=company_of(request), pk=pk)


def _recipient_filter(request: HttpRequest) -> dict[str, str]:
    """The recipient list's filter from the query: `outcome` (sent/skipped) or a skip `reason`."""
    outcome = request.GET.get("outcome", "")
    reason = request.GET.get("reason", "")
    if reason in AnswerRequestRecipient.Reason.values:
        return {"outcome": AnswerRequestRecipient.Outcome.SKIPPED, "reason": reason}
    if outcome in AnswerRequestRecipient.Outcome.values:
        return {"outcome": outcome}
    return {}


@recruiter_required
def answer_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The request's progress, then its recipients: sent, or skipped and why, 50 a page."""
    answer_request = _answer_request_for_user(request, pk)
    chosen = _recipient_filter(request)
    counts = bulk_selectors.recipient_counts(answer_request=answer_request)
    recipients = bulk_selectors.recipient_list(answer_request=answer_request, **chosen)
    page = Paginator(recipients, RECIPIENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [
        {"value": "", "label": _("All"), "count": counts.total},
        {"value": "sent", "label": AnswerRequestRecipient.Outcome.SENT.label, "count": counts.sent},
        {"value": "skipped", "label": AnswerRequestRecipient.Outcome.SKIPPED.label, "count": counts.skipped},
    ]
    return render(
        request,
        "bulk/answer_request_detail.html",
        {
            "answer_request": answer_request,
            "counts": counts,
            "tabs": tabs,
            "chosen": chosen,
            "page": page,
            "pagination_query": urlencode(chosen) + "&" if chosen else "",
            "resend_hours": settings.ANSWER_REQUEST_RESEND_HOURS,
        },
    )


@recruiter_required
@require_GET
def answer_request_recipients_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The recipient list (with the page's filter) as CSV, CP932 or UTF-8 with BOM, streamed."""
    answer_request = _answer_request_for_user(request, pk)
    chosen = _recipient_filter(request)
    encoding = request.GET.get("encoding", "")
    encoding = encoding if encoding in CSV_ENCODINGS else "cp932"
    if encoding == "cp932" and (bad := bulk_selectors.recipients_unencodable(answer_request=answer_request)):
        messages.error(request, unencodable_message(bad))
        return redirect(reverse("bulk:answer_request_detail", args=[answer_request.pk]) + "#recipients")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = exports.csv_response(
        bulk_selectors.recipient_rows(answer_request=answer_request, **chosen),
        header=bulk_selectors.recipient_header(),
        filename=f"answer-request-{answer_request.pk}-recipients-{stamp}.csv",
        encoding=encoding,
    )
    return response  # type: ignore[return-value]  # streamed: 100,000 rows for a large selection


@recruiter_required
@require_GET
def answer_request_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The progress bar's poll: small, uncached."""
    ar = _answer_request_for_user(request, pk)
    response = JsonResponse(
        {
            "state": ar.state,
            "state_label": ar.get_state_display(),
            "percent": ar.percent,
            "processed": ar.processed_count,
            "target": ar.target_count,
            "skipped": ar.skipped_count,
            "queued": ar.queued_count,
            "finished": ar.is_finished,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@recruiter_required
def answer_request_list(request: HttpRequest) -> HttpResponse:
    """Every answer request of the company: who, when, which search, how many."""
    queryset = AnswerRequest.objects.filter(company=company_of(request)).select_related(
        "job_posting", "created_by"
    )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(request, "bulk/answer_request_list.html", {"page": page})


@recruiter_required
def job_posting_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    """The automatic reminder of one job posting: off by default."""
    posting = get_job_posting_for_user(request, pk)
    form = ReminderForm(request.POST or None, instance=posting)
    if request.method == "POST" and form.is_valid():
        services.job_posting_reminder_set(
            posting=posting,
            enabled=form.cleaned_data["auto_reminder_enabled"],
            hours=form.cleaned_data["auto_reminder_hours"],
        )
        messages.success(request, _("The automatic reminder was saved."))
        return redirect("applicants:dashboard")
    sent = AnswerRequest.objects.filter(
        job_posting=posting, idempotency_key=services.auto_reminder_key(posting)
    ).first()
    return render(request, "bulk/reminder_form.html", {"form": form, "posting": posting, "sent": sent})
