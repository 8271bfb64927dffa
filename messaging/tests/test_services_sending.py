"""The sender: claims with SKIP LOCKED and a lease, one connection per batch, retries, failures, sweep."""

from __future__ import annotations

import datetime as dt
import smtplib
import time

import pytest
from django.core import mail
from django.utils import timezone

from messaging import services
from messaging.models import Message
from messaging.services import sending
from messaging.tests.backends import FlakyBackend
from messaging.tests.helpers import make_applicant


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "messaging.tests.backends.FlakyBackend"
    FlakyBackend.errors = []
    FlakyBackend.opened = 0
    return FlakyBackend


@pytest.fixture
def queued(job_posting, django_capture_on_commit_callbacks):
    """Five D04 rows, queued and not yet sent (the on-commit nudge is held back)."""
    applicants = [make_applicant(job_posting=job_posting) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=False):
        services.messages_queue(template_code="D04", applicants=applicants, key="r1")
    return list(Message.objects.order_by("id"))


def test_claims_of_two_senders_never_overlap(queued):
    first_token, first = services.messages_claim(limit=3)
    _second_token, second = services.messages_claim(limit=3)
    assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)
    row = Message.objects.get(pk=first[0])
    assert row.status == "sending" and row.claim_token == first_token and row.attempts == 1
    assert row.lease_until is not None and row.lease_until > timezone.now()


def test_send_due_sends_each_over_one_connection_and_marks_sent(queued, flaky):
    assert services.messages_send_due() == 5
    assert flaky.opened == 1  # one batch, one connection
    assert len(mail.outbox) == 5
    row = Message.objects.get(pk=queued[0].pk)
    assert row.status == "sent" and row.sent_at is not None
    sent = next(m for m in mail.outbox if m.to == [row.to])
    assert sent.extra_headers["Message-ID"] == row.provider_message_id
    assert sent.subject == "録画面接のご回答のお願い"
    assert services.messages_send_due() == 0  # nothing is sent twice


def test_transient_error_is_retried_later_with_backoff(queued, flaky, settings):
    settings.MESSAGING_BATCH_SIZE = 1
    flaky.errors = [smtplib.SMTPResponseException(451, b"try again later")]
    before = timezone.now()

    services.messages_send_due()

    retried = Message.objects.get(status="queued")
    assert retried.attempts == 1
    assert "451" in retried.last_error and "try again later" in retried.last_error
    backoff = dt.timedelta(seconds=settings.MESSAGING_RETRY_BASE_SECONDS * 0.7)
    assert retried.next_attempt_at is not None and retried.next_attempt_at > before + backoff
    assert Message.objects.filter(status="sent").count() == 4


def test_permanent_error_fails_with_the_reason(queued, flaky):
    flaky.errors = [smtplib.SMTPRecipientsRefused({"x@example.jp": (550, b"5.1.1 user unknown")})]
    services.messages_send_due()
    failed = Message.objects.get(status="failed")
    assert failed.attempts == 1
    assert "550" in failed.last_error and "user unknown" in failed.last_error


def test_transient_errors_give_up_after_max_attempts(queued, flaky, settings):
    settings.MESSAGING_MAX_ATTEMPTS = 2
    settings.MESSAGING_RETRY_BASE_SECONDS = 0
    flaky.errors = [ConnectionRefusedError("refused")] * 20
    services.messages_send_due()
    services.messages_send_due()
    assert set(Message.objects.values_list("status", flat=True)) == {"failed"}
    assert "Gave up after 2 attempts" in Message.objects.order_by("id")[0].last_error


def test_anymail_api_errors_are_classified_by_status():
    from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused

    assert sending.classify(AnymailAPIError("x", status_code=503))[0] is True
    assert sending.classify(AnymailAPIError("x", status_code=429))[0] is True
    assert sending.classify(AnymailAPIError("x", status_code=400))[0] is False
    assert sending.classify(AnymailRecipientsRefused("x"))[0] is False


