"""An applicant takes the recorded interview in headless Chromium with the fake camera (local storage).

Questions have 2 s of preparation and 3 s answers so that the flows stay short.
"""

from __future__ import annotations

import subprocess

import pytest

from applicants.models import Applicant
from interviews.models import Answer, Take
from messaging.models import Message
from tests.factories import ApplicantFactory, JobPostingFactory, QuestionFactory
from tests.plugins.browser import login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(name="interview")
def interview_fixture(company):
    """A posting with two short questions (two takes each) and one applicant."""
    posting = JobPostingFactory(company=company, title="2027年度 総合職")
    for position, text in enumerate(["自己紹介をしてください。", "志望動機を教えてください。"]):
        QuestionFactory(
            job_posting=posting, position=position, text=text,
            preparation_seconds=2, answer_seconds=3, max_takes=2,
        )  # fmt: skip
    return ApplicantFactory(job_posting=posting, last_name="山田", first_name="花子")


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="ja-JP", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(45000)
    yield context
    context.close()


def ffprobe_ok(path: str) -> str:
    """ffprobe's stream list of a stored file; fails the test when the file is not valid video."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "csv=p=0", path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "video" in result.stdout, result.stdout
    return result.stdout


def pass_device_check(page, url: str) -> None:
    page.goto(url)
    assert "アリス商事" in page.inner_text("body")
    page.click("text=はじめる")
    page.wait_for_selector("#iv-next.ready")
    assert page.evaluate("document.getElementById('iv-preview').videoWidth") > 0
    page.click("#iv-next")


# A player whose length is known (not NaN, not Infinity) and that is back at the start.
SETTLED = """selector => {
  const video = document.querySelector(selector);
  return video && Number.isFinite(video.duration) && video.duration > 1 && video.currentTime === 0;
}"""


def record_and_wait(page) -> None:
    """Preparation countdown, a recording that stops by itself at the limit, then the upload."""
    page.click("#iv-begin")
    page.wait_for_selector("#iv-overlay.recording")
    page.wait_for_selector("#iv-keep:not([disabled])", state="visible")


def keep(page) -> None:
    page.click("#iv-keep")
    page.wait_for_load_state("load")


def test_applicant_answers_every_question_with_a_retake_and_submits(
    phone, browser, live_server, interview, alice, artifacts_dir
):
    page = phone.new_page()
    url = f"{live_server.url}/i/{interview.interview_token}/"
    pass_device_check(page, url)

    # Question 1: record, retake once, keep the second take.
    page.wait_for_selector("text=質問 1 / 2")
    page.wait_for_selector("#iv-begin:not([disabled])")
    page.screenshot(path=str(artifacts_dir / "interview-question-ja-phone.png"), full_page=True)
    record_and_wait(page)
    assert "撮り直す（残り 1 回）" in page.inner_text("#iv-retake")
    # The take as recorded (a MediaRecorder WebM, no duration in its header) plays with a real length.
    page.wait_for_function(SETTLED, arg="#iv-playback", timeout=10_000)
    page.click("#iv-retake")
    page.wait_for_selector("#iv-overlay.recording")
    page.wait_for_selector("#iv-keep:not([disabled])", state="visible")
    assert not page.is_visible("#iv-retake"), "no retake left after the second take"
    keep(page)

    # Question 2: keep the first take.
    page.wait_for_selector("text=質問 2 / 2")
    record_and_wait(page)
    keep(page)

    page.wait_for_selector("text=確認して提出")
    for index in range(2):
        page.wait_for_function(SETTLED, arg=f".iv-answers li:nth-child({index + 1}) video", timeout=10_000)
    page.click("#iv-submit")
    page.wait_for_selector("text=回答を提出しました")

    interview.refresh_from_db()
    assert interview.status == Applicant.Status.SUBMITTED
    assert interview.get_status_display() == "回答済"
    assert Message.objects.filter(applicant=interview, template_code="D05").count() == 1
    answers = list(Answer.objects.filter(applicant=interview).select_related("take", "question"))
    assert len(answers) == 2
    takes = Take.objects.filter(applicant=interview, state=Take.State.COMPLETE)
    assert sorted(takes.values_list("question__position", flat=True)) == [0, 0, 1]
    for answer in answers:
        original = ffprobe_ok(answer.take.file.path)
        assert "vp8" in original or "vp9" in original or "h264" in original
        assert answer.take.file.size == answer.take.size
        # The normalisation ran (eagerly, on commit of the keep).
        assert answer.processing == Answer.Processing.DONE, answer.processing_error
        normalised = ffprobe_ok(answer.video.path)
        # Chromium records H.264 (+ Opus), remuxed into MP4 without re-encoding (docs/recording.md).
        assert answer.video.name.endswith(".mp4") and "h264" in normalised and "opus" in normalised
        assert answer.duration is not None and 1.5 < answer.duration < 4.5
    # The kept take of question 1 is the retake.
    first = next(a for a in answers if a.question.position == 0)
    takes_of_first = Take.objects.filter(applicant=interview, question=first.question)
    assert first.take == takes_of_first.latest("completed_at")

    # Nothing can be changed afterwards: the link now shows the confirmation.
    page.goto(url)
    assert "回答を提出しました" in page.inner_text("body")

    # The recruiter watches the answers on the applicant's page (signed, range-served MP4s).
    desk = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    recruiter = desk.new_page()
    login(recruiter, live_server, "alice")
    recruiter.goto(f"{live_server.url}/applicants/{interview.im_id}/")
    section = recruiter.locator("#answers")
    assert section.locator("video").count() == 2
    text = section.inner_text()
    assert "撮影 2 回" in text and "撮影 1 回" in text and "再生時間" in text
    duration = recruiter.evaluate(
        """() => new Promise((resolve) => {
            const video = document.querySelector('#answers video');
            if (video.readyState >= 1) { resolve(video.duration); }
            video.addEventListener('loadedmetadata', () => resolve(video.duration));
            video.load();
        })"""
    )
    assert 1.5 < duration < 4.5
    recruiter.screenshot(path=str(artifacts_dir / "interview-recruiter-answers.png"), full_page=True)
    desk.close()


def test_question_page_in_english_on_a_phone(phone, live_server, interview, artifacts_dir):
    page = phone.new_page()
    page.goto(f"{live_server.url}/i/{interview.interview_token}/")
    page.click("button[name=language][value=en]")
    page.wait_for_selector("text=What will happen")
    page.goto(f"{live_server.url}/i/{interview.interview_token}/record/")
    page.wait_for_selector("text=Question 1 of 2")
    page.wait_for_selector("#iv-begin:not([disabled])")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    page.screenshot(path=str(artifacts_dir / "interview-question-en-phone.png"), full_page=True)


def test_dropped_connection_mid_chunk_resumes_and_reopening_continues_at_next_question(
    phone, live_server, interview, settings
):
    # Small chunks so that a 3 s take needs several of them, however well the fake camera compresses.
    settings.RECORDING_CHUNK_BYTES = 16 * 1024
    page = phone.new_page()
    hits: list[str] = []
    dropped: list[str] = []

    def flaky(route):
        hits.append(route.request.url)
        if route.request.url.endswith("/chunks/1") and not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/chunks/*", flaky)
    pass_device_check(page, f"{live_server.url}/i/{interview.interview_token}/")
    record_and_wait(page)
    assert dropped, "one chunk request was cut off"
    assert sum(1 for u in hits if u.endswith("/chunks/1")) >= 2, "the dropped chunk was sent again"
    take = Take.objects.get(applicant=interview)
    assert take.state == Take.State.COMPLETE
    assert take.chunks.count() >= 2
    assert take.file.size == take.size
    ffprobe_ok(take.file.path)
    keep(page)
    page.wait_for_selector("text=質問 2 / 2")
    page.close()

    # The applicant closes the tab and opens the link again later.
    again = phone.new_page()
    again.goto(f"{live_server.url}/i/{interview.interview_token}/")
    assert "2 問中 1 問に回答済み" in again.inner_text("body")
    again.click("text=続きから回答する")
    again.wait_for_selector("#iv-next.ready")
    again.click("#iv-next")
    again.wait_for_selector("text=質問 2 / 2")
    assert "志望動機" in again.inner_text("h1")


def test_refused_camera_permission_gets_a_clear_message(browser, live_server, interview):
    # Without the fake-UI flag's auto-accept: deny the permission for this context.
    context = browser.new_context(locale="ja-JP", viewport=PHONE)
    try:
        page = context.new_page()
        page.add_init_script(
            "navigator.mediaDevices.getUserMedia = () =>"
            " Promise.reject(new DOMException('denied', 'NotAllowedError'));"
        )
        page.goto(f"{live_server.url}/i/{interview.interview_token}/check/")
        page.wait_for_selector("#iv-error:not([hidden])")
        assert "カメラとマイクの使用が許可されていません" in page.inner_text("#iv-error")
        assert page.get_attribute("#iv-next", "aria-disabled") == "true"
        assert page.is_visible("#iv-retry")
    finally:
        context.close()


def test_browser_without_mediarecorder_is_told_so(browser, live_server, interview):
    context = browser.new_context(locale="ja-JP", viewport=PHONE)
    try:
        page = context.new_page()
        page.add_init_script("delete window.MediaRecorder;")
        page.goto(f"{live_server.url}/i/{interview.interview_token}/check/")
        page.wait_for_selector("#iv-error:not([hidden])")
        assert "このブラウザでは動画を録画できません" in page.inner_text("#iv-error")
    finally:
        context.close()


def on_screen(page, selector: str) -> None:
    """The element is visible without scrolling: inside the viewport as the page stands."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (selector, box, size)


