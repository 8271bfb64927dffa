"""Reads shared by views and APIs. Tenancy lives here: every selector takes the company."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants import pages, search
from applicants.models import ApiToken, Applicant, ApplicantEvent, Company, DataDeletion, JobPosting
from interviewmaker.numbers import ascii_int, id_or_404


def job_posting_list(*, company: Company) -> QuerySet[JobPosting]:
    return JobPosting.objects.filter(company=company)


def job_posting_get(*, company: Company, pk: int | str) -> JobPosting:
    try:
        return job_posting_list(company=company).get(pk=id_or_404(pk))
    except JobPosting.DoesNotExist:
        raise Http404 from None


def job_postings_with_counts(*, company: Company) -> QuerySet[JobPosting]:
    """Postings with a count per applicant status, in one query."""
    counts = {
        f"n_{status}": Count("applicants", filter=Q(applicants__status=status))
        for status in Applicant.Status.values
    }
    return job_posting_list(company=company).annotate(n_total=Count("applicants"), **counts)


def applicant_list(*, company: Company) -> QuerySet[Applicant]:
    return Applicant.objects.filter(company=company).select_related("job_posting")


def applicant_get(*, company: Company, im_id: int | str) -> Applicant:
    try:
        return applicant_list(company=company).get(im_id=id_or_404(im_id))
    except Applicant.DoesNotExist:
        raise Http404 from None


def email_registered(*, job_posting_id: int, email: str, exclude_pk: int | None = None) -> bool:
    """Is the address (any case) registered for the posting by an applicant other than `exclude_pk`?"""
    # lower() as in the unique index applicant_email_unique, which answers this lookup.
    clash = Applicant.objects.alias(email_lower=Lower("email")).filter(
        job_posting_id=job_posting_id, email_lower=Lower(Value(email))
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    return clash.exists()


def status_counts(*, queryset: QuerySet[Any]) -> dict[str, int]:
    """Applicants per status (every status present, zero included) in one query."""
    # COUNT(*), not COUNT(id): the (…, status, im_id) indexes answer it without visiting the table.
    rows = queryset.order_by().values_list("status").annotate(n=Count("*"))
    counts = dict.fromkeys(Applicant.Status.values, 0)
    counts.update({status: n for status, n in rows})
    return counts


# Sortable columns of the list: key → ORDER BY. Every order ends on im_id, so pages are stable, and
# each is served by an index (see Applicant.Meta.indexes). iM採用IDs are handed out at registration and
# only grow, so "registered" order is im_id order and needs no index of its own.
APPLICANT_SORTS: dict[str, tuple[str, ...]] = {
    "-im_id": ("-im_id",),
    "im_id": ("im_id",),
    "kana": ("last_name_kana", "first_name_kana", "im_id"),
    "-kana": ("-last_name_kana", "-first_name_kana", "-im_id"),
    "status": ("status", "-im_id"),
    "-status": ("-status", "-im_id"),
}
DEFAULT_SORT = "-im_id"


# The list's search parameters (besides `sort` and `page`): what a search, a bulk selection and an
# export log keep. Apps above add the parameters of their own conditions (pages.search_filter_register).
SEARCH_KEYS = [
    "job_posting",
    "status",
    "q",
    "registered_from",
    "registered_to",
    "reminded",
    "not_reminded_since",
]
# `reminded`: whether the applicant ever got a D04 from an answer request (回答依頼).
REMINDED_NEVER = "never"
REMINDED_EVER = "ever"
REMINDED_CHOICES = [
    (REMINDED_NEVER, gettext_lazy("Never sent")),
    (REMINDED_EVER, gettext_lazy("Sent at least once")),
]
REMINDED_VALUES = tuple(value for value, _label in REMINDED_CHOICES)


@dataclass(frozen=True)
class SearchConditions:
    """The applicant list's search conditions, parsed; `errors` names what was malformed and ignored."""

    job_posting_id: int | None = None
    other_posting: bool = False
    status: str = ""
    q: str = ""
    registered_from: dt.date | None = None
    registered_to: dt.date | None = None
    reminded: str = ""
    not_reminded_since: dt.date | None = None
    sort: str = DEFAULT_SORT
    errors: tuple[str, ...] = ()

    @property
    def has_reminder_conditions(self) -> bool:
        return bool(self.reminded or self.not_reminded_since)


def _date(value: Any) -> dt.date | None:
    text = str(value or "").strip()
    if not text:
        return None
    day = dt.date.fromisoformat(text.replace("/", "-")) if len(text) <= 10 else None
    # Far-off years only come from typos, and date.max + 1 day would overflow.
    return day if day is not None and 1900 <= day.year <= 2999 else None


