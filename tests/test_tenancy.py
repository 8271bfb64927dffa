"""Tenancy matrix: every recruiter URL and API route, every method, as an outsider.

Walks the URL conf, so a new route is covered without editing this test. For each route taking an
object (`im_id`, `pk`, `code`, …) it tries the values of every object company A owns: the outsider
(charlie, company B) must get 404 (405 only where the method is not allowed at all), while the owner
(alice) must reach at least one of them, which proves the probe hit a real object. Values the owner cannot
reach are no object of company A for that route and are not asserted on.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client

from applicants import services
from applicants.services import ApplicantData
from bulk.models import AnswerRequest
from imports.models import ApplicantImport
from messaging.models import MessageTemplate
from tests.clients import api_key_for
from tests.factories import JobPostingFactory, QuestionFactory
from tests.urlwalk import (
    COMPANY_LEVEL_KWARGS,
    PROJECT_APPS,
    company_world,
    fill,
    kwarg_names,
    owned_rows,
    recruiter_routes,
)

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
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_key_for(user)}"
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


# What company A's own words look like: none of them may appear on any page or form the outsider gets.
SECRET_TITLE = "極秘ポジション募集要項"
SECRET_QUESTION = "アリス社だけの質問です"
SECRET_SUBJECT = "アリス社の案内メール件名"
SECRET_FILE = "alice-ats-export.csv"


@pytest.fixture
def marked_world(world, job_posting, alice, other_company, charlie, django_capture_on_commit_callbacks):
    """`world` with distinctive words in every text company A owns, and objects of the outsider's own."""
    job_posting.title = SECRET_TITLE
    job_posting.save(update_fields=["title"])
    question = job_posting.questions.first()
    question.text = SECRET_QUESTION
    question.save(update_fields=["text"])
    MessageTemplate.objects.create(company=world, code="D03", subject=SECRET_SUBJECT, body="x")
    ApplicantImport.objects.filter(company=world).update(file_name=SECRET_FILE)
    applicant = world.applicants.get()
    applicant.last_name, applicant.first_name = "秘密川", "花子"
    applicant.school = "アリス大学"
    applicant.save(update_fields=["last_name", "first_name", "school"])
    # The outsider's own objects, so that detail pages and their edit forms render too.
    posting = JobPostingFactory(company=other_company, title="チャーリーの募集要項")
    QuestionFactory(job_posting=posting, position=0)
    with django_capture_on_commit_callbacks(execute=False):
        services.applicants_register(
            job_posting=posting, rows=[ApplicantData(email="own@example.jp", values={})], via="form"
        )
    ApplicantImport.objects.create(
        company=other_company, job_posting=posting, created_by=charlie, file_name="charlie.csv"
    )
    AnswerRequest.objects.create(
        company=other_company, job_posting=posting, created_by=charlie, idempotency_key="own", target_count=1
    )
    markers = [
        world.name,
        SECRET_TITLE,
        SECRET_QUESTION,
        SECRET_SUBJECT,
        SECRET_FILE,
        "秘密川",
        "アリス大学",
        "owned@example.jp",
        alice.username,
        alice.email,
    ]
    return markers


def _api_urls_of(company) -> list[str]:
    """Every API URL: company-level ones and each object route filled with the company's own values."""
    values = owned_rows(company)
    urls = _company_level_urls(api=True)
    for route, _pattern in recruiter_routes():
        names = kwarg_names(route)
        if not route.startswith("api/") or not names or set(names) & COMPANY_LEVEL_KWARGS:
            continue
        for value in sorted(values.get(names[-1], set()) or values["pk"], key=str):
            urls.append(fill(route, dict.fromkeys(names, value)))
    return urls


def test_browsable_api_forms_and_options_show_nothing_of_another_company(
    marked_world, other_company, charlie
):
    """The HTML forms (`?format=api`) and OPTIONS of every API route, as the outsider on its own objects."""
    client = _client(charlie, api=True)
    rendered = 0
    for url in _api_urls_of(other_company):
        for method, target in (("get", f"{url}?format=api"), ("options", url)):
            response = getattr(client, method)(target)
            if response.streaming:
                continue  # the CSV export; its rows are checked by the test above
            body = response.content.decode(errors="replace")
            leaked = [marker for marker in marked_world if marker in body]
            assert not leaked, f"{method.upper()} {target} ({response.status_code}) shows {leaked}"
            rendered += response.status_code == 200
    assert rendered > 10


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_api_serializer_scopes_its_related_fields():
    """A new serializer that forgets the base would offer every company's rows in its form."""
    from rest_framework import serializers

    from applicants.permissions import CompanyScopedSerializer

    assert recruiter_routes()  # imports every apis module through the URL conf
    ours = {
        cls
        for cls in _subclasses(serializers.Serializer)
        if cls.__module__.split(".")[0] in PROJECT_APPS and cls.__module__.endswith(".apis")
    }
    assert len(ours) >= 10
    assert not [cls.__name__ for cls in ours if not issubclass(cls, CompanyScopedSerializer)]
