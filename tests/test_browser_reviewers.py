"""A reviewer's queue end to end in Chromium: the recruiter adds a reviewer and assigns them three
submitted applicants in まとめて処理モード; the reviewer opens the link of the D07 mail, works through
the queue with 「次へ」 evaluating each, and the recruiter sees the progress on the applicant list."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import timezone

from applicants.models import Applicant
from messaging.models import Message
from sharing.models import Evaluation, Reviewer
from tests.factories import ApplicantFactory
from tests.plugins.browser import login
from tests.test_browser_sharing import _answer

pytestmark = pytest.mark.browser

PEOPLE = [("髙橋", "花子", "A"), ("佐藤", "健", "B"), ("鈴木", "一郎", "C")]


def test_a_reviewer_works_through_their_queue_from_the_d07_link(
    browser, page, live_server, alice, job_posting, artifacts_dir, transactional_db
):
    question = job_posting.questions.order_by("position").first()
    now = timezone.now()
    applicants = []
    for n, (last, first, _grade) in enumerate(PEOPLE):
        applicant: Applicant = ApplicantFactory(  # type: ignore[assignment]
            job_posting=job_posting,
            status=Applicant.Status.SUBMITTED,
            submitted_at=now - dt.timedelta(minutes=30 - n),
            last_name=last,
            first_name=first,
        )
        _answer(applicant, question, f"answers/{applicant.pk}/q1.mp4")
        applicants.append(applicant)
    ApplicantFactory(job_posting=job_posting, last_name="未提出")  # awaiting: not on the submitted tab

    # The recruiter adds a reviewer on 面接官 …
    login(page, live_server, "alice")
    page.click("nav.nav >> text=面接官")
    page.fill("#id_name", "山本 部長")
    page.fill("#id_email", "yamamoto@example.jp")
    page.click("#reviewer-form button[type=submit]")
    page.wait_for_selector("text=山本 部長 を面接官に追加しました。")
    # … and assigns them the three who submitted: list → tick → 面接官アサイン → choose → confirm.
    page.goto(f"{live_server.url}/applicants/?job_posting={job_posting.pk}&status=submitted")
    page.check("#tick-page")
    page.click("#bulk-form button[name=action][value=assign_reviewers]")
    page.wait_for_selector("#assign-reviewers")
    assert "3 人の応募者を評価します" in page.inner_text("#assign-reviewers")
    page.check("#assign-reviewers input[name=assign_reviewer]")
    page.click("#confirm-form button[type=submit]")
    page.wait_for_selector("text=山本 部長 が 3 人の応募者を評価します")

    # D07 is in the outbox, once, with the personal link.
    (mail,) = Message.objects.filter(template_code="D07")
    reviewer = Reviewer.objects.get()
    assert mail.to == "yamamoto@example.jp" and mail.subject == "録画面接の評価のお願い"
    found = re.search(r"https?://\S+/r/[A-Za-z0-9_-]{32,}/", mail.body)
    assert found is not None and found.group(0) == reviewer.review_url
    url = found.group(0).replace(settings.SITE_URL, live_server.url)

    # The reviewer opens it in a browser of their own: no login, the first applicant who submitted.
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    queue = context.new_page()
    response = queue.goto(url)
    assert response is not None and response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    for index, (last, first, grade) in enumerate(PEOPLE):
        assert f"{index + 1} / 3" in queue.inner_text("#queue-position")
        assert f"{last} {first}" in queue.inner_text("h1")
        assert "未評価" in queue.inner_text("#evaluated-mark")
        if index == 0:  # the answer really plays
            video = queue.locator("video.answer-video").first
            video.evaluate("v => { v.muted = true; return v.play(); }")
            queue.wait_for_function("() => document.querySelector('video.answer-video').currentTime > 0.5")
        assert queue.locator("#id_reviewer_name").count() == 0  # they evaluate as themselves
        queue.check(f"#evaluation-form input[type=radio][value={grade}]")
        queue.fill("#evaluation-form textarea", f"{last}さんの回答は具体的。")
        queue.click("#evaluation-form button[type=submit]")
        queue.wait_for_selector("text=評価を送信しました")
        assert "評価済" in queue.inner_text("#evaluated-mark")
        assert f"評価済み {index + 1} / 3" in queue.inner_text("#queue-progress")
        if index == 1:
            queue.screenshot(path=str(artifacts_dir / "reviewer-queue-ja.png"), full_page=True)
        if index < 2:
            queue.click("#queue-next")
            queue.wait_for_function(
                f"() => document.querySelector('#queue-position').textContent.startsWith('{index + 2} /')"
            )
    assert queue.locator("#queue-next").count() == 0  # the end of the queue
    context.close()
    evaluations = Evaluation.objects.filter(reviewer=reviewer).order_by("applicant__submitted_at")
    assert [(e.applicant_id, e.reviewer_name, e.headline) for e in evaluations] == [
        (a.pk, "山本 部長", grade) for a, (_l, _f, grade) in zip(applicants, PEOPLE, strict=True)
    ]

    # On a phone, in English: the same queue, all three evaluated, next and previous at hand.
    phone = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.set_default_timeout(15000)
    small = phone.new_page()
    small.goto(f"{url}?lang=en")
    assert "1 of 3" in small.inner_text("#queue-position")
    assert "3 of 3 evaluated" in small.inner_text("#queue-progress")
    small.click("#queue-next")
    small.wait_for_function("() => document.querySelector('#queue-position').textContent.startsWith('2 of')")
    assert "Evaluated" in small.inner_text("#evaluated-mark")
    assert small.locator("#queue-previous").is_visible() and small.locator("#queue-next").is_visible()
    small.screenshot(path=str(artifacts_dir / "reviewer-queue-en-phone.png"), full_page=True)
    phone.close()

    # The recruiter sees the progress on the list: each applicant 1/1, the page 3/3.
    page.goto(f"{live_server.url}/applicants/?job_posting={job_posting.pk}&status=submitted")
    assert "3/3" in page.inner_text("#applicant-table thead")
    for applicant in applicants:
        cell = page.locator(f'tr[data-im-id="{applicant.im_id}"] .review-progress')
        assert "1/1" in cell.inner_text() and "山本 部長 ✓" in cell.inner_text()
    page.goto(f"{live_server.url}/applicants/?job_posting={job_posting.pk}&evaluation=done")
    assert page.locator("#applicant-table tbody tr").count() == 3
    page.screenshot(path=str(artifacts_dir / "reviewer-progress-list-ja.png"))
