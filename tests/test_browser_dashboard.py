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
