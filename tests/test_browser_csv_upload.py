"""CSV bulk registration end to end: upload, preview, confirm, progress bar, 調整中 with one D03 each."""

from __future__ import annotations

import pytest

from applicants.models import Applicant
from imports.models import ApplicantImport
from imports.samples import applicants_csv
from messaging.models import Message
from tests.plugins.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ROWS = 4000  # enough that the worker is still importing when the page shows the progress bar


def test_upload_preview_confirm_progress_and_d03(
    page, live_server, alice, job_posting, celery_worker, artifacts_dir, tmp_path
):
    path = tmp_path / "応募者一覧.csv"
    path.write_bytes(applicants_csv(ROWS, encoding="cp932"))

    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/applicants/?job_posting={job_posting.pk}")
    page.click("details.csv-menu summary")
    page.click("details.csv-menu a[href^='/imports/new/']")
    page.wait_for_url("**/imports/new/**")
    page.select_option("#id_job_posting", str(job_posting.pk))
    page.set_input_files("#id_file", str(path))
    page.click("form.import-form button[type=submit]")

    # Preview: counts, no errors, D03 rendered for the first new applicant.
    page.wait_for_url("**/imports/*/")
    assert page.locator("[data-count=new]").inner_text() == str(ROWS)
    assert page.locator("[data-count=error]").inner_text() == "0"
    assert "user1@example.ac.jp" in page.locator(".d03-preview").inner_text()
    assert Applicant.objects.count() == 0
    page.screenshot(path=str(artifacts_dir / "csv-preview.png"), full_page=True)

    page.click("#import-confirm")
    page.wait_for_selector("#import-progress .progress", state="attached")
    page.screenshot(path=str(artifacts_dir / "csv-progress.png"), full_page=True)
    page.wait_for_selector(".flash-success", timeout=90_000)  # the page reloads itself when done
    page.screenshot(path=str(artifacts_dir / "csv-done.png"), full_page=True)

    imp = ApplicantImport.objects.get()
    assert imp.status == ApplicantImport.Status.DONE and imp.n_new == ROWS
    page.click(".flash-success a.button")
    page.wait_for_url("**/applicants/?job_posting=*status=awaiting*")
    assert page.locator("nav.status-tabs a.current").inner_text().startswith("調整中")
    badges = page.locator("table.list tbody .badge")
    assert badges.count() == 50
    assert set(badges.all_inner_texts()) == {"調整中"}

    applicants = Applicant.objects.filter(job_posting=job_posting)
    assert applicants.count() == ROWS
    assert set(applicants.values_list("status", flat=True)) == {Applicant.Status.AWAITING}
    d03 = Message.objects.filter(template_code="D03")
    assert d03.count() == ROWS
    assert sorted(d03.values_list("applicant_id", flat=True)) == sorted(
        applicants.values_list("pk", flat=True)
    )

    # The message log on an applicant's page shows its single D03.
    page.click("table.list tbody tr:first-child td a")
    page.wait_for_url("**/applicants/*/")
    rows = page.locator("#messages tr[data-message]")
    assert rows.count() == 1
    assert rows.first.locator("td").first.inner_text() == "D03"
    page.screenshot(path=str(artifacts_dir / "csv-applicant.png"), full_page=True)
