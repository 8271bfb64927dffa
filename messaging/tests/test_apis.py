"""API: GET /api/v1/messages/, GET/PUT /api/v1/message-templates/{code}/, and the tracking webhook."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import mail
from rest_framework.test import APIClient

from applicants.models import Applicant
from applicants.services import ApplicantData, applicants_register
from messaging.models import Message, MessageTemplate, Suppression
from messaging.services.tracking import tracking_reference
from messaging.tests.helpers import webhooks_routed
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def register(job_posting, email: str) -> Applicant:  # type: ignore[no-untyped-def]
    (applicant,) = applicants_register(
        job_posting=job_posting, rows=[ApplicantData(email=email, values={})], via=Applicant.CreatedVia.API
    )
    return applicant


def test_message_list_filters_by_applicant_and_template(alice, job_posting):
    first = register(job_posting, "a@example.jp")
    register(job_posting, "b@example.jp")
    data = api(alice).get(f"/api/v1/messages/?applicant={first.im_id}&template=D03").json()
    assert data["count"] == 1
    (row,) = data["results"]
    assert row["applicant"] == first.im_id and row["template"] == "D03" and row["status"] == "sent"
    assert row["to"] == "a@example.jp" and "録画面接" in row["subject"]


def test_message_list_never_shows_another_company(charlie, job_posting):
    register(job_posting, "a@example.jp")
    assert api(charlie).get("/api/v1/messages/").json()["count"] == 0
    message = Message.objects.get()
    assert api(charlie).get(f"/api/v1/messages/{message.pk}/").status_code == 404


def test_template_get_returns_the_default_until_saved(alice):
    data = api(alice).get("/api/v1/message-templates/D05/").json()
    assert data["subject"] == "録画面接の提出を受け付けました" and data["is_default"] is True


def test_template_put_saves_and_refuses_unknown_placeholders(alice, company):
    client = api(alice)
    bad = client.put("/api/v1/message-templates/D04/", {"subject": "x", "body": "{{未知}}"}, format="json")
    assert bad.status_code == 400 and "{{未知}}" in json.dumps(bad.json(), ensure_ascii=False)
    assert not MessageTemplate.objects.exists()

    good = client.put(
        "/api/v1/message-templates/D04/", {"subject": "{{氏名}} 様", "body": "{{録画面接URL}}"}, format="json"
    )
    assert good.status_code == 200 and good.json()["is_default"] is False
    assert MessageTemplate.objects.get(company=company, code="D04").subject == "{{氏名}} 様"


def test_members_cannot_change_templates_through_the_api(bob):
    response = api(bob).put("/api/v1/message-templates/D03/", {"subject": "x", "body": "y"}, format="json")
    assert response.status_code == 403
    assert not MessageTemplate.objects.exists()


def test_template_of_unknown_code_is_404(alice):
    assert api(alice).get("/api/v1/message-templates/D99/").status_code == 404


def test_each_company_edits_its_own_template(alice, charlie, company, other_company):
    api(charlie).put("/api/v1/message-templates/D03/", {"subject": "チャーリー", "body": "x"}, format="json")
    assert api(alice).get("/api/v1/message-templates/D03/").json()["subject"] == "録画面接のご案内(登録完了)"


def _postmark(client, event, secret="hook:s3cret"):  # type: ignore[no-untyped-def]
    """One event to anymail's Postmark tracking webhook, authenticated with HTTP basic auth."""
    auth = "Basic " + base64.b64encode(secret.encode()).decode()
    return client.post(
        "/anymail/postmark/tracking/",
        json.dumps(event),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )


@pytest.fixture
def webhook_secret(settings):
    with webhooks_routed(settings):
        yield


