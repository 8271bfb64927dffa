"""Row rules of an upload (docs/product.md §4): normalisation, every row error, skips, updates, duplicates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

from applicants.models import Applicant
from imports.errors import render_error
from imports.samples import to_csv
from imports.validation import dry_run
from tests.factories import ApplicantFactory, JobPostingFactory

SAMPLE = Path("/work/shared/samples/applicants_upload_sample_cp932.csv")
HEADER = [
    "iM採用ID",
    "姓",
    "名",
    "セイ",
    "メイ",
    "メールアドレス",
    "電話番号",
    "生年月日",
    "卒業年度",
    "フリーエリア1",
]


def row(email: str, *, im_id: str = "", **overrides: str) -> list[str]:
    values = {
        "姓": "山田",
        "名": "太郎",
        "セイ": "ﾔﾏﾀﾞ",
        "メイ": "タロウ",
        "電話番号": "09012345678",
        "生年月日": "2003/1/3",
        "卒業年度": "2027",
        "フリーエリア1": "ATS-1",
    }
    values.update(overrides)
    values["iM採用ID"] = im_id
    values["メールアドレス"] = email
    return [values[h] for h in HEADER]


def check(job_posting, rows, header=HEADER):
    return dry_run(to_csv(rows, header=header), job_posting=job_posting, max_rows=1000)


def codes(report):
    return [(r, c, code) for r, c, code, _ in report.errors]


def test_values_are_trimmed_and_normalised(job_posting):
    report = check(
        job_posting,
        [row("\u3000Ｔａｒｏ@Example.JP ", 姓="　山田 ", 生年月日="２００３-０１-０３", 卒業年度="２０２７")],
    )
    assert report.counts["new"] == 1
    sample = report.sample
    assert sample["email"] == "Taro@example.jp"  # NFKC; the domain lower-cased, the local part kept
    assert sample["last_name"] == "山田"
    assert sample["last_name_kana"] == "ヤマダ"  # half-width kana become full-width
    assert sample["phone"] == "09012345678"  # the leading zero stays
    assert sample["birth_date"] == "2003-01-03"
    assert sample["graduation_year"] == 2027


def test_the_shared_cp932_sample_validates_as_thirty_new_applicants(job_posting):
    report = dry_run(SAMPLE.read_bytes(), job_posting=job_posting, max_rows=1000)
    assert report.encoding == "cp932"
    assert report.counts == {"new": 30, "update": 0, "skipped": 0, "error": 0}
    assert (report.sample or {})["email"] == "taro.sasaki.500001@example.ac.jp"


@pytest.mark.parametrize(
    ("overrides", "column", "code"),
    [
        ({"email": ""}, "メールアドレス", "required"),
        ({"email": "not-an-address"}, "メールアドレス", "invalid_email"),
        ({"電話番号": "電話して"}, "電話番号", "invalid_phone"),
        ({"生年月日": "2003/13/40"}, "生年月日", "invalid_date"),
        ({"卒業年度": "27"}, "卒業年度", "invalid_year"),
        ({"姓": "山" * 51}, "姓", "too_long"),
        ({"im_id": "ABC"}, "iM採用ID", "invalid_id"),
        ({"im_id": "999999"}, "iM採用ID", "unknown_id"),
    ],
)
def test_each_row_error_names_row_column_and_reason(job_posting, overrides, column, code):
    email = overrides.pop("email", "ok@example.jp")
    im_id = overrides.pop("im_id", "")
    report = check(job_posting, [row("first@example.jp"), row(email, im_id=im_id, **overrides)])
    assert codes(report) == [(3, column, code)]
    assert report.counts == {"new": 1, "update": 0, "skipped": 0, "error": 1}
    _, _, code, params = report.errors[0]
    with translation.override("ja"):
        japanese = render_error(code, params)
    with translation.override("en"):
        english = render_error(code, params)
    assert japanese and english and japanese != english


def test_two_rows_with_one_email_are_both_errors(job_posting):
    report = check(job_posting, [row("same@example.jp"), row("other@example.jp"), row("SAME@example.jp")])
    assert codes(report) == [
        (2, "メールアドレス", "duplicate_email"),
        (4, "メールアドレス", "duplicate_email"),
    ]
    assert report.counts == {"new": 1, "update": 0, "skipped": 0, "error": 2}


def test_blank_id_with_a_registered_email_is_skipped(job_posting):
    ApplicantFactory(job_posting=job_posting, email="known@example.jp")
    report = check(job_posting, [row("Known@Example.jp".lower()), row("new@example.jp")])
    assert report.counts == {"new": 1, "update": 0, "skipped": 1, "error": 0}


def test_the_same_email_in_another_posting_is_new_here(job_posting):
    ApplicantFactory(job_posting=JobPostingFactory(company=job_posting.company), email="known@example.jp")
    assert check(job_posting, [row("known@example.jp")]).counts["new"] == 1


def test_an_id_updates_that_applicant(job_posting):
    applicant = ApplicantFactory(job_posting=job_posting, email="a@example.jp")
    report = check(job_posting, [row("a@example.jp", im_id=str(applicant.im_id))])
    assert report.counts == {"new": 0, "update": 1, "skipped": 0, "error": 0}


def test_an_id_of_another_posting_or_company_is_an_error(job_posting, other_company):
    elsewhere = ApplicantFactory(job_posting=JobPostingFactory(company=job_posting.company))
    foreign = ApplicantFactory(job_posting=JobPostingFactory(company=other_company))
    report = check(
        job_posting,
        [row("x@example.jp", im_id=str(elsewhere.im_id)), row("y@example.jp", im_id=str(foreign.im_id))],
    )
    assert codes(report) == [(2, "iM採用ID", "other_posting_id"), (3, "iM採用ID", "unknown_id")]


def test_an_update_may_not_take_another_applicants_email(job_posting):
    first = ApplicantFactory(job_posting=job_posting, email="first@example.jp")
    second = ApplicantFactory(job_posting=job_posting, email="second@example.jp")
    report = check(job_posting, [row("first@example.jp", im_id=str(second.im_id))])
    assert codes(report) == [(2, "メールアドレス", "email_taken")]
    assert report.errors[0][3] == {"im_id": first.im_id}


def test_blank_rows_are_ignored_and_unknown_columns_listed(job_posting):
    data = to_csv([["a@example.jp", "x"], ["", ""], ["b@example.jp", "y"]], header=["メールアドレス", "備考"])
    report = dry_run(data + b",\r\n\r\n", job_posting=job_posting, max_rows=10)
    assert report.counts["new"] == 2
    assert report.ignored_columns == ["備考"]


def test_exported_formula_guard_is_removed_on_upload(job_posting):
    report = check(job_posting, [row("a@example.jp", フリーエリア1="'=SUM(A1)")])
    assert report.sample["free_area_1"] == "=SUM(A1)"


def test_validation_writes_nothing(job_posting):
    before = Applicant.objects.count()
    check(job_posting, [row("a@example.jp"), row("b@example.jp")])
    assert Applicant.objects.count() == before
    assert dt.date(2003, 1, 3)
