"""Playback in Chromium (the rows of docs/recording.md's matrix this machine can test): what this browser
records and plays, a take recorded with the fake camera playing with a real length on the confirm and the
reviewer pages and seeking to its middle at once, and every kind of normalised file playing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from interviews import services, storage
from interviews.models import Answer
from interviews.tests.kinds import KINDS, SECONDS, keep, make_takes
from tests.factories import ApplicantFactory, JobPostingFactory, QuestionFactory

pytestmark = pytest.mark.browser

ANSWER_SECONDS = 6

# A player whose length is known (not NaN, not Infinity) and that is back at the start.
SETTLED = """selector => {
  const video = document.querySelector(selector);
  return video && Number.isFinite(video.duration) && video.duration > 1 && video.currentTime === 0
    && !video.seeking;
}"""

# Seek a settled player to the middle and play: its length, and the seconds until time moves on from there.
SEEK_TO_MIDDLE = """async selector => {
  const video = document.querySelector(selector);
  video.muted = true;
  const until = (test, ms) => new Promise((resolve, reject) => {
    const start = performance.now();
    const tick = () => test() ? resolve()
      : performance.now() - start > ms ? reject(new Error("timed out")) : setTimeout(tick, 5);
    tick();
  });
  await until(() => video.readyState >= 1 && Number.isFinite(video.duration) && !video.seeking, 10000);
  const duration = video.duration, middle = duration / 2, started = performance.now();
  video.currentTime = middle;
  await video.play();
  await until(() => !video.seeking && video.currentTime > middle + 0.05, 5000);
  const elapsed = (performance.now() - started) / 1000;
  video.pause();
  return { duration, elapsed, width: video.videoWidth };
}"""


@pytest.fixture(name="interview")
def interview_fixture(company):
    posting = JobPostingFactory(company=company, title="2027年度 総合職")
    QuestionFactory(
        job_posting=posting, position=0, text="自己紹介をしてください。",
        preparation_seconds=2, answer_seconds=ANSWER_SECONDS, max_takes=1,
    )  # fmt: skip
    return ApplicantFactory(job_posting=posting, last_name="山田", first_name="花子")


def assert_plays_and_seeks(page, selector: str, length: float) -> None:
    page.wait_for_function(SETTLED, arg=selector, timeout=15_000)
    result = page.evaluate(SEEK_TO_MIDDLE, selector)
    assert result["duration"] == pytest.approx(length, abs=0.6), result
    assert result["width"] > 0, result
    assert result["elapsed"] < 1.0, f"seeking to the middle took {result['elapsed']:.2f} s"


def test_this_chromium_records_h264_and_plays_every_normalised_format(page, live_server):
    """The Chromium rows of the matrix: what the recorder asks for first is supported, and every format
    normalisation writes can be played."""
    page.goto(f"{live_server.url}/healthz")
    recordable = page.evaluate(
        """types => Object.fromEntries(types.map(t => [t, MediaRecorder.isTypeSupported(t)]))""",
        [
            "video/mp4;codecs=avc1.42E01E,mp4a.40.2",
            "video/mp4;codecs=avc1.42E01E,opus",
            "video/webm;codecs=vp8,opus",
            "video/webm;codecs=vp9,opus",
        ],
    )
    # H.264 in MP4 (with Opus here: Debian's build has no AAC encoder), and the VP8/VP9 fallbacks.
    h264 = ("video/mp4;codecs=avc1.42E01E,mp4a.40.2", "video/mp4;codecs=avc1.42E01E,opus")
    assert any(recordable[t] for t in h264), recordable
    assert recordable["video/webm;codecs=vp8,opus"] and recordable["video/webm;codecs=vp9,opus"], recordable
    playable = page.evaluate(
        """types => { const v = document.createElement("video");
                      return Object.fromEntries(types.map(t => [t, v.canPlayType(t)])); }""",
        [
            'video/mp4; codecs="avc1.42E01E, mp4a.40.2"',
            'video/mp4; codecs="avc1.42E01E, opus"',
            'video/webm; codecs="vp8, opus"',
            'video/webm; codecs="vp9, opus"',
        ],
    )
    assert set(playable.values()) == {"probably"}, playable


def test_a_recorded_take_plays_with_a_real_length_and_seeks_at_once_on_the_confirm_and_reviewer_pages(
    browser, page, live_server, interview
):
    page.goto(f"{live_server.url}/i/{interview.interview_token}/")
    page.click("text=はじめる")
    page.wait_for_selector("#iv-next.ready")
    page.click("#iv-next")
    page.wait_for_selector("#iv-begin:not([disabled])")
    page.click("#iv-begin")
    page.wait_for_selector("#iv-overlay.recording")
    page.wait_for_selector("#iv-keep:not([disabled])", state="visible", timeout=45_000)
    page.click("#iv-keep")
    page.wait_for_selector("text=確認して提出")

    # Chromium recorded H.264/Opus in MP4, the recorder's first choice here; normalised by a remux.
    answer = Answer.objects.select_related("take").get(applicant=interview)
    assert answer.take.container == "mp4" and "avc1" in answer.take.declared_type, answer.take.declared_type
    assert answer.processing == Answer.Processing.DONE, answer.processing_error
    assert answer.video.name.endswith(".mp4")
    assert answer.duration == pytest.approx(ANSWER_SECONDS, abs=1.0)

    # The confirm page plays the normalised file.
    assert_plays_and_seeks(page, ".iv-answers li:nth-child(1) video", answer.duration)
    page.click("#iv-submit")
    page.wait_for_selector("text=回答を提出しました")

    # A reviewer opens the applicant's share URL: the same file, seekable at once.
    interview.company.share_url_enabled = True
    interview.company.save(update_fields=["share_url_enabled"])
    from sharing.services import share_link_get_or_create

    link = share_link_get_or_create(applicant=interview)
    assert link is not None
    context = browser.new_context(locale="ja-JP")
    context.set_default_timeout(15000)
    reviewer = context.new_page()
    reviewer.goto(link.url.replace(settings.SITE_URL, live_server.url))
    assert reviewer.locator("video.answer-video[data-settle-duration]").count() == 1
    assert_plays_and_seeks(reviewer, "video.answer-video", answer.duration)

    # While normalisation is pending (or after it failed) the reviewer gets the take as recorded: it plays
    # and seeks as well (a WebM take would have its length settled by the page's script).
    Answer.objects.filter(pk=answer.pk).update(video="", poster="", processing=Answer.Processing.PENDING)
    reviewer.reload()
    assert_plays_and_seeks(reviewer, "video.answer-video", answer.duration)
    context.close()


@pytest.fixture(scope="session")
def takes(tmp_path_factory) -> dict[str, bytes]:
    return make_takes(Path(tmp_path_factory.mktemp("kinds")))


def test_a_webm_take_still_processing_plays_with_a_real_length_on_the_reviewer_page(
    page, live_server, job_posting, takes
):
    """Firefox's VP8 WebM as recorded has no length in its header; until its normalised copy exists the
    reviewer page plays it, settled to its real length by interviews/duration.js."""
    applicant = ApplicantFactory(job_posting=job_posting)
    container, declared, _size, _args = KINDS["vp8-webm"]
    answer = keep(applicant, takes["vp8-webm"], container, declared)
    assert answer.processing == Answer.Processing.PENDING
    job_posting.company.share_url_enabled = True
    job_posting.company.save(update_fields=["share_url_enabled"])
    from sharing.services import share_link_get_or_create

    link = share_link_get_or_create(applicant=applicant)
    assert link is not None
    page.goto(link.url.replace(settings.SITE_URL, live_server.url))
    assert page.locator("video.answer-video[data-settle-duration]").count() == 1
    assert_plays_and_seeks(page, "video.answer-video", SECONDS)


@pytest.mark.parametrize("kind", ["vp8-webm", "vp9-webm", "h264-webm", "h264-mp4", "hevc-1080p"])
def test_every_kind_of_take_plays_in_chromium_once_normalised(page, live_server, job_posting, takes, kind):
    applicant = ApplicantFactory(job_posting=job_posting)
    container, declared, _size, _args = KINDS[kind]
    answer = keep(applicant, takes[kind], container, declared)
    services.answer_normalise(answer=answer)
    answer.refresh_from_db()
    assert answer.processing == Answer.Processing.DONE, answer.processing_error
    page.goto(f"{live_server.url}/healthz")
    page.evaluate(
        """src => { const v = document.createElement("video");
                    v.id = "played"; v.preload = "metadata"; v.src = src; document.body.append(v); }""",
        live_server.url + storage.playback_url(answer.video.name),
    )
    assert_plays_and_seeks(page, "#played", SECONDS)
