"""The automatic reminder: D04 once, only to 調整中 applicants, at the configured time (time travel)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from applicants.models import Applicant
from bulk import services
from bulk.models import AnswerRequest
from bulk.tasks import auto_reminders_send_task
from messaging.models import Message, MessagingSettings
from tests.factories import ApplicantFactory, JobPostingFactory

DEADLINE = dt.datetime(2026, 12, 10, 14, 59, tzinfo=dt.UTC)  # 23:59 in Tokyo


def at(moment: dt.datetime):  # type: ignore[no-untyped-def]
    """Travel to `moment`: everything that asks Django for the time gets it."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def posting(company):
    posting = JobPostingFactory(
        company=company, deadline=DEADLINE, auto_reminder_enabled=True, auto_reminder_hours=24
    )
    return posting


@pytest.fixture
def applicants(posting):
    statuses = ["awaiting", "awaiting", "submitted", "withdrawn", "expired"]
    rows = [ApplicantFactory(job_posting=posting, status=s) for s in statuses]
    posting.company.last_im_id = rows[-1].im_id
    posting.company.save(update_fields=["last_im_id"])
    return rows


def beat(moment: dt.datetime, capture) -> int:  # type: ignore[no-untyped-def]
    with at(moment), capture(execute=True):
        return auto_reminders_send_task.apply().get()


def d04s() -> list[int]:
    return sorted(Message.objects.filter(template_code="D04").values_list("applicant_id", flat=True))


def test_it_fires_once_only_for_awaiting_applicants_at_the_configured_time(
    posting, applicants, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # Beat runs every few minutes; before 24 hours ahead of the deadline nothing happens.
    assert beat(DEADLINE - dt.timedelta(hours=24, minutes=1), capture) == 0
    assert d04s() == []
    assert beat(DEADLINE - dt.timedelta(hours=24), capture) == 1
    assert d04s() == sorted([applicants[0].pk, applicants[1].pk])
    # Later runs, even with a new 調整中 applicant, send nothing more: once per posting.
    ApplicantFactory(job_posting=posting)
    assert beat(DEADLINE - dt.timedelta(hours=23, minutes=55), capture) == 0
    assert beat(DEADLINE - dt.timedelta(hours=1), capture) == 0
    assert len(d04s()) == 2
    reminder = AnswerRequest.objects.get()
    assert reminder.source == AnswerRequest.Source.AUTOMATIC
    assert reminder.idempotency_key == f"auto-reminder-{posting.pk}"
    assert reminder.created_by is None
    assert (reminder.target_count, reminder.skipped_count) == (2, 3)


def test_it_never_fires_after_the_deadline(posting, applicants, django_capture_on_commit_callbacks):
    assert beat(DEADLINE + dt.timedelta(minutes=1), django_capture_on_commit_callbacks) == 0
    assert d04s() == []


def test_it_is_off_by_default(company, django_capture_on_commit_callbacks):
    posting = JobPostingFactory(company=company, deadline=DEADLINE)
    ApplicantFactory(job_posting=posting)
    assert posting.auto_reminder_enabled is False
    assert beat(DEADLINE - dt.timedelta(hours=1), django_capture_on_commit_callbacks) == 0
    assert d04s() == []


def test_a_company_that_switched_reminders_off_gets_none(
    company, posting, applicants, django_capture_on_commit_callbacks
):
    MessagingSettings.objects.update_or_create(company=company, defaults={"auto_reminder_enabled": False})
    assert beat(DEADLINE - dt.timedelta(hours=2), django_capture_on_commit_callbacks) == 0
    assert d04s() == []


def test_each_posting_has_its_own_time(company, posting, applicants, django_capture_on_commit_callbacks):
    later = JobPostingFactory(
        company=company,
        deadline=DEADLINE + dt.timedelta(days=3),
        auto_reminder_enabled=True,
        auto_reminder_hours=48,
    )
    late_applicant = ApplicantFactory(job_posting=later, im_id=applicants[-1].im_id + 1)
    company.last_im_id = late_applicant.im_id
    company.save(update_fields=["last_im_id"])
    assert beat(DEADLINE - dt.timedelta(hours=24), django_capture_on_commit_callbacks) == 1
    assert late_applicant.pk not in d04s()
    assert beat(later.deadline - dt.timedelta(hours=48), django_capture_on_commit_callbacks) == 1
    assert late_applicant.pk in d04s()


def test_two_beats_at_once_still_send_once(posting, applicants, django_capture_on_commit_callbacks):
    moment = DEADLINE - dt.timedelta(hours=3)
    with at(moment):
        due = services.auto_reminders_due()
    assert [p.pk for p in due] == [posting.pk]
    # The second beat found the posting due too, before the first recorded its request.
    with (
        at(moment),
        mock.patch.object(services, "auto_reminders_due", return_value=due),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.auto_reminders_send()
        services.auto_reminders_send()
    assert AnswerRequest.objects.count() == 1
    assert len(d04s()) == 2
    assert Applicant.objects.get(pk=applicants[0].pk).messages.filter(template_code="D04").count() == 1