def applicant_search_conditions(params: Mapping[str, Any]) -> SearchConditions:
    """Parse list/API/export query parameters; malformed values are reported and left out."""
    errors: list[str] = []
    posting = str(params.get("job_posting") or "").strip()
    posting_id = ascii_int(posting)
    status = str(params.get("status") or "")
    if status and status not in Applicant.Status.values:
        errors.append(_("Unknown status: %(value)s") % {"value": status})
        status = ""
    reminded = str(params.get("reminded") or "").strip()
    if reminded and reminded not in REMINDED_VALUES:
        errors.append(_("Unknown answer request condition: %(value)s") % {"value": reminded[:50]})
        reminded = ""
    dates: dict[str, dt.date | None] = {}
    for name, label in (
        ("registered_from", _("registered from")),
        ("registered_to", _("registered to")),
        ("not_reminded_since", _("no answer request since")),
    ):
        try:
            dates[name] = _date(params.get(name))
        except ValueError:
            dates[name] = None
        if dates[name] is None and str(params.get(name) or "").strip():
            errors.append(_("The date in “%(field)s” is not valid; use YYYY-MM-DD.") % {"field": label})
    errors.extend(pages.search_filter_errors(params))
    sort = str(params.get("sort") or DEFAULT_SORT)
    if sort not in APPLICANT_SORTS:
        sort = DEFAULT_SORT
    return SearchConditions(
        job_posting_id=posting_id,
        other_posting=bool(posting) and posting_id is None,
        status=status,
        q=str(params.get("q") or "").strip()[:200],
        registered_from=dates["registered_from"],
        registered_to=dates["registered_to"],
        reminded=reminded,
        not_reminded_since=dates["not_reminded_since"],
        sort=sort,
        errors=tuple(errors),
    )


def applicant_search(*, company: Company, params: Mapping[str, Any]) -> QuerySet[Applicant]:
    """The list's search conditions (docs/product.md §7), as used by the list, bulk mode and CSV exports.

    Understands `job_posting`, `status`, `q`, `registered_from`/`registered_to` (dates in the company's
    time zone, both inclusive), `reminded` (`never`/`ever`), `not_reminded_since` (a date: no answer
    request on or after it) and `sort` (a key of APPLICANT_SORTS); unknown or malformed values are
    ignored, and a posting of another company matches nothing.
    """
    cond = applicant_search_conditions(params)
    if cond.other_posting:
        return applicant_list(company=company).none()
    if cond.job_posting_id is not None:
        # Tenancy through the posting: `job_posting_id = (SELECT id … AND company_id = …)` is computed
        # once, so the applicant rows are filtered by posting alone and the (job_posting, …) indexes
        # answer by themselves (index-only for the status counts). Another company's posting gives
        # NULL, which matches nothing.
        owned = JobPosting.objects.filter(pk=cond.job_posting_id, company=company).order_by().values("pk")
        queryset = Applicant.objects.filter(job_posting_id=Subquery(owned)).select_related("job_posting")
    else:
        queryset = applicant_list(company=company)
    if cond.status:
        queryset = queryset.filter(status=cond.status)
    if cond.registered_from or cond.registered_to:
        # Redundant with the posting's company, but lets PostgreSQL range-scan (company, created_at).
        queryset = queryset.filter(company=company)
    if cond.registered_from:
        queryset = queryset.filter(created_at__gte=_day_start(cond.registered_from, company))
    if cond.registered_to:
        queryset = queryset.filter(
            created_at__lt=_day_start(cond.registered_to + dt.timedelta(days=1), company)
        )
    text = search.text_condition(company=company, q=cond.q) if cond.q else None
    if text is not None:
        queryset = queryset.filter(text)
    for condition in _reminder_conditions(cond, company):
        queryset = queryset.filter(condition)
    for extra in pages.search_filter_conditions(company=company, params=params, outer="pk"):
        queryset = queryset.filter(extra)
    return queryset.order_by(*APPLICANT_SORTS[cond.sort])


@dataclass(frozen=True)
class ApplicantListSearch:
    """The applicant list's search as two querysets: `counted` gives the status counts (the search
    without its status), `ordered` the matching rows in list order (the page takes its iM採用IDs)."""

    counted: QuerySet[Any]
    ordered: QuerySet[Any]


# List orders the search entries hold the columns of (a text search sorted by kana joins the applicants).
_ENTRY_SORTS = ("-im_id", "im_id", "status", "-status")


