"""`/api/v1/reviewers/` and `/api/v1/reviewer-assignments/`: the same rules as the pages."""

from __future__ import annotations

from applicants.models import Applicant
from messaging.models import Message
from sharing.models import Reviewer, ReviewerAssignment
from tests.factories import ApplicantFactory


def test_create_list_update_and_delete_reviewers(alice_api, company):
    created = alice_api.post(
        "/api/v1/reviewers/", {"name": "田中 一郎", "email": "tanaka@example.jp"}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    reviewer = Reviewer.objects.get()
    assert body["review_url"] == reviewer.review_url and reviewer.company == company
    duplicate = alice_api.post(
        "/api/v1/reviewers/", {"name": "x", "email": "TANAKA@example.jp"}, format="json"
    )
    assert duplicate.status_code == 400 and "email" in duplicate.json()
    assert [r["name"] for r in alice_api.get("/api/v1/reviewers/").json()["results"]] == ["田中 一郎"]
    patched = alice_api.patch(f"/api/v1/reviewers/{reviewer.pk}/", {"name": "田中 部長"}, format="json")
    assert patched.status_code == 200 and patched.json()["name"] == "田中 部長"
    old = reviewer.review_url
    fresh = alice_api.post(f"/api/v1/reviewers/{reviewer.pk}/regenerate-link/").json()["review_url"]
    assert fresh and fresh != old
    assert alice_api.post(f"/api/v1/reviewers/{reviewer.pk}/revoke-link/").json()["review_url"] == ""
    assert alice_api.delete(f"/api/v1/reviewers/{reviewer.pk}/").status_code == 204
    assert not Reviewer.objects.exists()


def test_assign_by_posting_or_applicants_once_per_request(alice_api, reviewer, other_reviewer, job_posting):
    applicants = [ApplicantFactory(job_posting=job_posting) for _ in range(2)]
    body = {"reviewers": [reviewer.pk], "applicants": [a.im_id for a in applicants], "request_id": "ats-42"}
    for _ in range(2):
        response = alice_api.post("/api/v1/reviewer-assignments/", body, format="json")
        assert response.status_code == 201
    assert {row["applicant"] for row in response.json()} == {a.im_id for a in applicants}
    assert Message.objects.filter(template_code="D07").count() == 1
    by_posting = alice_api.post(
        "/api/v1/reviewer-assignments/",
        {"reviewers": [other_reviewer.pk], "job_posting": job_posting.pk},
        format="json",
    )
    assert by_posting.status_code == 201 and by_posting.json()[0]["job_posting"] == job_posting.pk
    listed = alice_api.get("/api/v1/reviewer-assignments/", {"reviewer": other_reviewer.pk}).json()["results"]
    assert len(listed) == 1
    assert alice_api.delete(f"/api/v1/reviewer-assignments/{listed[0]['id']}/").status_code == 204
    assert ReviewerAssignment.objects.count() == 2


def test_assigning_needs_one_target_and_our_reviewers(alice_api, charlie_api, reviewer, job_posting):
    both = {"reviewers": [reviewer.pk], "job_posting": job_posting.pk, "applicants": [1]}
    assert alice_api.post("/api/v1/reviewer-assignments/", both, format="json").status_code == 400
    theirs = charlie_api.post(
        "/api/v1/reviewer-assignments/", {"reviewers": [reviewer.pk], "applicants": [1]}, format="json"
    )
    assert theirs.status_code == 400  # our reviewer is unknown to another company
    applicant = ApplicantFactory(job_posting=job_posting)
    charlie_reviewer = charlie_api.post(
        "/api/v1/reviewers/", {"name": "外部", "email": "x@example.jp"}, format="json"
    ).json()["id"]
    ours = charlie_api.post(
        "/api/v1/reviewer-assignments/",
        {"reviewers": [charlie_reviewer], "applicants": [applicant.im_id]},
        format="json",
    )
    assert ours.status_code == 201 and ours.json() == []
    posting = charlie_api.post(
        "/api/v1/reviewer-assignments/",
        {"reviewers": [charlie_reviewer], "job_posting": job_posting.pk},
        format="json",
    )
    assert posting.status_code == 404
    assert not ReviewerAssignment.objects.exists()
    assert Applicant.objects.count() == 1


def test_the_api_is_403_while_the_feature_is_off(alice_api, company):
    company.share_url_enabled = False
    company.save(update_fields=["share_url_enabled"])
    response = alice_api.get("/api/v1/reviewers/")
    assert response.status_code == 403


def test_queue_evaluations_carry_the_reviewer_in_the_api(alice_api, reviewer, job_posting, submit):
    from sharing import services

    applicant = submit(job_posting)
    sheet = services.evaluation_sheet_for(job_posting=job_posting)
    services.reviewer_evaluation_save(reviewer=reviewer, applicant=applicant, sheet=sheet, answers={})
    (row,) = alice_api.get(f"/api/v1/applicants/{applicant.im_id}/evaluations/").json()["results"]
    assert row["reviewer_id"] == reviewer.pk and row["reviewer_name"] == "佐藤 部長"
