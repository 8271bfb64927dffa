"""The outbox writes: D03 on registration, generic queueing, resend, suppression, D05 switch."""

from __future__ import annotations

import pytest
from django.core import mail

from applicants.models import Applicant
from applicants.services import ApplicantData, applicant_update, applicants_register
from messaging import services
from messaging.models import Message, MessagingSettings, Suppression
from messaging.services.outbox import SMALL_INSERT
from messaging.tests.helpers import make_applicant


def register(job_posting, *emails: str, **values) -> list[Applicant]:
    rows = [
        ApplicantData(email=e, values={"last_name": "髙橋", "first_name": "①子", **values}) for e in emails
    ]
    return applicants_register(job_posting=job_posting, rows=rows, via=Applicant.CreatedVia.FORM)


@pytest.mark.django_db(transaction=True)
def test_registration_queues_one_rendered_d03_per_applicant_and_sends_it_after_commit(job_posting):
    applicants = register(job_posting, "a@example.jp", "b@example.jp")

    messages = list(Message.objects.order_by("id"))
    assert [m.idempotency_key for m in messages] == [f"D03:{a.pk}" for a in applicants]
    assert all(m.template_code == "D03" and m.company_id == job_posting.company_id for m in messages)
    assert messages[0].subject == "録画面接のご案内(登録完了)"
    assert messages[0].body.startswith("髙橋 ①子 様")
    assert f"http://testserver/i/{applicants[0].interview_token}/" in messages[0].body
    assert "{{" not in messages[0].body
    # Sent on commit (tasks run in-process in unit tests) through the locmem backend.
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.jp", "b@example.jp"]
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_mail_carries_kanji_and_circled_digits_intact(job_posting):
    register(job_posting, "kanji@example.jp")

    (sent,) = mail.outbox
    raw = sent.message().as_bytes()
    assert sent.body.startswith("髙橋 ①子 様")
    # The wire form is UTF-8 (not ISO-2022-JP, which cannot encode 髙 or ①).
    assert "髙橋 ①子 様".encode() in sent.message().get_payload(decode=True)
    assert b'charset="utf-8"' in raw or b"charset=utf-8" in raw


