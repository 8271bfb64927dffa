"""Deadlines that move and interviews that restart, as a recruiter does them in the browser (issue 14 §2):
期限延長 for one applicant, for a selection and through the posting, and 受験リセット."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from applicants.models import Applicant, ApplicantEvent, JobPosting
from interviews.models import Answer, Take
from messaging.models import Message
from tests.factories import ApplicantFactory
from tests.plugins.browser import login

pytestmark = pytest.mark.browser


def _close(posting: JobPosting) -> None:
    JobPosting.objects.filter(pk=posting.pk).update(deadline=timezone.now() - dt.timedelta(days=1))


def _expired(posting: JobPosting, n: int = 1) -> list[Applicant]:
    rows = ApplicantFactory.create_batch(n, job_posting=posting)
    Applicant.objects.filter(pk__in=[a.pk for a in rows]).update(status=Applicant.Status.EXPIRED)
    company = posting.company
    company.last_im_id = max(a.im_id for a in rows)
    company.save(update_fields=["last_im_id"])
    return rows


def _local(days: int) -> str:
    return timezone.localtime(timezone.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_one_applicant_is_given_more_time_from_their_page(
    page, live_server, alice, job_posting, artifacts_dir
):
    _close(job_posting)
    (applicant,) = _expired(job_posting)
    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/applicants/{applicant.im_id}/")
    assert "期限切れ" in page.inner_text("h1")
    page.fill("#extend-form input[name=deadline]", _local(5))
    page.check("#extend-form input[name=notify]")
    page.screenshot(path=str(artifacts_dir / "extend-one-ja.png"), full_page=True)
    page.click("#extend-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "1名の回答期限を延長しました" in page.inner_text(".flash")
    assert "調整中" in page.inner_text("h1")
    assert "この応募者だけ延長" in page.inner_text("#answer-deadline")
    assert "期限延長" in page.inner_text("#history") and "D06を送信" in page.inner_text("#history")
    applicant.refresh_from_db()
    assert applicant.status == Applicant.Status.AWAITING
    assert Message.objects.filter(applicant=applicant, template_code="D06").count() == 1

    page.click("button[name=language][value=en]")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_selector("text=History")
    page.screenshot(path=str(artifacts_dir / "extend-one-history-en-phone.png"), full_page=True)


def test_a_selection_is_extended_in_bulk_processing_mode(
    page, live_server, alice, job_posting, artifacts_dir
):
    _close(job_posting)
    expired = _expired(job_posting, 3)
    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/applicants/?job_posting={job_posting.pk}&status=expired")
    for applicant in expired[:2]:
        page.check(f"input[name=im_id][value='{applicant.im_id}']")
    page.click("button[name=action][value=extend]")
    lead = page.locator("#confirm .lead")
    assert lead.get_attribute("data-will") == "2" and lead.get_attribute("data-reopen") == "2"
    page.click("#confirm-form button[type=submit]")  # no deadline yet: asked for it, nothing done
    assert "新しい回答期限を入力してください" in page.inner_text("#confirm")
    page.fill("#confirm-form input[name=deadline]", _local(3))
    page.check("#confirm-form input[name=notify]")
    page.screenshot(path=str(artifacts_dir / "extend-bulk-confirm-ja.png"), full_page=True)
    page.click("#confirm-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "2名の回答期限を延長しました" in page.inner_text(".flash")
    statuses = dict(Applicant.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in expired] == ["awaiting", "awaiting", "expired"]
    assert Message.objects.filter(template_code="D06").count() == 2


def test_moving_the_postings_deadline_later_reopens_its_expired_applicants(
    page, live_server, alice, job_posting, artifacts_dir
):
    _close(job_posting)
    expired = _expired(job_posting, 2)
    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/job-postings/{job_posting.pk}/edit/")
    page.fill("#id_deadline", _local(14))
    page.check("#id_notify_reopened")
    page.screenshot(path=str(artifacts_dir / "extend-posting-ja.png"), full_page=True)
    page.click("form#posting-form button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert "2名の回答期限を延長しました" in page.inner_text(".flash")
    assert set(Applicant.objects.filter(pk__in=[a.pk for a in expired]).values_list("status", flat=True)) == {
        "awaiting"
    }
    assert Message.objects.filter(template_code="D06").count() == 2


def test_an_interview_is_reset_for_an_applicant_who_had_trouble(
    page, live_server, alice, job_posting, settings, artifacts_dir
):
    applicant = ApplicantFactory(job_posting=job_posting, status=Applicant.Status.SUBMITTED)
    for question in job_posting.questions.all():
        name = f"answers/{applicant.pk}/q{question.pk}.mp4"
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(256))
        take = Take.objects.create(
            applicant=applicant, question=question, state=Take.State.COMPLETE, container="mp4", file=name
        )
        Answer.objects.create(applicant=applicant, question=question, take=take, video=name)
    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/applicants/{applicant.im_id}/")
    page.once("dialog", lambda dialog: dialog.accept())  # "Reset this interview?"
    page.click("#reset-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "受験リセットしました" in page.inner_text(".flash")
    assert "調整中" in page.inner_text("h1")
    page.click("#archived-answers summary")
    assert page.locator("#archived-answers video").count() == job_posting.questions.count()
    assert "受験リセット" in page.inner_text("#history")
    page.screenshot(path=str(artifacts_dir / "reset-ja.png"), full_page=True)
    assert ApplicantEvent.objects.filter(applicant=applicant, kind="reset").exists()
    # The applicant's own link opens for recording again.
    page.goto(applicant.interview_url.replace("http://testserver", live_server.url))
    assert page.locator("a[href$='/check/'], a[href$='/record/']").count() >= 1