def test_the_status_line_follows_each_phase_and_leaving_mid_take_asks_first(
    browser, live_server, interview, artifacts_dir
):
    """Issue 14 §5 and §7 on a 375×667 phone: preparation, recording and the last take each say what is
    true; while a take records or uploads, leaving the page asks first."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 375, "height": 667}, is_mobile=True)
    context.set_default_timeout(45000)
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{interview.interview_token}/")
    on_screen(page, ".actions .primary")  # §6: every step's primary action without scrolling
    pass_device_check(page, f"{live_server.url}/i/{interview.interview_token}/")
    page.wait_for_selector("#iv-begin:not([disabled])")
    on_screen(page, "#iv-begin")
    assert "準備を始める" in page.inner_text("#iv-status")
    page.click("#iv-begin")
    assert "準備中です" in page.inner_text("#iv-status")
    page.wait_for_selector("#iv-overlay.recording")
    assert "録画中です" in page.inner_text("#iv-status")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.evaluate("window.location.href = '/'")  # leaving mid-recording: the browser asks, we stay
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url.endswith("/record/")
    page.wait_for_selector("#iv-keep:not([disabled])", state="visible")
    assert "撮り直す" in page.inner_text("#iv-status") or "確定" in page.inner_text("#iv-status")
    page.click("#iv-retake")
    page.wait_for_selector("#iv-overlay.recording")
    page.wait_for_selector("#iv-keep:not([disabled])", state="visible")
    # The last allowed take: no retake button, and the status line does not offer one.
    assert not page.is_visible("#iv-retake")
    page.wait_for_function(SETTLED, arg="#iv-playback", timeout=10_000)  # §8: it has a length
    on_screen(page, "#iv-playback")
    assert "最後の撮影" in page.inner_text("#iv-status") and "撮り直" not in page.inner_text("#iv-status")
    on_screen(page, "#iv-keep")
    page.screenshot(path=str(artifacts_dir / "interview-last-take-375x667.png"))
    page.click("#iv-keep")
    page.wait_for_selector("text=質問 2 / 2")
    record_and_wait(page)
    on_screen(page, "#iv-keep")
    page.click("#iv-keep")
    page.wait_for_selector("#iv-submit")
    on_screen(page, "#iv-submit")
    for index in range(2):  # §8 on the confirm page too
        page.wait_for_function(SETTLED, arg=f".iv-answers li:nth-child({index + 1}) video", timeout=10_000)
    context.close()


def test_a_practice_answer_plays_back_on_the_phone_and_is_never_sent(
    phone, live_server, interview, artifacts_dir, monkeypatch
):
    """Issue 14 §9: an optional practice question, recorded and played back locally only."""
    from interviews import views

    monkeypatch.setattr(views, "PRACTICE_PREP_SECONDS", 1)
    posting = interview.job_posting
    posting.practice_question = "練習: 今日の天気について話してください。"
    posting.save(update_fields=["practice_question"])
    page = phone.new_page()
    sent = []
    page.on("request", lambda request: sent.append(request) if request.method != "GET" else None)
    page.goto(f"{live_server.url}/i/{interview.interview_token}/")
    page.click("#iv-practice-link")
    page.wait_for_selector("#iv-practice-start:not([disabled])")
    assert "今日の天気" in page.inner_text("#iv-practice")
    page.click("#iv-practice-start")
    page.wait_for_selector("#iv-practice-stop:not([hidden])")
    page.wait_for_timeout(2500)  # about two seconds of practice answer
    page.click("#iv-practice-stop")
    page.wait_for_function(SETTLED, arg="#iv-playback", timeout=10_000)
    assert page.evaluate("document.getElementById('iv-playback').src").startswith("blob:")
    assert "もう一度練習する" in page.inner_text("#iv-practice-start")
    page.screenshot(path=str(artifacts_dir / "interview-practice-ja-phone.png"), full_page=True)
    # Nothing went to the server: no request but page loads, no take, and the interview is untouched.
    assert sent == [] and not Take.objects.filter(applicant=interview).exists()
    page.click("#iv-practice-done")
    page.wait_for_selector("#iv-next.ready")


def test_the_script_catalogue_is_fetched_once_for_the_whole_interview(phone, live_server, interview):
    """The check and every question page use the JavaScript catalogue; the phone asks the server once."""
    from django.core.signals import request_started

    fetched: list[str] = []

    def count(sender, environ, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if environ["PATH_INFO"].startswith("/i/jsi18n/"):
            fetched.append(environ["PATH_INFO"])

    request_started.connect(count)
    try:
        page = phone.new_page()
        record = f"{live_server.url}/i/{interview.interview_token}/record/"
        pass_device_check(page, f"{live_server.url}/i/{interview.interview_token}/")
        page.wait_for_selector("#iv-begin:not([disabled])")
        for _ in range(2):  # the next question's page, opened again
            page.goto(record)
            page.wait_for_selector("#iv-begin:not([disabled])")
        # The strings of the script are the catalogue's: Japanese.
        assert page.inner_text("#iv-status") == "準備ができたら「準備を始める」を押してください。"
    finally:
        request_started.disconnect(count)
    assert len(fetched) == 1, fetched
