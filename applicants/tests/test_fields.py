"""One applicant field schema (applicants.fields): every channel reads it and cleans alike."""

from __future__ import annotations

import pytest

from applicants import fields
from applicants.apis import ApplicantSerializer
from applicants.forms import ApplicantForm
from applicants.models import Applicant
from imports import exports, parsing, writes
from imports.samples import to_csv
from imports.validation import dry_run
from tests.clients import api_client_for

# One applicant as a recruiter types it, as an ATS sends it, as a CSV cell holds it.
TYPED = {
    "email": "\u3000Ｔａｒｏ@Example.JP ",
    "last_name": "　山田 ",
    "first_name": "太郎",
    "last_name_kana": "ﾔﾏﾀﾞ",
    "first_name_kana": "ﾀﾛｳ",
    "phone": "０９０-１２３４-５６７８",
    "graduation_year": "２０２７",
    "free_area_1": " ATS-1 ",
}
CLEANED = {
    "email": "Taro@example.jp",
    "last_name": "山田",
    "first_name": "太郎",
    "last_name_kana": "ヤマダ",
    "first_name_kana": "タロウ",
    "phone": "090-1234-5678",
    "graduation_year": 2027,
    "free_area_1": "ATS-1",
}


def test_every_channel_reads_the_schema():
    """A column added to the schema reaches the form, the API, the CSV format and its downloads."""
    assert set(fields.NAMES) <= {f.name for f in Applicant._meta.concrete_fields}
    assert list(ApplicantForm._meta.fields) == list(fields.NAMES)
    assert set(fields.NAMES) <= set(ApplicantSerializer.Meta.fields)
    assert parsing.COLUMNS[1:] == tuple((f.header, f.name) for f in fields.FIELDS)
    assert exports.FIELDS[1:] == list(fields.NAMES)
    assert {name for name in fields.NAMES if writes._PG_TYPES[name] != "text"} == {
        "birth_date",
        "graduation_year",
    }


def test_the_form_the_api_and_the_csv_clean_alike(company, job_posting, alice):
    form = ApplicantForm(data=TYPED, company=company, job_posting=job_posting)
    assert form.is_valid(), form.errors
    header = [fields.BY_NAME[name].header for name in TYPED]
    report = dry_run(to_csv([list(TYPED.values())], header=header), job_posting=job_posting, max_rows=10)
    assert report.counts["new"] == 1, report.errors
    created = api_client_for(alice).post("/api/v1/applicants/", {**TYPED, "job_posting": job_posting.pk})
    assert created.status_code == 201, created.content
    through_api = Applicant.objects.values(*CLEANED).get(im_id=created.json()["im_id"])
    for channel in (form.cleaned_data, through_api, report.sample):
        assert {name: channel[name] for name in CLEANED} == CLEANED


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("email", "not-an-address", "invalid_email"),
        ("phone", "abc", "invalid_phone"),
        ("graduation_year", "27", "invalid_year"),
    ],
)
def test_the_form_the_api_and_the_csv_refuse_alike(company, job_posting, alice, name, value, code):
    data = {**TYPED, name: value}
    form = ApplicantForm(data=data, company=company, job_posting=job_posting)
    assert not form.is_valid() and name in form.errors
    refused = api_client_for(alice).post("/api/v1/applicants/", {**data, "job_posting": job_posting.pk})
    assert refused.status_code == 400 and name in refused.json()
    header = [fields.BY_NAME[n].header for n in data]
    report = dry_run(to_csv([list(data.values())], header=header), job_posting=job_posting, max_rows=10)
    assert [error[2] for error in report.errors] == [code]
