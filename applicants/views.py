"""Recruiter pages: dashboard, job postings, applicants, settings, members, API token, password reset."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import F, Lookup, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from applicants import charts, pages, retention, selectors, services
from applicants.access import (
    company_admin_required,
    company_of,
    get_applicant_for_user,
    get_job_posting_for_user,
    membership_of,
    recruiter_required,
)
from applicants.forms import (
    ApplicantForm,
    ApplicationSettingsForm,
    DeadlineExtendForm,
    JobPostingChoiceForm,
    JobPostingForm,
    MemberCreateForm,
    MemberRoleForm,
    QuestionFormSet,
)
from applicants.models import Applicant, Company, Membership
from applicants.notices import extension_message
from applicants.services import ApplicantData
from interviewmaker import csvfiles

PAGE_SIZE = 50


def query_without_page(request: HttpRequest) -> str:
    """The current query string minus `page`, ready for `?{{ query }}page=N`."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


@recruiter_required
def dashboard(request: HttpRequest) -> HttpResponse:
    company = company_of(request)
    postings = list(selectors.job_postings_with_counts(company=company))
    charts.attach_submission_charts(company=company, postings=postings)
    return render(request, "applicants/dashboard.html", {"postings": postings, "statuses": Applicant.Status})


@recruiter_required
def job_posting_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    company = company_of(request)
    posting = get_job_posting_for_user(request, pk) if pk is not None else None
    if request.method == "POST":
        form = JobPostingForm(request.POST, instance=posting, company=company)
        formset = QuestionFormSet(request.POST, prefix="q")
        if form.is_valid() and formset.is_valid():
            questions = [
                f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            if not questions:
                messages.error(request, _("Add at least one question."))
            else:
                posting = services.job_posting_save(
                    company=company,
                    posting=posting,
                    data=form.cleaned_data,
                    questions=questions,
                    notify_reopened=form.cleaned_data["notify_reopened"],
                    by=request.user,
                )
                messages.success(request, _("The job posting was saved."))
                if posting.reopened.extended:
                    notify = form.cleaned_data["notify_reopened"]
                    messages.success(request, extension_message(posting.reopened, notify=notify))
                return redirect("applicants:dashboard")
    else:
        form = JobPostingForm(instance=posting, company=company)
        initial = (
            list(posting.questions.values("text", "preparation_seconds", "answer_seconds", "max_takes"))
            if posting
            else [{"preparation_seconds": 30, "answer_seconds": 60, "max_takes": 2}]
        )
        formset = QuestionFormSet(prefix="q", initial=initial)
    return render(
        request, "applicants/job_posting_form.html", {"form": form, "formset": formset, "posting": posting}
    )


class _AnyOf(Lookup):
    """`lhs = ANY(ARRAY(subquery))`: the subquery is run once, as an InitPlan. With `IN (subquery)` a
    planner that believes the table small (before its first ANALYZE) may rerun the page's LIMIT …
    OFFSET subquery for every row of the company (measured: 250–670 ms for 2,000 applicants)."""

    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


class KnownCountPaginator(Paginator):
    """A paginator told its count, which the status counts already give: no extra COUNT query.

    A page is fetched as a deferred join, `… WHERE im_id IN (SELECT im_id … LIMIT 50 OFFSET n)`: the
    inner query skips the earlier pages inside the index (index-only), so page 1,000 costs about what
    page 1 does instead of reading 50,000 rows to throw them away. Still one query.
    """

    def __init__(
        self, ordered: QuerySet[Any], per_page: int, *, count: int, company: Company, one_posting: bool
    ):
        super().__init__(ordered, per_page)
        self.ordered = ordered
        self.company = company
        self.one_posting = one_posting
        self.__dict__["count"] = count

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = self.ordered.values("im_id")[bottom : bottom + self.per_page]
        # The outer query only fetches those 50 by (company, im_id): repeating the search's conditions
        # there let the planner join the text search's matches twice. `ordered` may be the search
        # entries (selectors.applicant_list_search): the rows are always applicants.
        rows = Applicant.objects.filter(_AnyOf(F("im_id"), Subquery(keys)), company=self.company)
        # 「最終回答依頼」 comes with the rows: no query of its own.
        rows = selectors.applicants_with_last_reminder(rows, company=self.company)
        if not self.one_posting:
            # With a posting chosen every row is of it: no join, set by the view instead.
            rows = rows.select_related("job_posting")
        return Page(list(rows.order_by(*self.ordered.query.order_by)), number, self)


# Column → (ascending, descending) sort keys of selectors.APPLICANT_SORTS.
SORT_COLUMNS = {"im_id": ("im_id", "-im_id"), "kana": ("kana", "-kana"), "status": ("status", "-status")}


@recruiter_required
def applicant_list(request: HttpRequest) -> HttpResponse:
    """The applicant list: search kept in the URL, status counts, pages of 50, まとめて処理モード.

    A constant number of queries whatever the page: postings, status counts (which also give the
    paginator its count) and the page's rows.
    """
    company = company_of(request)
    postings = list(selectors.job_posting_list(company=company).only("pk", "title"))
    conditions = selectors.applicant_search_conditions(request.GET)
    posting = None
    if conditions.job_posting_id is not None or conditions.other_posting:
        posting = next((p for p in postings if p.pk == conditions.job_posting_id), None)
        if posting is None:
            raise Http404
    found = selectors.applicant_list_search(company=company, params=request.GET.dict())
    counts = selectors.status_counts(queryset=found.counted)
    total = sum(counts.values())
    matching = counts[conditions.status] if conditions.status else total
    page = KnownCountPaginator(
        found.ordered, PAGE_SIZE, count=matching, company=company, one_posting=posting is not None
    ).get_page(request.GET.get("page"))
    if posting is not None:
        for applicant in page.object_list:
            applicant.job_posting = posting
    for error in conditions.errors:
        messages.warning(request, error)
    rows = list(page.object_list)
    search: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k in selectors.SEARCH_KEYS and v}
    if conditions.sort != selectors.DEFAULT_SORT:
        search["sort"] = conditions.sort
    return render(
        request,
        "applicants/applicant_list.html",
        {
            "page": page,
            "postings": postings,
            "posting": posting,
            "conditions": conditions,
            "status": conditions.status,
            "counts": counts,
            "status_tabs": _status_tabs(search, counts),
            "total": total,
            "matching": matching,
            "search": search,
            "search_query": urlencode(search),
            "sort_links": _sort_links(search, conditions.sort),
            "pagination_query": query_without_page(request),
            "encodings": csvfiles.ENCODING_LABELS.items(),
            "reminded_choices": selectors.REMINDED_CHOICES,
            # 「最終回答依頼」, then the extra columns of other apps (evaluations), their cells gathered here.
            "columns": [
                _last_reminder_column(company, rows),
                *pages.list_columns(company=company, applicants=rows),
            ],
            # Other apps' search conditions (assigned reviewer, evaluation) and bulk actions (面接官アサイン),
            # after the columns, whose values they may reuse.
            "search_filters": pages.search_filters(company=company, params=request.GET),
            "bulk_actions": pages.bulk_actions(company=company),
        },
    )


