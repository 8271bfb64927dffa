import re

import pytest
from django.urls import reverse

from applicants.models import Applicant, Membership, api_token_hash
from tests.factories import ApplicantFactory, JobPostingFactory


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("applicants:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_dashboard_counts_per_status(alice_client, job_posting):
    ApplicantFactory.create_batch(3, job_posting=job_posting)
    ApplicantFactory(job_posting=job_posting, status=Applicant.Status.SUBMITTED)
    response = alice_client.get(reverse("applicants:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert job_posting.title in html
    assert 'data-count="awaiting"' in html
    posting = response.context["postings"][0]
    assert (posting.n_total, posting.n_awaiting, posting.n_submitted) == (4, 3, 1)
    assert "調整中" in html and "回答済" in html


def test_dashboard_shows_nothing_of_another_company(charlie_client, job_posting):
    response = charlie_client.get(reverse("applicants:dashboard"))
    assert job_posting.title not in response.content.decode()


def test_user_without_company_gets_403(client, django_user_model):
    user = django_user_model.objects.create_user("operator", password="x-pass-12345")
    client.force_login(user)
    assert client.get(reverse("applicants:dashboard")).status_code == 403


def test_register_an_applicant_through_the_form(
    alice_client, job_posting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("applicants:applicant_create"),
            {
                "job_posting": job_posting.pk,
                "email": " Hanako@Example.JP ",
                "last_name": "髙橋",
                "first_name": "花子",
                "phone": "０９０１２３４５６７８",
                "graduation_year": "2027",
            },
        )
    applicant = Applicant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("applicants:applicant_detail", args=[applicant.im_id])
    assert (applicant.email, applicant.phone, applicant.graduation_year) == (
        "Hanako@example.jp",
        "09012345678",
        2027,
    )
    assert applicant.created_via == "form"


def test_the_form_rejects_a_duplicate_email(alice_client, job_posting):
    ApplicantFactory(job_posting=job_posting, email="dup@example.jp")
    response = alice_client.post(
        reverse("applicants:applicant_create"), {"job_posting": job_posting.pk, "email": "DUP@example.jp"}
    )
    assert response.status_code == 200
    assert Applicant.objects.count() == 1
    assert "既に登録" in response.content.decode()


def test_the_form_refuses_a_posting_of_another_company(alice_client, other_company):
    foreign = JobPostingFactory(company=other_company)
    response = alice_client.post(
        reverse("applicants:applicant_create"), {"job_posting": foreign.pk, "email": "x@example.jp"}
    )
    assert response.status_code == 200
    assert not Applicant.objects.exists()


def test_applicant_list_pages_and_filters_by_status(alice_client, job_posting):
    ApplicantFactory.create_batch(55, job_posting=job_posting)
    ApplicantFactory(job_posting=job_posting, status=Applicant.Status.SUBMITTED, email="done@example.jp")
    response = alice_client.get(reverse("applicants:applicant_list"))
    assert len(response.context["page"].object_list) == 50
    assert response.context["counts"]["awaiting"] == 55
    response = alice_client.get(reverse("applicants:applicant_list"), {"status": "submitted"})
    assert [a.email for a in response.context["page"]] == ["done@example.jp"]


def test_outsider_gets_404_for_an_applicant(charlie_client, job_posting):
    applicant = ApplicantFactory(job_posting=job_posting)
    assert (
        charlie_client.get(reverse("applicants:applicant_detail", args=[applicant.im_id])).status_code == 404
    )


def test_job_posting_create_with_questions(alice_client, company):
    data = {
        "title": "総合職",
        "instructions": "",
        "deadline": "2030-03-31T23:59",
        "is_open": "on",
        "q-TOTAL_FORMS": "2",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "1",
        "q-MAX_NUM_FORMS": "30",
        "q-0-text": "自己紹介",
        "q-0-preparation_seconds": "30",
        "q-0-answer_seconds": "60",
        "q-0-max_takes": "2",
        "q-1-text": "志望動機",
        "q-1-preparation_seconds": "10",
        "q-1-answer_seconds": "90",
        "q-1-max_takes": "1",
    }
    response = alice_client.post(reverse("applicants:job_posting_create"), data)
    assert response.status_code == 302
    posting = company.job_postings.get()
    assert list(posting.questions.values_list("text", "answer_seconds")) == [
        ("自己紹介", 60),
        ("志望動機", 90),
    ]
    assert posting.deadline.isoformat().startswith("2030-03-31T14:59")  # Asia/Tokyo → UTC


def test_job_posting_needs_a_question(alice_client, company):
    data = {
        "title": "総合職",
        "deadline": "2030-03-31T23:59",
        "q-TOTAL_FORMS": "0",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "1",
        "q-MAX_NUM_FORMS": "30",
    }
    response = alice_client.post(reverse("applicants:job_posting_create"), data)
    assert response.status_code == 200
    assert not company.job_postings.exists()


def test_application_settings_are_for_admins_only(bob_client, alice_client, company):
    assert bob_client.get(reverse("applicants:application_settings")).status_code == 403
    response = alice_client.post(
        reverse("applicants:application_settings"),
        {
            "free_area_1_label": "ATS ID",
            "free_area_2_label": "",
            "free_area_3_label": "",
            "timezone": "Asia/Tokyo",
            "language": "ja",
        },
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.free_area_label(1) == "ATS ID"
    assert company.free_area_label(2) == "フリーエリア2"


def test_unknown_timezone_is_refused(alice_client, company):
    response = alice_client.post(reverse("applicants:application_settings"), {"timezone": "Mars/Base"})
    assert response.status_code == 200
    company.refresh_from_db()
    assert company.timezone == "Asia/Tokyo"


def test_admin_adds_and_removes_a_member(alice_client, company, django_user_model):
    response = alice_client.post(
        reverse("applicants:member_list"),
        {"username": "dave", "email": "dave@example.jp", "password": "a-Long-pass-2026", "role": "member"},
    )
    assert response.status_code == 302
    member = Membership.objects.get(user__username="dave")
    assert member.company == company
    alice_client.post(reverse("applicants:member_remove", args=[member.pk]))
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert not django_user_model.objects.get(username="dave").is_active


def test_admin_cannot_remove_themself(alice_client, alice):
    alice_client.post(reverse("applicants:member_remove", args=[alice.membership.pk]))
    assert Membership.objects.filter(user=alice).exists()


def test_api_token_page_creates_a_token(bob_client, bob):
    response = bob_client.post(reverse("applicants:api_token"))
    assert response.status_code == 200
    key = re.search(r"Authorization: Token ([\w-]+)", response.content.decode()).group(1)  # type: ignore[union-attr]
    assert bob.api_tokens.get().key_hash == api_token_hash(key)


@pytest.mark.parametrize("lang", ["en", "xx-unknown"])
def test_language_switch_never_fails(alice_client, lang):
    response = alice_client.post("/i18n/setlang/", {"language": lang, "next": "/dashboard/"})
    assert response.status_code == 302
    page = alice_client.get("/dashboard/")
    assert page.status_code == 200
    assert ("Job postings" in page.content.decode()) == (lang == "en")


def test_japanese_even_for_an_english_browser(alice_client):
    page = alice_client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "募集要項" in page.content.decode()


def test_wording_school_rows_and_created_at(alice_client, job_posting):
    """Issue 14 §15: 学校名・学部名・学科名 are rows of their own; times say 「作成日時」."""
    applicant = ApplicantFactory(
        job_posting=job_posting, school="東京大学", faculty="工学部", department="情報工学科"
    )
    page = alice_client.get(f"/applicants/{applicant.im_id}/").content.decode()
    assert "<dt>学部名</dt><dd>工学部</dd>" in page and "<dt>学科名</dt><dd>情報工学科</dd>" in page
    for url in ("/messages/", f"/applicants/{applicant.im_id}/", "/settings/api-token/"):
        html = alice_client.get(url).content.decode()
        assert "作成された" not in html, url
