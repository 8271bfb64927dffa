"""The reviewer page behind a share URL, a reviewer's queue behind their review link, and the
recruiters' sharing pages (settings, reviewers and assignments, CSV downloads)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from applicants.access import (
    company_of,
    feature_required,
    get_applicant_for_user,
    get_job_posting_for_user,
    membership_of,
    recruiter_required,
)
from applicants.models import Applicant, Company
from interviewmaker import csvfiles
from interviewmaker.clientip import client_ip
from interviewmaker.numbers import ascii_int
from sharing import selectors, services
from sharing.forms import (
    ApplicantReviewerForm,
    EvaluationForm,
    EvaluationItemFormSet,
    EvaluationSheetForm,
    QueueEvaluationForm,
    ReviewerChoiceForm,
    ReviewerForm,
    SharingSettingsForm,
    SubmissionDigestForm,
    evaluation_initial,
)
from sharing.models import Evaluation, Reviewer, ShareLink, ShareUrlExport, SharingSettings

REVIEWER_HEADERS = {
    # The token is the only key to the page: never leak it to video hosts or other sites.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
SESSION_KEY = "sharing_evaluated"


def _reviewer_rate(group: str, request: HttpRequest) -> str:
    return settings.SHARING_RATE_LIMIT


def reviewer_page(
    view: Callable[..., HttpResponse], not_found: str = "sharing/not_found.html"
) -> Callable[..., HttpResponse]:
    """Rate limit, the same not-found page for every bad link, and the privacy headers on every answer."""

    # The token is the credential, and under no-referrer browsers send `Origin: null`, which CSRF checks
    # refuse. The session (which evaluations this browser may edit) is SameSite=Lax: a forged cross-site
    # POST arrives without it, so it can at most add an evaluation, never change one.
    @csrf_exempt
    @ratelimit(key="ip", rate=_reviewer_rate, block=False)
    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        language = request.GET.get("lang")
        if getattr(request, "limited", False):
            response = render(request, "sharing/rate_limited.html", status=429)
            response["Retry-After"] = "60"
        elif request.method == "GET" and language in dict(settings.LANGUAGES):
            # The page's language switch (GET, see reviewer_base.html): remember it, drop the parameter.
            response = redirect(request.path)
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", httponly=True)
        else:
            try:
                response = view(request, token, *args, **kwargs)
            except Http404:
                response = render(request, not_found, status=404)
        for header, value in REVIEWER_HEADERS.items():
            response[header] = value
        return response

    return wrapped


def _own_evaluations(request: HttpRequest, link: ShareLink) -> list[int]:
    return list(request.session.get(SESSION_KEY, {}).get(str(link.applicant_id), []))


def _remember_evaluation(request: HttpRequest, link: ShareLink, evaluation: Evaluation) -> None:
    evaluated = dict(request.session.get(SESSION_KEY, {}))
    evaluated[str(link.applicant_id)] = [*evaluated.get(str(link.applicant_id), []), evaluation.pk]
    request.session[SESSION_KEY] = evaluated


def _own_evaluation(link: ShareLink, own: list[int], edit_id: str | None) -> Evaluation | None:
    """The evaluation this browser submitted for the link's applicant and asks to edit, if any."""
    pk = ascii_int(edit_id)
    if pk is None or pk not in own:
        return None
    return Evaluation.objects.filter(pk=pk, applicant=link.applicant).first()


def _visible_evaluations(link: ShareLink, own: list[int]) -> tuple[list[Evaluation], bool]:
    """What this reviewer may see under the company's setting, and whether others are hidden."""
    return _visible(link.company, link.applicant, own)


def _visible(company: Company, applicant: Applicant, own: list[int]) -> tuple[list[Evaluation], bool]:
    visibility = selectors.sharing_settings_get(company=company).evaluations_visibility
    evaluations = list(selectors.evaluation_list(company=company, applicant=applicant))
    if visibility == SharingSettings.Visibility.ALWAYS or (
        visibility == SharingSettings.Visibility.AFTER_OWN and own
    ):
        return evaluations, False
    mine = [e for e in evaluations if e.pk in own]
    # The hint only makes sense where submitting reveals the others.
    return mine, visibility == SharingSettings.Visibility.AFTER_OWN and len(mine) < len(evaluations)


def _media_scope(link: ShareLink) -> str:
    return f":share:{link.pk}"


