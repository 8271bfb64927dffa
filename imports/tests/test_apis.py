"""The import API (docs/product.md §9): POST /applicant-imports/, GET …/{id}/, POST …/{id}/confirm/."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from applicants.models import Applicant
from imports.models import ApplicantImport
from imports.samples import applicants_csv, to_csv
from messaging.models import Message
from tests.clients import api_key_for

URL = "/api/v1/applicant-imports/"


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


def post(client, posting, data: bytes):
    return client.post(
        URL, {"job_posting": posting.pk, "file": SimpleUploadedFile("a.csv", data)}, format="multipart"
    )


def test_upload_get_confirm(alice, job_posting, django_capture_on_commit_callbacks):
    client = api(alice)
    response = post(client, job_posting, applicants_csv(3))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "validated"
    assert body["counts"] == {"new": 3, "update": 0, "skipped": 0, "error": 0}
    assert body["errors"] == [] and "progress" in body
    assert client.get(f"{URL}{body['id']}/").json()["status"] == "validated"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{body['id']}/confirm/")
    assert response.status_code == 202 and response.json()["status"] == "importing"
    done = client.get(f"{URL}{body['id']}/").json()
    assert done["status"] == "done" and done["progress"] == 100
    assert Applicant.objects.count() == 3 and Message.objects.filter(template_code="D03").count() == 3
    again = client.post(f"{URL}{body['id']}/confirm/")
    assert again.status_code == 409 and again.json()["detail"]


def test_errors_come_as_row_column_message(alice, job_posting):
    data = to_csv([["", "x"], ["", "ok@example.jp"]], header=["iM採用ID", "メールアドレス"])
    body = post(api(alice), job_posting, data).json()
    assert body["status"] == "invalid"
    assert body["counts"]["error"] == 1
    (error,) = body["errors"]
    assert error["row"] == 2 and error["column"] == "メールアドレス" and error["message"]
    response = api(alice).post(f"{URL}{body['id']}/confirm/")
    assert response.status_code == 409
    assert Applicant.objects.count() == 0


def test_file_problem_is_one_error_without_row(alice, job_posting):
    body = post(api(alice), job_posting, to_csv([])).json()
    assert body["status"] == "invalid"
    assert body["errors"][0]["row"] is None and body["errors"][0]["message"]


def test_an_empty_file_is_refused_with_a_message(alice, job_posting):
    response = post(api(alice), job_posting, b"")
    assert response.status_code == 400 and response.json()["file"]
    assert ApplicantImport.objects.count() == 0


def test_403_with_a_clear_message_while_csv_upload_is_off(alice, company, job_posting):
    company.csv_upload_enabled = False
    company.save()
    response = post(api(alice), job_posting, applicants_csv(1))
    assert response.status_code == 403
    assert "enabled" in response.json()["detail"] or "有効" in response.json()["detail"]
    assert ApplicantImport.objects.count() == 0


def test_outsider_gets_404(alice, charlie, job_posting):
    imp_id = post(api(alice), job_posting, applicants_csv(1)).json()["id"]
    outsider = api(charlie)
    assert outsider.get(f"{URL}{imp_id}/").status_code == 404
    assert outsider.post(f"{URL}{imp_id}/confirm/").status_code == 404
    assert outsider.get(URL).json()["count"] == 0


def test_a_posting_of_another_company_is_rejected(charlie, job_posting):
    response = post(api(charlie), job_posting, applicants_csv(1))
    assert response.status_code == 400 and "job_posting" in response.json()


@pytest.mark.parametrize("payload", [{}, {"job_posting": "abc"}])
def test_missing_fields_are_400(alice, payload):
    assert api(alice).post(URL, payload, format="multipart").status_code == 400
