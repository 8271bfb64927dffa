"""Tenancy matrix: every recruiter URL and API route, every method, as an outsider.

Walks the URL conf, so a new route is covered without editing this test. For each route taking an
object (`im_id`, `pk`, `code`, …) it tries the values of every object company A owns: the outsider
(charlie, company B) must get 404 (405 only where the method is not allowed at all), while the owner
(alice) must reach at least one of them, which proves the probe hit a real object. Values the owner cannot
reach are no object of company A for that route and are not asserted on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from applicants import services
from applicants.bulk.models import AnswerRequest
from applicants.imports.models import ApplicantImport
from applicants.services import ApplicantData

METHODS = ["get", "post", "put", "patch", "delete"]
# Public by design: the admin (operators), the applicant's and reviewer's token pages, signed media URLs,
# ESP webhooks (authenticated by their shared secret), login, language, health and the API schema.
PUBLIC_PREFIXES = (
    "admin/",
    "i/",
    "s/",
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
PROJECT_APPS = {"applicants", "interviews", "messaging", "sharing"}
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


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route)
        else:
            yield route, entry


def recruiter_routes() -> list[tuple[str, URLPattern]]:
    routes = []
    for route, pattern in _walk(get_resolver()):
        clean = route.lstrip("^")
        if clean.startswith(PUBLIC_PREFIXES) or "format" in clean or "\\.(?P<format>" in route:
            continue
        routes.append((route, pattern))
    return routes


def owned_rows(company) -> dict[str, set[Any]]:
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


def _fill(route: str, kwarg_values: dict[str, Any]) -> str:
    """Turn a route (path() or regex) with kwargs into a concrete URL."""
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwarg_values[m.group(1)]), route)
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwarg_values[m.group(1)]), url)
    return "/" + url.replace("^", "").replace("$", "").replace("\\", "")


def _kwarg_names(route: str) -> list[str]:
    regex_groups = re.findall(r"\(\?P<(\w+)>", route)
    return regex_groups or re.findall(r"<(?:\w+:)?(\w+)>", route)


@pytest.fixture
def world(company, alice, bob, charlie, job_posting, django_capture_on_commit_callbacks):
    """Company A with one object of every kind a recruiter can reach (extend it for a new kind)."""
    with django_capture_on_commit_callbacks(execute=False):
        services.applicants_register(  # also writes its D03 Message
            job_posting=job_posting, rows=[ApplicantData(email="owned@example.jp", values={})], via="form"
        )
    ApplicantImport.objects.create(
        company=company, job_posting=job_posting, created_by=alice, file_name="a.csv"
    )
    AnswerRequest.objects.create(
        company=company, job_posting=job_posting, created_by=alice, idempotency_key="tenancy", target_count=1
    )
    return company


def _client(user, api: bool) -> Client:
    client = Client()
    if api:
        token, _ = Token.objects.get_or_create(user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    else:
        client.force_login(user)
    return client


def _request(client: Client, method: str, url: str):
    with transaction.atomic():
        response = getattr(client, method)(
            url,
            data={} if method in ("get", "delete") else "{}",
            **({} if method in ("get", "delete") else {"content_type": "application/json"}),
        )
        transaction.set_rollback(True)  # the owner's probes must not change the world
    return response


def test_every_route_is_either_public_or_checked():
    assert recruiter_routes(), "no recruiter routes found: the walk is broken"


def test_outsider_gets_404_for_every_object_route_and_method(world, alice, charlie):
    values = owned_rows(world)
    checked = 0
    for route, _pattern in recruiter_routes():
        names = _kwarg_names(route)
        if not names or set(names) & COMPANY_LEVEL_KWARGS:
            continue
        api = route.startswith("api/")
        owner, outsider = _client(alice, api), _client(charlie, api)
        candidates = sorted(values.get(names[-1], set()) or values["pk"], key=str)
        reached = False
        for value in candidates:
            url = _fill(route, dict.fromkeys(names, value))
            probe = {method: _request(owner, method, url).status_code for method in ("get", "post")}
            if all(code in (404, 405) for code in probe.values()):
                continue  # this value is no object of company A for this route
            owner_statuses = probe | {
                m: _request(owner, m, url).status_code for m in METHODS if m not in probe
            }
            reached = True
            for method, owner_status in owner_statuses.items():
                outsider_status = _request(outsider, method, url).status_code
                allowed = {404, 405} if owner_status == 405 else {404}
                assert outsider_status in allowed, f"{method.upper()} {url}: outsider got {outsider_status}"
                checked += 1
        assert reached, f"{route}: the owner reached no object; add one of its kind to the `world` fixture"
    assert checked > 0


def _company_level_urls(api: bool) -> list[str]:
    urls = []
    for route, _pattern in recruiter_routes():
        names = set(_kwarg_names(route))
        if route.startswith("api/") != api or names - COMPANY_LEVEL_KWARGS:
            continue
        urls += (
            [_fill(route, {"code": code}) for code in ("D03", "D04", "D05")] if names else [_fill(route, {})]
        )
    return urls


def test_company_level_pages_show_nothing_of_another_company(world, charlie):
    client = _client(charlie, api=False)
    for route in _company_level_urls(api=False):
        response = client.get(route)
        assert response.status_code in (200, 302, 403, 405), f"{route}: {response.status_code}"
        if response.status_code == 200 and not response.streaming:
            body = response.content.decode(errors="replace")
            assert "owned@example.jp" not in body, route
            assert world.name not in body, route


def test_company_api_lists_show_nothing_of_another_company(world, charlie):
    client = _client(charlie, api=True)
    for route in _company_level_urls(api=True):
        response = client.get(route)
        assert response.status_code in (200, 403, 405), f"{route}: {response.status_code}"
        # CSV exports stream their body.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"owned@example.jp" not in body, route


def test_members_get_403_on_admin_pages(world, bob):
    client = _client(bob, api=False)
    for url in ("/settings/application/", "/settings/members/"):
        assert client.get(url).status_code == 403
