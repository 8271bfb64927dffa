"""The applicant list's rows, rendered in Python: the hot path of the busiest page (50 rows a page)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from applicants.models import Applicant

register = template.Library()

ROW = (
    '<tr data-im-id="{0}" data-status="{1}">'
    '<td class="tick"><input type="checkbox" name="im_id" value="{0}" aria-label="{2} {0}"></td>'
    '<td><a href="{3}">{0}</a></td>'
    '<td><a href="{3}">{4}</a><br><small class="muted">{5}</small></td>'
    "<td>{6}</td>"
    '<td class="hide-sm">{7}</td>'
    '<td class="hide-sm">{8}</td>'
    '<td><span class="badge status-{1}">{9}</span></td>'
    '<td class="hide-sm">{10}</td>'
)


@register.simple_tag
def applicant_rows(applicants: Iterable[Applicant], columns: Sequence[dict[str, Any]] = ()) -> SafeString:
    """One <tr> per applicant, then the cells of the extra columns (applicants.pages.list_columns,
    `<td>`s built by their apps) in order. Every value is escaped by format_html."""
    # The same markup a template loop would give, without its per-variable lookups (about 3× faster).
    tick = _("Tick")
    labels = {value: str(label) for value, label in Applicant.Status.choices}
    extra = [column["cells"] for column in columns]
    rows = []
    for index, a in enumerate(applicants):
        row = format_html(
            ROW,
            a.im_id,
            a.status,
            tick,
            reverse("applicants:applicant_detail", args=[a.im_id]),
            a.full_name or "—",
            a.full_name_kana,
            a.email,
            a.school,
            a.job_posting.title,
            labels.get(a.status, a.status),
            timezone.localtime(a.created_at).strftime("%Y-%m-%d"),
        )
        rows.append(row + "".join(cells[index] for cells in extra) + "</tr>\n")
    return mark_safe("".join(rows))  # noqa: S308 - every part is built by format_html