def _last_reminder_column(company: Company, applicants: Sequence[Applicant]) -> dict[str, Any]:
    """The date of each applicant's last 回答依頼 D04 (the company's time zone) and how many they got,
    from the values the page's rows were fetched with (selectors.applicants_with_last_reminder)."""
    cells = []
    for applicant in applicants:
        at = getattr(applicant, "last_reminded_at", None)
        count = getattr(applicant, "reminded_count", 0) or 0
        if at is None:
            cells.append(NEVER_REMINDED_CELL)
            continue
        local = timezone.localtime(at, company.tzinfo)
        times = ngettext("%(count)s time", "%(count)s times", count) % {"count": count}
        cells.append(
            format_html(
                '<td class="hide-sm last-reminded" data-reminded="{}" title="{}">{}<br>'
                '<small class="muted">{}</small></td>',
                count,
                local.strftime("%Y-%m-%d %H:%M"),
                local.strftime("%Y-%m-%d"),
                times,
            )
        )
    return {"title": _("Last answer request"), "cells": cells}


# A constant cell: no value goes into it.
NEVER_REMINDED_CELL = mark_safe('<td class="hide-sm last-reminded muted" data-reminded="0">—</td>')


def _status_tabs(search: dict[str, str], counts: dict[str, int]) -> list[dict[str, Any]]:
    """The status tabs: each keeps the rest of the search and shows its count."""
    rest = {k: v for k, v in search.items() if k != "status"}
    tabs = [{"value": "", "label": _("All"), "count": sum(counts.values()), "url": "?" + urlencode(rest)}]
    for value, label in Applicant.Status.choices:
        url = "?" + urlencode({**rest, "status": value})
        tabs.append({"value": value, "label": label, "count": counts[value], "url": url})
    return tabs


