"""Odd parameters a fuzzer sent: each once answered 500, and must now answer 2xx-4xx with a message.

Found by schemathesis and hypothesis runs (tests/test_fuzz_api.py, tests/test_fuzz_pages.py); these
are the reproductions, one per fault, so that they keep failing loudly if the fault comes back.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from applicants.models import JobPosting
from imports import services as import_services
from imports.models import ApplicantImport
from imports.samples import to_csv
from interviewmaker.numbers import ascii_int
from interviews import storage
from sharing import services as sharing_services
from tests.factories import ApplicantFactory

# "²" and "𐩀" pass str.isdigit(), which int() refuses; "١" and "１" int() reads, which no id is.
NOT_ASCII_DIGITS = ["²", "𐩀", "١٢", "１２", " 12", "+12", "1_2", "", "1" * 19, "null"]


@pytest.mark.parametrize("text", NOT_ASCII_DIGITS)
def test_only_ascii_digits_are_a_number(text):
    assert ascii_int(text) is None


def test_ascii_digits_and_ints_are_a_number():
    assert ascii_int("0042") == 42 and ascii_int(7) == 7 and ascii_int("9" * 18) == 10**18 - 1
    assert ascii_int(True) is None and ascii_int(None) is None and ascii_int(3.0) is None


RECRUITER_PAGES = [
    "/applicants/?q={v}",
    "/applicants/?job_posting={v}",
    "/messages/?applicant={v}",
    "/sharing/share-urls.csv?q={v}",
    "/sharing/share-urls.csv?job_posting={v}",
]
API_PATHS = [
    "/api/v1/applicants/?q={v}",
    "/api/v1/applicants/?job_posting={v}",
    "/api/v1/messages/?applicant={v}",
    "/api/v1/share-urls.csv?q={v}",
    "/api/v1/share-urls.csv?job_posting={v}",
]


@pytest.mark.parametrize("value", ["%C2%B2", "%F0%90%A9%80", "null"])
@pytest.mark.parametrize("path", RECRUITER_PAGES)
def test_unicode_digits_in_recruiter_pages_are_no_server_error(alice_client, job_posting, path, value):
    ApplicantFactory(job_posting=job_posting)
    assert alice_client.get(path.format(v=value)).status_code < 500


@pytest.mark.parametrize("value", ["%C2%B2", "%F0%90%A9%80", "null"])
@pytest.mark.parametrize("path", API_PATHS)
def test_unicode_digits_in_api_parameters_are_no_server_error(alice_api, job_posting, path, value):
    ApplicantFactory(job_posting=job_posting)
    assert alice_api.get(path.format(v=value)).status_code < 500


def test_share_url_csv_of_a_search_matching_nothing_is_the_header_alone(alice_api, job_posting):
    ApplicantFactory(job_posting=job_posting)
    response = alice_api.get("/api/v1/share-urls.csv?job_posting=null&encoding=utf-8")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0][0] == "iM採用ID"


def test_reviewer_page_ignores_an_edit_id_in_unicode_digits(job_posting):
    link = sharing_services.share_link_get_or_create(applicant=ApplicantFactory(job_posting=job_posting))
    assert Client().get(f"/s/{link.token}/?edit=%C2%B2").status_code == 200


def test_a_question_without_optional_fields_takes_their_defaults(alice_api, job_posting):
    body = {
        "title": "2027 新卒",
        "deadline": "2030-01-31T23:59:00+09:00",
        "questions": [{"text": "自己紹介"}],
    }
    created = alice_api.post("/api/v1/job-postings/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["questions"] == [
        {"text": "自己紹介", "preparation_seconds": 30, "answer_seconds": 60, "max_takes": 2}
    ]
    patched = alice_api.patch(
        f"/api/v1/job-postings/{job_posting.pk}/", {"questions": [{"text": "志望動機"}]}, format="json"
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["questions"][0]["max_takes"] == 2


@pytest.mark.parametrize("deadline", ["0085-01-01T00:00:00Z", "1035-06-01T00:00:00Z", "1999-12-31T00:00:00Z",
                                      "2999-01-01T00:00:00Z"])  # fmt: skip
def test_deadlines_in_absurd_years_are_refused(alice_api, job_posting, deadline):
    created = alice_api.post("/api/v1/job-postings/", {"title": "t", "deadline": deadline}, format="json")
    assert created.status_code == 400 and "deadline" in created.json()
    patched = alice_api.patch(
        f"/api/v1/job-postings/{job_posting.pk}/", {"deadline": deadline}, format="json"
    )
    assert patched.status_code == 400 and "deadline" in patched.json()
    assert JobPosting.objects.count() == 1


def test_deadline_years_are_refused_on_the_recruiter_form_too(alice_client, company):
    question = {"q-0-text": "自己紹介", "q-0-preparation_seconds": "30", "q-0-answer_seconds": "60"}
    data = {"title": "t", "deadline": "1035-06-01T10:00", "q-TOTAL_FORMS": "1", "q-INITIAL_FORMS": "0"}
    response = alice_client.post(
        reverse("applicants:job_posting_create"), {**data, **question, "q-0-max_takes": "2"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "2000" in response.content.decode() and not company.job_postings.exists()


def test_an_im_id_in_unicode_digits_is_a_row_error_not_a_failed_import(job_posting, alice):
    data = to_csv(
        [["𐩀", "山田", "yamada@example.jp"]], header=["iM採用ID", "姓", "メールアドレス"], encoding="utf-8"
    )
    imp = import_services.applicant_import_create(
        job_posting=job_posting, file=ContentFile(data, name="a.csv"), file_name="a.csv", by=alice
    )
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.INVALID
    assert [code for _row, _column, code, _params in imp.errors] == ["invalid_id"]


def test_errors_csv_in_shift_jis_with_an_emoji_asks_for_utf8(alice_client, job_posting, alice):
    data = to_csv(
        [["", "山田😀", "bad-address😀"]], header=["iM採用ID", "姓", "メールアドレス"], encoding="utf-8"
    )
    imp = import_services.applicant_import_create(
        job_posting=job_posting, file=ContentFile(data, name="a.csv"), file_name="a.csv", by=alice
    )
    url = reverse("imports:import_errors_csv", args=[imp.pk])
    refused = alice_client.get(url, {"encoding": "cp932"})
    assert refused.status_code == 302 and refused["Location"] == reverse(
        "imports:import_detail", args=[imp.pk]
    )
    assert "UTF-8" in alice_client.get(refused["Location"]).content.decode()
    utf8 = alice_client.get(url, {"encoding": "utf-8"})
    assert "😀" in b"".join(utf8.streaming_content).decode("utf-8-sig")


LONG = "9" * 5000


@pytest.mark.parametrize(
    "header", [f"bytes={LONG}-", f"bytes=-{LONG}", f"bytes=0-{LONG}", "bytes=²-", f"bytes={'9' * 19}-"]
)
def test_a_range_of_thousands_of_digits_is_no_server_error(db, header):
    name = storage.media_storage().save("takes/1/1/range.webm", ContentFile(storage.WEBM_MAGIC + b"x" * 96))
    response = Client().get(storage.playback_url(name), HTTP_RANGE=header)
    assert response.status_code in {200, 206, 416}
    if header.startswith("bytes=-"):  # a suffix longer than the file is the whole file
        assert response.status_code == 206 and response["Content-Range"] == "bytes 0-99/100"
