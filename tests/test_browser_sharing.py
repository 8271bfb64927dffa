"""Share URLs end to end in Chromium: export the CSV, open a URL with no session, play, evaluate, revoke."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from applicants.models import Applicant
from interviews.models import Answer, Take
from tests.factories import ApplicantFactory
from tests.plugins.browser import login
from tests.plugins.services import require

pytestmark = pytest.mark.browser


def _make_video(path: Path) -> None:
    """A real 2-second H.264/AAC MP4 with faststart, as the interviews worker produces."""
    require(shutil.which("ffmpeg") is not None, "needs ffmpeg")
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=15",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
            "-movflags", "+faststart", str(path),
        ],
        check=True,
    )  # fmt: skip


def _answer(applicant: Applicant, question, name: str) -> Answer:
    _make_video(Path(settings.MEDIA_ROOT) / name)
    take = Take.objects.create(
        applicant=applicant,
        question=question,
        state=Take.State.COMPLETE,
        container=Take.Container.MP4,
        file=name,
        size=(Path(settings.MEDIA_ROOT) / name).stat().st_size,
        client_duration=2.0,
        completed_at=timezone.now(),
    )
    return Answer.objects.create(
        applicant=applicant,
        question=question,
        take=take,
        video=name,
        duration=2.0,
        processing=Answer.Processing.DONE,
        processed_at=timezone.now(),
    )


def test_reviewer_evaluates_through_an_exported_share_url(
    browser, page, live_server, alice, job_posting, artifacts_dir, transactional_db
):
    applicant: Applicant = ApplicantFactory(  # type: ignore[assignment]
        job_posting=job_posting,
        status=Applicant.Status.SUBMITTED,
        last_name="髙橋",
        first_name="花子",
        free_area_1="ATS-42",
    )
    question = job_posting.questions.order_by("position").first()
    _answer(applicant, question, f"answers/{applicant.pk}/q1.mp4")

    # The recruiter downloads the share URL CSV of the current search from the list's CSV menu.
    login(page, live_server, "alice")
    page.goto(f"{live_server.url}/applicants/?job_posting={job_posting.pk}&status=submitted")
    page.click("details.csv-menu summary")
    with page.expect_download() as download_info:
        page.click("#share-csv-cp932")
    body = Path(download_info.value.path()).read_bytes()
    rows = list(csv.reader(io.StringIO(body.decode("cp932"))))
    assert rows[0][-1] == "共有用URL"
    (row,) = [r for r in rows[1:] if r[0] == str(applicant.im_id)]
    assert row[2] == "髙橋" and row[4] == "ATS-42" and row[7] == "回答済"
    share_url = row[8].replace(settings.SITE_URL, live_server.url)

    # A reviewer opens it from the ATS: a fresh browser context, no session, no login.
    reviewer_context = browser.new_context(locale="ja-JP")
    reviewer_context.set_default_timeout(15000)
    reviewer = reviewer_context.new_page()
    response = reviewer.goto(share_url)
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-robots-tag"].startswith("noindex")
    assert "髙橋 花子" in reviewer.inner_text("h1")
    assert "ATS応募者ID" in reviewer.inner_text("#applicant-details")
    assert question.text in reviewer.inner_text("#answers")

    # Play the answer: the video really decodes and time advances.
    video = reviewer.locator("video.answer-video").first
    video.evaluate("v => { v.muted = true; return v.play(); }")
    reviewer.wait_for_function(
        "() => { const v = document.querySelector('video.answer-video'); return v && v.currentTime > 0.5; }"
    )
    assert video.evaluate("v => v.videoWidth") == 320
    reviewer.screenshot(path=str(artifacts_dir / "sharing-reviewer.png"), full_page=True)

    # Submit an evaluation; without a name nothing is stored.
    reviewer.click("#evaluation-form button[type=submit]")
    assert reviewer.locator("#evaluation-form").count() == 1
    reviewer.fill("#id_reviewer_name", "佐藤 部長")
    reviewer.check("#evaluation-form input[type=radio][value=B]")
    reviewer.fill("#evaluation-form textarea", "落ち着いて話せている。")
    reviewer.click("#evaluation-form button[type=submit]")
    reviewer.wait_for_selector("text=評価を送信しました")
    assert "落ち着いて話せている。" in reviewer.inner_text("#evaluations")

    # The reviewer corrects it: the form opens filled in, and saving changes that evaluation.
    reviewer.click("#evaluations a.edit-evaluation")
    reviewer.wait_for_selector("text=評価を編集")
    assert reviewer.is_checked("#evaluation-form input[type=radio][value=B]")
    reviewer.check("#evaluation-form input[type=radio][value=A]")
    reviewer.fill("#evaluation-form textarea", "落ち着いて話せている。論理も明快。")
    reviewer.click("#evaluation-form button[type=submit]")
    reviewer.wait_for_selector("text=評価を更新しました")
    assert reviewer.locator("#evaluations article").count() == 1
    assert "論理も明快。" in reviewer.inner_text("#evaluations")
    reviewer.screenshot(path=str(artifacts_dir / "sharing-reviewer-edited.png"), full_page=True)

    # The recruiter sees it on the applicant page.
    page.goto(f"{live_server.url}/applicants/{applicant.im_id}/")
    section = page.locator("#share-section")
    assert "佐藤 部長" in section.inner_text() and "落ち着いて話せている。" in section.inner_text()
    assert page.input_value("#share-url") == row[8]
    page.screenshot(path=str(artifacts_dir / "sharing-recruiter.png"), full_page=True)

    # Regenerating kills the old URL at once: same not-found page as any unknown link.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#regenerate-form button[type=submit]")
    page.wait_for_selector("text=以前のURLは使えなくなりました")
    assert page.input_value("#share-url") != row[8]
    response = reviewer.goto(share_url)
    assert response.status == 404
    assert reviewer.locator("#share-not-found").is_visible()
    new_url = page.input_value("#share-url").replace(settings.SITE_URL, live_server.url)
    assert reviewer.goto(new_url).status == 200
    reviewer_context.close()


def test_the_evaluation_form_is_within_reach_on_a_wide_screen_and_a_phone(
    browser, live_server, job_posting, artifacts_dir, transactional_db
):
    """Issue 14 §11: beside the videos (sticky) on a wide screen; on a phone a button at the top
    jumps to it."""
    from sharing import services as sharing_services

    applicant: Applicant = ApplicantFactory(  # type: ignore[assignment]
        job_posting=job_posting, status=Applicant.Status.SUBMITTED
    )
    for n, question in enumerate(job_posting.questions.order_by("position")):
        _answer(applicant, question, f"answers/{applicant.pk}/reach-{n}.mp4")
    link = sharing_services.share_link_get_or_create(applicant=applicant)
    assert link is not None
    url = f"{live_server.url}/s/{link.token}/"

    wide = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = wide.new_page()
    page.goto(url)
    form = page.locator("#evaluation-form").bounding_box()
    videos = page.locator("#answers").bounding_box()
    assert form is not None and videos is not None
    assert form["y"] < 900 and form["x"] > videos["x"] + videos["width"] - 1  # beside, on screen
    assert not page.is_visible("#to-evaluation")
    page.mouse.wheel(0, 3000)  # scrolled down the videos, the form stays in view
    page.wait_for_timeout(300)
    box = page.locator("#evaluation-form").bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    page.screenshot(path=str(artifacts_dir / "reviewer-wide-sticky-form.png"))
    wide.close()

    phone = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.goto(url)
    button = page.locator("#to-evaluation").bounding_box()
    assert button is not None and button["y"] + button["height"] <= 844
    page.click("#to-evaluation")
    page.wait_for_timeout(300)
    box = page.locator("#evaluation-form").bounding_box()
    assert box is not None and 0 <= box["y"] < 844
    phone.close()