def test_sweep_requeues_rows_whose_lease_expired_but_not_live_ones(
    queued, django_capture_on_commit_callbacks
):
    _token, ids = services.messages_claim(limit=5)
    Message.objects.filter(pk__in=ids[:2]).update(lease_until=timezone.now() - dt.timedelta(seconds=1))

    due = services.messages_sweep(grace_seconds=0)

    assert Message.objects.filter(status="sending").count() == 3
    # The two re-queued rows were sent at once by the (in-process) sender it nudged.
    assert Message.objects.filter(status="sent").count() == 2
    assert due == 2


def test_rate_limit_spaces_sends_across_workers(redis_url, settings):
    from messaging.services.ratelimit import RedisTokenBucket

    bucket = RedisTokenBucket(redis_url, rate=40, burst=1, key=f"im:test:rate:{time.monotonic_ns()}")
    started = time.monotonic()
    for _ in range(11):
        bucket.wait()
    assert time.monotonic() - started >= 0.2  # 10 tokens after the first at 40/s: ≥ 0.25 s


def test_the_rate_limit_is_off_by_default(settings):
    from messaging.services.ratelimit import NoLimit, rate_limiter

    assert settings.MESSAGING_RATE_LIMIT == 0
    assert isinstance(rate_limiter(), NoLimit)


def test_invitations_of_closed_interviews_are_cancelled_when_about_to_leave(queued, flaky, job_posting):
    """Queued while the interview was open; by the time a sender takes them the applicant withdrew or
    the deadline passed: cancelled with the reason, never sent. The others of the batch still go."""
    from applicants.models import Applicant, JobPosting

    withdrawn, expired = queued[0], queued[1]
    Applicant.objects.filter(pk=withdrawn.applicant_id).update(status=Applicant.Status.WITHDRAWN)
    Applicant.objects.filter(pk=expired.applicant_id).update(status=Applicant.Status.EXPIRED)
    assert services.messages_send_due() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.to for m in queued[2:])
    withdrawn.refresh_from_db()
    expired.refresh_from_db()
    assert withdrawn.status == expired.status == Message.Status.CANCELLED
    assert "辞退" in withdrawn.last_error and "期限" in expired.last_error
    # A deadline passed before the expiry sweep marked anyone 期限切れ: cancelled all the same.
    later = make_applicant(job_posting=job_posting)
    services.messages_queue(template_code="D04", applicants=[later], key="r2")
    JobPosting.objects.filter(pk=job_posting.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    assert services.messages_send_due() == 0
    assert Message.objects.get(applicant=later).status == Message.Status.CANCELLED


def test_a_retry_that_falls_due_after_the_last_claim_still_gets_a_sender(queued, monkeypatch):
    """The sender's last, empty claim and its look for upcoming retries are two moments: a retry that
    falls due between them was neither claimed nor upcoming, and waited for the next sweep (a minute;
    seen as a flaky 60 s timeout of tests/test_messaging_faults.py). It is kicked at once now."""
    from interviewmaker.celery import app

    app.conf.task_always_eager = False  # a worker's view; the autouse eager fixture restores it
    kicks: list[float | None] = []
    monkeypatch.setattr(sending, "_kick", lambda *, count, countdown=None: kicks.append(countdown))
    Message.objects.exclude(pk=queued[0].pk).update(status=Message.Status.SENT)
    due_just_now = timezone.now() - dt.timedelta(milliseconds=5)
    Message.objects.filter(pk=queued[0].pk).update(next_attempt_at=due_just_now)

    sending._wake_for_retries()
    assert len(kicks) == 1 and kicks[0] is not None and kicks[0] < 0.2, kicks

    later = timezone.now() + dt.timedelta(seconds=2)
    Message.objects.filter(pk=queued[0].pk).update(next_attempt_at=later)
    sending._wake_for_retries()
    assert len(kicks) == 2 and kicks[1] is not None and 1.8 < kicks[1] < 2.2, kicks

    Message.objects.filter(pk=queued[0].pk).update(status=Message.Status.SENT)
    sending._wake_for_retries()
    assert len(kicks) == 2, "nothing queued: no sender"
