"""Recruiter pages: message log, template editor with live preview, switches, correct-and-resend."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applicants.access import company_admin_required, company_of, get_applicant_for_user, recruiter_required
from applicants.models import Company
from applicants.selectors import applicant_list
from messaging import selectors, services
from messaging.forms import LogFilterForm, MessagingSettingsForm, ResendForm, ResetForm, TemplateForm
from messaging.models import Language, Message, TemplateCode
from messaging.rendering import (
    PLACEHOLDER_HELP,
    Renderer,
    TemplateSyntaxError,
    placeholders_for,
    sample_applicant,
    sample_values,
)

PAGE_SIZE = 50
SAMPLE_TO = "ichiro.suzuki@example.jp"


@recruiter_required
def message_log(request: HttpRequest) -> HttpResponse:
    """送信履歴: every message of the company, filtered by template, status, date and applicant."""
    company = company_of(request)
    form = LogFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.message_search(company=company, params=params)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "messaging/message_log.html",
        {"form": form, "page": page, "pagination_query": f"{query.urlencode()}&" if query else ""},
    )


@recruiter_required
@require_POST
def applicant_resend(request: HttpRequest, im_id: int) -> HttpResponse:
    """Correct the applicant's address if needed and send D03 again, as a new message."""
    applicant = get_applicant_for_user(request, im_id)
    form = ResendForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("applicants:applicant_detail", im_id=applicant.im_id)
    try:
        sent = services.applicant_email_correct(
            applicant=applicant,
            email=form.cleaned_data["email"],
            by=request.user,
            resend_key=form.cleaned_data["nonce"],
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect("applicants:applicant_detail", im_id=applicant.im_id)
    if sent is None:
        messages.info(request, _("This resend was already requested; no second message was sent."))
    elif sent.status == Message.Status.SUPPRESSED:
        messages.warning(
            request, _("%(email)s is on the suppression list, so D03 was not sent.") % {"email": sent.to}
        )
    else:
        messages.success(request, _("D03 is being sent again to %(email)s.") % {"email": sent.to})
    return redirect("applicants:applicant_detail", im_id=applicant.im_id)


@company_admin_required
def template_list(request: HttpRequest) -> HttpResponse:
    company = company_of(request)
    settings_obj = selectors.messaging_settings_get(company=company)
    form = MessagingSettingsForm(request.POST or None, instance=settings_obj)
    if request.method == "POST" and form.is_valid():
        services.messaging_settings_save(company=company, **form.cleaned_data)
        messages.success(request, _("The message settings were saved."))
        return redirect("messaging:template_list")
    return render(
        request,
        "messaging/template_list.html",
        {"templates": selectors.template_list(company=company), "form": form},
    )


@company_admin_required
def template_edit(request: HttpRequest, code: str) -> HttpResponse:
    company = company_of(request)
    template = selectors.template_get(company=company, code=code)
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        services.template_save(company=company, code=code, by=request.user, **form.cleaned_data)
        messages.success(request, _("The template %(code)s was saved.") % {"code": code})
        return redirect("messaging:template_edit", code=code)
    applicants = applicant_list(company=company).order_by("-im_id")[:20]
    return render(
        request,
        "messaging/template_edit.html",
        {
            "template": template,
            "form": form,
            "code": code,
            "code_label": TemplateCode(code).label,
            "placeholders": [(name, PLACEHOLDER_HELP[name]) for name in placeholders_for(code)],
            # Mail to reviewers and recruiters (D07, D08) is previewed with sample values, not an applicant.
            "to_applicants": code not in services.DIRECT_CODES,
            "reset_form": ResetForm(initial={"language": template.language}),
            "applicants": applicants,
        },
    )


@company_admin_required
@require_POST
def template_reset(request: HttpRequest, code: str) -> HttpResponse:
    company = company_of(request)
    selectors.template_get(company=company, code=code)  # 404 for an unknown code
    form = ResetForm(request.POST)
    language = form.cleaned_data["language"] if form.is_valid() else Language.JA
    services.template_reset(company=company, code=code, language=language, by=request.user)
    messages.success(request, _("The template %(code)s was reset to the default.") % {"code": code})
    return redirect("messaging:template_edit", code=code)


@company_admin_required
@require_POST
def template_preview(request: HttpRequest, code: str) -> JsonResponse:
    """The editor's live preview: the unsaved text rendered for a real or a sample applicant (or, for
    D07/D08, with a sample reviewer's values)."""
    company = company_of(request)
    selectors.template_get(company=company, code=code)
    if code in services.DIRECT_CODES:
        return _preview_direct(request, company, code)
    im_id = request.POST.get("applicant", "")
    if im_id:
        applicant = get_applicant_for_user(request, im_id)
        posting = applicant.job_posting
    else:
        applicant, posting = sample_applicant(company=company, posting=None)
    language = request.POST.get("language") or ""
    language = language if language in Language.values else Language.JA
    try:
        renderer = Renderer(
            company=company,
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
            html_body=request.POST.get("html_body", ""),
            language=language,
        )
    except TemplateSyntaxError as exc:
        return JsonResponse({"ok": False, "errors": [str(exc)]})
    subject, body, html_body = renderer.render(applicant, posting)
    return JsonResponse(
        {"ok": True, "subject": subject, "body": body, "html_body": html_body, "to": applicant.email}
    )


def _preview_direct(request: HttpRequest, company: Company, code: str) -> JsonResponse:
    language = request.POST.get("language") or ""
    try:
        renderer = Renderer(
            company=company,
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
            html_body=request.POST.get("html_body", ""),
            language=language if language in Language.values else Language.JA,
            placeholders=placeholders_for(code),
        )
    except TemplateSyntaxError as exc:
        return JsonResponse({"ok": False, "errors": [str(exc)]})
    subject, body, html_body = renderer.render_values(sample_values(company=company, code=code))
    return JsonResponse(
        {"ok": True, "subject": subject, "body": body, "html_body": html_body, "to": SAMPLE_TO}
    )
