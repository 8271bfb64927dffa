"""The sharing app's parts of the recruiter's applicant pages (applicants.pages): the share URL,
reviewers and evaluations section of the applicant page, the evaluations column of the applicant list
(grades, assigned reviewers and progress), its search conditions on both (`reviewer=<id>`,
`evaluation=unassigned|pending|done`) and the bulk action 面接官アサイン."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from applicants.models import Applicant, Company
from applicants.pages import (
    BulkAction,
    BulkActionRefused,
    ColumnCells,
    ListColumn,
    SearchFilter,
    Section,
    attachment_register,
    bulk_action_register,
    list_column_register,
    search_filter_register,
    section_register,
)
from interviewmaker.numbers import ascii_int
from sharing import selectors, services
from sharing.forms import ApplicantReviewerForm
from sharing.models import Evaluation, Reviewer, link_expires_at

# A constant cell: no value goes into it.
NO_EVALUATION_CELL = mark_safe('<td class="hide-sm evaluation-summary muted">—</td>')


def applicant_section(request: HttpRequest, applicant: Applicant) -> dict[str, Any] | None:
    """Share URL with copy and regenerate, every evaluation, the evaluations CSV (feature on only).

    Gives the applicant its share link if it has none yet: a write the page's view makes on purpose,
    before rendering.
    """
    company = applicant.company
    if not company.share_url_enabled:
        return None
    link = services.share_link_get_or_create(applicant=applicant, by=getattr(request, "user", None))
    settings = selectors.sharing_settings_get(company=company)
    evaluations = list(selectors.evaluation_list(company=company, applicant=applicant))
    evaluated_by = {e.reviewer_id for e in evaluations if e.reviewer_id}
    return {
        "enabled": True,
        "applicant": applicant,
        "link": link,
        "view_count": selectors.share_link_view_count(link=link) if link else 0,
        "expires_at": link_expires_at(
            job_posting=applicant.job_posting, expiry_days=settings.link_expiry_days
        ),
        "evaluations": evaluations,
        "assignments": [
            {"assignment": a, "evaluated": a.reviewer_id in evaluated_by}
            for a in selectors.applicant_assignments(applicant=applicant)
        ],
        "reviewer_form": ApplicantReviewerForm(company=company),
        "can_assign": link is not None and selectors.reviewer_list(company=company).exists(),
    }


def evaluation_cells(company: Company, applicants: Sequence[Applicant]) -> ColumnCells:
    """Each applicant's evaluation count and grades, then the assigned reviewers with how many of them
    have evaluated (evaluated / assigned): two queries for the page (evaluations, reviewers with their
    assignments, which the search form's reviewer choices then reuse)."""
    summaries = selectors.evaluation_summaries(company=company, applicants=applicants)
    evaluated = {(pk, reviewer) for pk, summary in summaries.items() for reviewer in summary["reviewers"]}
    reviewers = selectors.reviewers_on_page(company=company, applicants=applicants)
    _remember_reviewers(company, reviewers)
    progress = selectors.review_progress(applicants=applicants, reviewers=reviewers, evaluated=evaluated)
    cells: list[SafeString] = []
    for applicant in applicants:
        summary = summaries.get(applicant.pk)
        review = progress.get(applicant.pk)
        if summary is None and review is None:
            cells.append(NO_EVALUATION_CELL)
            continue
        count = summary["count"] if summary else 0
        title = ngettext("%(counter)s evaluation", "%(counter)s evaluations", count) % {"counter": count}
        text = (" ".join(summary["headlines"]) or str(count)) if summary else "—"
        cells.append(
            format_html(
                '<td class="hide-sm evaluation-summary" title="{}">{}{}</td>', title, text, _progress(review)
            )
        )
    if not progress:
        return ColumnCells(cells=cells)
    # The page's total in the header: how far the assigned reviewers have got with these applicants.
    note = gettext("%(evaluated)s/%(assigned)s evaluated") % {
        "evaluated": sum(p.evaluated for p in progress.values()),
        "assigned": sum(p.assigned for p in progress.values()),
    }
    return ColumnCells(cells=cells, note=note)


def _progress(review: selectors.ReviewProgress | None) -> SafeString:
    """`2/3 · 佐藤 ✓, 鈴木 ✓, 田中`: evaluated / assigned, then the reviewers, ticked when they evaluated."""
    if review is None:
        return mark_safe("")  # a constant
    done = set(review.evaluated_by)
    names = format_html_join(
        ", ", "{}{}", ((name, " ✓" if name in done else "") for name in review.reviewers)
    )
    label = gettext("Evaluated by %(evaluated)s of %(assigned)s assigned reviewers") % {
        "evaluated": review.evaluated,
        "assigned": review.assigned,
    }
    complete = " complete" if review.evaluated == review.assigned else ""
    # On a line of its own below the grades (a <br>: the list page has no stylesheet of this app).
    return format_html(
        '<br><small class="review-progress{}" data-evaluated="{}" data-assigned="{}" title="{}">'
        "<b>{}/{}</b> · {}</small>",
        complete,
        review.evaluated,
        review.assigned,
        label,
        review.evaluated,
        review.assigned,
        names,
    )


# --- Search conditions: `reviewer=<id>` and `evaluation=unassigned|pending|done` ---------------------

UNASSIGNED, PENDING, DONE = "unassigned", "pending", "done"


# The list's view gathers the columns before the search form: the company's reviewers, fetched for the
# column, are kept on that request's company object for the form's choices (no second query).
_PAGE_REVIEWERS = "_sharing_page_reviewers"


def _remember_reviewers(company: Company, reviewers: list[Reviewer]) -> None:
    setattr(company, _PAGE_REVIEWERS, [(str(r.pk), r.name) for r in reviewers])


def _reviewer_choices(company: Company) -> list[tuple[str, str]]:
    known: list[tuple[str, str]] | None = getattr(company, _PAGE_REVIEWERS, None)
    if known is not None:
        return known
    reviewers = selectors.reviewer_list(company=company).values_list("pk", "name")
    return [(str(pk), name) for pk, name in reviewers]


def _reviewer_condition(company: Company, value: str, outer: str) -> Q:
    """Applicants the reviewer (of this company: another company's id matches nothing) is assigned to."""
    mine = selectors.assignments_covering(outer).filter(
        reviewer_id=ascii_int(value) or 0, reviewer__company=company
    )
    return Q(Exists(mine))


def _reviewer_problem(value: str) -> str | None:
    if ascii_int(value) is not None:
        return None
    return gettext("Unknown reviewer: %(value)s") % {"value": value[:50]}


def _evaluation_problem(value: str) -> str | None:
    if value in (UNASSIGNED, PENDING, DONE):
        return None
    return gettext("Unknown evaluation progress: %(value)s") % {"value": value[:50]}


def _evaluation_choices(company: Company) -> list[tuple[str, str]]:
    return [
        (UNASSIGNED, gettext("No reviewer assigned")),
        (PENDING, gettext("Awaiting an assigned reviewer's evaluation")),
        (DONE, gettext("Evaluated by every assigned reviewer")),
    ]


def _evaluation_condition(company: Company, value: str, outer: str) -> Q:
    """By the assigned reviewers' evaluations: none assigned; one of them has not evaluated; all have."""
    assigned = selectors.assignments_covering(outer)
    evaluated = Evaluation.objects.filter(
        reviewer_id=OuterRef("reviewer_id"), applicant_id=OuterRef(OuterRef(outer))
    )
    waiting = Exists(assigned.filter(~Exists(evaluated)))
    if value == UNASSIGNED:
        return ~Q(Exists(assigned))
    if value == PENDING:
        return Q(waiting)
    return Q(Exists(assigned)) & ~Q(waiting)


# --- まとめて処理モード: 面接官アサイン -----------------------------------------------------------------


def _chosen(company: Company, data: QueryDict) -> list[Any]:
    # Not `reviewer`: that is the list's search condition, which the selection keeps.
    ids = [pk for pk in (ascii_int(v) for v in data.getlist("assign_reviewer")) if pk is not None]
    return list(selectors.reviewer_list(company=company).filter(pk__in=ids)) if ids else []


def bulk_assign_values(company: Company, applicants: QuerySet[Applicant], data: QueryDict) -> dict[str, Any]:
    """The confirm page's part: how many will be reviewed (and are in the queue at once), the reviewers."""
    counts = dict(applicants.order_by().values_list("status").annotate(n=Count("*")))
    withdrawn = counts.get(Applicant.Status.WITHDRAWN, 0)
    reviewers = list(selectors.reviewer_list(company=company))
    assignable = sum(counts.values()) - withdrawn
    return {
        "assignable": assignable,
        "submitted": counts.get(Applicant.Status.SUBMITTED, 0),
        "withdrawn": withdrawn,
        "reviewers": reviewers,
        "chosen": {r.pk for r in _chosen(company, data)},
        "ok": bool(reviewers) and assignable > 0,
    }


def bulk_assign_execute(
    request: HttpRequest, company: Company, applicants: QuerySet[Applicant], data: QueryDict, key: str
) -> str:
    """Assign the ticked reviewers to the selection; D07 to each once per confirmation (`key`)."""
    reviewers = _chosen(company, data)
    if not reviewers:
        raise BulkActionRefused(gettext("Tick at least one reviewer."))
    result = services.reviewers_assign_applicants(
        company=company, reviewers=reviewers, applicants=applicants, key=key, by=request.user
    )
    return ngettext(
        "%(names)s will review %(count)s applicant; %(mailed)s evaluation request(s) (D07) were queued.",
        "%(names)s will review %(count)s applicants; %(mailed)s evaluation request(s) (D07) were queued.",
        result.targets,
    ) % {
        "names": ", ".join(r.name for r in reviewers),
        "count": f"{result.targets:,}",
        "mailed": result.mailed,
    }


def _share_urls_on(company: Company) -> bool:
    return company.share_url_enabled


def share_links_for_api(company: Company, applicants: Sequence[Applicant]) -> None:
    """`applicant.share_link` for the API's share_url (missing links made): two queries per page."""
    if company.share_url_enabled:
        services.share_links_attach(company=company, applicants=applicants)


def register() -> None:
    shown = _share_urls_on
    attachment_register(share_links_for_api)
    search_filter_register(
        SearchFilter(
            key="reviewer",
            order=10,
            shown=shown,
            label=lambda: gettext("Assigned reviewer"),
            choices=_reviewer_choices,
            problem=_reviewer_problem,
            condition=_reviewer_condition,
        )
    )
    search_filter_register(
        SearchFilter(
            key="evaluation",
            order=20,
            shown=shown,
            label=lambda: gettext("Evaluation progress"),
            choices=_evaluation_choices,
            problem=_evaluation_problem,
            condition=_evaluation_condition,
        )
    )
    bulk_action_register(
        BulkAction(
            name="assign_reviewers",
            order=10,
            shown=shown,
            label=lambda: gettext("Assign reviewers"),
            template="sharing/_bulk_assign.html",
            values=bulk_assign_values,
            execute=bulk_assign_execute,
        )
    )
    section_register(Section(order=10, template="sharing/applicant_section.html", values=applicant_section))
    list_column_register(
        ListColumn(
            order=10,
            shown=shown,
            title=lambda: gettext("Evaluations"),
            cells=evaluation_cells,
        )
    )
