from applicants.models import Applicant
from tests.factories import ApplicantFactory, JobPostingFactory


def test_it_needs_a_token(client, job_posting):
    response = client.get("/api/v1/applicants/")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_job_postings_are_paginated_and_scoped(alice_api, job_posting, other_company):
    JobPostingFactory(company=other_company)
    body = alice_api.get("/api/v1/job-postings/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    posting = body["results"][0]
    assert posting["id"] == job_posting.pk
    assert len(posting["questions"]) == 3
    assert set(posting["questions"][0]) == {"text", "preparation_seconds", "answer_seconds", "max_takes"}


def test_create_and_patch_a_job_posting(alice_api, company):
    response = alice_api.post(
        "/api/v1/job-postings/",
        {
            "title": "API 募集",
            "instructions": "",
            "deadline": "2030-01-31T23:59:00+09:00",
            "questions": [{"text": "Q1", "preparation_seconds": 10, "answer_seconds": 60, "max_takes": 2}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = alice_api.patch(f"/api/v1/job-postings/{pk}/", {"title": "改名"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "改名"
    assert len(response.json()["questions"]) == 1


def test_register_an_applicant_by_the_csv_rules(alice_api, job_posting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post(
            "/api/v1/applicants/",
            {
                "job_posting": job_posting.pk,
                "email": "ＡＢＣ@Example.jp",
                "last_name": "\u3000髙橋 ",
                "phone": "０９０-1111-2222",
                "graduation_year": "2027",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "ABC@example.jp"
    assert body["last_name"] == "髙橋"
    assert body["phone"] == "090-1111-2222"
    assert body["status"] == "awaiting"
    assert body["interview_url"].startswith("http://testserver/i/")
    assert Applicant.objects.get().created_via == "api"


def test_bad_input_gets_per_field_errors(alice_api, job_posting):
    response = alice_api.post(
        "/api/v1/applicants/",
        {"job_posting": job_posting.pk, "email": "nope", "graduation_year": "27"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"email", "graduation_year"}
    assert not Applicant.objects.exists()


def test_duplicate_email_is_refused(alice_api, job_posting):
    ApplicantFactory(job_posting=job_posting, email="a@example.jp")
    response = alice_api.post("/api/v1/applicants/", {"job_posting": job_posting.pk, "email": "A@example.jp"})
    assert response.status_code == 400
    assert "email" in response.json()


def test_cannot_register_into_another_companys_posting(charlie_api, job_posting):
    response = charlie_api.post(
        "/api/v1/applicants/", {"job_posting": job_posting.pk, "email": "x@example.jp"}
    )
    assert response.status_code == 400
    assert "job_posting" in response.json()


def test_filters_and_lookup_by_im_id(alice_api, job_posting):
    a = ApplicantFactory(job_posting=job_posting, email="hit@example.jp", im_id=7)
    ApplicantFactory(job_posting=job_posting, status=Applicant.Status.SUBMITTED)
    assert alice_api.get("/api/v1/applicants/", {"status": "awaiting"}).json()["count"] == 1
    assert alice_api.get("/api/v1/applicants/", {"q": "hit@"}).json()["results"][0]["im_id"] == 7
    assert alice_api.get("/api/v1/applicants/7/").json()["email"] == a.email
    response = alice_api.patch(
        "/api/v1/applicants/7/", {"school": "京都大学", "status": "submitted"}, format="json"
    )
    assert response.status_code == 200
    a.refresh_from_db()
    assert (a.school, a.status) == ("京都大学", "awaiting")


def test_outsider_gets_404(charlie_api, job_posting):
    a = ApplicantFactory(job_posting=job_posting)
    assert charlie_api.get(f"/api/v1/applicants/{a.im_id}/").status_code == 404
    assert charlie_api.patch(f"/api/v1/applicants/{a.im_id}/", {"school": "x"}).status_code == 404
    assert charlie_api.get(f"/api/v1/job-postings/{job_posting.pk}/").status_code == 404


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/applicants/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
