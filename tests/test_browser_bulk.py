"""まとめて処理モード end to end: filter 調整中 → select all matching → confirm → progress → one D04 each."""

from __future__ import annotations

import pytest

from applicants.models import Applicant
from bulk.models import AnswerRequest
from messaging.models import Message
from tests.factories import ApplicantFactory, JobPostingFactory
from tests.plugins.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_bulk_answer_request_reaches_exactly_the_awaiting_applicants(
    page, live_server, alice, job_posting, celery_worker, artifacts_dir
):
    # 55 調整中 over two pages of 50, 4 回答済; and a second posting whose applicants stay out of it.
    awaiting = ApplicantFactory.create_batch(55, job_posting=job_posting)
    submitted = ApplicantFactory.create_batch(4, job_posting=job_posting, status=Applicant.Status.SUBMITTED)
    other = ApplicantFactory.create_batch(3, job_posting=JobPostingFactory(company=job_posting.company))
    company = job_posting.company
    company.last_im_id = max(a.im_id for a in [*awaiting, *submitted, *other])
    company.save(update_fields=["last_im_id"])
    before = {a.pk: a.messages.filter(template_code="D04").count() for a in [*awaiting, *submitted, *other]}
    assert set(before.values()) == {0}

    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/applicants/?job_posting={job_posting.pk}")
    page.click("nav.status-tabs a[data-status=awaiting]")
    page.wait_for_url(f"**/applicants/?job_posting={job_posting.pk}&status=awaiting")
    assert page.locator("nav.status-tabs a[data-status=awaiting] [data-count]").inner_text() == "55"
    assert page.locator("#applicant-table tbody tr").count() == 50

    page.check("#tick-page")
    assert page.locator("#ticked-count").inner_text() == "50"
    page.click("#select-all-matching")
    assert page.locator("#scope-all").is_checked()
    page.screenshot(path=str(artifacts_dir / "bulk-list.png"), full_page=True)
    page.click("button[name=action][value=answer_request]")

    lead = page.locator("#confirm .lead")
    assert lead.get_attribute("data-send") == "55"
    assert lead.get_attribute("data-skip") == "0"
    assert "55" in lead.inner_text()
    page.screenshot(path=str(artifacts_dir / "bulk-confirm.png"), full_page=True)
    page.click("#confirm-form button[type=submit]")

    page.wait_for_url("**/answer-requests/*/")
    page.wait_for_selector("#ar-done:not([hidden])", timeout=60_000)
    assert page.locator("#ar-progress").get_attribute("aria-valuenow") == "100"
    assert page.locator("#ar-queued").inner_text() == "55"
    page.screenshot(path=str(artifacts_dir / "bulk-progress.png"), full_page=True)

    answer_request = AnswerRequest.objects.get()
    assert answer_request.state == AnswerRequest.State.DONE
    assert answer_request.created_by == alice
    d04 = Message.objects.filter(template_code="D04")
    assert sorted(d04.values_list("applicant_id", flat=True)) == sorted(a.pk for a in awaiting)
    for applicant in [*submitted, *other]:
        assert not d04.filter(applicant=applicant).exists()

    # Back and submit the same confirmation again: nothing is sent twice.
    page.go_back()
    page.wait_for_selector("#confirm-form")
    page.evaluate("document.querySelector('#confirm-form button[type=submit]').disabled = false")
    page.click("#confirm-form button[type=submit]")
    page.wait_for_url("**/answer-requests/*/")
    assert AnswerRequest.objects.count() == 1
    assert d04.count() == 55
