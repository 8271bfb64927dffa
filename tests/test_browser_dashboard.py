"""A recruiter logs in with the real form and sees the dashboard with counts, in Japanese and English."""

import pytest

from applicants.models import Applicant
from tests.factories import ApplicantFactory
from tests.plugins.browser import login

pytestmark = pytest.mark.browser


def test_recruiter_logs_in_and_sees_counts(page, live_server, alice, job_posting, artifacts_dir):
    ApplicantFactory.create_batch(2, job_posting=job_posting)
    ApplicantFactory(job_posting=job_posting, status=Applicant.Status.SUBMITTED)
    login(page, live_server, "alice")
    card = page.locator(f"[data-posting='{job_posting.pk}']")
    assert card.locator("[data-count=total]").inner_text() == "3"
    assert card.locator("[data-count=awaiting]").inner_text() == "2"
    assert card.locator("[data-count=submitted]").inner_text() == "1"
    assert "調整中" in card.inner_text()
    page.screenshot(path=str(artifacts_dir / "dashboard-ja.png"), full_page=True)

    page.click("button[name=language][value=en]")
    page.wait_for_selector("text=Job postings")
    assert "Awaiting" in page.locator(f"[data-posting='{job_posting.pk}']").inner_text()

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts_dir / "dashboard-en-phone.png"), full_page=True)
    page.click("label.nav-burger")
    assert page.locator("nav.nav").is_visible()


def test_recruiter_creates_a_job_posting_with_two_questions(page, live_server, alice, company):
    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/job-postings/new/")
    page.fill("#id_title", "2027年度 技術職")
    page.fill("#id_deadline", "2030-03-31T23:59")
    page.fill("#id_q-0-text", "自己紹介をお願いします。")
    page.click("#add-question")
    page.fill("#id_q-1-text", "志望動機を教えてください。")
    page.fill("#id_q-1-answer_seconds", "90")
    page.click("form#posting-form button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    posting = company.job_postings.get()
    assert list(posting.questions.values_list("text", "answer_seconds")) == [
        ("自己紹介をお願いします。", 60),
        ("志望動機を教えてください。", 90),
    ]


def test_a_past_deadline_is_refused_then_confirmed_on_edit(
    page, live_server, alice, job_posting, artifacts_dir
):
    """Issue 14 §1: a new posting cannot start closed; moving a deadline into the past asks first."""
    import datetime as dt

    from django.utils import timezone

    login(page, live_server, "alice")
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.goto(f"{live_server.url}/job-postings/new/")
    page.fill("#id_title", "締切済みの募集")
    page.fill("#id_deadline", past)
    page.fill("#id_q-0-text", "自己紹介をお願いします。")
    page.click("form#posting-form button[type=submit].primary")
    assert "回答期限が過去の日時です" in page.inner_text("#posting-form")
    assert page.locator("#id_confirm_past_deadline").count() == 0  # a new posting: refused, not asked

    page.goto(f"{live_server.url}/job-postings/{job_posting.pk}/edit/")
    assert page.locator("#id_confirm_past_deadline").count() == 0
    page.fill("#id_deadline", past)
    page.click("form#posting-form button[type=submit].primary")
    page.wait_for_selector("#id_confirm_past_deadline")
    page.screenshot(path=str(artifacts_dir / "posting-past-deadline-confirm-ja.png"), full_page=True)
    page.check("#id_confirm_past_deadline")
    page.click("form#posting-form button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    job_posting.refresh_from_db()
    assert job_posting.deadline < timezone.now()
