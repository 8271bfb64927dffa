"""Standing people of every test (STYLE.md): alice owns, bob is her colleague, charlie is an outsider."""

from __future__ import annotations

import os
import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from applicants.models import Membership
from interviewmaker import outage
from tests.clients import api_client_for
from tests.factories import CompanyFactory, JobPostingFactory, MembershipFactory, QuestionFactory

pytest_plugins = ["tests.plugins.services", "tests.plugins.browser", "tests.plugins.smtp"]

# CI sets this so that tests needing PostgreSQL, Redis, a worker or Chromium fail instead of skipping.
REQUIRE_SERVICES = os.environ.get("IM_REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def _settings_for_tests(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = False
    settings.SITE_URL = "http://testserver"
    settings.LANGUAGE_CODE = "ja"
    # Rate-limit counters of each test start from zero in memory, never in the broker's Redis.
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        },
    }
    # A Redis failure simulated by one test must not make the next one skip Redis.
    outage.broker.reset()
    outage.ratelimit_cache.reset()


@pytest.fixture
def company(db):
    return CompanyFactory(name="アリス商事", free_area_1_label="ATS応募者ID")


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="チャーリー物産")


@pytest.fixture
def alice(company):
    """The owning recruiter: an admin of `company`."""
    return MembershipFactory(user__username="alice", company=company, role=Membership.Role.ADMIN).user


@pytest.fixture
def bob(company):
    """A colleague: a plain member of `company`."""
    return MembershipFactory(user__username="bob", company=company, role=Membership.Role.MEMBER).user


@pytest.fixture
def charlie(other_company):
    """An outsider: an admin of another company."""
    return MembershipFactory(user__username="charlie", company=other_company, role=Membership.Role.ADMIN).user


@pytest.fixture
def job_posting(company):
    posting = JobPostingFactory(company=company)
    for position in range(3):
        QuestionFactory(job_posting=posting, position=position)
    return posting


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_api(alice) -> APIClient:
    return api_client_for(alice)


@pytest.fixture
def charlie_api(charlie) -> APIClient:
    return api_client_for(charlie)


@pytest.fixture
def alice_client(alice) -> Client:
    return _client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return _client_for(bob)


@pytest.fixture
def charlie_client(charlie) -> Client:
    return _client_for(charlie)
