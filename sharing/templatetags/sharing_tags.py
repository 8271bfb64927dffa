"""Template tags of the recruiter pages for sharing: the list's CSV menu entries and the navigation link.

They only format; the applicant page's section and the list's evaluation column are gathered by the
views (sharing.pages, through applicants.pages)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("sharing/_csv_menu_items.html", takes_context=True)
def sharing_csv_menu_items(context: template.Context) -> dict[str, Any]:
    """The share URL and evaluations CSV entries of the applicant list's CSV menu, for its search."""
    request = context.get("request")
    company = context.get("company")
    if request is None or company is None or not company.share_url_enabled:
        return {"enabled": False}
    params = request.GET.copy()
    for name in ("page", "encoding", "columns"):
        params.pop(name, None)
    query = params.urlencode()
    labelled = any(getattr(company, f"free_area_{n}_label") for n in (1, 2, 3))
    return {"enabled": True, "query": f"{query}&" if query else "", "labelled": labelled}


@register.inclusion_tag("sharing/_nav_link.html", takes_context=True)
def sharing_nav_link(context: template.Context) -> dict[str, Any]:
    """The top navigation's links to the reviewers and the share URL settings, while the feature is on,
    and to the recruiter's own notifications (D08)."""
    company = context.get("company")
    return {"enabled": bool(company and company.share_url_enabled)}
