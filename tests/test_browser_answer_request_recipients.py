"""回答依頼 end to end, then its recipient list and the list's 「最終回答依頼」: a bulk request through the
real worker; its page lists who was sent D04 and who was skipped and why; the applicant list shows the
last request per applicant and finds those never reminded."""

from __future__ import annotations

import pytest

from applicants.models import Applicant
from bulk import services
from bulk.models import AnswerRequest, AnswerRequestRecipient
from messaging.models import Suppression
from tests.factories import ApplicantFactory
from tests.plugins.browser import login
from tests.plugins.services import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_recipients_of_a_bulk_answer_request_and_the_last_reminder_column(
    page, live_server, alice, job_posting, celery_worker, artifacts_dir
):
    company = job_posting.company
    fresh = ApplicantFactory.create_batch(3, job_posting=job_posting)
    recent = ApplicantFactory(job_posting=job_posting, last_name="髙橋", first_name="花子")
    suppressed = ApplicantFactory(job_posting=job_posting, last_name="佐藤", first_name="一郎")
    submitted = ApplicantFactory.create_batch(2, job_posting=job_posting, status=Applicant.Status.SUBMITTED)
    company.last_im_id = max(a.im_id for a in [*fresh, recent, suppressed, *submitted])
    company.save(update_fields=["last_im_id"])
    Suppression.objects.create(company=company, email=suppressed.email, reason="bounced")
    # An hour-old request from the applicant's page reached 髙橋 already.
    earlier, _ = services.answer_request_create(
        company=company,
        selection=services.Selection.of(search={"job_posting": job_posting.pk}, im_ids=[recent.im_id]),
        idempotency_key="earlier",
        by=alice,
    )
    wait_for(
        lambda: AnswerRequest.objects.get(pk=earlier.pk).state == AnswerRequest.State.DONE,
        message="the earlier request done by the worker",
    )

    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/applicants/?job_posting={job_posting.pk}")
    page.check("#scope-all")
    page.click("button[name=action][value=answer_request]")
    assert page.locator("#confirm .lead").get_attribute("data-recent") == "1"
    page.click("#confirm-form button[type=submit]")
    page.wait_for_url("**/answer-requests/*/")
    page.wait_for_selector("#ar-done:not([hidden])", timeout=60_000)
    answer_request = AnswerRequest.objects.exclude(pk=earlier.pk).get()

    # The recipient list, complete once the job is done.
    page.reload()
    tabs = page.locator("#recipients nav.status-tabs")
    assert tabs.locator("a[data-outcome=all] [data-count]").inner_text() == "7"
    assert tabs.locator("a[data-outcome=sent] [data-count]").inner_text() == "3"
    assert tabs.locator("a[data-outcome=skipped] [data-count]").inner_text() == "4"
    reasons = page.locator("#skip-reasons")
    assert reasons.locator("dd[data-reason=submitted]").inner_text() == "2"
    assert reasons.locator("dd[data-reason=recent]").inner_text() == "1"
    assert reasons.locator("dd[data-reason=suppressed]").inner_text() == "1"
    assert (
        "送信停止アドレス" in reasons.inner_text()
        and "24時間以内に他の回答依頼で送信済み" in reasons.inner_text()
    )
    row = page.locator(f"#recipient-table tr[data-im-id='{suppressed.im_id}']")
    assert row.get_attribute("data-outcome") == "skipped" and "送信停止" in row.inner_text()
    for applicant in fresh:
        sent = page.locator(f"#recipient-table tr[data-im-id='{applicant.im_id}']")
        assert sent.get_attribute("data-outcome") == "sent"
    page.screenshot(path=str(artifacts_dir / "answer-request-recipients-ja.png"), full_page=True)

    # Only the skipped ones, then the CSV link keeps the filter.
    page.click("#recipients nav.status-tabs a[data-outcome=skipped]")
    page.wait_for_url("**outcome=skipped*")
    outcomes = page.locator("#recipient-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.outcome)"
    )
    assert outcomes == ["skipped"] * 4
    csv_link = page.locator("#recipients-download a[data-encoding=utf-8]").get_attribute("href")
    assert "outcome=skipped" in csv_link
    recorded = AnswerRequestRecipient.objects.filter(answer_request=answer_request)
    assert recorded.filter(outcome="sent").count() == 3

    # The list: 「最終回答依頼」 per applicant, and the never reminded found by the search form.
    page.goto(f"{live_server.url}/applicants/?job_posting={job_posting.pk}")
    assert "最終回答依頼" in page.locator("#applicant-table thead").inner_text()
    for applicant in [*fresh, recent]:
        cell = page.locator(f"#applicant-table tr[data-im-id='{applicant.im_id}'] td.last-reminded")
        assert cell.get_attribute("data-reminded") == "1" and "1回" in cell.inner_text()
    page.screenshot(path=str(artifacts_dir / "list-last-reminded-ja.png"), full_page=True)
    page.select_option("#search-form select[name=reminded]", "never")
    page.click("#search-form button[type=submit]")
    page.wait_for_url("**reminded=never*")
    shown = page.locator("#applicant-table tbody tr").evaluate_all("rows => rows.map(r => +r.dataset.imId)")
    assert sorted(shown) == sorted(a.im_id for a in [suppressed, *submitted])
    assert page.locator("#applicant-table td.last-reminded[data-reminded='0']").count() == 3
    page.screenshot(path=str(artifacts_dir / "list-never-reminded-ja.png"), full_page=True)
