"""Recruiter pages of reviewers (面接官): the list and its links, a posting's reviewers, the applicant
page, 面接官アサイン in まとめて処理モード, the applicant list's progress and its search conditions,
the recruiter's own digest choice; another company's reviewers and assignments are a 404."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from applicants.models import Applicant
from messaging.models import Message
from sharing import services
from sharing.models import Reviewer, ReviewerAssignment, SubmissionDigest
from tests.factories import ApplicantFactory

CONFIRM = reverse("bulk:bulk_confirm")


def test_a_recruiter_adds_a_reviewer_and_sees_their_link(alice_client, company):
    response = alice_client.post(
        "/sharing/reviewers/", {"name": " 田中  一郎 ", "email": "Tanaka@Example.JP"}
    )
    assert response.status_code == 302
    reviewer = Reviewer.objects.get()
    assert (reviewer.name, reviewer.email, reviewer.company) == ("田中 一郎", "Tanaka@example.jp", company)
    html = alice_client.get("/sharing/reviewers/").content.decode()
    assert reviewer.review_url in html


def test_a_duplicate_address_is_refused_on_the_form(alice_client, reviewer):
    response = alice_client.post("/sharing/reviewers/", {"name": "別人", "email": "SATO@example.jp"})
    assert response.status_code == 200
    assert "この面接官のメールアドレスはすでに登録されています。" in response.content.decode()
    assert Reviewer.objects.count() == 1


def test_edit_regenerate_revoke_and_remove(alice_client, reviewer):
    url = f"/sharing/reviewers/{reviewer.pk}/"
    assert alice_client.post(url, {"name": "佐藤 本部長", "email": reviewer.email}).status_code == 302
    old = reviewer.token
    alice_client.post(f"{url}link/regenerate/")
    reviewer.refresh_from_db()
    assert reviewer.name == "佐藤 本部長" and reviewer.token != old
    assert Message.objects.filter(template_code="D07", to=reviewer.email).count() == 1
    alice_client.post(f"{url}link/revoke/")
    reviewer.refresh_from_db()
    assert reviewer.token is None
    assert 'id="link-revoked"' in alice_client.get(url).content.decode()
    alice_client.post(f"{url}delete/")
    assert not Reviewer.objects.exists()


def test_a_postings_reviewers_are_saved_and_mailed_once(alice_client, reviewer, other_reviewer, job_posting):
    url = f"/sharing/job-postings/{job_posting.pk}/reviewers/"
    assert alice_client.get(url).status_code == 200
    alice_client.post(url, {"reviewers": [reviewer.pk]})
    alice_client.post(url, {"reviewers": [reviewer.pk, other_reviewer.pk]})
    assert set(ReviewerAssignment.objects.values_list("reviewer_id", flat=True)) == {
        reviewer.pk,
        other_reviewer.pk,
    }
    assert Message.objects.filter(template_code="D07").count() == 2


def test_the_applicant_page_lists_assigned_reviewers_and_assigns_one(
    alice_client, reviewer, other_reviewer, job_posting, submit
):
    applicant = submit(job_posting)
    services.reviewers_assign_posting(job_posting=job_posting, reviewers=[reviewer], key="p")
    alice_client.post(f"/sharing/applicants/{applicant.im_id}/reviewers/", {"reviewer": other_reviewer.pk})
    html = alice_client.get(f"/applicants/{applicant.im_id}/").content.decode()
    section = html[html.index('id="applicant-reviewers"') :]
    assert "佐藤 部長" in section and "鈴木 課長" in section
    assignment = ReviewerAssignment.objects.get(applicant=applicant)
    alice_client.post(
        f"/sharing/assignments/{assignment.pk}/delete/", {"next": f"/applicants/{applicant.im_id}/"}
    )
    assert not ReviewerAssignment.objects.filter(applicant=applicant).exists()


# --- Tenancy: another company's reviewers, links and assignments ---------------------------------


def test_outsider_gets_404_for_our_reviewers_and_assignments(
    charlie_client, charlie_api, reviewer, job_posting, submit
):
    applicant = submit(job_posting)
    services.reviewers_assign_applicants(
        company=reviewer.company, reviewers=[reviewer], applicants=Applicant.objects.all(), key="k"
    )
    assignment = ReviewerAssignment.objects.get()
    for url in (
        f"/sharing/reviewers/{reviewer.pk}/",
        f"/sharing/job-postings/{job_posting.pk}/reviewers/",
    ):
        assert charlie_client.get(url).status_code == 404
    for url in (
        f"/sharing/reviewers/{reviewer.pk}/",
        f"/sharing/reviewers/{reviewer.pk}/delete/",
        f"/sharing/reviewers/{reviewer.pk}/link/regenerate/",
        f"/sharing/reviewers/{reviewer.pk}/link/revoke/",
        f"/sharing/assignments/{assignment.pk}/delete/",
        f"/sharing/applicants/{applicant.im_id}/reviewers/",
    ):
        assert charlie_client.post(url, {"name": "x", "email": "x@example.jp"}).status_code == 404, url
    assert charlie_api.get(f"/api/v1/reviewers/{reviewer.pk}/").status_code == 404
    assert charlie_api.delete(f"/api/v1/reviewer-assignments/{assignment.pk}/").status_code == 404
    assert charlie_api.get("/api/v1/reviewers/").json()["results"] == []
    reviewer.refresh_from_db()
    assert reviewer.token and ReviewerAssignment.objects.exists()
    # Our reviewer cannot be chosen in the outsider's bulk assignment or search either.
    response = charlie_client.get("/applicants/", {"reviewer": reviewer.pk})
    assert response.status_code == 200 and applicant.email not in response.content.decode()


def test_pages_are_403_while_the_feature_is_off(alice_client, company, reviewer):
    company.share_url_enabled = False
    company.save(update_fields=["share_url_enabled"])
    assert alice_client.get("/sharing/reviewers/").status_code == 403
    assert alice_client.get(f"/r/{reviewer.token}/").status_code == 404


# --- まとめて処理モード: 面接官アサイン ---------------------------------------------------------------


def _hidden(response) -> dict:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    form = html[html.index('id="confirm-form"') :]
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form):
        data.setdefault(name, []).append(value)
    return data


def test_bulk_assign_confirms_then_assigns_once(
    alice_client, reviewer, other_reviewer, job_posting, submit, django_capture_on_commit_callbacks
):
    submitted = submit(job_posting)
    awaiting = ApplicantFactory(job_posting=job_posting)
    withdrawn = ApplicantFactory(job_posting=job_posting, status=Applicant.Status.WITHDRAWN)
    params = {
        "action": "assign_reviewers",
        "scope": "selected",
        "job_posting": job_posting.pk,
        "im_id": [submitted.im_id, awaiting.im_id, withdrawn.im_id],
    }
    page = alice_client.get(CONFIRM, params)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>面接官アサイン</h1>" in html
    assert 'data-will="2" data-submitted="1"' in html
    assert f'name="assign_reviewer" value="{reviewer.pk}"' in html
    assert f'name="assign_reviewer" value="{other_reviewer.pk}"' in html
    data = _hidden(page)
    # Nobody ticked: the confirm page again, nothing assigned.
    again = alice_client.post(CONFIRM, data)
    assert again.status_code == 200 and "面接官を1人以上選んでください。" in again.content.decode()
    assert not ReviewerAssignment.objects.exists()
    for _ in range(2):  # a double click assigns and mails once
        with django_capture_on_commit_callbacks(execute=True):
            done = alice_client.post(CONFIRM, {**data, "assign_reviewer": [reviewer.pk]})
        assert done.status_code == 302
    assert set(ReviewerAssignment.objects.values_list("applicant_id", flat=True)) == {
        submitted.pk,
        awaiting.pk,
    }
    assert Message.objects.filter(template_code="D07").count() == 1
    assert Message.objects.get(template_code="D07").to == "sato@example.jp"


def test_the_list_offers_the_action_and_the_conditions_only_with_the_feature(alice_client, company, reviewer):
    html = alice_client.get("/applicants/").content.decode()
    assert 'value="assign_reviewers"' in html and 'name="reviewer"' in html and 'name="evaluation"' in html
    company.share_url_enabled = False
    company.save(update_fields=["share_url_enabled"])
    html = alice_client.get("/applicants/").content.decode()
    assert 'value="assign_reviewers"' not in html and 'name="evaluation"' not in html
    assert alice_client.get(CONFIRM, {"action": "assign_reviewers", "scope": "all"}).status_code == 404


# --- The list: progress and search conditions -----------------------------------------------------


@pytest.fixture
def reviewed(reviewer, other_reviewer, job_posting, submit):
    """both: two reviewers (posting), one evaluated; done: one reviewer, evaluated; none: unassigned."""
    from tests.factories import JobPostingFactory

    both = submit(job_posting, last_name="両方")
    services.reviewers_assign_posting(job_posting=job_posting, reviewers=[reviewer, other_reviewer], key="p")
    other_posting = JobPostingFactory(company=job_posting.company)
    done = submit(other_posting, last_name="完了")
    services.reviewers_assign_applicants(
        company=reviewer.company,
        reviewers=[reviewer],
        applicants=Applicant.objects.filter(pk=done.pk),
        key="a",
    )
    none = submit(other_posting, last_name="なし")
    for applicant in (both, done):
        sheet = services.evaluation_sheet_for(job_posting=applicant.job_posting)
        services.reviewer_evaluation_save(
            reviewer=reviewer, applicant=applicant, sheet=sheet, answers={sheet.items.all()[0].pk: "B"}
        )
    return {"both": both, "done": done, "none": none}


def _rows(client, **params) -> dict[str, str]:
    html = client.get("/applicants/", params).content.decode()
    return dict(re.findall(r'<tr data-im-id="(\d+)"(.*?)</tr>', html, re.S))


def test_the_list_shows_reviewers_and_progress(alice_client, reviewed):
    rows = _rows(alice_client)
    both = rows[str(reviewed["both"].im_id)]
    assert 'data-evaluated="1" data-assigned="2"' in both and "<b>1/2</b>" in both
    assert "佐藤 部長 ✓" in both and "鈴木 課長" in both
    assert (
        'class="review-progress complete" data-evaluated="1" data-assigned="1"'
        in rows[str(reviewed["done"].im_id)]
    )
    assert "review-progress" not in rows[str(reviewed["none"].im_id)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"evaluation": "pending"}, {"both"}),
        ({"evaluation": "done"}, {"done"}),
        ({"evaluation": "unassigned"}, {"none"}),
        ({"reviewer": "sato"}, {"both", "done"}),
        ({"reviewer": "suzuki"}, {"both"}),
        ({"reviewer": "suzuki", "evaluation": "pending"}, {"both"}),
        ({"reviewer": "sato", "q": "完了"}, {"done"}),  # the text search's own path
        ({"evaluation": "done", "q": "両方"}, set()),
    ],
)
def test_the_list_searches_by_reviewer_and_progress(
    alice_client, reviewed, reviewer, other_reviewer, params, expected
):
    ids = {"sato": reviewer.pk, "suzuki": other_reviewer.pk}
    if "reviewer" in params:
        params = {**params, "reviewer": ids[params["reviewer"]]}
    found = set(_rows(alice_client, **params))
    assert found == {str(reviewed[name].im_id) for name in expected}


def test_the_search_keeps_its_conditions_for_bulk_and_exports(alice_client, reviewed, reviewer):
    html = alice_client.get(
        "/applicants/", {"reviewer": reviewer.pk, "evaluation": "pending"}
    ).content.decode()
    bulk = html[html.index('id="bulk-form"') :]
    assert f'<input type="hidden" name="reviewer" value="{reviewer.pk}">' in bulk
    assert '<input type="hidden" name="evaluation" value="pending">' in bulk
    from applicants.selectors import applicant_search

    assert list(applicant_search(company=reviewer.company, params={"evaluation": "pending"})) == [
        reviewed["both"]
    ]


def test_odd_search_values_are_ignored_and_reported(alice_client, reviewed, other_company):
    response = alice_client.get("/applicants/", {"reviewer": "abc", "evaluation": "soon"}, follow=True)
    assert response.status_code == 200
    warnings = [str(m) for m in response.context["messages"]]
    assert "不明な面接官です: abc" in warnings and "不明な評価状況です: soon" in warnings
    assert len(_rows(alice_client, reviewer="abc")) == 3
    outsider = services.reviewer_create(company=other_company, name="外部", email="x@example.jp")
    assert _rows(alice_client, reviewer=outsider.pk) == {}


def test_the_api_searches_alike(alice_api, reviewed):
    response = alice_api.get("/api/v1/applicants/", {"evaluation": "done"})
    assert [row["im_id"] for row in response.json()["results"]] == [reviewed["done"].im_id]


# --- The recruiter's digest choice ----------------------------------------------------------------


def test_a_recruiter_opts_in_and_out_of_the_digest(alice_client, alice, company):
    assert alice_client.get("/sharing/notifications/").status_code == 200
    alice_client.post("/sharing/notifications/", {"enabled": "on"})
    digest = SubmissionDigest.objects.get(user=alice)
    assert digest.enabled and digest.company == company
    alice_client.post("/sharing/notifications/", {})
    digest.refresh_from_db()
    assert not digest.enabled


def test_the_digest_choice_is_personal(alice_client, bob_client, alice, bob):
    alice_client.post("/sharing/notifications/", {"enabled": "on"})
    assert not SubmissionDigest.objects.filter(user=bob).exists()
    assert (
        "checked"
        not in bob_client.get("/sharing/notifications/").content.decode().split('name="enabled"')[1][:40]
    )


def test_a_selection_searched_by_reviewer_is_assigned_another(
    alice_client, reviewer, other_reviewer, job_posting, submit
):
    """The list's `reviewer` condition stays the selection's; the reviewers to assign are a field apart."""
    mine = submit(job_posting)
    submit(job_posting)  # not assigned to `reviewer`: not in the selection
    services.reviewers_assign_applicants(
        company=reviewer.company,
        reviewers=[reviewer],
        applicants=Applicant.objects.filter(pk=mine.pk),
        key="a",
    )
    page = alice_client.get(CONFIRM, {"action": "assign_reviewers", "scope": "all", "reviewer": reviewer.pk})
    assert 'data-will="1"' in page.content.decode()
    alice_client.post(CONFIRM, {**_hidden(page), "assign_reviewer": [other_reviewer.pk]})
    assert list(other_reviewer.assignments.values_list("applicant_id", flat=True)) == [mine.pk]
