"""The preview table (issue 14 §13): the first 20 rows as they will be registered, after normalisation."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from imports import selectors
from imports.models import ApplicantImport
from imports.samples import applicants_csv, to_csv
from imports.validation import PREVIEW_ROWS, dry_run
from tests.clients import api_key_for
from tests.factories import ApplicantFactory

HEADER = ["iM採用ID", "姓", "セイ", "メールアドレス", "電話番号", "生年月日", "卒業年度", "フリーエリア1"]


def check(job_posting, rows, header=HEADER):
    return dry_run(to_csv(rows, header=header), job_posting=job_posting, max_rows=1000)


def upload_page(client, posting, data: bytes):
    return client.post(
        reverse("imports:import_create"),
        {"job_posting": posting.pk, "file": SimpleUploadedFile("a.csv", data, content_type="text/csv")},
    )


def test_preview_rows_hold_the_values_as_they_will_be_registered(job_posting):
    report = check(
        job_posting,
        [
            [
                "",
                " 山田\u3000",
                "ﾔﾏﾀﾞ",
                "Taro@EXAMPLE.JP",
                "０９０１２３４５６７８",
                "２００３/１/３",
                "２０２７",
                "'=SUM(A1)",
            ]
        ],
    )
    (row,) = report.preview_rows
    assert row == {
        "row": 2,
        "kind": "new",
        "im_id": None,
        "values": {
            "last_name": "山田",
            "last_name_kana": "ヤマダ",  # half-width kana → full-width (NFKC)
            "email": "Taro@example.jp",  # the domain lower-cased, the local part kept
            "phone": "09012345678",  # full-width digits → ASCII, the leading zero kept
            "birth_date": "2003-01-03",
            "graduation_year": 2027,
            "free_area_1": "=SUM(A1)",  # an export's formula guard removed
        },
    }


def test_each_preview_row_says_what_happens_to_it(job_posting):
    kept = ApplicantFactory(job_posting=job_posting, email="kept@example.jp")
    known = ApplicantFactory(job_posting=job_posting, email="known@example.jp")
    rows = [
        ["", "新", "", "new@example.jp", "", "", "", ""],
        [str(kept.im_id), "更新", "", "kept@example.jp", "", "", "", ""],
        ["", "既存", "", "Known@example.jp", "", "", "", ""],
        ["", "誤", "", "not-an-address", "", "", "", ""],
        ["", "重複", "", "twice@example.jp", "", "", "", ""],  # valid until row 7 repeats it
        ["", "日付", "", "date@example.jp", "", "2003/13/40", "", ""],
        ["", "重複", "", "TWICE@example.jp", "", "", "", ""],
    ]
    report = check(job_posting, rows)
    kinds = [(r["row"], r["kind"], r["im_id"]) for r in report.preview_rows]
    assert kinds == [
        (2, "new", None),
        (3, "update", kept.im_id),
        (4, "skipped", known.im_id),
        (5, "error", None),
        (6, "error", None),
        (7, "error", None),
        (8, "error", None),
    ]
    # An error row shows the refused cell as the file has it, the other cells cleaned.
    assert report.preview_rows[3]["values"]["email"] == "not-an-address"
    assert report.preview_rows[5]["values"]["birth_date"] == "2003/13/40"
    assert report.counts == {"new": 1, "update": 1, "skipped": 1, "error": 4}


def test_the_preview_keeps_only_the_first_20_rows(job_posting, alice):
    from django.core.files.base import ContentFile

    from imports import services

    imp = services.applicant_import_create(
        job_posting=job_posting, file=ContentFile(applicants_csv(25)), file_name="a.csv", by=alice
    )
    assert PREVIEW_ROWS == 20
    assert [r["row"] for r in imp.preview_rows] == list(range(2, 22))
    assert imp.n_new == 25
    assert imp.preview_rows[0]["values"]["last_name_kana"] == "サトウ"
    assert imp.preview_rows[1]["values"]["last_name_kana"] == "スズキ"
    assert imp.preview_rows[9]["values"]["last_name_kana"] == "タカハシ"  # ﾀｶﾊｼ in the file


def test_the_d03_sample_is_never_a_row_left_out(job_posting):
    report = check(
        job_posting,
        [
            ["", "一", "", "dup@example.jp", "", "", "", ""],
            ["", "二", "", "ok@example.jp", "", "", "", ""],
            ["", "三", "", "DUP@example.jp", "", "", "", ""],
        ],
    )
    assert report.counts["new"] == 1
    assert report.sample is not None and report.sample["email"] == "ok@example.jp"


def test_the_detail_page_shows_the_preview_table_before_the_import_button(alice_client, job_posting):
    data = to_csv(
        [["", "山田", "ﾔﾏﾀﾞ", "Yamada@EXAMPLE.JP", "０９０１１１１２２２２", "2003/1/3", "2027", "ATS-1"]],
        header=HEADER,
    )
    response = upload_page(alice_client, job_posting, data)
    html = alice_client.get(response["Location"]).content.decode()
    assert "取り込み後の内容(先頭20行)" in html
    table = html[html.index('id="import-preview"') : html.index('id="import-confirm"')]
    for value in ("ヤマダ", "Yamada@example.jp", "09011112222", "2003-01-03", "新規"):
        assert value in table
    assert "ﾔﾏﾀﾞ" not in html and "EXAMPLE.JP" not in html
    assert '<th scope="col">セイ</th>' in table  # labelled as applicants/fields.py labels the field


def test_the_table_is_labelled_in_english_and_with_the_companys_free_area_labels(job_posting, company):
    company.free_area_1_label = "ATS応募者ID"
    company.save()
    imp = ApplicantImport.objects.create(
        company=company,
        job_posting=job_posting,
        file_name="a.csv",
        status="validated",
        preview_rows=[
            {"row": 2, "kind": "new", "im_id": None, "values": {"email": "a@example.jp", "free_area_1": "X"}}
        ],
    )
    with translation.override("en"):
        preview = selectors.import_preview(applicant_import=imp)
    assert preview is not None
    assert preview["columns"] == ["email address", "ATS応募者ID"]
    assert preview["rows"][0]["kind_label"] == "New" and preview["rows"][0]["cells"] == ["a@example.jp", "X"]


def test_the_api_shows_the_preview_rows(alice, job_posting):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(alice)}")
    data = to_csv([["", "山田", "ﾔﾏﾀﾞ", "a@EXAMPLE.jp", "", "", "", ""]], header=HEADER)
    body = client.post(
        "/api/v1/applicant-imports/",
        {"job_posting": job_posting.pk, "file": SimpleUploadedFile("a.csv", data)},
        format="multipart",
    ).json()
    assert body["skip_error_rows"] is False
    (row,) = body["preview_rows"]
    assert row["row"] == 2 and row["kind"] == "new" and row["im_id"] is None
    assert row["values"]["last_name_kana"] == "ヤマダ" and row["values"]["email"] == "a@example.jp"
    assert client.get(f"/api/v1/applicant-imports/{body['id']}/").json()["preview_rows"] == [row]
