"""Upload pages: feature flag, tenancy, upload → preview → confirm, downloads."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applicants.models import Applicant
from imports.models import ApplicantImport
from imports.parsing import HEADERS
from imports.samples import applicants_csv, to_csv
from messaging.models import Message
from tests.factories import ApplicantFactory, JobPostingFactory


def post_upload(client, posting, data: bytes, name="応募者.csv"):
    return client.post(
        reverse("imports:import_create"),
        {"job_posting": posting.pk, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


@pytest.mark.parametrize(
    "url",
    ["imports:import_list", "imports:import_create", "imports:import_format_csv"],
)
def test_pages_are_forbidden_while_csv_upload_is_off(alice_client, company, url):
    company.csv_upload_enabled = False
    company.save()
    response = alice_client.get(reverse(url))
    assert response.status_code == 403


def test_csv_menu_offers_upload_only_when_enabled(alice_client, company, job_posting):
    page = alice_client.get(reverse("applicants:applicant_list"), {"job_posting": job_posting.pk})
    assert reverse("imports:import_create").encode() in page.content
    assert reverse("imports:import_export_csv").encode() in page.content
    company.csv_upload_enabled = False
    company.save()
    page = alice_client.get(reverse("applicants:applicant_list"))
    assert reverse("imports:import_create").encode() not in page.content


def test_upload_preview_confirm_registers_and_sends_d03(
    alice_client, alice, job_posting, django_capture_on_commit_callbacks
):
    response = post_upload(alice_client, job_posting, applicants_csv(4))
    imp = ApplicantImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "imports:import_detail", args=[imp.pk]
    )
    page = alice_client.get(response["Location"])
    html = page.content.decode()
    assert imp.file_name == "応募者.csv" and imp.created_by == alice
    assert 'id="import-confirm"' in html
    assert "user1@example.ac.jp" in html  # D03 rendered for the first new applicant
    assert Applicant.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("imports:import_confirm", args=[imp.pk]))
    assert response.status_code == 302
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.DONE
    assert Applicant.objects.filter(job_posting=job_posting, status="awaiting").count() == 4
    assert Message.objects.filter(template_code="D03").count() == 4
    assert alice_client.get(reverse("imports:import_list")).content.decode().count("応募者.csv") == 1


def test_errors_are_shown_inline_and_downloadable_and_block_confirm(alice_client, job_posting):
    data = to_csv(
        [["", "山田", "bad-address"], ["", "鈴木", "ok@example.jp"]],
        header=["iM採用ID", "姓", "メールアドレス"],
    )
    response = post_upload(alice_client, job_posting, data)
    imp = ApplicantImport.objects.get()
    html = alice_client.get(response["Location"]).content.decode()
    assert imp.status == ApplicantImport.Status.INVALID
    assert 'id="import-confirm"' not in html
    assert "bad-address" in html
    errors = alice_client.get(reverse("imports:import_errors_csv", args=[imp.pk]), {"encoding": "utf-8"})
    content = b"".join(errors.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content[3:].decode())))
    assert rows[1][:2] == ["2", "メールアドレス"] and "bad-address" in rows[1][2]
    response = alice_client.post(reverse("imports:import_confirm", args=[imp.pk]))
    assert Applicant.objects.count() == 0


def test_a_whole_file_problem_is_one_clear_message(alice_client, job_posting):
    response = post_upload(alice_client, job_posting, b"PK\x03\x04" + b"\x00" * 100, name="book.csv")
    html = alice_client.get(response["Location"]).content.decode()
    assert 'class="import-file-error"' in html
    assert (ApplicantImport.objects.get().file_error or {})["code"] == "spreadsheet"


def test_a_posting_of_another_company_cannot_be_chosen(alice_client, other_company):
    foreign = JobPostingFactory(company=other_company)
    response = post_upload(alice_client, foreign, applicants_csv(1))
    assert response.status_code == 200  # the form re-displays with an error
    assert ApplicantImport.objects.count() == 0


def test_outsider_gets_404_for_every_import_page(charlie_client, alice, job_posting):
    imp = ApplicantImport.objects.create(
        company=job_posting.company, job_posting=job_posting, file_name="x.csv", status="validated"
    )
    for name in ("import_detail", "import_status", "import_errors_csv"):
        assert charlie_client.get(reverse(f"imports:{name}", args=[imp.pk])).status_code == 404
    assert charlie_client.post(reverse("imports:import_confirm", args=[imp.pk])).status_code == 404
    response = charlie_client.get(reverse("imports:import_export_csv"), {"job_posting": job_posting.pk})
    assert response.status_code == 404


def test_status_json_reports_progress(alice_client, job_posting):
    imp = ApplicantImport.objects.create(
        company=job_posting.company,
        job_posting=job_posting,
        file_name="x.csv",
        status="importing",
        progress=42,
    )
    data = alice_client.get(reverse("imports:import_status", args=[imp.pk])).json()
    assert data["progress"] == 42 and data["running"] is True and data["counts"]["new"] == 0


@pytest.mark.parametrize(("encoding", "bom"), [("cp932", False), ("utf-8", True)])
def test_format_download_is_the_header_only(alice_client, encoding, bom):
    response = alice_client.get(reverse("imports:import_format_csv"), {"encoding": encoding})
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf") == bom
    text = content[3:].decode("utf-8") if bom else content.decode("cp932")
    assert list(csv.reader(io.StringIO(text))) == [HEADERS]


def test_applicant_export_reuploads_as_updates(alice_client, job_posting):
    ApplicantFactory(job_posting=job_posting, email="a@example.jp", last_name="髙橋", free_area_1="=1+1")
    ApplicantFactory(job_posting=job_posting, email="b@example.jp", phone="09011112222")
    ApplicantFactory(job_posting=JobPostingFactory(company=job_posting.company), email="other@example.jp")
    response = alice_client.get(reverse("imports:import_export_csv"), {"job_posting": job_posting.pk})
    content = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("cp932"))))
    assert rows[0] == HEADERS and len(rows) == 3
    assert rows[1][1] == "髙橋" and rows[1][12] == "'=1+1"  # formulas neutralised
    post_upload(alice_client, job_posting, content)
    imp = ApplicantImport.objects.get()
    assert imp.counts == {"new": 0, "update": 2, "skipped": 0, "error": 0}


def test_operators_see_uploads_in_the_admin(admin_client, job_posting):
    ApplicantImport.objects.create(company=job_posting.company, job_posting=job_posting, file_name="ats.csv")
    response = admin_client.get(reverse("admin:imports_applicantimport_changelist"))
    assert response.status_code == 200 and "ats.csv" in response.content.decode()


def test_posting_download_refuses_cp932_for_characters_it_lacks(alice_client, job_posting):
    ApplicantFactory(job_posting=job_posting, last_name="𠮷野", im_id=41)
    ApplicantFactory(job_posting=job_posting, last_name="=SUM(A1)", im_id=42)
    url = reverse("imports:import_export_csv")
    refused = alice_client.get(url, {"job_posting": job_posting.pk, "encoding": "cp932"}, follow=True)
    assert "41 (𠮷)" in refused.content.decode()
    assert not refused.streaming
    response = alice_client.get(url, {"job_posting": job_posting.pk, "encoding": "utf-8"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert [row[1] for row in rows[1:]] == ["𠮷野", "'=SUM(A1)"]


def test_a_reupload_with_nothing_to_register_offers_no_import(
    alice_client, job_posting, django_capture_on_commit_callbacks
):
    """Issue 14 §13: every row registered already: the page says so and shows no 取り込む button."""
    data = applicants_csv(3)
    first = post_upload(alice_client, job_posting, data)
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(first["Location"].replace("/imports/", "/imports/", 1) + "confirm/")
    assert Applicant.objects.filter(job_posting=job_posting).count() == 3
    again = post_upload(alice_client, job_posting, data)
    imp = ApplicantImport.objects.latest("pk")
    assert imp.n_skipped == 3 and imp.nothing_to_import and not imp.can_confirm
    html = alice_client.get(again["Location"]).content.decode()
    assert 'id="nothing-to-import"' in html and 'id="import-confirm"' not in html
    assert "すべて登録済み" in html
    refused = alice_client.post(reverse("imports:import_confirm", args=[imp.pk]), follow=True)
    assert "取り込むものはありません" in refused.content.decode()
    assert Message.objects.filter(template_code="D03").count() == 3