def test_registration_writes_set_based_without_a_query_per_applicant(
    job_posting, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    # Rows are streamed with COPY: the count does not grow with the number of applicants.
    with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(12):
        register(job_posting, *[f"p{n}@example.jp" for n in range(300)])
    assert Message.objects.filter(template_code="D03").count() == 300


def test_update_never_queues_d03(job_posting, django_capture_on_commit_callbacks):
    applicant = make_applicant(job_posting=job_posting)
    with django_capture_on_commit_callbacks(execute=True):
        applicant_update(applicant=applicant, data={"last_name": "佐藤"})
    assert not Message.objects.exists()


def test_messages_queue_creates_each_message_once_per_key(job_posting, django_capture_on_commit_callbacks):
    applicants = [make_applicant(job_posting=job_posting) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = services.messages_queue(template_code="D04", applicants=applicants, key="req-1")
    again = services.messages_queue(template_code="D04", applicants=Applicant.objects.all(), key="req-1")
    other = services.messages_queue(template_code="D04", applicants=applicants[:1], key="req-2")

    assert (first, again, other) == (3, 0, 1)
    assert len(callbacks) == 1
    keys = set(Message.objects.values_list("idempotency_key", flat=True))
    assert f"D04:req-1:{applicants[0].pk}" in keys and f"D04:req-2:{applicants[0].pk}" in keys
    assert (
        Message.objects.get(idempotency_key=f"D04:req-2:{applicants[0].pk}").subject
        == "録画面接のご回答のお願い"
    )


@pytest.mark.parametrize("count", [1, SMALL_INSERT, SMALL_INSERT + 1])
def test_small_and_large_batches_are_created_once_each(job_posting, count, django_assert_max_num_queries):
    """Up to SMALL_INSERT rows go in one INSERT, more through COPY: both skip what exists, the same way."""
    applicants = register(job_posting, *[f"b{n}@example.jp" for n in range(count)])
    assert Message.objects.filter(template_code="D03").count() == count
    with django_assert_max_num_queries(6 if count <= SMALL_INSERT else 10):
        # Settings, template, suppressions; then the INSERT (or the staging table and COPY).
        assert services.messages_queue(template_code="D04", applicants=applicants, key="r") == count
    assert services.messages_queue(template_code="D04", applicants=applicants, key="r") == 0
    assert services.messages_queue(template_code="D04", applicants=applicants[:1], key="r2") == 1
    sent = Message.objects.filter(template_code="D04").values_list("to", "subject", "status")
    assert len(sent) == count + 1
    assert {row[1] for row in sent} == {"録画面接のご回答のお願い"}


def test_messages_queue_rejects_an_unknown_template(job_posting):
    with pytest.raises(ValueError):
        services.messages_queue(template_code="D99", applicants=[], key="x")


def test_d05_is_not_queued_while_the_company_switched_it_off(job_posting, company):
    applicant = make_applicant(job_posting=job_posting)
    MessagingSettings.objects.create(company=company, d05_enabled=False)

    assert services.messages_queue(template_code="D05", applicants=[applicant], key="submitted") == 0
    assert not Message.objects.exists()


def test_d05_is_queued_by_default(job_posting):
    applicant = make_applicant(job_posting=job_posting)
    assert services.messages_queue(template_code="D05", applicants=[applicant], key="submitted") == 1
    assert Message.objects.get().subject == "録画面接の提出を受け付けました"


def test_suppressed_address_gets_a_suppressed_row_and_no_mail(
    job_posting, company, django_capture_on_commit_callbacks
):
    Suppression.objects.create(company=company, email="gone@example.jp", reason="bounced")
    applicant = make_applicant(job_posting=job_posting, email="Gone@example.jp")

    with django_capture_on_commit_callbacks(execute=True):
        services.messages_queue(template_code="D04", applicants=[applicant], key="r")

    message = Message.objects.get()
    assert message.status == "suppressed"
    assert "suppression list" in message.last_error
    assert mail.outbox == []


def test_suppression_of_another_company_does_not_apply(
    job_posting, other_company, django_capture_on_commit_callbacks
):
    Suppression.objects.create(company=other_company, email="x@example.jp", reason="bounced")
    applicant = make_applicant(job_posting=job_posting, email="x@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        services.messages_queue(template_code="D04", applicants=[applicant], key="r")
    assert Message.objects.get().status == "sent"


def test_resend_is_a_new_message_and_a_repeated_nonce_creates_nothing(
    job_posting, alice, django_capture_on_commit_callbacks
):
    (applicant,) = register(job_posting, "re@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.message_resend(applicant=applicant, template_code="D03", by=alice, key="n1")
        repeat = services.message_resend(applicant=applicant, template_code="D03", by=alice, key="n1")

    assert first is not None and repeat is None
    assert first.created_by == alice
    assert Message.objects.filter(applicant=applicant, template_code="D03").count() == 2


@pytest.mark.django_db(transaction=True)
def test_mail_replies_go_to_the_companys_reply_address_and_only_then_are_invited(job_posting):
    company = job_posting.company
    register(job_posting, "silent@example.jp")
    company.reply_to_email = "saiyo@alice.example.jp"
    company.save(update_fields=["reply_to_email"])
    register(job_posting, "replies@example.jp")

    silent, replies = sorted(mail.outbox, key=lambda m: m.to[0] != "silent@example.jp")
    assert silent.reply_to == [] and "Reply-To" not in silent.message()
    assert "ご返信ください" not in silent.body and "送信専用アドレス" in silent.body
    assert replies.reply_to == ["saiyo@alice.example.jp"]
    assert replies.message()["Reply-To"] == "saiyo@alice.example.jp"
    assert "本メールにご返信ください" in replies.body and "送信専用アドレス" not in replies.body


def test_the_application_settings_page_sets_the_reply_address(alice_client, company):
    page = alice_client.get("/settings/application/").content.decode()
    assert 'name="reply_to_email"' in page
    data = {"timezone": company.timezone, "language": "ja", "reply_to_email": "not an address"}
    assert alice_client.post("/settings/application/", data).status_code == 200  # the error, again
    company.refresh_from_db()
    assert company.reply_to_email == ""
    data["reply_to_email"] = "saiyo@alice.example.jp"
    assert alice_client.post("/settings/application/", data).status_code == 302
    company.refresh_from_db()
    assert company.reply_to_email == "saiyo@alice.example.jp"


@pytest.mark.django_db(transaction=True)
def test_an_english_company_sends_the_english_defaults(job_posting):
    company = job_posting.company
    company.language = "en"
    company.save(update_fields=["language"])
    register(job_posting, "en@example.jp")
    (sent,) = mail.outbox
    assert sent.subject == "Your recorded interview: registration complete"
    assert sent.body.startswith("Dear 髙橋 ①子,")
    assert "does not receive replies" in sent.body and "reply to this email" not in sent.body
