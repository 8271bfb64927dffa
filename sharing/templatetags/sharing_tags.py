"""Template tags the recruiter pages use for sharing: the applicant page's section, list summaries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from applicants.models import Applicant
from sharing import selectors, services
from sharing.models import ShareLinkView, link_expires_at

register = template.Library()


# A constant cell: no value goes into it.
NO_EVALUATION_CELL = mark_safe('<td class="hide-sm evaluation-summary muted">—</td>')


@register.inclusion_tag("sharing/applicant_section.html", takes_context=True)
def sharing_applicant_section(context: template.Context, applicant: Applicant) -> dict[str, Any]:
    """Share URL with copy and regenerate, every evaluation, and the evaluations CSV (feature on only)."""
    company = applicant.company
    if not company.share_url_enabled:
        return {"enabled": False}
    request = context.get("request")
    link = services.share_link_get_or_create(applicant=applicant, by=getattr(request, "user", None))
    settings = selectors.sharing_settings_get(company=company)
    return {
        "enabled": True,
        "applicant": applicant,
        "link": link,
        "view_count": ShareLinkView.objects.filter(link=link).count() if link else 0,
        "expires_at": link_expires_at(
            job_posting=applicant.job_posting, expiry_days=settings.link_expiry_days
        ),
        "evaluations": list(selectors.evaluation_list(company=company, applicant=applicant)),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def evaluation_summaries(applicants: Iterable[Applicant]) -> dict[int, dict[str, Any]]:
    """Evaluation count and grades per applicant of a list page, in one query:
    `{% evaluation_summaries page.object_list as summaries %}`."""
    applicants = list(applicants)
    if not applicants or not applicants[0].company.share_url_enabled:
        return {}
    return selectors.evaluation_summaries(company=applicants[0].company, applicants=applicants)


@register.inclusion_tag("sharing/_evaluation_summary.html")
def evaluation_summary(summaries: dict[int, dict[str, Any]], applicant: Applicant) -> dict[str, Any]:
    return {"summary": summaries.get(applicant.pk)}


@register.inclusion_tag("sharing/_csv_menu_items.html", takes_context=True)
def sharing_csv_menu_items(context: template.Context) -> dict[str, Any]:
    """The share URL and evaluations CSV entries of the applicant list's CSV menu, for its search."""
    request = context.get("request")
    company = context.get("company")
    if request is None or company is None or not company.share_url_enabled:
        return {"enabled": False}
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("encoding", None)
    query = params.urlencode()
    return {"enabled": True, "query": f"{query}&" if query else ""}


@register.simple_tag
def evaluation_column_title() -> str:
    """The list's evaluation column header, from this app's catalogue."""
    from django.utils.translation import gettext

    return gettext("Evaluations")


@register.inclusion_tag("sharing/_nav_link.html", takes_context=True)
def sharing_nav_link(context: template.Context) -> dict[str, Any]:
    """The top navigation's link to the share URL settings, while the feature is on."""
    company = context.get("company")
    return {"enabled": bool(company and company.share_url_enabled)}


@register.simple_tag(takes_context=True)
def applicant_rows_with_evaluations(
    context: template.Context, applicants: Iterable[Applicant], detail_prefix: str
) -> SafeString:
    """The list's rows (applicants.templatetags.applicant_list_tags) plus an evaluation summary cell each.

    One query for the page's evaluations; the rows' markup stays the list's own.
    """
    from applicants.templatetags.applicant_list_tags import applicant_rows

    applicants = list(applicants)
    company = context.get("company")
    summaries = (
        selectors.evaluation_summaries(company=company, applicants=applicants)
        if company is not None and company.share_url_enabled
        else {}
    )
    rows = applicant_rows(applicants, detail_prefix).split("</tr>\n")
    cells = []
    for applicant in applicants:
        summary = summaries.get(applicant.pk)
        if summary is None:
            cells.append(NO_EVALUATION_CELL)
            continue
        title = ngettext("%(counter)s evaluation", "%(counter)s evaluations", summary["count"]) % {
            "counter": summary["count"]
        }
        text = " ".join(summary["headlines"]) or str(summary["count"])
        cells.append(format_html('<td class="hide-sm evaluation-summary" title="{}">{}</td>', title, text))
    # Every value in a row is escaped, so "</tr>\n" only ever ends a row.
    return mark_safe(  # noqa: S308 - both parts are built by format_html
        "".join(f"{row}{cell}</tr>\n" for row, cell in zip(rows, cells, strict=False))
    )
