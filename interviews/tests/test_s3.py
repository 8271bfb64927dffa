"""Takes uploaded straight to S3 by presigned multipart upload (moto's server on loopback)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client

from interviews import services
from interviews.models import Answer, Take
from interviews.tests.s3 import s3_endpoint  # noqa: F401 - the `s3` fixture

pytestmark = pytest.mark.django_db


def put_parts(client: Client, applicant, key: str, data: bytes, part: int) -> list[dict]:
    """What the browser does: ask for presigned part URLs, PUT each part to S3, collect ETags."""
    count = max(1, -(-len(data) // part))
    urls = client.post(
        f"/i/{applicant.interview_token}/takes/{key}/parts/",
        {"parts": list(range(1, count + 1))},
        content_type="application/json",
    ).json()["urls"]
    parts = []
    for number in range(1, count + 1):
        response = requests.put(urls[str(number)], data=data[(number - 1) * part : number * part], timeout=10)
        assert response.status_code == 200, response.text
        parts.append({"number": number, "etag": response.headers["ETag"]})
    return parts


def start(client: Client, applicant, question) -> dict:
    response = client.post(
        f"/i/{applicant.interview_token}/takes/",
        {"question": question.pk, "type": "video/webm"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_take_arrives_by_presigned_multipart_and_plays_from_a_presigned_url(s3, applicant, settings):
    client = Client()
    question = applicant.job_posting.questions.first()
    data = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 30_000  # 7.3 MB: two parts
    take = start(client, applicant, question)
    assert take["mode"] == "s3" and take["chunk_bytes"] == settings.RECORDING_S3_PART_BYTES
    parts = put_parts(client, applicant, take["key"], data, take["chunk_bytes"])
    assert len(parts) == 2
    done = client.post(
        f"/i/{applicant.interview_token}/takes/{take['key']}/complete/",
        {"size": len(data), "parts": parts, "duration": 2.5},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    stored = Take.objects.get()
    assert stored.state == Take.State.COMPLETE and stored.size == len(data)
    assert s3.objects() == {stored.file.name: len(data)}
    url = done.json()["url"]
    assert url.startswith(s3.url) and "Signature=" in url
    query = parse_qs(urlparse(url).query)
    expires = int(query["Expires"][0]) if "Expires" in query else time.time() + int(query["X-Amz-Expires"][0])
    assert expires <= time.time() + settings.RECORDING_URL_MAX_AGE + 5, "short-lived, never permanent"
    assert requests.get(url, headers={"Range": "bytes=0-3"}, timeout=10).content == data[:4]


def test_wrong_etags_are_refused_and_change_nothing(s3, applicant):
    client = Client()
    question = applicant.job_posting.questions.first()
    data = b"\x1a\x45\xdf\xa3" + b"x" * 1000
    take = start(client, applicant, question)
    put_parts(client, applicant, take["key"], data, 5 * 2**20)
    done = client.post(
        f"/i/{applicant.interview_token}/takes/{take['key']}/complete/",
        {"size": len(data), "parts": [{"number": 1, "etag": '"0000"'}]},
        content_type="application/json",
    )
    assert done.status_code == 400
    assert Take.objects.get().state == Take.State.UPLOADING


def test_bytes_that_are_not_video_are_deleted_from_the_bucket(
    s3, applicant, django_capture_on_commit_callbacks
):
    client = Client()
    question = applicant.job_posting.questions.first()
    data = b"%PDF-1.7 definitely not a video" * 10
    take = start(client, applicant, question)
    parts = put_parts(client, applicant, take["key"], data, 5 * 2**20)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/i/{applicant.interview_token}/takes/{take['key']}/complete/",
            {"size": len(data), "parts": parts},
            content_type="application/json",
        )
    assert done.status_code == 400
    assert "WebM" in done.json()["detail"]
    assert Take.objects.get().state == Take.State.FAILED
    assert s3.objects() == {}


def test_a_take_over_the_size_limit_is_refused(s3, applicant, settings):
    settings.RECORDING_MAX_TAKE_BYTES = 6 * 2**20
    client = Client()
    take = start(client, applicant, applicant.job_posting.questions.first())
    response = client.post(
        f"/i/{applicant.interview_token}/takes/{take['key']}/parts/",
        {"parts": [1, 2, 3]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "MB" in response.json()["detail"]


def test_normalisation_reads_and_writes_the_bucket(s3, applicant, sample_webm):
    client = Client()
    question = applicant.job_posting.questions.first()
    take = start(client, applicant, question)
    parts = put_parts(client, applicant, take["key"], sample_webm, 5 * 2**20)
    client.post(
        f"/i/{applicant.interview_token}/takes/{take['key']}/complete/",
        {"size": len(sample_webm), "parts": parts},
        content_type="application/json",
    )
    answer = services.take_keep(take=Take.objects.get())
    services.answer_normalise(answer=answer)
    answer.refresh_from_db()
    assert answer.processing == Answer.Processing.DONE, answer.processing_error
    keys = s3.objects()
    assert answer.video.name in keys and answer.poster.name in keys


def test_the_reviewer_gets_a_presigned_redirect_only_while_the_share_link_lives(s3, applicant, alice):
    from sharing import services as sharing

    applicant.company.share_url_enabled = True
    applicant.company.save(update_fields=["share_url_enabled"])
    client = Client()
    question = applicant.job_posting.questions.first()
    data = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 100
    take = start(client, applicant, question)
    parts = put_parts(client, applicant, take["key"], data, take["chunk_bytes"])
    client.post(
        f"/i/{applicant.interview_token}/takes/{take['key']}/complete/",
        {"size": len(data), "parts": parts, "duration": 2.5},
        content_type="application/json",
    )
    services.take_keep(take=Take.objects.get())
    link = sharing.share_link_get_or_create(applicant=applicant)
    html = client.get(f"/s/{link.token}/").content.decode()
    video = html.split("<video", 1)[1].split('src="', 1)[1].split('"', 1)[0]
    assert video.startswith(f"/s/{link.token}/media/")
    response = client.get(video)
    assert response.status_code == 302 and response["Location"].startswith(s3.url)
    assert requests.get(response["Location"], headers={"Range": "bytes=0-3"}, timeout=10).content == data[:4]
    sharing.share_link_regenerate(applicant=applicant, by=alice)
    assert client.get(video).status_code == 404
