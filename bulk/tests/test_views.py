"""まとめて処理モード pages: confirmation, sending once per click, progress, downloads, reminder settings."""

from __future__ import annotations

import codecs
import csv
import io
import re

import pytest
from django.urls import reverse

from applicants.models import Applicant
from bulk.models import AnswerRequest
from messaging.models import Message
from tests.factories import ApplicantFactory, JobPostingFactory

CONFIRM = reverse("bulk:bulk_confirm")


@pytest.fixture
def applicants(job_posting):
    rows = [ApplicantFactory(job_posting=job_posting) for _ in range(3)]
    rows.append(ApplicantFactory(job_posting=job_posting, status=Applicant.Status.SUBMITTED))
    job_posting.company.last_im_id = rows[-1].im_id
    job_posting.company.save(update_fields=["last_im_id"])
    return rows


def confirm_all(client, job_posting, action="answer_request", follow=False, **extra):  # type: ignore[no-untyped-def]
    params = {"action": action, "scope": "all", "job_posting": job_posting.pk, **extra}
    return client.get(CONFIRM, params, follow=follow)


def post_form(response) -> dict:  # type: ignore[no-untyped-def]
    """The hidden fields of the confirmation form, as the browser would post them."""
    html = response.content.decode()
    form = html[html.index('id="confirm-form"') :]
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form):
        data.setdefault(name, []).append(value)
    return data


def test_confirmation_says_how_many_get_d04_and_how_many_are_skipped(alice_client, job_posting, applicants):
    response = confirm_all(alice_client, job_posting)
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts.awaiting, counts.skipped) == (3, 1)
    assert 'data-send="3" data-skip="1"' in response.content.decode()
    assert not Message.objects.filter(template_code="D04").exists()


def test_confirming_sends_once_even_when_posted_twice(
    alice_client, job_posting, applicants, django_capture_on_commit_callbacks
):
    data = post_form(confirm_all(alice_client, job_posting))
    with django_capture_on_commit_callbacks(execute=True):
        first = alice_client.post(CONFIRM, data)
    with django_capture_on_commit_callbacks(execute=True):
        second = alice_client.post(CONFIRM, data)
    answer_request = AnswerRequest.objects.get()
    url = reverse("bulk:answer_request_detail", args=[answer_request.pk])
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == url
    assert Message.objects.filter(template_code="D04").count() == 3
    assert answer_request.created_by.username == "alice"


def test_a_post_without_a_valid_token_changes_nothing(alice_client, job_posting, applicants):
    data = post_form(confirm_all(alice_client, job_posting))
    data["token"] = ["not-a-token"]
    response = alice_client.post(CONFIRM, data, follow=True)
    assert not AnswerRequest.objects.exists()
    assert [str(m) for m in response.context["messages"]] == [
        "この確認画面は無効です。選択内容をもう一度確認してください。"
    ]


def test_ticked_rows_only(alice_client, job_posting, applicants, django_capture_on_commit_callbacks):
    ticked = [applicants[0].im_id, applicants[3].im_id]
    response = alice_client.get(CONFIRM, {"action": "answer_request", "scope": "selected", "im_id": ticked})
    assert (response.context["counts"].awaiting, response.context["counts"].skipped) == (1, 1)
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(CONFIRM, post_form(response))
    assert list(Message.objects.filter(template_code="D04").values_list("applicant", flat=True)) == [
        applicants[0].pk
    ]


