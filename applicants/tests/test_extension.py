"""期限延長: an applicant's own deadline, reopening 期限切れ applicants, D06, and the history (履歴)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applicants import services
from applicants.models import Applicant, ApplicantEvent, JobPosting
from interviews.services import InterviewClosed, applicants_expire, interview_gate
from messaging.models import Message
from messaging.rendering import Renderer
from messaging.services.sending import _cancel_closed
from tests.factories import ApplicantFactory, JobPostingFactory

LATER = timezone.now() + dt.timedelta(days=10)


@pytest.fixture
def closed_posting(company):
    """A posting whose deadline passed yesterday, its applicants swept to 期限切れ."""
    posting = JobPostingFactory(company=company)
    JobPosting.objects.filter(pk=posting.pk).update(deadline=timezone.now() - dt.timedelta(days=1))
    posting.refresh_from_db()
    return posting


def expired(posting: JobPosting, **kwargs) -> Applicant:
    applicant = ApplicantFactory(job_posting=posting, **kwargs)
    Applicant.objects.filter(pk=applicant.pk).update(status=Applicant.Status.EXPIRED)
    applicant.refresh_from_db()
    return applicant


def d06(applicant: Applicant) -> int:
    return Message.objects.filter(applicant=applicant, template_code="D06").count()


def extend(company, applicants, deadline=LATER, notify=True, by=None):
    return services.applicants_deadline_extend(
        company=company, applicant_ids=[a.pk for a in applicants], deadline=deadline, notify=notify, by=by
    )


def test_an_expired_applicant_gets_their_own_deadline_and_may_record_again(company, alice, closed_posting):
    applicant = expired(closed_posting)
    result = extend(company, [applicant], by=alice)
    applicant.refresh_from_db()
    assert (len(result.extended), result.reopened) == (1, 1)
    assert applicant.status == Applicant.Status.AWAITING
    assert applicant.deadline == LATER and applicant.answer_deadline == LATER
    interview_gate(applicant=applicant)  # open again, although the posting's deadline has passed
    # The expiry sweep goes by the applicant's own deadline.
    assert applicants_expire() == 0
    (event,) = ApplicantEvent.objects.filter(applicant=applicant)
    assert event.kind == ApplicantEvent.Kind.DEADLINE_EXTENDED and event.by == alice
    assert event.data["reopened"] is True and event.data["notified"] is True
    assert d06(applicant) == 1


def test_the_same_extension_twice_sends_d06_once_and_without_notify_none(company, closed_posting):
    told, untold = expired(closed_posting), expired(closed_posting)
    extend(company, [told])
    extend(company, [told], deadline=LATER + dt.timedelta(hours=1))  # a later one is news: D06 again
    extend(company, [told], deadline=LATER + dt.timedelta(hours=1))  # the same one: skipped ("later")
    extend(company, [untold], notify=False)
    assert d06(told) == 2 and d06(untold) == 0


def test_submitted_withdrawn_and_later_deadlines_are_left_alone(company, closed_posting):
    submitted = ApplicantFactory(job_posting=closed_posting, status=Applicant.Status.SUBMITTED)
    withdrawn = ApplicantFactory(job_posting=closed_posting, status=Applicant.Status.WITHDRAWN)
    later = ApplicantFactory(job_posting=closed_posting, deadline=LATER + dt.timedelta(days=1))
    outsider = expired(JobPostingFactory())  # another company's: not even counted
    result = extend(company, [submitted, withdrawn, later, outsider])
    assert result.extended == [] and result.skipped == {"submitted": 1, "withdrawn": 1, "later": 1}
    outsider.refresh_from_db()
    assert outsider.status == Applicant.Status.EXPIRED and outsider.deadline is None
    assert not Message.objects.filter(template_code="D06").exists()


def test_a_past_or_absurd_deadline_is_refused(company, closed_posting):
    applicant = expired(closed_posting)
    with pytest.raises(services.DeadlineRefused):
        extend(company, [applicant], deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(services.DeadlineRefused):
        extend(company, [applicant], deadline=timezone.now().replace(year=2999))
    applicant.refresh_from_db()
    assert applicant.status == Applicant.Status.EXPIRED and applicant.deadline is None


def test_mail_says_the_applicants_own_deadline_and_is_not_cancelled_by_the_postings(company, closed_posting):
    applicant = expired(closed_posting)
    extend(company, [applicant], notify=False)
    applicant.refresh_from_db()
    renderer = Renderer(company=company, subject="{{回答期限}}", body="", html_body="", language="en")
    subject, _body, _html = renderer.render(applicant, closed_posting)
    local = timezone.localtime(LATER, company.tzinfo)
    assert f"{local:%H:%M}" in subject and str(local.day) in subject
    d04 = Message.objects.create(
        company=company,
        applicant=applicant,
        template_code="D04",
        to=applicant.email,
        subject="s",
        body="b",
        idempotency_key="x",
    )
    assert _cancel_closed(token="t", rows=[d04]) == [d04]
    d04.refresh_from_db()
    assert d04.status != Message.Status.CANCELLED


def test_moving_a_postings_deadline_later_reopens_its_expired_applicants(
    alice_client, company, closed_posting
):
    reopened = expired(closed_posting)
    own = expired(closed_posting)
    Applicant.objects.filter(pk=own.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    submitted = ApplicantFactory(job_posting=closed_posting, status=Applicant.Status.SUBMITTED)
    questions = {
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-0-text": "自己紹介",
        "q-0-preparation_seconds": "30",
        "q-0-answer_seconds": "60",
        "q-0-max_takes": "2",
    }
    new = timezone.localtime(LATER).strftime("%Y-%m-%dT%H:%M")
    form = {
        "title": closed_posting.title,
        "deadline": new,
        "is_open": "on",
        "notify_reopened": "on",
        **questions,
    }
    response = alice_client.post(f"/job-postings/{closed_posting.pk}/edit/", form, follow=True)
    assert "1名の回答期限を延長しました" in response.content.decode()
    reopened.refresh_from_db()
    own.refresh_from_db()
    submitted.refresh_from_db()
    assert reopened.status == Applicant.Status.AWAITING and reopened.deadline is None  # the posting's again
    assert own.status == Applicant.Status.EXPIRED  # their own deadline is theirs to extend
    assert submitted.status == Applicant.Status.SUBMITTED
    assert d06(reopened) == 1 and d06(own) == 0
    event = ApplicantEvent.objects.get(applicant=reopened)
    assert event.data["deadline"].startswith(str(LATER.year))


def test_the_applicant_page_extends_one_applicant(alice_client, company, closed_posting):
    applicant = expired(closed_posting)
    page = alice_client.get(f"/applicants/{applicant.im_id}/").content.decode()
    assert 'id="extend-form"' in page and "期限切れ" in page
    new = timezone.localtime(LATER).strftime("%Y-%m-%dT%H:%M")
    response = alice_client.post(
        f"/applicants/{applicant.im_id}/extend/", {"deadline": new, "notify": "on"}, follow=True
    )
    html = response.content.decode()
    assert "1名の回答期限を延長しました" in html and "メール(D06)でお知らせします" in html
    assert 'id="history"' in html and "期限延長" in html
    applicant.refresh_from_db()
    assert applicant.status == Applicant.Status.AWAITING and d06(applicant) == 1


def test_the_applicant_page_refuses_a_past_deadline_and_changes_nothing(alice_client, closed_posting):
    applicant = expired(closed_posting)
    past = timezone.localtime(timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = alice_client.post(f"/applicants/{applicant.im_id}/extend/", {"deadline": past})
    assert response.status_code == 400 and "新しい回答期限が過去の日時です" in response.content.decode()
    response = alice_client.post(f"/applicants/{applicant.im_id}/extend/", {"deadline": "2026-13-45T99:00"})
    assert response.status_code == 400
    applicant.refresh_from_db()
    assert applicant.status == Applicant.Status.EXPIRED and not ApplicantEvent.objects.exists()


def test_another_companys_applicant_cannot_be_extended(charlie_client, closed_posting):
    applicant = expired(closed_posting)
    new = timezone.localtime(LATER).strftime("%Y-%m-%dT%H:%M")
    assert charlie_client.post(f"/applicants/{applicant.im_id}/extend/", {"deadline": new}).status_code == 404
    applicant.refresh_from_db()
    assert applicant.status == Applicant.Status.EXPIRED


def test_the_api_extends_with_patch_deadline(alice_api, closed_posting):
    applicant = expired(closed_posting)
    url = f"/api/v1/applicants/{applicant.im_id}/"
    response = alice_api.patch(url, {"deadline": LATER.isoformat(), "notify": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "awaiting" and response.json()["answer_deadline"]
    assert d06(applicant) == 1
    # A past deadline, or one for a submitted applicant, is a 400 that names the field.
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert alice_api.patch(url, {"deadline": past}, format="json").status_code == 400
    Applicant.objects.filter(pk=applicant.pk).update(status=Applicant.Status.SUBMITTED)
    later = (LATER + dt.timedelta(days=1)).isoformat()
    refused = alice_api.patch(url, {"deadline": later}, format="json")
    assert refused.status_code == 400 and "deadline" in refused.json()


def test_withdrawal_is_in_the_history(company, alice, job_posting):
    applicant = ApplicantFactory(job_posting=job_posting)
    services.applicants_withdraw(applicants=[applicant], by=alice)
    services.applicants_withdraw(applicants=[applicant], by=alice)  # already withdrawn: no second line
    (event,) = ApplicantEvent.objects.filter(applicant=applicant)
    assert event.kind == ApplicantEvent.Kind.WITHDRAWN and event.by == alice


def test_expiry_still_closes_an_applicant_whose_own_deadline_passed(company, job_posting):
    applicant = ApplicantFactory(job_posting=job_posting)
    Applicant.objects.filter(pk=applicant.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    applicant.refresh_from_db()
    with pytest.raises(InterviewClosed):
        interview_gate(applicant=applicant)
    assert applicants_expire() == 1


def test_the_api_reopens_with_a_later_posting_deadline(alice_api, closed_posting):
    applicant = expired(closed_posting)
    url = f"/api/v1/job-postings/{closed_posting.pk}/"
    response = alice_api.patch(url, {"deadline": LATER.isoformat(), "notify_reopened": True}, format="json")
    assert response.status_code == 200, response.content
    applicant.refresh_from_db()
    assert applicant.status == Applicant.Status.AWAITING and applicant.deadline is None
    assert d06(applicant) == 1
