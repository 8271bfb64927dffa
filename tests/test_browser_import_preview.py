"""Issue 14 §13 in the browser: the preview table (取り込み後の内容) and 「エラー行を除いて取り込む」."""

from __future__ import annotations

import pytest

from applicants.models import Applicant
from imports.models import ApplicantImport
from imports.samples import applicant_row, to_csv
from messaging.models import Message
from tests.plugins.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_preview_table_and_import_without_the_error_rows(
    page, live_server, alice, job_posting, celery_worker, artifacts_dir, tmp_path
):
    rows = [applicant_row(n) for n in range(1, 25)]
    rows[2][5] = "not-an-address"  # row 4: an invalid email
    rows[5][5] = rows[6][5] = "twice@example.ac.jp"  # rows 7 and 8: the same email twice
    rows[8][5] = "Mixed.Case@EXAMPLE.AC.JP"  # row 10: the domain is lower-cased
    rows[8][6] = "０９０－１２３４－５６７８"  # full-width digits become ASCII
    path = tmp_path / "ATS書き出し.csv"
    path.write_bytes(to_csv(rows, encoding="cp932"))

    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/imports/new/?job_posting={job_posting.pk}")
    page.select_option("#id_job_posting", str(job_posting.pk))
    page.set_input_files("#id_file", str(path))
    page.click("form.import-form button[type=submit]")
    page.wait_for_url("**/imports/*/")

    # The preview: the first 20 rows as they will be registered, each with what happens to it.
    assert page.locator("[data-count=new]").inner_text() == "21"
    assert page.locator("[data-count=error]").inner_text() == "3"
    preview = page.locator("#import-preview")
    assert "取り込み後の内容(先頭20行)" in preview.locator("h2").inner_text()
    assert preview.locator("tbody tr").count() == 20
    assert preview.locator("tbody tr[data-preview-kind=error]").count() == 3
    row10 = preview.locator("tbody tr").nth(8).inner_text()
    assert "Mixed.Case@example.ac.jp" in row10 and "090-1234-5678" in row10 and "新規" in row10
    assert "タカハシ" in preview.inner_text() and "ﾀｶﾊｼ" not in preview.inner_text()
    assert page.locator("#import-confirm").count() == 0  # all or nothing stays the default
    preview.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "import-preview-ja.png"), full_page=True)

    # The explicit option, with its exact counts and the error CSV of the rows left out.
    option = page.locator("#skip-errors")
    summary = option.locator("#skip-errors-summary").inner_text()
    assert "21 名を新規登録" in summary and "エラーのある 3 行は除外され" in summary
    assert option.locator("#skip-errors-csv a").count() == 2
    assert "errors.csv" in (option.locator("#skip-errors-csv a").first.get_attribute("href") or "")
    option.evaluate("section => section.scrollIntoView()")
    page.screenshot(path=str(artifacts_dir / "import-skip-errors-ja.png"))  # the viewport, 1280 × 900
    assert Applicant.objects.count() == 0

    page.click("#import-confirm-skip-errors")
    page.wait_for_selector("#imported-without-errors", timeout=60_000)  # the page reloads when done
    assert page.locator("#import-status").inner_text() == "エラー行を除いて取り込み済み"
    page.screenshot(path=str(artifacts_dir / "import-skip-errors-done-ja.png"), full_page=True)

    imp = ApplicantImport.objects.get()
    assert imp.status == ApplicantImport.Status.DONE and imp.skip_error_rows
    assert imp.counts == {"new": 21, "update": 0, "skipped": 0, "error": 3}
    assert Applicant.objects.filter(job_posting=job_posting).count() == 21
    assert Message.objects.filter(template_code="D03").count() == 21
    assert not Applicant.objects.filter(email="twice@example.ac.jp").exists()

    page.goto(f"{live_server.url}/imports/")
    assert "エラー行を除いて取り込み済み" in page.locator("table.imports tbody tr").first.inner_text()