def _reviewer_media_url(link: ShareLink, name: str) -> str:
    """A playback URL that works only while this link does: under the link's own token, signed for it.

    Regenerating or revoking the link (or its expiry, or withdrawal) kills every URL taken from the page
    at once; a copied URL cannot be used under another link either.
    """
    from interviews.storage import sign_name

    if not name:
        return ""
    return reverse("sharing:reviewer_media", args=[link.token, sign_name(name, scope=_media_scope(link))])


def _answers(link: ShareLink) -> list[dict[str, Any]]:
    """Each question with its answer video and a short-lived playback URL bound to the share link."""
    return _answers_of(link.applicant, lambda name: _reviewer_media_url(link, name))


def _answers_of(applicant: Applicant, media_url: Callable[[str], str]) -> list[dict[str, Any]]:
    """Each question with its answer video, played through `media_url` (a URL bound to one credential)."""
    from interviews.selectors import applicant_answers

    rows = []
    for row in applicant_answers(applicant=applicant):
        video = poster = ""
        if row.answer is not None:
            video = media_url(row.answer.playback_name or "")
            poster = media_url(row.answer.poster.name or "") if row.answer.poster else ""
        rows.append({"question": row.question, "answer": row.answer, "video": video, "poster": poster})
    return rows


@require_http_methods(["GET", "HEAD"])
def reviewer_media(request: HttpRequest, token: str, signed: str) -> HttpResponse:
    """An answer video or poster of a live link: served with byte ranges, or a presigned S3 redirect.

    Not under the page's rate limit nor `no-store`: a player fetches ranges as it seeks, and may cache.
    """
    from interviews import storage

    link = selectors.share_link_for_reviewer(token=token)  # 404 once revoked, expired or switched off
    try:
        name = storage.name_from_signed(signed, scope=_media_scope(link))
    except signing.BadSignature:
        raise Http404 from None
    return _media(request, name)


def _media(request: HttpRequest, name: str) -> HttpResponse:
    from interviews import storage
    from interviews.views import media_response

    response = redirect(storage.presigned_url(name)) if storage.uses_s3() else media_response(request, name)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return cast(HttpResponse, response)


