"""Tenancy matrix: every recruiter URL and API route, every method, as an outsider.

Walks the URL conf, so a new route is covered without editing this test. For each route taking an
object (`im_id`, `pk`, `code`, …) it tries the values of every object company A owns: the outsider
(charlie, company B) must get 404 (405 only where the method is not allowed at all), while the owner
(alice) must reach at least one of them, which proves the probe hit a real object. Values the owner cannot
reach are no object of company A for that route and are not asserted on.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.urlwalk import COMPANY_LEVEL_KWARGS, company_world, fill, kwarg_names, owned_rows, recruiter_routes

METHODS = ["get", "post", "put", "patch", "delete"]


@pytest.fixture
def world(company, alice, bob, charlie, job_posting, django_capture_on_commit_callbacks):
    """Company A with one object of every kind a recruiter can reach (see tests/urlwalk.py)."""
    company_world(
        company=company,
        alice=alice,
        job_posting=job_posting,
        capture_on_commit=django_capture_on_commit_callbacks,
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
        names = kwarg_names(route)
        if not names or set(names) & COMPANY_LEVEL_KWARGS:
            continue
        api = route.startswith("api/")
        owner, outsider = _client(alice, api), _client(charlie, api)
        candidates = sorted(values.get(names[-1], set()) or values["pk"], key=str)
        reached = False
        for value in candidates:
            url = fill(route, dict.fromkeys(names, value))
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
        names = set(kwarg_names(route))
        if route.startswith("api/") != api or names - COMPANY_LEVEL_KWARGS:
            continue
        urls += (
            [fill(route, {"code": code}) for code in ("D03", "D04", "D05")] if names else [fill(route, {})]
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
