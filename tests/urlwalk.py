"""Walking the URL conf: the routes, the objects of one company that fill their kwargs, concrete URLs.

Shared by the tenancy matrix (tests/test_tenancy.py) and the query-parameter fuzzer
(tests/test_fuzz_pages.py), so that a new route is covered by both without editing either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.urls import URLPattern, URLResolver, get_resolver

from applicants import services
from applicants.services import ApplicantData
from bulk.models import AnswerRequest
from imports.models import ApplicantImport
from sharing.models import Reviewer, ReviewerAssignment
from webhooks.models import WebhookDelivery, WebhookEndpoint

# Public by design: the admin (operators), the applicant's and reviewer's token pages (share URLs /s/,
# a reviewer's queue /r/), signed media URLs,
# ESP webhooks (authenticated by their shared secret), login, language, health and the API schema.
PUBLIC_PREFIXES = (
    "admin/",
    "i/",
    "s/",
    "r/",
    "m/",
    "anymail/",
    "login/",
    "password-reset/",
    "logout/",
    "i18n/",
    "healthz",
    "api/schema/",
    "api/docs/",
    "jsi18n/",
)
# Kwargs that name a kind of thing every company has (a template code), not an object of one company.
COMPANY_LEVEL_KWARGS = {"code"}
PROJECT_APPS = {"applicants", "imports", "interviews", "messaging", "bulk", "sharing", "webhooks"}
COMPANY_PATHS = [
    "company",
    "job_posting__company",
    "applicant__company",
    "question__job_posting__company",
    "answer__applicant__company",
    "take__answer__applicant__company",
    "sheet__job_posting__company",
    "share_link__applicant__company",
    "evaluation__applicant__company",
    "item__sheet__job_posting__company",
]


def walk(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """Every (route, pattern) of the URL conf, with the routes of includes joined to their prefix."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        else:
            yield route, entry


def _is_format_suffix(route: str) -> bool:
    return "format" in route.lstrip("^") or "\\.(?P<format>" in route


def recruiter_routes() -> list[tuple[str, URLPattern]]:
    """Routes behind a recruiter's login or API token (pages and API)."""
    return [
        (route, pattern)
        for route, pattern in walk()
        if not route.lstrip("^").startswith(PUBLIC_PREFIXES) and not _is_format_suffix(route)
    ]


def token_routes() -> list[tuple[str, URLPattern]]:
    """The applicant's interview pages (/i/<token>/…), the reviewer's page (/s/<token>/) and a reviewer's
    queue (/r/<token>/)."""
    return [(route, pattern) for route, pattern in walk() if route.startswith(("i/", "s/", "r/"))]


def owned_rows(company) -> dict[str, set[Any]]:  # type: ignore[no-untyped-def]
    """Every value an URL kwarg could take that belongs to company A, by kwarg name."""
    values: dict[str, set[Any]] = {"pk": set(), "im_id": set(), "code": set(), "id": set()}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for path in COMPANY_PATHS:
            try:
                rows = model.objects.filter(**{path: company}) if model.__name__ != "Company" else None
            except FieldError:
                continue
            if rows is None:
                continue
            values["pk"].update(rows.values_list("pk", flat=True))
            for name in ("im_id", "code", "id"):
                if any(f.name == name for f in model._meta.fields):
                    values[name].update(rows.values_list(name, flat=True))
            break
    values["pk"].add(company.pk)
    return values


def fill(route: str, kwarg_values: dict[str, Any]) -> str:
    """Turn a route (path() or regex) with kwargs into a concrete URL."""
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwarg_values[m.group(1)]), route)
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwarg_values[m.group(1)]), url)
    return "/" + url.replace("^", "").replace("$", "").replace("\\", "")


def kwarg_names(route: str) -> list[str]:
    regex_groups = re.findall(r"\(\?P<(\w+)>", route)
    return regex_groups or re.findall(r"<(?:\w+:)?(\w+)>", route)


def company_world(*, company, alice, job_posting, capture_on_commit) -> None:  # type: ignore[no-untyped-def]
    """Company A with one object of every kind a recruiter can reach (extend it for a new kind)."""
    with capture_on_commit(execute=False):
        services.applicants_register(  # also writes its D03 Message
            job_posting=job_posting, rows=[ApplicantData(email="owned@example.jp", values={})], via="form"
        )
    ApplicantImport.objects.create(
        company=company, job_posting=job_posting, created_by=alice, file_name="a.csv"
    )
    AnswerRequest.objects.create(
        company=company, job_posting=job_posting, created_by=alice, idempotency_key="tenancy", target_count=1
    )
    endpoint = WebhookEndpoint.objects.create(
        company=company, url="https://ats.example.com/hook", events=["applicant.registered"]
    )
    WebhookDelivery.objects.create(
        company=company,
        endpoint=endpoint,
        event_id="msg_tenancy",
        event_type="applicant.registered",
        body="{}",
        status=WebhookDelivery.Status.DELIVERED,
    )
    # A reviewer assigned to the posting and to the applicant: both kinds of assignment have routes.
    reviewer = Reviewer.objects.create(company=company, name="面接 太郎", email="reviewer@example.jp")
    applicant = job_posting.applicants.get(email="owned@example.jp")
    ReviewerAssignment.objects.create(company=company, reviewer=reviewer, job_posting=job_posting)
    ReviewerAssignment.objects.create(company=company, reviewer=reviewer, applicant=applicant)
