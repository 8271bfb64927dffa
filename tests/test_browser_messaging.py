"""A recruiter edits D03 in the browser: insert buttons, live preview, refusal of {{未知}}, save; then
registers an applicant and sees D03 in the message log, and corrects the address and resends."""

from __future__ import annotations

import pytest
from django.core import mail

from messaging.models import Message, MessageTemplate
from tests.plugins.browser import login

pytestmark = pytest.mark.browser


def test_recruiter_edits_d03_with_live_preview_and_cannot_save_an_unknown_placeholder(
    page, live_server, alice, company, job_posting, artifacts_dir
):
    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/settings/messages/D03/")

    # The preview shows the shipped default rendered for the sample applicant.
    page.wait_for_function("document.getElementById('preview-body').textContent.includes('山田 太郎 様')")
    assert page.locator("#preview-subject").inner_text() == "録画面接のご案内(登録完了)"

    page.fill("#id_subject", "")
    page.click("#id_subject")
    page.click("button[data-insert='{{会社名}}']")
    page.type("#id_subject", "より録画面接のご案内")
    page.wait_for_function(
        "document.getElementById('preview-subject').textContent === 'アリス商事より録画面接のご案内'"
    )

    page.fill("#id_body", "{{未知}} 様")
    page.wait_for_selector("#preview-errors:not([hidden])")
    assert "{{未知}}" in page.locator("#preview-errors").inner_text()
    page.click("#template-form button[type=submit]")
    assert "{{未知}}" in page.locator(".field.has-error").inner_text()
    assert not MessageTemplate.objects.filter(company=company).exists()
    page.screenshot(path=str(artifacts_dir / "messaging-editor-error.png"), full_page=True)

    page.fill("#id_body", "")
    page.click("#id_body")
    page.click("button[data-insert='{{氏名}}']")
    page.type("#id_body", " 様\n")
    page.click("button[data-insert='{{録画面接URL}}']")
    page.wait_for_function("document.getElementById('preview-body').textContent.startsWith('山田 太郎 様')")
    page.click("#template-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    saved = MessageTemplate.objects.get(company=company, code="D03")
    assert saved.subject == "{{会社名}}より録画面接のご案内"
    assert saved.body.replace("\r\n", "\n") == "{{氏名}} 様\n{{録画面接URL}}"
    page.screenshot(path=str(artifacts_dir / "messaging-editor-saved.png"), full_page=True)


def test_recruiter_sees_d03_in_the_log_and_corrects_and_resends(
    page, live_server, alice, job_posting, artifacts_dir
):
    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/applicants/new/?job_posting={job_posting.pk}")
    page.fill("#id_email", "takahashi@exmaple.jp")
    page.fill("#id_last_name", "髙橋")
    page.fill("#id_first_name", "①子")
    page.click("form button[type=submit].primary")
    page.wait_for_selector("#messages")
    assert "takahashi@exmaple.jp" in page.locator("#messages").inner_text()

    page.fill("#id_resend_email", "takahashi@example.jp")
    page.click("#messages button[type=submit]")
    page.wait_for_selector(".flash-success")
    rows = page.locator("#messages tbody tr")
    assert rows.count() == 2
    assert "takahashi@example.jp" in rows.first.inner_text()
    assert [m.to for m in Message.objects.order_by("id")] == ["takahashi@exmaple.jp", "takahashi@example.jp"]
    assert [m.to for m in mail.outbox] == [["takahashi@exmaple.jp"], ["takahashi@example.jp"]]
    page.screenshot(path=str(artifacts_dir / "messaging-applicant-log.png"), full_page=True)

    page.click("nav.nav >> text=送信履歴")
    page.wait_for_selector("table.messages")
    assert page.locator("table.messages tbody tr").count() == 2
