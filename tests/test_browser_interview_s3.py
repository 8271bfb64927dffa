"""The recorded interview against S3 (moto's server on loopback): the browser uploads every take by
presigned multipart straight to the bucket, and Django receives no video byte.
"""

from __future__ import annotations

import subprocess

import pytest
from django.core.signals import request_started

from applicants.models import Applicant
from interviews.models import Answer, Take
from interviews.tests.s3 import s3_endpoint  # noqa: F401 - the `s3` fixture
from messaging.models import Message
from tests.test_browser_interview import (  # noqa: F401 - interview_fixture is the `interview` fixture
    PHONE,
    interview_fixture,
    keep,
    pass_device_check,
    record_and_wait,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def django_requests():
    """Every request Django's live server handles: (method, path, body bytes)."""
    seen: list[tuple[str, str, int]] = []

    def record(sender, environ, **kwargs):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], length))

    request_started.connect(record, weak=False)
    yield seen
    request_started.disconnect(record)


def test_takes_go_straight_to_s3_and_no_video_byte_reaches_django(
    s3, browser, live_server, interview, django_requests, tmp_path
):
    context = browser.new_context(locale="ja-JP", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(45000)
    s3_puts: list[str] = []
    context.on(
        "request", lambda r: s3_puts.append(r.url) if r.method == "PUT" and r.url.startswith(s3.url) else None
    )
    try:
        page = context.new_page()
        pass_device_check(page, f"{live_server.url}/i/{interview.interview_token}/")
        for number in (1, 2):
            page.wait_for_selector(f"text=質問 {number} / 2")
            record_and_wait(page)
            keep(page)
        page.wait_for_selector("text=確認して提出")
        page.click("#iv-submit")
        page.wait_for_selector("text=回答を提出しました")
    finally:
        context.close()

    interview.refresh_from_db()
    assert interview.status == Applicant.Status.SUBMITTED
    assert Message.objects.filter(applicant=interview, template_code="D05").count() == 1

    takes = list(Take.objects.filter(applicant=interview))
    assert len(takes) == 2 and all(t.state == Take.State.COMPLETE and t.s3_upload_id for t in takes)
    stored = s3.objects()
    video_bytes = sum(t.size or 0 for t in takes)
    for take in takes:
        assert stored[take.storage_name] == take.size
        # The object in the bucket is valid video.
        local = tmp_path / take.storage_name.replace("/", "_")
        s3.client.download_file("interviewmaker-test", take.storage_name, str(local))  # type: ignore[attr-defined]
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", str(local)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert probe.returncode == 0 and "video" in probe.stdout, probe.stderr
    for answer in Answer.objects.filter(applicant=interview):
        assert answer.processing == Answer.Processing.DONE, answer.processing_error
        assert answer.video.name in stored and answer.poster.name in stored

    # The browser PUT the parts to the bucket ...
    assert len(s3_puts) >= 2 and all("uploadId=" in u and "partNumber=" in u for u in s3_puts)
    # ... and Django saw only small JSON calls: no chunk endpoint, far fewer bytes than the videos.
    assert not [path for _, path, _ in django_requests if "/chunks/" in path]
    body_bytes = sum(length for _, _, length in django_requests)
    assert video_bytes > 50_000
    assert body_bytes < 5_000, django_requests
