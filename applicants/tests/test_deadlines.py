"""A posting's deadline lies ahead: refused in the past on creation, confirmed when moved into the past."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from applicants.models import JobPosting

PAST = (timezone.localtime() - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
FUTURE = (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
QUESTIONS = {
    "q-TOTAL_FORMS": "1",
    "q-INITIAL_FORMS": "0",
    "q-0-text": "自己紹介をしてください",
    "q-0-preparation_seconds": "30",
    "q-0-answer_seconds": "60",
    "q-0-max_takes": "2",
}


def _form(deadline: str, **extra: str) -> dict[str, str]:
    return {
        "title": "2027年度 新卒",
        "instructions": "",
        "deadline": deadline,
        "is_open": "on",
        **QUESTIONS,
        **extra,
    }


def test_a_new_posting_with_a_past_deadline_is_refused(alice_client, company):
    page = alice_client.post("/job-postings/new/", _form(PAST))
    assert page.status_code == 200 and "回答期限が過去の日時です" in page.content.decode()
    assert not JobPosting.objects.filter(company=company, title="2027年度 新卒").exists()
    assert alice_client.post("/job-postings/new/", _form(FUTURE)).status_code == 302


def test_moving_a_deadline_into_the_past_needs_a_confirmation(alice_client, job_posting):
    url = f"/job-postings/{job_posting.pk}/edit/"
    before = job_posting.deadline
    page = alice_client.post(url, _form(PAST))
    html = page.content.decode()
    assert page.status_code == 200 and "確認にチェックしてください" in html
    assert 'name="confirm_past_deadline"' in html  # offered only now
    job_posting.refresh_from_db()
    assert job_posting.deadline == before
    assert alice_client.post(url, _form(PAST, confirm_past_deadline="on")).status_code == 302
    job_posting.refresh_from_db()
    assert job_posting.deadline < timezone.now()
    # Once passed, editing something else leaves it as it is without asking.
    unchanged = timezone.localtime(job_posting.deadline).strftime("%Y-%m-%dT%H:%M")
    assert alice_client.post(url, {**_form(unchanged), "title": "改名"}).status_code == 302


def test_the_edit_form_does_not_offer_the_confirmation_before_it_is_needed(alice_client, job_posting):
    html = alice_client.get(f"/job-postings/{job_posting.pk}/edit/").content.decode()
    assert 'name="confirm_past_deadline"' not in html


def test_the_api_applies_the_same_rule(alice_api, job_posting):
    past = (timezone.now() - dt.timedelta(days=2)).isoformat()
    created = alice_api.post(
        "/api/v1/job-postings/",
        {"title": "API", "deadline": past, "questions": [{"text": "Q1"}]},
        format="json",
    )
    assert created.status_code == 400 and "deadline" in created.json()
    url = f"/api/v1/job-postings/{job_posting.pk}/"
    refused = alice_api.patch(url, {"deadline": past}, format="json")
    assert refused.status_code == 400 and "deadline" in refused.json()
    confirmed = alice_api.patch(url, {"deadline": past, "confirm_past_deadline": True}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    assert "confirm_past_deadline" not in confirmed.json()


def test_the_question_inputs_carry_the_models_limits(alice_client, job_posting):
    """Issue 14 §15: the browser refuses what the server would (answer ≥ 10 s, at least one take)."""
    html = alice_client.get(f"/job-postings/{job_posting.pk}/edit/").content.decode()
    assert 'name="q-0-answer_seconds"' in html
    field = html.split('name="q-0-answer_seconds"')[1].split(">")[0]
    assert 'min="10"' in field and 'max="600"' in field
    takes = html.split('name="q-0-max_takes"')[1].split(">")[0]
    assert 'min="1"' in takes and 'max="10"' in takes


def test_the_open_checkbox_and_the_time_zone_hint_sit_with_their_fields(alice_client, job_posting):
    """Issue 14 §15: 公開中 is ticked beside its label; the time zone is said under the deadline."""
    html = alice_client.get(f"/job-postings/{job_posting.pk}/edit/").content.decode()
    assert '<label class="check" for="id_is_open"><input type="checkbox" name="is_open"' in html
    deadline = html.split('name="deadline"')[1].split("</div>")[0]
    assert "Asia/Tokyo（会社のタイムゾーン）の日時で指定します。" in deadline