def _sort_links(search: dict[str, str], current: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the URL that sorts by it (toggling direction) and the current arrow."""
    links = {}
    for column, (ascending, descending) in SORT_COLUMNS.items():
        target = descending if current == ascending else ascending
        arrow = "▲" if current == ascending else "▼" if current == descending else ""
        links[column] = {"url": "?" + urlencode({**search, "sort": target}), "arrow": arrow}
    return links


@recruiter_required
def applicant_detail(
    request: HttpRequest, im_id: int, extend_form: DeadlineExtendForm | None = None
) -> HttpResponse:
    applicant = get_applicant_for_user(request, im_id)
    # The other apps' sections (answers, share URL and evaluations, messages), gathered before rendering.
    sections = pages.applicant_sections(request=request, applicant=applicant)
    extendable = applicant.status in (Applicant.Status.AWAITING, Applicant.Status.EXPIRED)
    return render(
        request,
        "applicants/applicant_detail.html",
        {
            "applicant": applicant,
            "sections": sections,
            "events": selectors.applicant_events(applicant=applicant),
            "extend_form": (extend_form or DeadlineExtendForm(company=applicant.company))
            if extendable
            else None,
        },
        status=400 if extend_form is not None else 200,
    )


@recruiter_required
@require_POST
def applicant_extend(request: HttpRequest, im_id: int) -> HttpResponse:
    """期限延長 of one applicant: their own deadline, 期限切れ → 調整中, D06 if asked."""
    applicant = get_applicant_for_user(request, im_id)
    form = DeadlineExtendForm(request.POST, company=applicant.company)
    if form.is_valid():
        try:
            result = services.applicants_deadline_extend(
                company=applicant.company,
                applicant_ids=[applicant.pk],
                deadline=form.cleaned_data["deadline"],
                notify=form.cleaned_data["notify"],
                by=request.user,
            )
        except services.DeadlineRefused as refused:
            form.add_error("deadline", str(refused))
        else:
            messages.success(request, extension_message(result, notify=form.cleaned_data["notify"]))
            return redirect("applicants:applicant_detail", im_id=applicant.im_id)
    return applicant_detail(request, im_id, extend_form=form)


@recruiter_required
def applicant_create(request: HttpRequest) -> HttpResponse:
    company = company_of(request)
    choice = JobPostingChoiceForm(
        request.POST or None,
        company=company,
        initial={
            "job_posting": request.GET.get("job_posting") or None,
        },
    )
    posting = choice.cleaned_data["job_posting"] if choice.is_valid() else None
    form = ApplicantForm(request.POST or None, company=company, job_posting=posting)
    if request.method == "POST" and posting is not None and form.is_valid():
        data = ApplicantData(email=form.cleaned_data["email"], values=form.cleaned_data)
        try:
            applicant = services.applicant_register_one(
                job_posting=posting, data=data, via=Applicant.CreatedVia.FORM
            )
        except services.EmailAlreadyRegistered:
            form.add_error("email", _("This email address is already registered for this job posting."))
        else:
            messages.success(
                request,
                _("%(name)s was registered; the interview invitation is on its way.")
                % {"name": applicant.full_name or applicant.email},
            )
            return redirect("applicants:applicant_detail", im_id=applicant.im_id)
    return render(request, "applicants/applicant_form.html", {"form": form, "choice": choice})


@recruiter_required
def applicant_edit(request: HttpRequest, im_id: int) -> HttpResponse:
    applicant = get_applicant_for_user(request, im_id)
    form = ApplicantForm(request.POST or None, instance=applicant, company=applicant.company)
    if request.method == "POST" and form.is_valid():
        try:
            services.applicant_update(applicant=applicant, data=form.cleaned_data)
        except services.EmailAlreadyRegistered:
            form.add_error("email", _("This email address is already registered for this job posting."))
        else:
            messages.success(request, _("The applicant was updated."))
            return redirect("applicants:applicant_detail", im_id=applicant.im_id)
    return render(request, "applicants/applicant_form.html", {"form": form, "applicant": applicant})


@company_admin_required
def application_settings(request: HttpRequest) -> HttpResponse:
    company = company_of(request)
    form = ApplicationSettingsForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The application settings were saved."))
        return redirect("applicants:application_settings")
    return render(
        request,
        "applicants/application_settings.html",
        {
            "form": form,
            "retention_due": retention.retention_preview(company=company),
            "deletions": selectors.data_deletions(company=company)[:20],
        },
    )


@recruiter_required
@require_POST
def applicant_erase(request: HttpRequest, im_id: int) -> HttpResponse:
    """個人情報の削除依頼: delete the applicant's personal data everywhere, keep a tombstone."""
    applicant = get_applicant_for_user(request, im_id)
    if applicant.erased_at is None:
        retention.applicant_erase(applicant=applicant, by=request.user)
        messages.success(
            request, _("The applicant's personal data was deleted. Only an anonymised record remains.")
        )
    return redirect("applicants:applicant_detail", im_id=applicant.im_id)


@company_admin_required
def member_list(request: HttpRequest) -> HttpResponse:
    company = company_of(request)
    form = MemberCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.membership_create(company=company, **form.cleaned_data)
        messages.success(request, _("%(user)s was added.") % {"user": form.cleaned_data["username"]})
        return redirect("applicants:member_list")
    members = company.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "applicants/member_list.html",
        {"members": members, "form": form, "roles": Membership.Role.choices},
    )


