"""The applicant's pages and upload endpoints, signed media URLs and the recruiter's answers section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applicants.models import Applicant
from interviews.models import Answer, Take
from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    # CSRF checks stay on: the browser sends X-CSRFToken like the real page does.
    return Client(enforce_csrf_checks=True)


def csrf(client: Client, applicant: Applicant) -> str:
    client.get(f"/i/{applicant.interview_token}/record/")
    return client.cookies["csrftoken"].value


def record_take(client: Client, applicant: Applicant, question, data: bytes, chunk: int) -> str:
    """The browser's upload sequence for one take, through the real endpoints; returns the take key."""
    token = csrf(client, applicant)
    base = f"/i/{applicant.interview_token}/takes/"
    started = client.post(
        base, {"question": question.pk, "type": "video/webm;codecs=vp8,opus"},
        content_type="application/json", HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert started.status_code == 201, started.content
    key = started.json()["key"]
    for index in range(0, -(-len(data) // chunk)):
        response = client.put(
            f"{base}{key}/chunks/{index}", data[index * chunk : (index + 1) * chunk],
            content_type="application/octet-stream", HTTP_X_CSRFTOKEN=token,
        )  # fmt: skip
        assert response.status_code == 200, response.content
    done = client.post(
        f"{base}{key}/complete/", {"size": len(data), "duration": 2.0},
        content_type="application/json", HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "complete"
    return key


@pytest.fixture
def chunk(settings) -> int:
    settings.RECORDING_CHUNK_BYTES = 16 * 1024
    return settings.RECORDING_CHUNK_BYTES


def test_start_page_shows_company_posting_deadline_in_japanese(client, applicant):
    response = client.get(f"/i/{applicant.interview_token}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "アリス商事" in body and applicant.job_posting.title in body
    assert "回答期限" in body and "カメラとマイク" in body
    assert "(Asia/Tokyo, UTC+09:00)" in body  # whose clock the deadline is on
    assert response["Cache-Control"].startswith("max-age=0")


def test_start_page_in_english_when_chosen(client, applicant):
    client.cookies["django_language"] = "en"
    body = client.get(f"/i/{applicant.interview_token}/").content.decode()
    assert "What will happen" in body and "Deadline" in body
    assert "(Asia/Tokyo, UTC+09:00)" in body


def test_unknown_link_is_a_404_page_with_a_clear_message(client):
    response = client.get("/i/not-a-real-token-aaaaaaaaaaaaaaaaaaaaaa/")
    assert response.status_code == 404
    assert "このリンクは無効です" in response.content.decode()


@pytest.mark.parametrize("path", ["", "check/", "record/", "confirm/"])
def test_withdrawn_applicant_sees_a_closed_page(client, applicant, path):
    applicant.status = Applicant.Status.WITHDRAWN
    applicant.save()
    response = client.get(f"/i/{applicant.interview_token}/{path}")
    assert response.status_code == 403
    assert "辞退" in response.content.decode()


def test_past_deadline_shows_a_closed_page_and_refuses_uploads(client, applicant):
    posting = applicant.job_posting
    posting.deadline = timezone.now() - dt.timedelta(seconds=1)
    posting.save()
    response = client.get(f"/i/{applicant.interview_token}/")
    assert response.status_code == 403
    assert "回答期限を過ぎました" in response.content.decode()
    started = Client().post(
        f"/i/{applicant.interview_token}/takes/",
        {"question": posting.questions.first().pk, "type": "video/webm"},
        content_type="application/json",
    )
    assert started.status_code == 409
    assert started.json()["reason"] == "deadline"
    assert not Take.objects.exists()


def test_calls_on_a_take_answer_409_once_the_interview_closed_and_404_for_unknown_takes(
    client, applicant, sample_webm, chunk
):
    """A take and its applicant come in one query; a miss still tells a closed interview (409, the page
    reloads) from an unknown take (404), and another applicant's token opens nothing."""
    key = record_take(client, applicant, applicant.job_posting.questions.first(), sample_webm, chunk)
    base = f"/i/{applicant.interview_token}/takes/"
    assert client.get(f"{base}{key}/").json()["state"] == "complete"
    assert client.get(f"{base}nope/").status_code == 404
    assert client.get(f"/i/unknown-token/takes/{key}/").status_code == 404
    applicant.status = Applicant.Status.WITHDRAWN
    applicant.save(update_fields=["status"])
    for url in (f"{base}{key}/", f"{base}nope/"):
        answer = client.get(url)
        assert answer.status_code == 409 and answer.json()["reason"] == "withdrawn"


def test_full_interview_over_http_submits_and_queues_d05(client, applicant, sample_webm, chunk):
    from messaging.models import Message

    token = csrf(client, applicant)
    questions = list(applicant.job_posting.questions.order_by("position"))
    for number, question in enumerate(questions, start=1):
        page = client.get(f"/i/{applicant.interview_token}/record/")
        assert f"{number}問目" in page.content.decode() or f"質問 {number}" in page.content.decode()
        key = record_take(client, applicant, question, sample_webm, chunk)
        kept = client.post(f"/i/{applicant.interview_token}/takes/{key}/keep/", HTTP_X_CSRFTOKEN=token)
        assert kept.status_code == 200
    assert client.get(f"/i/{applicant.interview_token}/record/").url.endswith("/confirm/")
    submitted = client.post(f"/i/{applicant.interview_token}/confirm/", {"csrfmiddlewaretoken": token})
    assert submitted.status_code == 302 and submitted.url.endswith("/done/")
    applicant.refresh_from_db()
    assert applicant.status == Applicant.Status.SUBMITTED
    assert Message.objects.filter(applicant=applicant, template_code="D05").count() == 1
    assert Answer.objects.filter(applicant=applicant).count() == len(questions)
    # Nothing can be changed afterwards.
    again = client.post(
        f"/i/{applicant.interview_token}/takes/",
        {"question": questions[0].pk, "type": "video/webm"},
        content_type="application/json", HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert again.status_code == 409
    assert client.get(f"/i/{applicant.interview_token}/").url.endswith("/done/")


def test_reopening_resumes_at_the_next_question_with_the_unkept_take_for_review(
    client, applicant, sample_webm, chunk
):
    token = csrf(client, applicant)
    first, second = applicant.job_posting.questions.order_by("position")[:2]
    key = record_take(client, applicant, first, sample_webm, chunk)
    client.post(f"/i/{applicant.interview_token}/takes/{key}/keep/", HTTP_X_CSRFTOKEN=token)
    pending = record_take(client, applicant, second, sample_webm, chunk)
    page = Client().get(f"/i/{applicant.interview_token}/record/")
    config = page.context["config"]
    assert config["question"] == second.pk
    assert config["pending"]["key"] == pending
    assert config["takesUsed"] == 1


def test_a_retried_chunk_is_stored_once(client, applicant, sample_webm, chunk):
    token = csrf(client, applicant)
    question = applicant.job_posting.questions.first()
    base = f"/i/{applicant.interview_token}/takes/"
    key = client.post(
        base, {"question": question.pk, "type": "video/webm"}, content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    ).json()["key"]  # fmt: skip
    for _ in range(3):
        response = client.put(
            f"{base}{key}/chunks/0", sample_webm[:chunk], content_type="application/octet-stream",
            HTTP_X_CSRFTOKEN=token,
        )  # fmt: skip
        assert response.status_code == 200
    status = client.get(f"{base}{key}/").json()
    assert status["received"] == [0]


def test_a_non_video_upload_gets_a_clear_json_error(client, applicant):
    token = csrf(client, applicant)
    question = applicant.job_posting.questions.first()
    base = f"/i/{applicant.interview_token}/takes/"
    key = client.post(
        base, {"question": question.pk, "type": "video/webm"}, content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    ).json()["key"]  # fmt: skip
    response = client.put(
        f"{base}{key}/chunks/0", b"PK\x03\x04 a zip file", content_type="application/octet-stream",
        HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert response.status_code == 400
    assert "WebM" in response.json()["detail"]


def test_malformed_json_is_a_400_not_a_500(client, applicant):
    token = csrf(client, applicant)
    response = client.post(
        f"/i/{applicant.interview_token}/takes/", b"{nope", content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert response.status_code == 400


def test_the_token_opens_no_other_applicants_take(client, applicant, job_posting, sample_webm, chunk):
    other = ApplicantFactory(job_posting=job_posting)
    key = record_take(
        Client(enforce_csrf_checks=True), other, job_posting.questions.first(), sample_webm, chunk
    )
    token = csrf(client, applicant)
    assert client.get(f"/i/{applicant.interview_token}/takes/{key}/").status_code == 404
    kept = client.post(f"/i/{applicant.interview_token}/takes/{key}/keep/", HTTP_X_CSRFTOKEN=token)
    assert kept.status_code == 404
    assert not Answer.objects.exists()


def test_upload_calls_without_csrf_token_are_refused(applicant):
    response = Client(enforce_csrf_checks=True).post(
        f"/i/{applicant.interview_token}/takes/", {"question": 1, "type": "video/webm"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403


def test_page_views_are_rate_limited_per_ip(client, applicant, settings):
    settings.RECORDING_RATE_PAGE = "3/m"
    codes = [client.get(f"/i/{applicant.interview_token}/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_upload_calls_are_rate_limited_per_interview(client, applicant, job_posting, settings):
    settings.RECORDING_RATE_UPLOAD = "2/m"
    url = f"/i/{applicant.interview_token}/takes/nope/"
    assert [client.get(url).status_code for _ in range(3)] == [404, 404, 429]
    other = ApplicantFactory(job_posting=job_posting)
    assert client.get(f"/i/{other.interview_token}/takes/nope/").status_code == 404


# --- Signed media --------------------------------------------------------------------------------


@pytest.fixture
def stored_video(applicant, sample_webm, chunk) -> Take:
    record_take(
        Client(enforce_csrf_checks=True),
        applicant,
        applicant.job_posting.questions.first(),
        sample_webm,
        chunk,
    )
    return Take.objects.get()


def test_signed_media_url_serves_byte_ranges(client, stored_video, sample_webm):
    from interviews.storage import playback_url

    url = playback_url(stored_video.file.name)
    full = client.get(url)
    assert full.status_code == 200 and b"".join(full.streaming_content) == sample_webm
    assert full["Accept-Ranges"] == "bytes" and full["Content-Type"] == "video/webm"
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(sample_webm)}"
    assert b"".join(part.streaming_content) == sample_webm[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == sample_webm[-10:]
    assert client.get(url, HTTP_RANGE=f"bytes={len(sample_webm)}-").status_code == 416


def test_signed_media_url_expires(client, stored_video, settings):
    from interviews.storage import playback_url

    url = playback_url(stored_video.file.name)
    settings.RECORDING_URL_MAX_AGE = -1
    assert client.get(url).status_code == 404


def test_tampered_media_url_is_404(client, stored_video):
    from interviews.storage import playback_url

    url = playback_url(stored_video.file.name)
    assert client.get(url[:-3] + "xx/").status_code == 404
    assert client.get(f"/media/{stored_video.file.name}").status_code == 404


# --- Recruiter side ------------------------------------------------------------------------------


def test_recruiter_sees_each_question_with_video_duration_and_take_count(
    alice_client, applicant, stored_video
):
    from interviews import services

    services.take_keep(take=stored_video)
    body = alice_client.get(f"/applicants/{applicant.im_id}/").content.decode()
    assert "回答" in body and "再生時間 2 秒" in body and "撮影 1 回" in body
    assert "/m/" in body and "未回答" in body
    video_url = body.split('<video src="', 1)[1].split('"', 1)[0]
    assert alice_client.get(video_url.replace("&amp;", "&")).status_code == 200


def test_outsider_gets_404_for_the_applicant_page(charlie_client, applicant):
    assert charlie_client.get(f"/applicants/{applicant.im_id}/").status_code == 404


def test_interview_url_reaches_the_start_page(applicant):
    assert reverse("interviews:start", args=[applicant.interview_token]) in applicant.interview_url


def test_the_applicants_pages_do_not_lead_to_the_recruiter_login(client, applicant):
    """Issue 14 §15: the product name on the applicant's pages is not a link."""
    body = client.get(f"/i/{applicant.interview_token}/").content.decode()
    assert '<span class="brand">interviewmaker</span>' in body
    assert 'class="brand" href=' not in body


def test_the_start_page_says_roughly_how_long_it_takes(client, applicant):
    """Issue 14 §9: the sum of the questions' preparation and answer times, in minutes rounded up."""
    questions = list(applicant.job_posting.questions.all())
    seconds = sum(q.preparation_seconds + q.answer_seconds for q in questions)
    minutes = max(1, -(-seconds // 60))
    body = client.get(f"/i/{applicant.interview_token}/").content.decode()
    assert f"所要時間の目安は約 {minutes} 分" in body
    client.cookies["django_language"] = "en"
    english = client.get(f"/i/{applicant.interview_token}/").content.decode()
    assert f"It takes about {minutes} minute" in english


def test_the_practice_page_is_offered_only_when_the_posting_has_a_practice_question(client, applicant):
    start = client.get(f"/i/{applicant.interview_token}/").content.decode()
    assert "iv-practice-link" not in start
    assert client.get(f"/i/{applicant.interview_token}/practice/").status_code == 404
    posting = applicant.job_posting
    posting.practice_question = "練習の質問"
    posting.save(update_fields=["practice_question"])
    start = client.get(f"/i/{applicant.interview_token}/").content.decode()
    assert "iv-practice-link" in start
    page = client.get(f"/i/{applicant.interview_token}/practice/")
    assert page.status_code == 200 and "練習の質問" in page.content.decode()
    # The practice page is an interview page: closed with the interview.
    from applicants.models import Applicant

    Applicant.objects.filter(pk=applicant.pk).update(status=Applicant.Status.WITHDRAWN)
    assert "練習の質問" not in client.get(f"/i/{applicant.interview_token}/practice/").content.decode()