def applicant_list_search(*, company: Company, params: Mapping[str, Any]) -> ApplicantListSearch:
    """The list's search (applicant_search), answered from the search entries alone when it can be.

    A text search with at most a posting, a status and answer request conditions, in an order the
    entries hold, is counted and paged on `ApplicantSearch` (posting, status and iM採用ID are kept in
    step with the applicants): no join of thousands of matches to the applicant table. Anything else is
    the general search.
    """
    cond = applicant_search_conditions(params)
    entries = None
    only_text = not (cond.other_posting or cond.registered_from or cond.registered_to)
    if cond.q and only_text and cond.sort in _ENTRY_SORTS:
        entries = search.entries_for_list(company=company, q=cond.q)
    if entries is None:
        return ApplicantListSearch(
            counted=applicant_search(company=company, params={**params, "status": ""}),
            ordered=applicant_search(company=company, params=params),
        )
    if cond.job_posting_id is not None:
        entries = entries.filter(job_posting_id=cond.job_posting_id)
    for condition in _reminder_conditions(cond, company):
        entries = entries.filter(condition)
    for extra in pages.search_filter_conditions(company=company, params=params, outer="applicant_id"):
        entries = entries.filter(extra)
    ordered = entries.filter(status=cond.status) if cond.status else entries
    return ApplicantListSearch(counted=entries, ordered=ordered.order_by(*APPLICANT_SORTS[cond.sort]))


# --- 回答依頼 (answer requests): the list's 「最終回答依頼」 column and its search conditions -----------
# Which D04 an answer request sent to whom is kept by bulk, an app above this one: in its
# AppConfig.ready() it registers a function giving those rows (a queryset with `company_id`, `im_id`
# and `created_at`, one row per D04 sent), as other apps register the list's extra columns
# (applicants.pages). They are joined by (company, iM採用ID), which the applicants' indexes and the
# search entries hold: a search on them never visits each applicant row.
_reminders_sources: list[Callable[[], QuerySet[Any]]] = []


def reminders_source_register(source: Callable[[], QuerySet[Any]]) -> None:
    _reminders_sources[:] = [source]


def _reminders() -> QuerySet[Any]:
    if not _reminders_sources:
        raise ImproperlyConfigured("No app registered the answer requests' recipients (is bulk installed?)")
    return _reminders_sources[0]()


def _reminder_conditions(cond: SearchConditions, company: Company) -> list[Any]:
    """`reminded` and `not_reminded_since` as conditions on rows of the company with an `im_id`
    (applicants or their search entries)."""
    if not cond.has_reminder_conditions:
        return []
    sent = _reminders().filter(company_id=company.pk, im_id=OuterRef("im_id"))
    conditions: list[Any] = []  # Exists, or its negation
    if cond.reminded == REMINDED_NEVER:
        conditions.append(~Exists(sent))
    elif cond.reminded == REMINDED_EVER:
        conditions.append(Exists(sent))
    if cond.not_reminded_since:
        since = _day_start(cond.not_reminded_since, company)
        conditions.append(~Exists(sent.filter(created_at__gte=since)))
    return conditions


def applicants_with_last_reminder(queryset: QuerySet[Applicant], *, company: Company) -> QuerySet[Applicant]:
    """Each applicant's last answer request D04 (`last_reminded_at`, None if never) and how many they
    got (`reminded_count`), inside the query of the rows: two index-only lookups per applicant."""
    sent = _reminders().filter(company_id=company.pk, im_id=OuterRef("im_id")).order_by().values("im_id")
    return queryset.annotate(
        last_reminded_at=Subquery(sent.annotate(last=Max("created_at")).values("last")),
        reminded_count=Coalesce(Subquery(sent.annotate(n=Count("*")).values("n")), 0),
    )


def _day_start(day: dt.date, company: Company) -> dt.datetime:
    """Midnight of `day` where the company is (registration dates are shown in its time zone)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=company.tzinfo)


def api_token_list(*, user: Any) -> QuerySet[ApiToken]:
    """The user's API tokens, newest first: the active one and the last few revoked ones."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")[:10]


def applicant_events(*, applicant: Applicant) -> list[ApplicantEvent]:
    """The applicant's history (履歴), newest first, with who did each step."""
    return list(
        ApplicantEvent.objects.filter(applicant=applicant).select_related("by").order_by("-at", "-id")[:200]
    )


def data_deletions(*, company: Company) -> QuerySet[DataDeletion]:
    """The audit log of deletions (retention runs and deletion requests), newest first."""
    return (
        DataDeletion.objects.filter(company=company)
        .select_related("job_posting", "by")
        .order_by("-at", "-id")
    )