def test_nothing_ticked_is_a_clear_message(alice_client, job_posting, applicants):
    response = alice_client.get(CONFIRM, {"action": "answer_request", "scope": "selected"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("applicants:applicant_list")
    assert len(list(response.context["messages"])) == 1


def test_garbage_ticks_are_a_clear_message(alice_client, job_posting, applicants):
    response = alice_client.get(
        CONFIRM, {"action": "answer_request", "scope": "selected", "im_id": ["1", "x"]}, follow=True
    )
    assert response.status_code == 200
    assert len(list(response.context["messages"])) == 1


def test_outsider_gets_404_for_our_posting_and_our_requests(
    charlie_client, alice_client, job_posting, applicants, django_capture_on_commit_callbacks
):
    assert confirm_all(charlie_client, job_posting).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(CONFIRM, post_form(confirm_all(alice_client, job_posting)))
    pk = AnswerRequest.objects.get().pk
    for name in ("answer_request_detail", "answer_request_progress"):
        assert charlie_client.get(reverse(f"bulk:{name}", args=[pk])).status_code == 404
    assert list(charlie_client.get(reverse("bulk:answer_request_list")).context["page"]) == []


def test_outsider_ticking_our_ids_selects_nobody(charlie_client, job_posting, applicants):
    response = charlie_client.get(
        CONFIRM, {"action": "answer_request", "scope": "selected", "im_id": [a.im_id for a in applicants]}
    )
    assert response.context["counts"].selected == 0


def test_progress_endpoint_reports_the_job(
    alice_client, job_posting, applicants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(CONFIRM, post_form(confirm_all(alice_client, job_posting)))
    pk = AnswerRequest.objects.get().pk
    data = alice_client.get(reverse("bulk:answer_request_progress", args=[pk])).json()
    assert data | {"state_label": ""} == {
        "state": "done",
        "state_label": "",
        "percent": 100,
        "processed": 3,
        "target": 3,
        "skipped": 1,
        "queued": 3,
        "finished": True,
    }
    page = alice_client.get(reverse("bulk:answer_request_detail", args=[pk]))
    assert page.status_code == 200
    history = alice_client.get(reverse("bulk:answer_request_list"))
    assert history.context["page"].object_list[0].pk == pk


def test_withdraw_with_confirmation_keeps_submitted(alice_client, job_posting, applicants):
    response = confirm_all(alice_client, job_posting, action="withdraw")
    assert response.context["counts"].withdrawable == 3
    assert Applicant.objects.filter(status=Applicant.Status.WITHDRAWN).count() == 0
    alice_client.post(CONFIRM, post_form(response))
    statuses = sorted(Applicant.objects.values_list("status", flat=True))
    assert statuses == ["submitted", "withdrawn", "withdrawn", "withdrawn"]


def test_download_in_the_upload_format_cp932(alice_client, job_posting, applicants):
    Applicant.objects.filter(pk=applicants[0].pk).update(last_name="髙橋", free_area_1="=HYPERLINK(1)")
    response = confirm_all(alice_client, job_posting, action="download", encoding="cp932")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("cp932")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == ["iM採用ID", "姓", "名", "セイ", "メイ", "メールアドレス"]
    assert rows[0][12:] == ["フリーエリア1", "フリーエリア2", "フリーエリア3"]
    assert [int(r[0]) for r in rows[1:]] == [a.im_id for a in applicants]
    assert rows[1][1] == "髙橋"
    assert rows[1][12] == "'=HYPERLINK(1)"


def test_download_utf8_has_a_bom(alice_client, job_posting, applicants):
    response = confirm_all(alice_client, job_posting, action="download", encoding="utf-8")
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    assert body.count(b"\r\n") == 5


def test_download_that_cp932_cannot_hold_says_which_rows(alice_client, job_posting, applicants):
    Applicant.objects.filter(pk=applicants[1].pk).update(first_name="太郎😀")
    response = confirm_all(alice_client, job_posting, action="download", encoding="cp932", follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any(str(applicants[1].im_id) in m and "😀" in m for m in messages)


def test_reminder_settings_are_saved_and_off_by_default(alice_client, job_posting):
    assert job_posting.auto_reminder_enabled is False
    url = reverse("bulk:job_posting_reminder", args=[job_posting.pk])
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(url, {"auto_reminder_enabled": "on", "auto_reminder_hours": "24"})
    assert response.status_code == 302
    job_posting.refresh_from_db()
    assert (job_posting.auto_reminder_enabled, job_posting.auto_reminder_hours) == (True, 24)


def test_reminder_hours_out_of_range_are_refused(alice_client, job_posting):
    url = reverse("bulk:job_posting_reminder", args=[job_posting.pk])
    response = alice_client.post(url, {"auto_reminder_enabled": "on", "auto_reminder_hours": "0"})
    assert response.status_code == 200
    assert response.context["form"].errors["auto_reminder_hours"]
    job_posting.refresh_from_db()
    assert job_posting.auto_reminder_enabled is False


def test_outsider_gets_404_for_our_reminder(charlie_client, job_posting):
    url = reverse("bulk:job_posting_reminder", args=[job_posting.pk])
    assert charlie_client.get(url).status_code == 404
    assert (
        charlie_client.post(url, {"auto_reminder_enabled": "on", "auto_reminder_hours": "5"}).status_code
        == 404
    )


def test_a_posting_of_another_company_in_the_search_is_404(alice_client, other_company):
    theirs = JobPostingFactory(company=other_company)
    response = alice_client.get(
        CONFIRM, {"action": "answer_request", "scope": "all", "job_posting": theirs.pk}
    )
    assert response.status_code == 404


def test_the_confirmation_warns_of_the_recently_reminded_and_can_send_again(
    alice_client, job_posting, applicants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(CONFIRM, post_form(confirm_all(alice_client, job_posting)))
    response = confirm_all(alice_client, job_posting)
    html = response.content.decode()
    assert 'data-recent="3"' in html
    assert 'id="recently-reminded"' in html and 'name="send_again"' in html
    assert "うち3名は過去24時間以内に回答依頼を受け取っているため、送信しません。" in html
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(CONFIRM, post_form(response))  # the box left unticked
    assert Message.objects.filter(template_code="D04").count() == 3
    detail = alice_client.get(reverse("bulk:answer_request_detail", args=[AnswerRequest.objects.first().pk]))
    assert 'data-count="recent"' in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(CONFIRM, {**post_form(confirm_all(alice_client, job_posting)), "send_again": "1"})
    assert Message.objects.filter(template_code="D04").count() == 6


def test_the_withdraw_confirmation_has_no_send_again_box(alice_client, job_posting, applicants):
    Message.objects.create(
        company=job_posting.company,
        applicant=applicants[0],
        template_code="D04",
        idempotency_key="d04-x",
        to=applicants[0].email,
        subject="s",
        body="b",
    )
    html = confirm_all(alice_client, job_posting, action="withdraw").content.decode()
    assert 'name="send_again"' not in html


def test_one_applicant_gets_an_answer_request_from_their_page(
    alice_client, job_posting, django_capture_on_commit_callbacks
):
    """Issue 14 §4: a 回答依頼 button on the applicant page, through the bulk confirmation (one target)."""
    import re

    from messaging.models import Message
    from tests.factories import ApplicantFactory

    applicant = ApplicantFactory(job_posting=job_posting)
    other = ApplicantFactory(job_posting=job_posting)  # not asked
    job_posting.company.last_im_id = other.im_id  # as registration keeps it
    job_posting.company.save(update_fields=["last_im_id"])
    page = alice_client.get(f"/applicants/{applicant.im_id}/").content.decode()
    form = page.split('id="answer-request-one"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert fields == {
        "action": "answer_request",
        "scope": "selected",
        "job_posting": str(job_posting.pk),
        "im_id": str(applicant.im_id),
    }
    confirm = alice_client.get(CONFIRM, fields)
    assert confirm.status_code == 200
    assert confirm.context["counts"].awaiting == 1
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(CONFIRM, post_form(confirm))
    assert list(Message.objects.filter(template_code="D04").values_list("applicant", flat=True)) == [
        applicant.pk
    ]


def test_the_confirmation_shows_the_d04_the_first_recipient_will_get(alice_client, job_posting, applicants):
    """Issue 14 §4: the recruiter sees the mail before sending it to thousands."""
    response = confirm_all(alice_client, job_posting)
    preview = response.context["d04"]
    first = min((a for a in applicants if a.status == Applicant.Status.AWAITING), key=lambda a: a.im_id)
    assert preview["to"] == first.email
    assert preview["subject"] == "録画面接のご回答のお願い"
    assert first.interview_url in preview["body"]
    assert 'id="d04-preview"' in response.content.decode()
    withdraw = confirm_all(alice_client, job_posting, action="withdraw")
    assert withdraw.context["d04"] is None


# --- 期限延長 of a selection -------------------------------------------------------------------------


def test_extending_a_selection_reopens_the_expired_and_asks_for_a_deadline_first(
    alice_client, job_posting, applicants
):
    import datetime as dt

    from django.utils import timezone

    Applicant.objects.filter(pk=applicants[0].pk).update(status=Applicant.Status.EXPIRED)
    response = confirm_all(alice_client, job_posting, action="extend")
    html = response.content.decode()
    assert response.status_code == 200 and response.context["counts"].extendable == 3
    assert 'name="deadline"' in html and "うち1名は期限切れのため、調整中に戻ります" in html
    # Without a deadline, or with a past one: the confirm page again, with the error, nothing changed.
    missing = alice_client.post(CONFIRM, post_form(response))
    assert missing.status_code == 400 and "新しい回答期限を入力してください" in missing.content.decode()
    past = timezone.localtime(timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = alice_client.post(CONFIRM, {**post_form(response), "deadline": past})
    assert refused.status_code == 400 and "新しい回答期限が過去の日時です" in refused.content.decode()
    assert not Applicant.objects.filter(deadline__isnull=False).exists()
    later = timezone.localtime(job_posting.deadline + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    done = alice_client.post(CONFIRM, {**post_form(response), "deadline": later, "notify": "on"}, follow=True)
    page = done.content.decode()
    assert "3名の回答期限を延長しました" in page
    assert sorted(Applicant.objects.values_list("status", flat=True)) == ["awaiting"] * 3 + ["submitted"]
    assert Applicant.objects.filter(deadline__isnull=False).count() == 3
    assert Message.objects.filter(template_code="D06").count() == 3
