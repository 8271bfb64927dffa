"""POST /api/v1/answer-requests/ and the list filters of GET /api/v1/applicants/."""

from __future__ import annotations

import datetime as dt

import pytest

from applicants.models import Applicant
from bulk.models import AnswerRequest
from messaging.models import Message
from tests.factories import ApplicantFactory, JobPostingFactory

URL = "/api/v1/answer-requests/"


@pytest.fixture
def applicants(job_posting):
    rows = [ApplicantFactory(job_posting=job_posting, status=s) for s in ["awaiting"] * 3 + ["submitted"]]
    job_posting.company.last_im_id = rows[-1].im_id
    job_posting.company.save(update_fields=["last_im_id"])
    return rows


def test_by_status_answers_how_many_will_be_sent_and_skipped(
    alice_api, job_posting, applicants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post(URL, {"job_posting": job_posting.pk, "status": "awaiting"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["will_send"], body["skipped"], body["job_posting"]) == (3, 0, job_posting.pk)
    assert Message.objects.filter(template_code="D04").count() == 3
    assert AnswerRequest.objects.get().source == AnswerRequest.Source.API
    progress = alice_api.get(f"{URL}{body['id']}/").json()
    assert (progress["state"], progress["progress"], progress["queued"]) == ("done", 100, 3)


def test_by_im_ids_skips_those_not_awaiting(
    alice_api, job_posting, applicants, django_capture_on_commit_callbacks
):
    ids = [applicants[0].im_id, applicants[3].im_id]
    with django_capture_on_commit_callbacks(execute=True):
        body = alice_api.post(URL, {"job_posting": job_posting.pk, "im_ids": ids}, format="json").json()
    assert (body["selected"], body["will_send"], body["skipped"]) == (2, 1, 1)
    assert list(Message.objects.filter(template_code="D04").values_list("applicant", flat=True)) == [
        applicants[0].pk
    ]


def test_the_same_idempotency_key_sends_nothing_twice(
    alice_api, job_posting, applicants, django_capture_on_commit_callbacks
):
    payload = {"job_posting": job_posting.pk, "status": "awaiting"}
    with django_capture_on_commit_callbacks(execute=True):
        first = alice_api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="ats-run-42")
        second = alice_api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="ats-run-42")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Message.objects.filter(template_code="D04").count() == 3


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "awaiting"},
        {"job_posting": "x", "status": "awaiting"},
        {"job_posting": "__posting__"},
        {"job_posting": "__posting__", "status": "awaiting", "im_ids": [1]},
        {"job_posting": "__posting__", "status": "late"},
        {"job_posting": "__posting__", "im_ids": []},
        {"job_posting": "__posting__", "im_ids": ["abc"]},
        {"job_posting": "__posting__", "im_ids": [999999999]},
    ],
)
def test_bad_input_is_a_400_that_changes_nothing(alice_api, job_posting, applicants, payload):
    payload = {k: (job_posting.pk if v == "__posting__" else v) for k, v in payload.items()}
    response = alice_api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()
    assert not AnswerRequest.objects.exists()
    assert not Message.objects.filter(template_code="D04").exists()


def test_a_malformed_idempotency_key_is_a_400(alice_api, job_posting, applicants):
    response = alice_api.post(
        URL, {"job_posting": job_posting.pk, "status": "awaiting"}, format="json", HTTP_IDEMPOTENCY_KEY="a b"
    )
    assert response.status_code == 400
    assert not AnswerRequest.objects.exists()


def test_outsider_cannot_use_our_posting_ids_or_requests(
    charlie_api, alice_api, job_posting, applicants, django_capture_on_commit_callbacks
):
    response = charlie_api.post(URL, {"job_posting": job_posting.pk, "status": "awaiting"}, format="json")
    assert response.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        pk = alice_api.post(URL, {"job_posting": job_posting.pk, "status": "awaiting"}, format="json").json()[
            "id"
        ]
    assert charlie_api.get(f"{URL}{pk}/").status_code == 404
    assert not Message.objects.filter(template_code="D04", company__name="チャーリー物産").exists()


def test_outsider_ids_are_unknown_for_their_own_posting(charlie, charlie_api, job_posting, applicants):
    theirs = JobPostingFactory(company=charlie.membership.company)
    response = charlie_api.post(
        URL, {"job_posting": theirs.pk, "im_ids": [applicants[0].im_id]}, format="json"
    )
    assert response.status_code == 400
    assert "im_ids" in response.json()


def test_applicant_list_api_filters(alice_api, job_posting, applicants):
    Applicant.objects.filter(pk=applicants[0].pk).update(
        created_at=dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    )
    body = alice_api.get(
        "/api/v1/applicants/", {"job_posting": job_posting.pk, "status": "awaiting", "sort": "im_id"}
    ).json()
    assert [r["im_id"] for r in body["results"]] == [a.im_id for a in applicants[:3]]
    body = alice_api.get("/api/v1/applicants/", {"registered_to": "2026-01-05"}).json()
    assert [r["im_id"] for r in body["results"]] == [applicants[0].im_id]


def test_applicant_list_api_rejects_a_malformed_date(alice_api, applicants):
    response = alice_api.get("/api/v1/applicants/", {"registered_from": "yesterday"})
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_second_call_without_a_key_leaves_the_reminded_out_unless_sent_again(
    alice_api, job_posting, applicants, django_capture_on_commit_callbacks
):
    payload = {"job_posting": job_posting.pk, "status": "awaiting"}
    with django_capture_on_commit_callbacks(execute=True):
        alice_api.post(URL, payload, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        second = alice_api.post(URL, payload, format="json").json()
    assert (second["will_send"], second["reminded_recently"], second["send_again"]) == (0, 3, False)
    assert Message.objects.filter(template_code="D04").count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        third = alice_api.post(URL, {**payload, "send_again": True}, format="json").json()
    assert (third["will_send"], third["reminded_recently"], third["send_again"]) == (3, 0, True)
    assert Message.objects.filter(template_code="D04").count() == 6
