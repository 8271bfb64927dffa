"""What other apps add to the recruiter's applicant pages: sections of the applicant page (answers,
share URL and evaluations, messages), extra columns of the applicant list (evaluations), and values
they attach to applicants before the API shows them (the share link).

Each app registers its part in its AppConfig.ready(), so that the applicants app imports none of
them. A page's view calls every registered function before it renders: they gather their values
through their app's selectors (the share URL section also creates the applicant's link, a write the
view makes on purpose), and templates only format what they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
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
class ListColumn:
    """An extra column of the applicant list: its header and its cells for a page of applicants (each
    cell a `<td>` as SafeString); `shown` says whether the company has it at all."""

    order: int
    shown: Callable[[Company], bool]
    title: Callable[[], str]
    cells: Callable[[Company, Sequence[Applicant]], list[SafeString]]


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
    """The extra columns the company's list shows, each with its title and the page's cells."""
    return [{"title": c.title(), "cells": c.cells(company, applicants)} for c in _columns if c.shown(company)]
