"""The four steps of docs/product.md §1 in one browser run, through the real pages and a real Celery worker:

1. CSV upload of three applicants → each gets D03 (seen in each applicant's message log);
2. one applicant records and submits the interview on a phone;
3. bulk 回答依頼 (まとめて処理モード, 調整中 only) reaches exactly the two others;
4. the share URL CSV goes "to the ATS", and a reviewer evaluates through a URL from it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings

from applicants.models import Applicant, JobPosting
from imports.samples import applicants_csv
from messaging.models import Message
from sharing.models import Evaluation
from tests.factories import JobPostingFactory, QuestionFactory
from tests.plugins.browser import login
from tests.test_browser_interview import keep, pass_device_check, record_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PHONE = {"width": 390, "height": 844}


def _log_codes(page, live_server, im_id: int) -> list[str]:
    """Template codes in the message log on the applicant's page, newest first."""
    page.goto(f"{live_server.url}/applicants/{im_id}/")
    return [row.locator("td").first.inner_text() for row in page.locator("#messages tr[data-message]").all()]


def test_upload_invite_chase_and_hand_back_to_the_ats(
    browser, page, live_server, alice, company, celery_worker, artifacts_dir, tmp_path
):
    posting: JobPosting = JobPostingFactory(company=company, title="2027年度 総合職")  # type: ignore[assignment]
    question = QuestionFactory(
        job_posting=posting, position=0, text="自己紹介をしてください。",
        preparation_seconds=2, answer_seconds=3, max_takes=1,
    )  # fmt: skip

    # 1. Register in bulk: the upload format in CP932, as Excel writes it.
    upload = tmp_path / "応募者一覧.csv"
    upload.write_bytes(applicants_csv(3, encoding="cp932"))
    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/applicants/?job_posting={posting.pk}")
    page.click("details.csv-menu summary")
    page.click("details.csv-menu a[href^='/imports/new/']")
    page.wait_for_url("**/imports/new/**")
    page.select_option("#id_job_posting", str(posting.pk))
    page.set_input_files("#id_file", str(upload))
    page.click("form.import-form button[type=submit]")
    page.wait_for_url("**/imports/*/")
    assert page.locator("[data-count=new]").inner_text() == "3"
    assert page.locator("[data-count=error]").inner_text() == "0"
    page.click("#import-confirm")
    page.wait_for_selector(".flash-success", timeout=90_000)
    applicants = list(Applicant.objects.filter(job_posting=posting).order_by("im_id"))
    assert len(applicants) == 3
    assert {a.status for a in applicants} == {Applicant.Status.AWAITING}

    # 2. Invite at once: D03 in each applicant's log.
    for applicant in applicants:
        assert _log_codes(page, live_server, applicant.im_id) == ["D03"]
    page.screenshot(path=str(artifacts_dir / "e2e-d03-log.png"), full_page=True)

    # One applicant records and submits on a phone.
    first, others = applicants[0], applicants[1:]
    phone = browser.new_context(locale="ja-JP", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.set_default_timeout(30000)
    applicant_page = phone.new_page()
    pass_device_check(applicant_page, first.interview_url.replace(settings.SITE_URL, live_server.url))
    applicant_page.wait_for_selector("#iv-begin:not([disabled])")
    record_and_wait(applicant_page)
    keep(applicant_page)
    applicant_page.wait_for_selector("text=確認して提出")
    applicant_page.click("#iv-submit")
    applicant_page.wait_for_selector("text=回答を提出しました")
    phone.close()
    first.refresh_from_db()
    assert first.status == Applicant.Status.SUBMITTED

    # 3. Chase the missing: 調整中 only, まとめて処理モード, 回答依頼.
    page.goto(f"{live_server.url}/applicants/?job_posting={posting.pk}")
    page.click("nav.status-tabs a[data-status=awaiting]")
    page.wait_for_url(f"**/applicants/?job_posting={posting.pk}&status=awaiting")
    assert page.locator("#applicant-table tbody tr").count() == 2
    page.check("#tick-page")
    assert page.locator("#ticked-count").inner_text() == "2"
    page.click("button[name=action][value=answer_request]")
    assert page.locator("#confirm .lead").get_attribute("data-send") == "2"
    page.click("#confirm-form button[type=submit]")
    page.wait_for_url("**/answer-requests/*/")
    page.wait_for_selector("#ar-done:not([hidden])", timeout=60_000)
    d04 = Message.objects.filter(template_code="D04")
    assert sorted(d04.values_list("applicant_id", flat=True)) == sorted(a.pk for a in others)
    assert "D04" not in _log_codes(page, live_server, first.im_id)
    for applicant in others:
        assert _log_codes(page, live_server, applicant.im_id).count("D04") == 1

    # 4. Hand back to the ATS: the share URL CSV of the posting, in CP932.
    page.goto(f"{live_server.url}/applicants/?job_posting={posting.pk}")
    page.click("details.csv-menu summary")
    with page.expect_download() as download_info:
        page.click("#share-csv-cp932")
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_bytes().decode("cp932"))))
    assert rows[0] == [
        "iM採用ID", "メールアドレス", "姓", "名",
        "フリーエリア1", "フリーエリア2", "フリーエリア3", "回答状況", "共有用URL",
    ]  # fmt: skip
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {str(a.im_id) for a in applicants}
    assert by_id[str(first.im_id)][7] == "回答済"
    assert {by_id[str(a.im_id)][7] for a in others} == {"調整中"}

    # A reviewer opens the submitted applicant's URL from the ATS, with no session, and evaluates.
    reviewer_context = browser.new_context(locale="ja-JP")
    reviewer_context.set_default_timeout(30000)
    reviewer = reviewer_context.new_page()
    response = reviewer.goto(by_id[str(first.im_id)][8].replace(settings.SITE_URL, live_server.url))
    assert response.status == 200 and response.headers["referrer-policy"] == "no-referrer"
    assert question.text in reviewer.inner_text("#answers")
    reviewer.wait_for_selector("video.answer-video")
    reviewer.locator("video.answer-video").evaluate("v => { v.muted = true; return v.play(); }")
    reviewer.wait_for_function("() => document.querySelector('video.answer-video').currentTime > 0.3")
    reviewer.fill("#id_reviewer_name", "人事部 鈴木")
    reviewer.check("#evaluation-form input[type=radio][value=A]")
    reviewer.fill("#evaluation-form textarea", "はきはきと話せている。")
    reviewer.click("#evaluation-form button[type=submit]")
    reviewer.wait_for_selector("text=評価を送信しました")
    reviewer.screenshot(path=str(artifacts_dir / "e2e-reviewer.png"), full_page=True)
    reviewer_context.close()

    evaluation = Evaluation.objects.get()
    assert evaluation.applicant == first and evaluation.reviewer_name == "人事部 鈴木"
    page.goto(f"{live_server.url}/applicants/{first.im_id}/")
    assert "はきはきと話せている。" in page.inner_text("#share-section")
