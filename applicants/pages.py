"""What other apps add to the recruiter's applicant pages: sections of the applicant page (answers,
share URL and evaluations, messages), extra columns of the applicant list (evaluations), values
they attach to applicants before the API shows them (the share link), search conditions of the list
(assigned reviewers, evaluation progress) and actions of まとめて処理モード (面接官アサイン).

Each app registers its part in its AppConfig.ready(), so that the applicants app imports none of
them. A page's view calls every registered function before it renders: they gather their values
through their app's selectors (the share URL section also creates the applicant's link, a write the
view makes on purpose), and templates only format what they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from applicants.models import Applicant, Company


@dataclass(frozen=True)
class Section:
    """A section of the applicant page: its template and the function giving the template's values."""

    order: int
    template: str
    values: Callable[[HttpRequest, Applicant], dict[str, Any] | None]  # None: nothing to show


@dataclass(frozen=True)
class ColumnCells:
    """A column's cells for a page, with a note for its header (e.g. a total over the page)."""

    cells: list[SafeString]
    note: str = ""


@dataclass(frozen=True)
class ListColumn:
    """An extra column of the applicant list: its header and its cells for a page of applicants (each
    cell a `<td>` as SafeString, or ColumnCells with a note for the header); `shown` says whether the
    company has it at all."""

    order: int
    shown: Callable[[Company], bool]
    title: Callable[[], str]
    cells: Callable[[Company, Sequence[Applicant]], list[SafeString] | ColumnCells]


_sections: list[Section] = []
_columns: list[ListColumn] = []
# (company, applicants) → None: sets attributes on the applicants (e.g. `share_link`), in bulk.
_attachments: list[Callable[[Company, Sequence[Applicant]], None]] = []


def section_register(section: Section) -> None:
    _sections.append(section)
    _sections.sort(key=lambda s: s.order)


def list_column_register(column: ListColumn) -> None:
    _columns.append(column)
    _columns.sort(key=lambda c: c.order)


def attachment_register(attach: Callable[[Company, Sequence[Applicant]], None]) -> None:
    _attachments.append(attach)


def applicants_attach(*, company: Company, applicants: Sequence[Applicant]) -> None:
    """Let every app attach its values to these applicants (a page of the API, or one), before they are
    serialised: a constant number of queries per page, and no write while rendering."""
    if applicants:
        for attach in _attachments:
            attach(company, applicants)


def applicant_sections(*, request: HttpRequest, applicant: Applicant) -> list[SafeString]:
    """Every section of the applicant page, rendered: all values first, then the templates."""
    gathered = [(s.template, s.values(request, applicant)) for s in _sections]
    return [
        SafeString(render_to_string(template, values, request=request))
        for template, values in gathered
        if values is not None
    ]


def list_columns(*, company: Company, applicants: Sequence[Applicant]) -> list[dict[str, Any]]:
    """The extra columns the company's list shows, each with its title, the page's cells and a note."""
    columns = []
    for column in _columns:
        if column.shown(company):
            found = column.cells(company, applicants)
            gathered = found if isinstance(found, ColumnCells) else ColumnCells(cells=found)
            columns.append({"title": column.title(), "cells": gathered.cells, "note": gathered.note})
    return columns


# --- Search conditions of the list ------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilter:
    """A search condition of the applicant list (and of everything that searches like it: bulk
    selections, exports, the API) that another app supplies, under its own query parameter.

    `problem(value)` is None for a value it understands, else the sentence the list shows when it
    ignores it; `condition(company, value, outer)` is then a filter on the rows whose applicant id is the
    field `outer` ("pk" on applicants, "applicant_id" on search entries; both also have `job_posting_id`).
    `choices(company)` are the values the list's search form offers.
    """

    key: str
    order: int
    shown: Callable[[Company], bool]
    label: Callable[[], str]
    choices: Callable[[Company], list[tuple[str, str]]]
    problem: Callable[[str], str | None]
    condition: Callable[[Company, str, str], Q]


_search_filters: list[SearchFilter] = []


def search_filter_register(search_filter: SearchFilter) -> None:
    """Add a condition; its parameter joins the list's search keys (kept by selections and exports)."""
    from applicants import selectors  # selectors reads this registry: imported here, not at the top

    _search_filters[:] = sorted(
        [f for f in _search_filters if f.key != search_filter.key] + [search_filter], key=lambda f: f.order
    )
    if search_filter.key not in selectors.SEARCH_KEYS:
        selectors.SEARCH_KEYS.append(search_filter.key)


def _value(params: Any, key: str) -> str:
    return str(params.get(key) or "").strip()


def search_filter_conditions(*, company: Company, params: Any, outer: str) -> list[Q]:
    """The registered conditions a search's parameters ask for (values not understood are left out)."""
    conditions = []
    for search_filter in _search_filters:
        value = _value(params, search_filter.key)
        if value and search_filter.problem(value) is None:
            conditions.append(search_filter.condition(company, value, outer))
    return conditions


def search_filter_errors(params: Any) -> list[str]:
    """What the search leaves out of the registered conditions, in sentences for the recruiter."""
    found = [f.problem(_value(params, f.key)) for f in _search_filters if _value(params, f.key)]
    return [problem for problem in found if problem is not None]


def search_filters(*, company: Company, params: Any) -> list[dict[str, Any]]:
    """The registered conditions the company's list offers, each with its choices and current value."""
    return [
        {"key": f.key, "label": f.label(), "choices": f.choices(company), "value": _value(params, f.key)}
        for f in _search_filters
        if f.shown(company)
    ]


# --- Actions of まとめて処理モード --------------------------------------------------------------------


class BulkActionRefused(Exception):
    """The action cannot be done as asked (e.g. nobody chosen); `str()` says why, for the recruiter."""


@dataclass(frozen=True)
class BulkAction:
    """An action of まとめて処理モード that another app carries out on a selection.

    bulk keeps the selection (ticked rows or the whole search), its confirmation page and the one-time
    token; the app gives the confirm page's part (`template`, rendered inside the confirm form with the
    values of `values`) and does the work in `execute`, which gets the selected applicants, the posted
    form data and a key unique to this confirmation (the same on a resubmission) and returns the message
    to show. Both receive the request's data (GET on the confirm page, POST on execution).
    """

    name: str
    order: int
    shown: Callable[[Company], bool]
    label: Callable[[], str]
    template: str
    values: Callable[[Company, QuerySet[Applicant], QueryDict], dict[str, Any]]
    execute: Callable[[HttpRequest, Company, QuerySet[Applicant], QueryDict, str], str]


_bulk_actions: list[BulkAction] = []


def bulk_action_register(action: BulkAction) -> None:
    _bulk_actions[:] = sorted(
        [a for a in _bulk_actions if a.name != action.name] + [action], key=lambda a: a.order
    )


def bulk_action_get(name: str) -> BulkAction | None:
    return next((a for a in _bulk_actions if a.name == name), None)


def bulk_actions(*, company: Company) -> list[BulkAction]:
    """The registered actions the company's list offers."""
    return [a for a in _bulk_actions if a.shown(company)]


def bulk_action_choices() -> list[tuple[str, str]]:
    """(name, label) of every registered action, for the selection form's choices."""
    return [(a.name, a.label()) for a in _bulk_actions]
