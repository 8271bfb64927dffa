"""The browser's address behind trusted reverse proxies: login lockout and rate limits per client.

Production runs behind a TLS proxy, so REMOTE_ADDR is the proxy's for everyone; TRUSTED_PROXY_COUNT
says how many right-most X-Forwarded-For entries our own proxies wrote.
"""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from interviewmaker.clientip import client_ip
from sharing import services as sharing_services
from tests.factories import ApplicantFactory

PROXY = "10.0.0.2"


def request_from(remote: str, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", PROXY),  # no proxy trusted: the header is the client's own words
        (1, None, PROXY),  # came past the proxy without the header: the connecting address
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.4, 203.0.113.9", "203.0.113.9"),  # a spoofed left-most entry is ignored
        (2, "198.51.100.4, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "203.0.113.9", PROXY),  # fewer entries than proxies: not through all of them
        (1, "not-an-address", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_takes_the_nth_address_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request_from(PROXY, forwarded)) == expected


def behind_proxy(address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def test_a_stranger_behind_the_proxy_cannot_lock_a_recruiter_out(client, settings, alice):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    # The attacker also claims to be alice's address; only the proxy's own entry counts.
    attacker = behind_proxy("198.51.100.4, 203.0.113.66")
    for _ in range(3):
        attacker.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert attacker.post(reverse("login"), {"username": "alice", "password": "wrong"}).status_code == 429

    response = behind_proxy("198.51.100.4").post(
        reverse("login"), {"username": "alice", "password": "password-123-xyz"}
    )
    assert response.status_code == 302


def test_applicants_behind_the_proxy_have_their_own_page_limits(settings, job_posting):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RECORDING_RATE_PAGE = "2/m"
    settings.SHARING_RATE_LIMIT = "2/m"
    applicant = ApplicantFactory(job_posting=job_posting)
    link = sharing_services.share_link_get_or_create(applicant=applicant)
    busy, other = behind_proxy("203.0.113.9"), behind_proxy("203.0.113.10")
    for url in (f"/i/{applicant.interview_token}/", f"/s/{link.token}/"):
        assert [busy.get(url).status_code for _ in range(3)] == [200, 200, 429]
        assert other.get(url).status_code == 200


def test_reviewer_views_log_the_client_address(settings, job_posting):
    settings.TRUSTED_PROXY_COUNT = 1
    link = sharing_services.share_link_get_or_create(applicant=ApplicantFactory(job_posting=job_posting))
    behind_proxy("203.0.113.9").get(f"/s/{link.token}/")
    assert list(link.views.values_list("ip_address", flat=True)) == ["203.0.113.9"]
