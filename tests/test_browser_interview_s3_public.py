"""The recorded interview in Chromium when the server and the browser reach the bucket at different
addresses, as in Docker Compose: the app calls http://127.0.0.1:<port>, the browser only ever
http://localhost:<port>, and the bucket is the one `manage.py prepare_bucket` prepared (its own CORS rule
for the site's origin, nothing else)."""

from __future__ import annotations

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from applicants.models import Applicant
from interviews.models import Take
from interviews.tests.s3 import BUCKET, s3_endpoint  # noqa: F401 - s3_endpoint is the `s3` fixture
from tests.test_browser_interview import (  # noqa: F401 - interview_fixture is the `interview` fixture
    PHONE,
    SETTLED,
    interview_fixture,
    keep,
    pass_device_check,
    record_and_wait,
)

pytestmark = pytest.mark.browser


def test_the_browser_uploads_and_plays_through_the_public_endpoint_only(
    s3, browser, live_server, interview, settings
):
    port = urlsplit(s3.url).port
    public, internal = f"http://localhost:{port}", f"http://127.0.0.1:{port}"
    assert s3.url == internal
    settings.AWS_S3_PUBLIC_ENDPOINT_URL = public
    settings.SITE_URL = live_server.url
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "interviews.storage.S3MediaStorage"}}
    s3.client.delete_bucket_cors(Bucket=BUCKET)  # type: ignore[attr-defined]
    out = StringIO()
    call_command("prepare_bucket", stdout=out)
    assert f"for {live_server.url}" in out.getvalue()

    context = browser.new_context(locale="ja-JP", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(45000)
    to_bucket: list[tuple[str, str]] = []
    context.on(
        "request",
        lambda r: to_bucket.append((r.method, r.url)) if urlsplit(r.url).port == port else None,
    )
    try:
        page = context.new_page()
        pass_device_check(page, f"{live_server.url}/i/{interview.interview_token}/")
        for number in (1, 2):
            page.wait_for_selector(f"text=質問 {number} / 2")
            record_and_wait(page)
            keep(page)
        page.wait_for_selector("text=確認して提出")
        # Both kept answers play from presigned URLs of the public endpoint, with a real duration.
        for index in range(2):
            page.wait_for_function(
                SETTLED, arg=f".iv-answers li:nth-child({index + 1}) video", timeout=10_000
            )
        page.click("#iv-submit")
        page.wait_for_selector("text=回答を提出しました")
    finally:
        context.close()

    interview.refresh_from_db()
    assert interview.status == Applicant.Status.SUBMITTED
    takes = list(Take.objects.filter(applicant=interview))
    assert len(takes) == 2 and all(t.state == Take.State.COMPLETE and t.s3_upload_id for t in takes)
    puts = [url for method, url in to_bucket if method == "PUT"]
    assert len(puts) >= 2 and all("partNumber=" in url for url in puts)
    assert [method for method, _ in to_bucket if method == "GET"], "the answers played from the bucket"
    assert all(url.startswith(f"{public}/") for _, url in to_bucket), to_bucket
