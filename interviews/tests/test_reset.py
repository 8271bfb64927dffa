"""受験リセット: answers archived (recruiters see them, reviewers do not), 調整中 again, recording again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from applicants.models import Applicant, ApplicantEvent
from interviews import services
from interviews.models import Answer, Take


@pytest.fixture
def submitted(applicant, job_posting, settings):
    """An applicant who answered every question (real little files) and submitted."""
    for question in job_posting.questions.all():
        name = f"answers/{applicant.pk}/q{question.pk}.mp4"
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8)
        take = Take.objects.create(
            applicant=applicant,
            question=question,
            state=Take.State.COMPLETE,
            container="mp4",
            file=name,
            size=10,
        )
        Answer.objects.create(
            applicant=applicant, question=question, take=take, video=name, processing=Answer.Processing.DONE
        )
    return services.interview_submit(applicant=applicant)


def test_a_reset_archives_the_answers_and_lets_the_applicant_record_again(submitted, alice):
    assert submitted.submitted_at is not None
    question = submitted.job_posting.questions.first()
    services.interview_reset(applicant=submitted, by=alice)
    submitted.refresh_from_db()
    assert submitted.status == Applicant.Status.AWAITING and submitted.submitted_at is None
    assert not Answer.objects.current().filter(applicant=submitted).exists()
    archived = Answer.objects.filter(applicant=submitted, archived_at__isnull=False).count()
    assert archived == submitted.job_posting.questions.count() > 0
    # Recording again: a new take and a new kept answer for the same question.
    take = services.take_start(applicant=submitted, question=question, declared_type="video/webm")
    assert take.archived_at is None
    kinds = list(ApplicantEvent.objects.filter(applicant=submitted).values_list("kind", "by"))
    assert (ApplicantEvent.Kind.RESET, alice.pk) in kinds and (ApplicantEvent.Kind.SUBMITTED, None) in kinds


def test_an_upload_running_during_a_reset_cannot_finish(applicant, job_posting):
    question = job_posting.questions.first()
    take = services.take_start(applicant=applicant, question=question, declared_type="video/webm")
    services.interview_reset(applicant=applicant)
    take.refresh_from_db()
    take.applicant = applicant
    with pytest.raises(services.UploadRejected):
        services.take_chunk_write(take=take, index=0, stream=None, length=1)


def test_a_reset_is_refused_when_it_would_mean_nothing_or_the_interview_is_closed(applicant, submitted):
    # submitted is the same applicant; a fresh one with nothing recorded is refused.
    from tests.factories import ApplicantFactory

    fresh = ApplicantFactory(job_posting=applicant.job_posting)
    with pytest.raises(services.ResetRefused):
        services.interview_reset(applicant=fresh)
    Applicant.objects.filter(pk=submitted.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(services.ResetRefused, match="期限延長"):
        services.interview_reset(applicant=submitted)
    Applicant.objects.filter(pk=submitted.pk).update(status=Applicant.Status.WITHDRAWN, deadline=None)
    with pytest.raises(services.ResetRefused):
        services.interview_reset(applicant=submitted)
    assert not Answer.objects.filter(archived_at__isnull=False).exists()


def test_the_recruiter_resets_from_the_applicant_page_and_still_sees_the_old_answers(alice_client, submitted):
    page = alice_client.get(f"/applicants/{submitted.im_id}/").content.decode()
    assert 'id="reset-form"' in page
    response = alice_client.post(f"/applicants/{submitted.im_id}/reset/", follow=True)
    html = response.content.decode()
    assert "受験リセットしました" in html
    n = submitted.job_posting.questions.count()
    assert 'id="archived-answers"' in html and f"保管された回答 {n}件" in html
    assert "受験リセット" in html.split('id="history"')[1]  # and in the history


def test_reviewers_and_the_api_see_only_the_new_attempt(alice_client, alice_api, submitted, company):
    from sharing.models import ShareLink
    from sharing.services import share_link_get_or_create

    company.share_url_enabled = True
    company.save()
    link = share_link_get_or_create(applicant=submitted)
    before = alice_client.get(f"/s/{link.token}/").content.decode()
    assert "<video" in before
    reset = alice_api.post(f"/api/v1/applicants/{submitted.im_id}/reset/").json()
    assert reset == {
        "im_id": submitted.im_id,
        "status": "awaiting",
        "archived_answers": submitted.job_posting.questions.count(),
    }
    link = ShareLink.objects.get(pk=link.pk)
    after = alice_client.get(f"/s/{link.token}/").content.decode()
    assert "<video" not in after
    answers = alice_api.get(f"/api/v1/applicants/{submitted.im_id}/answers/").json()
    assert not any(row["answered"] for row in answers)
    # Nothing left to reset: 409 with the reason.
    again = alice_api.post(f"/api/v1/applicants/{submitted.im_id}/reset/")
    assert again.status_code == 409 and again.json()["detail"]


def test_another_company_cannot_reset(charlie_client, charlie_api, submitted):
    assert charlie_client.post(f"/applicants/{submitted.im_id}/reset/").status_code == 404
    assert charlie_api.post(f"/api/v1/applicants/{submitted.im_id}/reset/").status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Applicant.Status.SUBMITTED
