"""D08, the digest of newly submitted applicants: one mail per recipient and interval, listing who
submitted since the last one; nothing when nothing is new; once only, however often the task runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applicants.models import Applicant
from messaging.models import Message
from sharing import services
from sharing.models import Reviewer
from sharing.services.digests import interval_end
from sharing.tasks import submission_digests_task
from tests.factories import JobPostingFactory

UTC = dt.UTC
NINE = dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def hourly(settings):
    settings.SUBMISSION_DIGEST_MINUTES = 60
    settings.SUBMISSION_DIGEST_GRACE_SECONDS = 60


@pytest.fixture
def watching(reviewer, job_posting):
    """The reviewer is assigned to the posting since before 9:00."""
    services.reviewers_assign_posting(job_posting=job_posting, reviewers=[reviewer], key="p")
    Reviewer.objects.filter(pk=reviewer.pk).update(digest_until=NINE - dt.timedelta(hours=1))
    return reviewer


def _digests(to=None):
    mails = Message.objects.filter(template_code="D08").order_by("id")
    return list(mails.filter(to=to) if to else mails)


def _send(at):
    return services.submission_digests_send(now=at)


def test_intervals_close_a_minute_after_their_end():
    assert interval_end(NINE + dt.timedelta(seconds=30)) == NINE - dt.timedelta(hours=1)
    assert interval_end(NINE + dt.timedelta(seconds=61)) == NINE
    assert interval_end(NINE + dt.timedelta(minutes=59)) == NINE


def test_a_reviewer_gets_one_digest_of_the_new_submissions(watching, job_posting, submit, company):
    first = submit(job_posting, at=NINE - dt.timedelta(minutes=40), last_name="早川", first_name="一")
    second = submit(job_posting, at=NINE - dt.timedelta(minutes=5), last_name="遅野", first_name="二")
    submit(JobPostingFactory(company=company), at=NINE - dt.timedelta(minutes=5))  # not theirs
    assert _send(NINE + dt.timedelta(minutes=2)) == 1
    (mail,) = _digests()
    assert mail.to == "sato@example.jp" and mail.applicant_id is None
    assert mail.subject == "新しく回答が提出されました"
    assert "佐藤 部長 様" in mail.body and "新しく2名の回答が提出されました" in mail.body
    assert f"- {first.im_id} 早川 一 ({job_posting.title})" in mail.body
    assert f"- {second.im_id} 遅野 二 ({job_posting.title})" in mail.body
    assert watching.review_url in mail.body
    assert mail.body.index(str(first.im_id)) < mail.body.index(str(second.im_id))


def test_the_task_running_twice_sends_once(watching, job_posting, submit):
    submit(job_posting, at=NINE - dt.timedelta(minutes=5))
    assert _send(NINE + dt.timedelta(minutes=2)) == 1
    assert _send(NINE + dt.timedelta(minutes=7)) == 0  # the beat again, same interval
    assert len(_digests()) == 1


def test_the_same_interval_is_never_mailed_twice_even_if_the_cursor_was_lost(watching, job_posting, submit):
    submit(job_posting, at=NINE - dt.timedelta(minutes=5))
    _send(NINE + dt.timedelta(minutes=2))
    Reviewer.objects.filter(pk=watching.pk).update(digest_until=NINE - dt.timedelta(hours=1))
    assert _send(NINE + dt.timedelta(minutes=3)) == 0  # the key names recipient and interval
    assert len(_digests()) == 1


def test_nothing_new_sends_nothing_and_later_submissions_get_the_next_digest(watching, job_posting, submit):
    assert _send(NINE + dt.timedelta(minutes=2)) == 0
    assert _digests() == []
    late = submit(job_posting, at=NINE + dt.timedelta(minutes=10))
    assert _send(NINE + dt.timedelta(minutes=30)) == 0  # its interval is still open
    assert _send(NINE + dt.timedelta(minutes=62)) == 1
    (mail,) = _digests()
    assert str(late.im_id) in mail.body and "新しく1名" in mail.body
    assert _send(NINE + dt.timedelta(minutes=125)) == 0


def test_each_submission_is_in_one_digest_only(watching, job_posting, submit):
    one = submit(job_posting, at=NINE - dt.timedelta(minutes=5))
    _send(NINE + dt.timedelta(minutes=2))
    two = submit(job_posting, at=NINE + dt.timedelta(minutes=20))
    _send(NINE + dt.timedelta(minutes=62))
    first, second = _digests()
    assert str(one.im_id) in first.body and str(two.im_id) not in first.body
    assert str(two.im_id) in second.body and str(one.im_id) not in second.body


def test_revoked_reviewers_and_withdrawn_applicants_are_left_out(
    watching, other_reviewer, job_posting, submit
):
    gone = submit(job_posting, at=NINE - dt.timedelta(minutes=5))
    Applicant.objects.filter(pk=gone.pk).update(status=Applicant.Status.WITHDRAWN)
    services.reviewers_assign_posting(job_posting=job_posting, reviewers=[other_reviewer], key="q")
    Reviewer.objects.filter(pk=other_reviewer.pk).update(digest_until=NINE - dt.timedelta(hours=1))
    services.reviewer_link_revoke(reviewer=other_reviewer)
    submit(job_posting, at=NINE - dt.timedelta(minutes=4))
    _send(NINE + dt.timedelta(minutes=2))
    (mail,) = _digests()
    assert mail.to == "sato@example.jp" and str(gone.im_id) not in mail.body


def test_a_long_digest_names_fifty_and_counts_the_rest(watching, job_posting, submit):
    for minute in range(52):
        submit(job_posting, at=NINE - dt.timedelta(minutes=55) + dt.timedelta(seconds=minute))
    _send(NINE + dt.timedelta(minutes=2))
    (mail,) = _digests()
    assert "新しく52名" in mail.body and "- … (+2)" in mail.body
    assert mail.body.count("\n- ") == 51


def test_recruiters_get_it_only_when_they_opted_in(alice, bob, company, job_posting, submit):
    services.submission_digest_set(user=alice, company=company, enabled=True)
    from sharing.models import SubmissionDigest

    SubmissionDigest.objects.filter(user=alice).update(digest_until=NINE - dt.timedelta(hours=1))
    applicant = submit(job_posting, at=NINE - dt.timedelta(minutes=5))
    other = submit(JobPostingFactory(company=company), at=NINE - dt.timedelta(minutes=6))
    assert _send(NINE + dt.timedelta(minutes=2)) == 1
    (mail,) = _digests()
    assert mail.to == alice.email and bob.email != mail.to
    assert str(applicant.im_id) in mail.body and str(other.im_id) in mail.body  # the whole company
    assert "http://testserver/applicants/?status=submitted" in mail.body
    services.submission_digest_set(user=alice, company=company, enabled=False)
    submit(job_posting, at=NINE + dt.timedelta(minutes=5))
    assert _send(NINE + dt.timedelta(minutes=62)) == 0


def test_switching_on_reports_only_what_comes_after(alice, company, job_posting, submit):
    submit(job_posting, at=timezone.now() - dt.timedelta(days=1))
    services.submission_digest_set(user=alice, company=company, enabled=True)
    assert _send(timezone.now() + dt.timedelta(hours=2)) == 0


def test_a_former_member_gets_no_digest(alice, company, job_posting, submit, other_company):
    services.submission_digest_set(user=alice, company=company, enabled=True)
    from applicants.models import Membership
    from sharing.models import SubmissionDigest

    SubmissionDigest.objects.filter(user=alice).update(digest_until=NINE - dt.timedelta(hours=1))
    Membership.objects.filter(user=alice).update(company=other_company)
    submit(job_posting, at=NINE - dt.timedelta(minutes=5))
    assert _send(NINE + dt.timedelta(minutes=2)) == 0


def test_the_beat_task_delegates(watching, job_posting, submit):
    submit(job_posting, at=timezone.now() - dt.timedelta(hours=3))
    Reviewer.objects.filter(pk=watching.pk).update(digest_until=timezone.now() - dt.timedelta(hours=4))
    assert submission_digests_task.apply().get() == 1
    assert submission_digests_task.apply().get() == 0
