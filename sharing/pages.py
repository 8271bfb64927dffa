"""The sharing app's parts of the recruiter's applicant pages (applicants.pages): the share URL and
evaluations section of the applicant page, the evaluations column of the applicant list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from applicants.models import Applicant, Company
from applicants.pages import ListColumn, Section, attachment_register, list_column_register, section_register
from sharing import selectors, services
from sharing.models import link_expires_at

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
    return {
        "enabled": True,
        "applicant": applicant,
        "link": link,
        "view_count": selectors.share_link_view_count(link=link) if link else 0,
        "expires_at": link_expires_at(
            job_posting=applicant.job_posting, expiry_days=settings.link_expiry_days
        ),
        "evaluations": list(selectors.evaluation_list(company=company, applicant=applicant)),
    }


def evaluation_cells(company: Company, applicants: Sequence[Applicant]) -> list[SafeString]:
    """Each applicant's evaluation count and grades, in one query for the page."""
    summaries = selectors.evaluation_summaries(company=company, applicants=applicants)
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
    return cells


def share_links_for_api(company: Company, applicants: Sequence[Applicant]) -> None:
    """`applicant.share_link` for the API's share_url (missing links made): two queries per page."""
    if company.share_url_enabled:
        services.share_links_attach(company=company, applicants=applicants)


def register() -> None:
    attachment_register(share_links_for_api)
    section_register(Section(order=10, template="sharing/applicant_section.html", values=applicant_section))
    list_column_register(
        ListColumn(
            order=10,
            shown=lambda company: company.share_url_enabled,
            title=lambda: gettext("Evaluations"),
            cells=evaluation_cells,
        )
    )