@reviewer_page
@require_http_methods(["GET", "HEAD", "POST"])
def reviewer(request: HttpRequest, token: str) -> HttpResponse:
    link = selectors.share_link_for_reviewer(token=token)
    applicant = link.applicant
    sheet = services.evaluation_sheet_for(job_posting=applicant.job_posting)
    own = _own_evaluations(request, link)
    edit_id = request.POST.get("edit") if request.method == "POST" else request.GET.get("edit")
    if not edit_id and own:
        # One evaluation per reviewer and link: once this browser has submitted, the form edits it.
        edit_id = str(own[-1])
    editing = _own_evaluation(link, own, edit_id)
    initial = evaluation_initial(editing) if editing is not None and request.method != "POST" else None
    if editing is None and request.method != "POST":
        initial = {"submission": uuid.uuid4()}  # the form's one-time key (evaluation_submit)
    form = EvaluationForm(request.POST or None, sheet=sheet, initial=initial)
    answers = _answers(link)
    # Nothing to evaluate before the applicant has answered: no form, and a post adds nothing.
    has_answers = any(row["answer"] for row in answers)
    if request.method == "POST":
        if edit_id and editing is None:
            # The session that submitted it has ended (another browser, cleared cookies): change nothing.
            form.add_error(
                None, _("This evaluation can only be edited in the browser it was submitted from.")
            )
        elif editing is None and not has_answers:
            form.add_error(None, _("There is no answer to evaluate yet."))
        elif form.is_valid():
            values = {
                "sheet": sheet,
                "reviewer_name": form.cleaned_data["reviewer_name"],
                "answers": form.answers(),
            }
            if editing is not None:
                services.evaluation_update(evaluation=editing, **values)
                messages.success(request, _("Your evaluation was updated."))
            else:
                evaluation = services.evaluation_submit(
                    link=link, submission=form.cleaned_data.get("submission"), **values
                )
                if evaluation.pk not in own:
                    _remember_evaluation(request, link, evaluation)
                messages.success(request, _("Thank you. Your evaluation was submitted."))
            return redirect("sharing:reviewer", token=token)
    else:
        services.share_link_view_record(
            link=link,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    evaluations, others_hidden = _visible_evaluations(link, own)
    company = link.company
    return render(
        request,
        "sharing/reviewer.html",
        {
            "link": link,
            "applicant": applicant,
            "posting": applicant.job_posting,
            "share_company": company,
            "free_areas": [
                (company.free_area_label(n), getattr(applicant, f"free_area_{n}")) for n in (1, 2, 3)
            ],
            "answers": answers,
            "has_answers": has_answers,
            "form": form,
            "sheet": sheet,
            "evaluations": evaluations,
            "own": own,
            "editing": editing,
            "others_hidden": others_hidden,
        },
    )


# --- Recruiter pages ------------------------------------------------------------------------------

SHARE = "share_url_enabled"


@feature_required(SHARE)
@require_POST
def share_link_regenerate(request: HttpRequest, im_id: int) -> HttpResponse:
    applicant = get_applicant_for_user(request, im_id)
    try:
        services.share_link_regenerate(applicant=applicant, by=request.user)
    except services.ShareLinkWithdrawn:
        messages.error(request, _("A withdrawn applicant has no share URL."))
    else:
        messages.success(request, _("A new share URL was issued. The previous URL no longer works."))
    return redirect("applicants:applicant_detail", im_id=applicant.im_id)


def _csv_response(stream: Any, stem: str) -> HttpResponse:
    response = StreamingHttpResponse(stream, content_type="text/csv")
    stamp = timezone.localtime().strftime("%Y%m%d_%H%M")
    response["Content-Disposition"] = f'attachment; filename="{stem}_{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)  # the access decorators are typed for HttpResponse


@feature_required(SHARE)
@require_GET
def share_urls_csv(request: HttpRequest) -> HttpResponse:
    """The share URL CSV of the list's current search (all matching applicants, not just one page)."""
    encoding = request.GET.get("encoding", "cp932")
    if encoding not in csvfiles.ENCODINGS:
        encoding = "cp932"
    company = company_of(request)
    result = services.share_url_export(
        company=company, user=request.user, params=request.GET, encoding=encoding, via=ShareUrlExport.Via.UI
    )
    if result.stream is None:
        utf8 = request.GET.copy()
        utf8["encoding"] = "utf-8"
        back = request.GET.copy()
        back.pop("encoding", None)
        return render(
            request,
            "sharing/export_problems.html",
            {
                "result": result,
                "utf8_query": utf8.urlencode(),
                "back_query": back.urlencode(),
                "more": result.problem_rows - len({p.im_id for p in result.problems}),
            },
            status=409,
        )
    return _csv_response(result.stream, "share_urls")


@feature_required(SHARE)
@require_GET
def evaluations_csv(request: HttpRequest) -> HttpResponse:
    """Evaluations of every applicant of the list's current search."""
    from applicants.selectors import applicant_search

    company = company_of(request)
    evaluations = selectors.evaluations_for_applicants(
        company=company, applicants=applicant_search(company=company, params=request.GET)
    )
    return _csv_response(services.evaluations_csv(evaluations=evaluations), "evaluations")


@feature_required(SHARE)
@require_GET
def applicant_evaluations_csv(request: HttpRequest, im_id: int) -> HttpResponse:
    applicant = get_applicant_for_user(request, im_id)
    evaluations = selectors.evaluation_list(company=applicant.company, applicant=applicant).select_related(
        "applicant"
    )
    return _csv_response(services.evaluations_csv(evaluations=evaluations), f"evaluations_{applicant.im_id}")


@feature_required(SHARE)
def evaluation_sheet_edit(request: HttpRequest, pk: int) -> HttpResponse:
    posting = get_job_posting_for_user(request, pk)
    sheet = services.evaluation_sheet_for(job_posting=posting)
    if request.method == "POST":
        form = EvaluationSheetForm(request.POST)
        formset = EvaluationItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            items = [
                services.ItemData(
                    id=f.cleaned_data.get("id"),
                    label=f.cleaned_data["label"].strip(),
                    kind=f.cleaned_data["kind"],
                    required=f.cleaned_data["required"],
                )
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            services.evaluation_sheet_save(job_posting=posting, name=form.cleaned_data["name"], items=items)
            messages.success(request, _("The evaluation sheet was saved."))
            return redirect("sharing:evaluation_sheet", pk=posting.pk)
    else:
        form = EvaluationSheetForm(initial={"name": sheet.name})
        formset = EvaluationItemFormSet(
            prefix="items",
            initial=[
                {"id": i.pk, "label": i.label, "kind": i.kind, "required": i.required}
                for i in sheet.items.all()
            ],
        )
    return render(
        request, "sharing/evaluation_sheet.html", {"posting": posting, "form": form, "formset": formset}
    )


@feature_required(SHARE)
def sharing_settings(request: HttpRequest) -> HttpResponse:
    company = company_of(request)
    membership = membership_of(request)
    current = selectors.sharing_settings_get(company=company)
    form = SharingSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if membership is None or not membership.is_admin:
            messages.error(request, _("Only company administrators can change this."))
            return redirect("sharing:settings")
        if form.is_valid():
            services.sharing_settings_save(
                company=company,
                link_expiry_days=form.cleaned_data["link_expiry_days"],
                evaluations_visibility=form.cleaned_data["evaluations_visibility"],
            )
            messages.success(request, _("The share URL settings were saved."))
            return redirect("sharing:settings")
    exports = selectors.share_url_exports(company=company)[:20]
    return render(
        request,
        "sharing/settings.html",
        {"form": form, "exports": exports, "can_edit": membership is not None and membership.is_admin},
    )


# --- A reviewer's queue behind their review link (/r/<token>/) --------------------------------------


def _queue_scope(reviewer: Reviewer) -> str:
    return f":reviewer:{reviewer.pk}"


def _queue_media_url(reviewer: Reviewer, applicant: Applicant, name: str) -> str:
    """A playback URL under the review link, signed for this reviewer with the applicant inside: each
    request checks the link and that the applicant is still in the queue (unassigned, withdrawn: 404)."""
    from interviews.storage import sign_name

    if not name or not reviewer.token:
        return ""
    signed = sign_name(f"{applicant.pk}:{name}", scope=_queue_scope(reviewer))
    return reverse("sharing:review_queue_media", args=[reviewer.token, signed])


@require_http_methods(["GET", "HEAD"])
def review_queue_media(request: HttpRequest, token: str, signed: str) -> HttpResponse:
    """An answer video or poster of an applicant in the reviewer's queue (as reviewer_media)."""
    from interviews import storage

    reviewer = selectors.reviewer_for_link(token=token)  # 404 once revoked or switched off
    try:
        value = storage.name_from_signed(signed, scope=_queue_scope(reviewer))
    except signing.BadSignature:
        raise Http404 from None
    applicant_pk, _sep, name = value.partition(":")
    pk = ascii_int(applicant_pk)
    if pk is None or not selectors.review_queue_applicants(reviewer=reviewer).filter(pk=pk).exists():
        raise Http404
    return _media(request, name)


def _queue_url(reviewer: Reviewer, im_id: int) -> str:
    return f"{reverse('sharing:review_queue', args=[reviewer.token])}?applicant={im_id}"


def _queue_index(queue: list[selectors.QueueEntry], raw: str | None) -> int:
    """The asked-for applicant's place in the queue; without one, the first not yet evaluated."""
    if raw:
        im_id = ascii_int(raw)
        for index, entry in enumerate(queue):
            if entry.im_id == im_id:
                return index
        raise Http404  # not (or no longer) in this reviewer's queue
    return next((i for i, entry in enumerate(queue) if not entry.evaluated), 0)


def _review_queue(request: HttpRequest, token: str) -> HttpResponse:
    reviewer = selectors.reviewer_for_link(token=token)
    company = reviewer.company
    queue = selectors.review_queue(reviewer=reviewer)
    raw = request.POST.get("applicant") if request.method == "POST" else request.GET.get("applicant")
    if not queue:
        if raw:
            raise Http404
        return render(request, "sharing/queue.html", {"reviewer": reviewer, "share_company": company})
    index = _queue_index(queue, raw)
    entry = queue[index]
    applicant = Applicant.objects.select_related("job_posting", "company").get(pk=entry.pk)
    sheet = services.evaluation_sheet_for(job_posting=applicant.job_posting)
    mine = selectors.reviewer_evaluation(reviewer=reviewer, applicant=applicant)
    initial = evaluation_initial(mine) if mine is not None and request.method != "POST" else None
    form = QueueEvaluationForm(request.POST or None, sheet=sheet, initial=initial)
    if request.method == "POST" and form.is_valid():
        _evaluation, created = services.reviewer_evaluation_save(
            reviewer=reviewer, applicant=applicant, sheet=sheet, answers=form.answers()
        )
        if created:
            messages.success(request, _("Thank you. Your evaluation was submitted."))
        else:
            messages.success(request, _("Your evaluation was updated."))
        return redirect(_queue_url(reviewer, entry.im_id))
    answers = _answers_of(applicant, lambda name: _queue_media_url(reviewer, applicant, name))
    own = [mine.pk] if mine is not None else []
    evaluations, others_hidden = _visible(company, applicant, own)
    later = queue[index + 1 :] + queue[:index]
    return render(
        request,
        "sharing/queue.html",
        {
            "reviewer": reviewer,
            "share_company": company,
            "queue": [(e, _queue_url(reviewer, e.im_id)) for e in queue],
            "entry": entry,
            "position": index + 1,
            "evaluated_count": sum(e.evaluated for e in queue),
            "previous_url": _queue_url(reviewer, queue[index - 1].im_id) if index > 0 else "",
            "next_url": _queue_url(reviewer, queue[index + 1].im_id) if index + 1 < len(queue) else "",
            "next_pending_url": next((_queue_url(reviewer, e.im_id) for e in later if not e.evaluated), ""),
            "applicant": applicant,
            "posting": applicant.job_posting,
            "free_areas": [
                (company.free_area_label(n), getattr(applicant, f"free_area_{n}")) for n in (1, 2, 3)
            ],
            "answers": answers,
            "has_answers": any(row["answer"] for row in answers),
            "form": form,
            "sheet": sheet,
            "editing": mine,
            "evaluations": evaluations,
            "own": own,
            "others_hidden": others_hidden,
        },
    )


review_queue = reviewer_page(
    require_http_methods(["GET", "HEAD", "POST"])(_review_queue), not_found="sharing/queue_not_found.html"
)


# --- Reviewers (面接官): the company's list, links, assignments ----------------------------------------


def _service_errors(form: forms.Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _back(request: HttpRequest, default: str) -> str:
    """The page a form came from (`next`), when it is one of ours; else `default`."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _posted(request: HttpRequest) -> Any:
    """The POST data of a form whose fields may all be left empty (no ticks): bound even then."""
    return request.POST if request.method == "POST" else None


@feature_required(SHARE)
def reviewer_list(request: HttpRequest) -> HttpResponse:
    """面接官: the company's reviewers, their links and assignments; add one."""
    company = company_of(request)
    form = ReviewerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reviewer = services.reviewer_create(
                company=company,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                by=request.user,
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added to the reviewers.") % {"name": reviewer.name})
            return redirect("sharing:reviewer_list")
    summaries = selectors.reviewer_summaries(company=company)
    rows = []
    for reviewer in selectors.reviewer_list(company=company):
        queue = selectors.review_queue(reviewer=reviewer)
        rows.append(
            {
                "reviewer": reviewer,
                "summary": summaries.get(reviewer.pk, {"postings": [], "applicants": 0}),
                "queued": len(queue),
                "evaluated": sum(e.evaluated for e in queue),
            }
        )
    postings = selectors.postings_with_reviewers(company=company)
    return render(request, "sharing/reviewers.html", {"form": form, "rows": rows, "postings": postings})


@feature_required(SHARE)
def reviewer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One reviewer: name and address, their review link, what they are assigned to."""
    company = company_of(request)
    reviewer = selectors.reviewer_get(company=company, pk=pk)
    form = ReviewerForm(request.POST or None, initial={"name": reviewer.name, "email": reviewer.email})
    if request.method == "POST" and form.is_valid():
        try:
            services.reviewer_update(
                reviewer=reviewer, name=form.cleaned_data["name"], email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("The reviewer was saved."))
            return redirect("sharing:reviewer_edit", pk=reviewer.pk)
    queue = selectors.review_queue(reviewer=reviewer)
    assignments = list(selectors.assignment_list(company=company).filter(reviewer=reviewer))
    return render(
        request,
        "sharing/reviewer_edit.html",
        {
            "reviewer": reviewer,
            "form": form,
            "posting_assignments": [a for a in assignments if a.job_posting_id],
            "applicant_assignments": [a for a in assignments if a.applicant_id],
            "queued": len(queue),
            "evaluated": sum(e.evaluated for e in queue),
        },
    )


@feature_required(SHARE)
@require_POST
def reviewer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reviewer = selectors.reviewer_get(company=company_of(request), pk=pk)
    services.reviewer_delete(reviewer=reviewer)
    messages.success(request, _("%(name)s was removed from the reviewers.") % {"name": reviewer.name})
    return redirect("sharing:reviewer_list")


@feature_required(SHARE)
@require_POST
def reviewer_link_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    reviewer = selectors.reviewer_get(company=company_of(request), pk=pk)
    services.reviewer_link_regenerate(reviewer=reviewer, by=request.user)
    messages.success(
        request,
        _("A new review link was issued and sent to %(email)s (D07). The previous link no longer works.")
        % {"email": reviewer.email},
    )
    return redirect(_back(request, reverse("sharing:reviewer_edit", args=[reviewer.pk])))


@feature_required(SHARE)
@require_POST
def reviewer_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    reviewer = selectors.reviewer_get(company=company_of(request), pk=pk)
    services.reviewer_link_revoke(reviewer=reviewer)
    messages.success(request, _("The review link was revoked; it no longer works."))
    return redirect(_back(request, reverse("sharing:reviewer_edit", args=[reviewer.pk])))


@feature_required(SHARE)
def posting_reviewers(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewers of a posting: they review every applicant of it, present and future."""
    company = company_of(request)
    posting = get_job_posting_for_user(request, pk)
    current = selectors.posting_reviewer_ids(job_posting=posting)
    form = ReviewerChoiceForm(_posted(request), company=company, initial={"reviewers": sorted(current)})
    if request.method == "POST" and form.is_valid():
        result = services.posting_reviewers_set(
            job_posting=posting,
            reviewers=list(form.cleaned_data["reviewers"]),
            key=f"posting-{uuid.uuid4().hex}",
            by=request.user,
        )
        messages.success(
            request,
            _("The reviewers of %(posting)s were saved; %(count)s got the evaluation request (D07).")
            % {"posting": posting.title, "count": result.mailed},
        )
        return redirect("sharing:posting_reviewers", pk=posting.pk)
    has_reviewers = selectors.reviewer_list(company=company).exists()
    return render(
        request,
        "sharing/posting_reviewers.html",
        {"posting": posting, "form": form, "has_reviewers": has_reviewers},
    )


@feature_required(SHARE)
@require_POST
def applicant_reviewer_add(request: HttpRequest, im_id: int) -> HttpResponse:
    """Assign one reviewer to one applicant (the applicant page); D07 to the reviewer."""
    applicant = get_applicant_for_user(request, im_id)
    form = ApplicantReviewerForm(request.POST, company=applicant.company)
    if not form.is_valid():
        messages.error(request, _("Choose a reviewer."))
    elif applicant.status == Applicant.Status.WITHDRAWN:
        messages.error(request, _("A withdrawn applicant is not reviewed."))
    else:
        reviewer = form.cleaned_data["reviewer"]
        services.reviewers_assign_applicants(
            company=applicant.company,
            reviewers=[reviewer],
            applicants=Applicant.objects.filter(pk=applicant.pk),
            key=f"applicant-{uuid.uuid4().hex}",
            by=request.user,
        )
        messages.success(request, _("%(name)s was assigned.") % {"name": reviewer.name})
    return redirect("applicants:applicant_detail", im_id=applicant.im_id)


@feature_required(SHARE)
@require_POST
def assignment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get(company=company_of(request), pk=pk)
    services.assignment_delete(assignment=assignment)
    messages.success(request, _("The assignment was removed."))
    return redirect(_back(request, reverse("sharing:reviewer_edit", args=[assignment.reviewer_id])))


@recruiter_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The recruiter's own choice of D08, the digest of newly submitted applicants."""
    company = company_of(request)
    current = selectors.submission_digest_get(user=request.user, company=company)
    form = SubmissionDigestForm(_posted(request), initial={"enabled": current.enabled})
    if request.method == "POST" and form.is_valid():
        services.submission_digest_set(
            user=request.user, company=company, enabled=form.cleaned_data["enabled"]
        )
        messages.success(request, _("Your notification settings were saved."))
        return redirect("sharing:notifications")
    return render(
        request,
        "sharing/notifications.html",
        {
            "form": form,
            "interval": settings.SUBMISSION_DIGEST_MINUTES,
            "email": getattr(request.user, "email", ""),
        },
    )
