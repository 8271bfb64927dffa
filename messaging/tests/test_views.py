"""Recruiter pages: template editor, preview, reset, switches, message log, correct-and-resend."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail

from applicants.models import Applicant
from applicants.services import ApplicantData, applicants_register
from messaging.models import Message, MessageTemplate, MessagingSettings, Suppression
from messaging.tests.helpers import make_applicant

pytestmark = pytest.mark.django_db(transaction=True)


def register(job_posting, email="taro@example.jp") -> Applicant:  # type: ignore[no-untyped-def]
    (applicant,) = applicants_register(
        job_posting=job_posting,
        rows=[ApplicantData(email=email, values={"last_name": "髙橋", "first_name": "①郎"})],
        via=Applicant.CreatedVia.FORM,
    )
    return applicant


def test_editor_offers_every_placeholder_and_the_default_text(alice_client):
    page = alice_client.get("/settings/messages/D03/").content.decode()
    for name in ("氏名", "録画面接URL", "回答期限", "iM採用ID", "フリーエリア3"):
        assert f'data-insert="{{{{{name}}}}}"' in page
    assert "録画面接のご案内(登録完了)" in page


def test_saving_an_unknown_placeholder_is_refused_naming_it(alice_client, company):
    response = alice_client.post(
        "/settings/messages/D03/",
        {"language": "ja", "subject": "ご案内", "body": "{{氏名}} 様 {{未知}}", "html_body": ""},
    )
    assert response.status_code == 200
    assert "{{未知}}" in response.content.decode()
    assert not MessageTemplate.objects.filter(company=company).exists()


def test_saved_template_is_used_for_the_next_registration(alice_client, company, job_posting):
    response = alice_client.post(
        "/settings/messages/D03/",
        {
            "language": "ja",
            "subject": "{{会社名}}よりご案内",
            "body": "{{氏名}} 様\n{{録画面接URL}}",
            "html_body": "",
        },
    )
    assert response.status_code == 302
    applicant = register(job_posting)
    (sent,) = mail.outbox
    assert sent.subject == "アリス商事よりご案内"
    assert sent.body == f"髙橋 ①郎 様\n{applicant.interview_url}"


def test_reset_restores_the_default_of_the_chosen_language(alice_client, company):
    MessageTemplate.objects.create(company=company, code="D04", subject="x", body="y")
    alice_client.post("/settings/messages/D04/reset/", {"language": "en"})
    template = MessageTemplate.objects.get(company=company, code="D04")
    assert template.language == "en"
    assert template.subject == "Reminder: please complete your recorded interview"


def test_preview_renders_unsaved_text_for_a_real_applicant(alice_client, job_posting):
    applicant = make_applicant(job_posting=job_posting, last_name="髙橋", first_name="①子")
    data = alice_client.post(
        "/settings/messages/D03/preview/",
        {"subject": "{{氏名}} 様", "body": "{{iM採用ID}} {{録画面接URL}}", "applicant": applicant.im_id},
    ).json()
    assert data["ok"] and data["subject"] == "髙橋 ①子 様"
    assert data["body"] == f"{applicant.im_id} {applicant.interview_url}"


def test_preview_names_an_unknown_placeholder(alice_client):
    data = alice_client.post("/settings/messages/D03/preview/", {"subject": "x", "body": "{{未知}}"}).json()
    assert not data["ok"] and "{{未知}}" in data["errors"][0]


def test_preview_for_an_applicant_of_another_company_is_404(charlie_client, job_posting):
    applicant = make_applicant(job_posting=job_posting)
    response = charlie_client.post(
        "/settings/messages/D03/preview/", {"subject": "x", "body": "y", "applicant": applicant.im_id}
    )
    assert response.status_code == 404


def test_unknown_template_code_is_404(alice_client):
    assert alice_client.get("/settings/messages/D99/").status_code == 404


def test_members_cannot_edit_templates(bob_client):
    assert bob_client.get("/settings/messages/D03/").status_code == 403


def test_switching_d05_off_is_saved(alice_client, company):
    alice_client.post("/settings/messages/", {"auto_reminder_enabled": "on"})
    switches = MessagingSettings.objects.get(company=company)
    assert switches.d05_enabled is False and switches.auto_reminder_enabled is True


def test_applicant_page_shows_the_message_log(alice_client, job_posting):
    applicant = register(job_posting)
    page = alice_client.get(f"/applicants/{applicant.im_id}/").content.decode()
    assert 'id="messages"' in page and "D03" in page and "taro@example.jp" in page


def test_company_log_filters_by_template_and_status_and_hides_other_companies(
    alice_client, job_posting, other_company
):
    register(job_posting)
    from tests.factories import JobPostingFactory

    other = register(JobPostingFactory(company=other_company), email="other@example.jp")
    page = alice_client.get("/messages/?template=D03&status=sent").content.decode()
    assert "taro@example.jp" in page and "other@example.jp" not in page
    assert "taro@example.jp" not in alice_client.get("/messages/?template=D04").content.decode()
    assert other.email not in alice_client.get(f"/messages/?applicant={other.im_id}").content.decode()


def test_correct_and_resend_changes_the_address_and_sends_a_new_d03(
    alice_client, alice, company, job_posting
):
    applicant = register(job_posting, email="typo@exmaple.jp")
    Suppression.objects.create(company=company, email="typo@exmaple.jp", reason="bounced")
    nonce = uuid.uuid4().hex

    for _ in range(2):  # a double submit of the same form sends once
        alice_client.post(
            f"/applicants/{applicant.im_id}/resend/", {"email": "right@example.jp", "nonce": nonce}
        )

    applicant.refresh_from_db()
    assert applicant.email == "right@example.jp"
    resent = Message.objects.filter(applicant=applicant).order_by("id")
    assert [m.to for m in resent] == ["typo@exmaple.jp", "right@example.jp"]
    assert resent[1].created_by == alice and resent[1].status == "sent"
    assert [m.to for m in mail.outbox] == [["typo@exmaple.jp"], ["right@example.jp"]]


def test_resending_to_a_suppressed_address_says_so(alice_client, company, job_posting):
    applicant = register(job_posting, email="gone@example.jp")
    Suppression.objects.create(company=company, email="gone@example.jp", reason="bounced")
    response = alice_client.post(
        f"/applicants/{applicant.im_id}/resend/",
        {"email": "gone@example.jp", "nonce": uuid.uuid4().hex},
        follow=True,
    )
    assert Message.objects.filter(applicant=applicant).order_by("id")[1].status == "suppressed"
    assert "gone@example.jp" in response.content.decode()


def test_resend_for_an_applicant_of_another_company_is_404(charlie_client, job_posting):
    applicant = register(job_posting)
    response = charlie_client.post(
        f"/applicants/{applicant.im_id}/resend/", {"email": "x@example.jp", "nonce": uuid.uuid4().hex}
    )
    assert response.status_code == 404
    assert Message.objects.count() == 1


def test_resend_with_an_invalid_address_changes_nothing(alice_client, job_posting):
    applicant = register(job_posting)
    alice_client.post(
        f"/applicants/{applicant.im_id}/resend/", {"email": "not-an-address", "nonce": uuid.uuid4().hex}
    )
    applicant.refresh_from_db()
    assert applicant.email == "taro@example.jp"
    assert Message.objects.count() == 1