def _member_for_admin(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(Membership, pk=pk, company=company_of(request))


@company_admin_required
@require_POST
def member_update(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_for_admin(request, pk)
    form = MemberRoleForm(request.POST)
    if member == membership_of(request):
        messages.error(request, _("You cannot change your own role."))
    elif form.is_valid():
        member.role = form.cleaned_data["role"]
        member.save(update_fields=["role"])
        messages.success(request, _("The role was changed."))
    return redirect("applicants:member_list")


@company_admin_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_for_admin(request, pk)
    if member == membership_of(request):
        messages.error(request, _("You cannot remove yourself."))
    else:
        services.membership_remove(membership=member)
        messages.success(request, _("The member was removed."))
    return redirect("applicants:member_list")


@recruiter_required
def api_token(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # recruiter_required: logged in
    new_key = None
    if request.method == "POST":
        _token, new_key = services.api_token_create(user=user)
        messages.success(request, _("A new API token was created. Copy it now: it is shown only once."))
    tokens = list(selectors.api_token_list(user=user))
    active = next((token for token in tokens if token.is_active), None)
    return render(
        request, "applicants/api_token.html", {"token": active, "tokens": tokens, "new_key": new_key}
    )


@recruiter_required
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    if services.api_tokens_revoke(user=request.user):
        messages.success(request, _("The API token was revoked: calls with it are refused from now on."))
    return redirect("applicants:api_token")


class PasswordResetView(auth_views.PasswordResetView):
    """A recruiter's forgotten password, by mail; the same answer whether the address is known or not."""

    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Links in mail start from SITE_URL, never from the request's Host header.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)
