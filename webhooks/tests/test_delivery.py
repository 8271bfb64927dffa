"""Outgoing webhooks end to end: a real receiver on loopback, Standard Webhooks signatures, retries,
order, one processing per event id, and where deliveries may not go."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook

from applicants.models import Applicant, Membership
from applicants.services import ApplicantData, applicants_register, applicants_withdraw
from interviews.models import Answer, Take
from interviews.services import applicants_expire, interview_submit
from webhooks import security, services
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from webhooks.tests.receiver import body_of, drain, receiving

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_RETRY_SCHEDULE = [0.05] * 7


def endpoint_for(company, receiver, events=Event.values) -> WebhookEndpoint:
    endpoint = services.endpoint_save(
        company=company, endpoint=None, url=receiver.url, events=events, enabled=True
    )
    receiver.secret = endpoint.secret
    return endpoint


def sweep_until_done(endpoint: WebhookEndpoint) -> None:
    pending = WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING)
    drain(lambda: services.endpoint_deliver(endpoint_id=endpoint.pk), lambda: not pending.exists())


def submit(applicant: Applicant) -> None:
    for question in applicant.job_posting.questions.all():
        take = Take.objects.create(
            applicant=applicant, question=question, state=Take.State.COMPLETE, container="webm"
        )
        Answer.objects.create(applicant=applicant, question=question, take=take)
    interview_submit(applicant=applicant)


def test_an_applicant_from_registration_to_submission_reaches_the_ats_signed_in_order_once(job_posting):
    company = job_posting.company
    with receiving() as receiver:
        endpoint = endpoint_for(company, receiver)
        (applicant,) = applicants_register(
            job_posting=job_posting,
            rows=[
                ApplicantData(email="taro@example.jp", values={"last_name": "山田", "free_area_1": "ATS-1"})
            ],
            via=Applicant.CreatedVia.API,
        )
        submit(applicant)
        sweep_until_done(endpoint)

    assert receiver.rejected == []
    assert receiver.types() == ["applicant.registered", "applicant.submitted"]
    registered, submitted = receiver.processed
    assert registered["data"]["im_id"] == applicant.im_id and registered["data"]["free_area_1"] == "ATS-1"
    assert registered["data"]["status"] == "awaiting" and registered["company"]["id"] == company.pk
    assert submitted["data"]["status"] == "submitted" and submitted["data"]["submitted_at"]
    assert registered["data"]["interview_url"] == applicant.interview_url
    # Each request carries the Standard Webhooks headers and verifies with the endpoint's secret.
    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request["body"], request["headers"])
        assert body_of(request)["id"] == request["headers"]["webhook-id"]
    assert len(receiver.requests) == 2  # once each


def test_a_failing_receiver_gets_retries_then_success_and_processes_each_event_once(job_posting):
    company = job_posting.company
    with receiving() as receiver:
        receiver.failures = 3  # processed, but answered 500: the ack is lost three times
        endpoint = endpoint_for(company, receiver, events=["applicant.registered"])
        applicants_register(
            job_posting=job_posting,
            rows=[ApplicantData(email=f"a{n}@example.jp", values={}) for n in range(3)],
            via=Applicant.CreatedVia.CSV,
        )
        sweep_until_done(endpoint)

    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id"))
    assert [d.status for d in deliveries] == ["delivered"] * 3
    assert deliveries[0].attempts == 4 and deliveries[1].attempts == 1  # the head was retried; order kept
    ids = [r["headers"]["webhook-id"] for r in receiver.requests]
    assert ids == [deliveries[0].event_id] * 4 + [d.event_id for d in deliveries[1:]]
    assert len(receiver.processed) == 3  # the receiver deduplicated the retries
    assert [p["data"]["email"] for p in receiver.processed] == [
        "a0@example.jp",
        "a1@example.jp",
        "a2@example.jp",
    ]


def test_expiry_withdrawal_and_a_rotated_secret(job_posting):
    company = job_posting.company
    with receiving() as receiver:
        endpoint = endpoint_for(company, receiver, events=["applicant.expired", "applicant.withdrawn"])
        first, second = applicants_register(
            job_posting=job_posting,
            rows=[
                ApplicantData(email="x@example.jp", values={}),
                ApplicantData(email="y@example.jp", values={}),
            ],
            via=Applicant.CreatedVia.FORM,
        )
        Applicant.objects.filter(pk=first.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
        old_secret = endpoint.secret
        endpoint = services.endpoint_rotate_secret(endpoint=endpoint)
        assert applicants_expire() == 1
        applicants_withdraw(applicants=[second])
        sweep_until_done(endpoint)
        # Both secrets verify during the overlap: a receiver still on the old one loses nothing.
        for request in receiver.requests:
            Webhook(old_secret).verify(request["body"], request["headers"])
            Webhook(endpoint.secret).verify(request["body"], request["headers"])
            assert len(request["headers"]["webhook-signature"].split(" ")) == 2
    assert [(p["type"], p["data"]["im_id"]) for p in receiver.processed] == [
        ("applicant.expired", first.im_id),
        ("applicant.withdrawn", second.im_id),
    ]


def test_no_endpoint_costs_one_query_and_writes_nothing(job_posting, django_assert_max_num_queries):
    from webhooks import emit

    applicant = Applicant.objects.none()
    with django_assert_max_num_queries(1):
        assert (
            emit.applicants_event(company=job_posting.company, event="applicant.submitted", applicants=[1])
            == 0
        )  # type: ignore[list-item]
    assert not WebhookDelivery.objects.exists() and not applicant.exists()


def test_a_day_of_failures_switches_the_endpoint_off_and_tells_the_admins(job_posting, alice):
    Membership.objects.filter(user=alice).update(role=Membership.Role.ADMIN)
    alice.email = "alice@example.jp"
    alice.save()
    endpoint = services.endpoint_save(
        company=job_posting.company,
        endpoint=None,
        url="http://127.0.0.1:9/closed",
        events=["applicant.registered"],
        enabled=True,
    )
    applicants_register(
        job_posting=job_posting, rows=[ApplicantData(email="z@example.jp", values={})], via="api"
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - dt.timedelta(hours=25)
    )
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    mail.outbox.clear()
    services.endpoint_deliver(endpoint_id=endpoint.pk)
    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.disabled_reason
    (notice,) = [m for m in mail.outbox if m.to == ["alice@example.jp"]]
    assert "127.0.0.1:9" in notice.body
    # The event is kept, waiting: switching the endpoint on again resumes it.
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PENDING


# --- Where webhooks may not go ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fd00:ec2::254]/hook",
        "https://100.64.0.1/hook",
        "https://localhost/hook",
    ],
)
def test_private_loopback_and_metadata_addresses_are_refused_in_production(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    with pytest.raises(security.UrlRefused):
        security.resolve(url)


def test_a_name_that_rebinds_to_a_private_address_is_refused_at_delivery(settings, job_posting, monkeypatch):
    """The name was public when the endpoint was saved; at delivery it resolves to the metadata service."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    services.endpoint_save(
        company=job_posting.company,
        endpoint=None,
        url="https://ats.example.com/hook",
        events=["applicant.registered"],
        enabled=True,
    )
    connected = []
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))],
    )
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a))
    applicants_register(
        job_posting=job_posting, rows=[ApplicantData(email="r@example.jp", values={})], via="api"
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1 and "メタデータ" in delivery.last_error
    assert connected == []


def test_plain_http_is_refused_in_production(settings, job_posting):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    with pytest.raises(security.UrlRefused):
        services.endpoint_save(
            company=job_posting.company,
            endpoint=None,
            url="http://ats.example.com/hook",
            events=["applicant.registered"],
            enabled=True,
        )


def test_a_completed_import_is_announced(job_posting, alice):
    from django.core.files.base import ContentFile

    from imports import services as import_services
    from imports.samples import applicants_csv

    company = job_posting.company
    company.csv_upload_enabled = True
    company.save()
    with receiving() as receiver:
        endpoint = endpoint_for(company, receiver, events=["import.completed"])
        upload = import_services.applicant_import_create(
            job_posting=job_posting,
            file=ContentFile(applicants_csv(3), name="a.csv"),
            file_name="a.csv",
            by=alice,
        )
        import_services.applicant_import_confirm(applicant_import=upload, by=alice)
        import_services.applicant_import_execute(import_id=upload.pk)
        sweep_until_done(endpoint)
    (event,) = receiver.processed
    assert event["type"] == "import.completed" and event["data"]["id"] == upload.pk
    assert event["data"]["counts"]["new"] == 3 and event["data"]["status"] == "done"


def test_a_completed_answer_request_is_announced(job_posting, alice):
    from bulk import services as bulk_services
    from bulk.services import Selection

    company = job_posting.company
    with receiving() as receiver:
        endpoint = endpoint_for(company, receiver, events=["answer_request.completed"])
        applicants_register(
            job_posting=job_posting, rows=[ApplicantData(email="q@example.jp", values={})], via="api"
        )
        request, _created = bulk_services.answer_request_create(
            company=company,
            selection=Selection.of(search={"job_posting": str(job_posting.pk)}, im_ids=[]),
            idempotency_key="wh-test",
            by=alice,
            source="api",
        )
        sweep_until_done(endpoint)
    (event,) = receiver.processed
    assert event["type"] == "answer_request.completed" and event["data"]["id"] == request.pk
    assert event["data"]["queued"] == 1