def test_tracking_webhook_marks_delivered(client, job_posting, webhook_secret):
    register(job_posting, "a@example.jp")
    message = Message.objects.get()
    response = _postmark(
        client,
        {
            "RecordType": "Delivery",
            "Recipient": "a@example.jp",
            "DeliveredAt": "2026-11-25T10:00:00Z",
            "MessageID": message.provider_message_id,
        },
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == "delivered" and message.event_at is not None


def test_hard_bounce_suppresses_the_address_and_later_mail_says_so(
    client, company, job_posting, webhook_secret
):
    register(job_posting, "gone@example.jp")
    message = Message.objects.get()
    _postmark(
        client,
        {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "Email": "gone@example.jp",
            "BouncedAt": "2026-11-25T10:00:00Z",
            "Description": "550 5.1.1 The email account that you tried to reach does not exist",
            "MessageID": message.provider_message_id,
        },
    )
    message.refresh_from_db()
    assert message.status == "bounced" and "does not exist" in message.last_error
    assert Suppression.objects.filter(company=company, email="gone@example.jp", reason="bounced").exists()

    later = JobPostingFactory(company=company)
    register(later, "gone@example.jp")
    newest = Message.objects.latest("id")
    assert newest.status == "suppressed" and "suppression list" in newest.last_error
    assert len(mail.outbox) == 1


def test_a_soft_bounce_neither_bounces_the_mail_nor_suppresses_the_address(
    client, company, job_posting, webhook_secret
):
    register(job_posting, "full@example.jp")
    message = Message.objects.get()
    response = _postmark(
        client,
        {
            "RecordType": "Bounce",
            "Type": "SoftBounce",
            "Email": "full@example.jp",
            "BouncedAt": "2026-11-25T10:00:00Z",
            "Description": "452 4.2.2 The email account that you tried to reach is over quota",
            "MessageID": message.provider_message_id,
        },
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == "sent"
    assert not Suppression.objects.filter(email="full@example.jp").exists()


@pytest.mark.parametrize(
    ("raw", "soft"),
    [
        ({"Type": "SoftBounce"}, True),  # Postmark
        ({"event": "soft_bounce"}, True),  # Brevo, Mandrill
        ({"type": "activity.soft_bounced"}, True),  # MailerSend
        ({"Type": "HardBounce"}, False),
        ({"event": "hard_bounce"}, False),
        ("not a dict", False),
    ],
)
def test_soft_bounces_are_told_apart_in_the_esps_own_words(raw, soft) -> None:  # type: ignore[no-untyped-def]
    from anymail.signals import AnymailTrackingEvent

    from messaging.signals import is_soft_bounce

    assert is_soft_bounce(AnymailTrackingEvent(event_type="bounced", esp_event=raw)) is soft
    assert is_soft_bounce(AnymailTrackingEvent(event_type="delivered", esp_event=raw)) is False


def test_tracking_webhook_without_the_secret_changes_nothing(client, job_posting, webhook_secret):
    register(job_posting, "a@example.jp")
    message = Message.objects.get()
    response = _postmark(
        client,
        {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "Email": "a@example.jp",
            "MessageID": message.provider_message_id,
        },
        secret="hook:wrong",
    )
    assert response.status_code in (400, 401, 403)
    message.refresh_from_db()
    assert message.status == "sent" and not Suppression.objects.exists()


def _hard_bounce(email: str, **fields: object) -> dict[str, object]:
    return {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "Email": email,
        "BouncedAt": "2026-11-25T10:00:00Z",
        "Description": "550 5.1.1 The email account that you tried to reach does not exist",
        **fields,
    }


def test_tracking_webhooks_are_not_routed_without_a_secret(client, settings, job_posting):
    """The forged event of issue 12: no secret configured, a hard bounce naming message 1 by its pk."""
    assert not settings.ANYMAIL.get("WEBHOOK_SECRET")
    register(job_posting, "a@example.jp")
    message = Message.objects.get()
    response = client.post(
        "/anymail/postmark/tracking/",
        json.dumps(_hard_bounce("a@example.jp", Metadata={"im_message": str(message.pk)})),
        content_type="application/json",
    )
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.status == "sent" and not Suppression.objects.exists()


def test_an_event_naming_a_message_by_its_sequential_id_changes_nothing(client, job_posting, webhook_secret):
    register(job_posting, "a@example.jp")
    message = Message.objects.get()
    for guess in (str(message.pk), message.pk, f"{message.pk}:forged"):
        response = _postmark(client, _hard_bounce("a@example.jp", Metadata={"im_message": guess}))
        assert response.status_code == 200  # accepted (the ESP retries otherwise) but matched to nothing
    message.refresh_from_db()
    assert message.status == "sent" and not Suppression.objects.exists()


def test_an_event_finds_its_message_by_the_signed_reference_it_was_sent_with(
    client, company, job_posting, webhook_secret
):
    register(job_posting, "gone@example.jp")
    message = Message.objects.get()
    (sent,) = mail.outbox
    reference = sent.metadata["im_message"]  # type: ignore[attr-defined]
    assert reference == tracking_reference(message.pk) and reference != str(message.pk)
    event = _hard_bounce("gone@example.jp", MessageID="unknown", Metadata={"im_message": reference})
    _postmark(client, event)
    message.refresh_from_db()
    assert message.status == "bounced"
    assert Suppression.objects.filter(company=company, email="gone@example.jp").exists()
