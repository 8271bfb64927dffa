"""Mail to reviewers and recruiters (D07, D08): no applicant on the row, placeholders of their own,
editable like the others."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from messaging import services
from messaging.models import Message, MessageTemplate
from messaging.services import DirectMail


def _mail(key="D07:req:reviewer:1", to="sato@example.jp"):
    return DirectMail(
        key=key, to=to, values={"面接官名": "佐藤", "会社名": "アリス商事", "評価URL": "http://x/r/t/"}
    )


def test_a_direct_mail_is_queued_once_per_key(company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.direct_messages_queue(company=company, template_code="D07", mails=[_mail()]) == 1
    assert len(callbacks) == 1  # the senders are nudged after commit
    assert services.direct_messages_queue(company=company, template_code="D07", mails=[_mail()]) == 0
    message = Message.objects.get()
    assert message.applicant is None and message.status == Message.Status.QUEUED
    assert "佐藤 様" in message.body and "http://x/r/t/" in message.body


def test_direct_mail_refuses_applicant_templates_and_odd_keys(company):
    with pytest.raises(ValueError):
        services.direct_messages_queue(company=company, template_code="D03", mails=[_mail()])
    with pytest.raises(ValueError):
        services.direct_messages_queue(company=company, template_code="D07", mails=[_mail(key="D08:x")])
    with pytest.raises(ValueError):
        services.messages_queue(template_code="D07", applicants=[], key="x")


def test_d07_and_d08_are_sent_like_every_other_mail(company, mailoutbox):
    from messaging.services import sending

    services.direct_messages_queue(company=company, template_code="D07", mails=[_mail()])
    assert sending.messages_send_due(time_budget=5) == 1
    (sent,) = mailoutbox
    assert sent.to == ["sato@example.jp"] and sent.subject == "録画面接の評価のお願い"
    assert Message.objects.get().status == Message.Status.SENT


def test_templates_d07_and_d08_have_their_own_placeholders(company, alice):
    with pytest.raises(ValidationError) as refused:
        services.template_save(company=company, code="D07", subject="{{氏名}}", body="x", by=alice)
    assert "{{氏名}}" in str(refused.value)
    saved = services.template_save(
        company=company,
        code="D08",
        subject="{{件数}}件",
        body="{{宛先名}}\n{{提出者一覧}}\n{{確認URL}}",
        by=alice,
    )
    assert saved.pk
    with pytest.raises(ValidationError):
        services.template_save(company=company, code="D03", subject="{{面接官名}}", body="x", by=alice)


def test_the_editor_offers_d07_with_its_placeholders_and_a_sample_preview(alice_client, company):
    page = alice_client.get("/settings/messages/D07/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-insert="{{面接官名}}"' in html and 'data-insert="{{録画面接URL}}"' not in html
    preview = alice_client.post(
        "/settings/messages/D07/preview/",
        {"subject": "{{面接官名}} 様", "body": "{{評価URL}}", "language": "ja"},
    ).json()
    assert preview["ok"] and preview["subject"] == "鈴木 一郎 様" and "/r/sample-token/" in preview["body"]
    listing = alice_client.get("/settings/messages/").content.decode()
    assert "D07 評価依頼" in listing and "D08 新規提出のお知らせ" in listing
    saved = alice_client.post(
        "/settings/messages/D08/", {"language": "ja", "subject": "{{件数}}名提出", "body": "{{提出者一覧}}"}
    )
    assert saved.status_code == 302 and MessageTemplate.objects.get(code="D08").subject == "{{件数}}名提出"


def test_the_log_and_the_api_show_mail_without_an_applicant(alice_client, alice_api, company):
    services.direct_messages_queue(company=company, template_code="D07", mails=[_mail()])
    html = alice_client.get("/messages/").content.decode()
    assert "sato@example.jp" in html and "(面接官・採用担当者宛て)" in html
    (row,) = alice_api.get("/api/v1/messages/").json()["results"]
    assert row["applicant"] is None and row["template"] == "D07"
