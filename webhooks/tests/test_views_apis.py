"""応募設定 → Webhooks and `/api/v1/webhook-endpoints/`: administrators only, the secret shown once."""

from __future__ import annotations

import pytest

from tests.clients import api_client_for
from webhooks.models import WebhookDelivery, WebhookEndpoint


@pytest.fixture(autouse=True)
def _https_only(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(alice_client, company):
    page = alice_client.get("/settings/webhooks/")
    assert page.status_code == 200 and 'id="endpoint-form"' in page.content.decode()
    refused = alice_client.post(
        "/settings/webhooks/", {"url": "http://ats.example.com/hook", "events": ["applicant.registered"]}
    )
    assert refused.status_code == 200 and "https" in refused.content.decode()
    response = alice_client.post(
        "/settings/webhooks/",
        {
            "url": "https://ats.example.com/hook",
            "events": ["applicant.registered", "applicant.submitted"],
            "enabled": "on",
        },
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get(company=company)
    html = response.content.decode()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in html
    assert endpoint.secret not in alice_client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    old = endpoint.secret
    rotated = alice_client.post(f"/settings/webhooks/{endpoint.pk}/rotate/", follow=True).content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old and endpoint.secret in rotated


def test_members_who_are_not_admins_cannot_manage_webhooks(bob_client, bob):
    assert bob_client.get("/settings/webhooks/").status_code == 403
    api = api_client_for(bob)
    assert api.get("/api/v1/webhook-endpoints/").status_code == 200  # reading is fine
    created = api.post(
        "/api/v1/webhook-endpoints/",
        {"url": "https://ats.example.com/hook", "events": ["applicant.registered"]},
        format="json",
    )
    assert created.status_code == 403


def test_the_api_creates_lists_and_redelivers(alice, company):
    api = api_client_for(alice)
    created = api.post(
        "/api/v1/webhook-endpoints/",
        {"url": "https://ats.example.com/hook", "events": ["applicant.submitted"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["secret"].startswith("whsec_")
    endpoint_id = created.json()["id"]
    listed = api.get("/api/v1/webhook-endpoints/").json()["results"]
    assert [e["secret"] for e in listed] == [None]
    bad = api.post(
        "/api/v1/webhook-endpoints/", {"url": "https://10.0.0.1/hook", "events": ["nope"]}, format="json"
    )
    assert bad.status_code == 400 and "events" in bad.json()
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    delivery = WebhookDelivery.objects.create(
        company=company, endpoint=endpoint, event_id="msg_1", event_type="applicant.submitted", body="{}",
        status=WebhookDelivery.Status.FAILED,
    )  # fmt: skip
    again = api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/")
    assert again.status_code == 202 and again.json()["status"] == "pending"
    log = api.get(f"/api/v1/webhook-deliveries/?endpoint={endpoint_id}").json()
    assert log["count"] == 2
    assert (
        api.patch(f"/api/v1/webhook-endpoints/{endpoint_id}/", {"enabled": False}, format="json").json()[
            "enabled"
        ]
        is False
    )


def test_another_company_sees_none_of_it(charlie, company):
    endpoint = WebhookEndpoint.objects.create(
        company=company, url="https://a.example/h", events=["applicant.registered"]
    )
    api = api_client_for(charlie)
    assert api.get("/api/v1/webhook-endpoints/").json()["count"] == 0
    assert api.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/").status_code == 404
