"""The server reaches the bucket at one address, browsers at another (Docker Compose: http://minio:9000 and
http://localhost:9000). Here both are moto's server on loopback: http://127.0.0.1:<port> for the server,
http://localhost:<port> for browsers."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.test import Client

from interviews import services, storage
from interviews.models import Take
from interviews.tests.s3 import s3_endpoint  # noqa: F401 - the `s3` fixture
from interviews.tests.test_s3 import put_parts, start

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["interviews.storage.S3MediaStorage", "storages.backends.s3.S3Storage"])
def split(request, s3, settings):
    """Distinct internal and public endpoints, with either backend; records where the server's calls go."""
    port = urlsplit(s3.url).port
    settings.AWS_S3_PUBLIC_ENDPOINT_URL = f"http://localhost:{port}"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": request.param}}
    s3.internal, s3.public, s3.backend = f"127.0.0.1:{port}", f"localhost:{port}", request.param
    s3.sent = []
    client = storage.media_storage().connection.meta.client  # type: ignore[attr-defined]
    client.meta.events.register("before-send.s3", lambda request, **kw: s3.sent.append(request.url))
    return s3


def signed_for(url: str, method: str, host: str) -> bool:
    """Whether the URL's SigV4 query signature is valid for a request to `host`, as S3 checks it: the
    signature covers the Host header, so a URL presigned for one host fails on any other."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    given = dict(query)["X-Amz-Signature"]
    unsigned = [(k, v) for k, v in query if k != "X-Amz-Signature"]
    fields = dict(unsigned)
    _key, _day, region, service, _ = fields["X-Amz-Credential"].split("/")
    request = AWSRequest(
        method=method, url=urlunsplit((parts.scheme, host, parts.path, urlencode(unsigned), ""))
    )
    request.context["timestamp"] = fields["X-Amz-Date"]
    auth = S3SigV4QueryAuth(
        Credentials("testing", "testing"), service, region, expires=int(fields["X-Amz-Expires"])
    )
    return auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request) == given


def upload(applicant, data: bytes) -> tuple[Client, dict, dict]:
    """A take started, uploaded part by part as the browser does, and completed."""
    client = Client()
    take = start(client, applicant, applicant.job_posting.questions.first())
    parts = put_parts(client, applicant, take["key"], data, take["chunk_bytes"])
    done = client.post(
        f"/i/{applicant.interview_token}/takes/{take['key']}/complete/",
        {"size": len(data), "parts": parts, "duration": 2.5},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    return client, take, done.json()


def test_browsers_get_urls_signed_for_the_public_host_and_the_server_calls_the_internal_one(split, applicant):
    client = Client()
    data = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 30_000  # two parts
    take = start(client, applicant, applicant.job_posting.questions.first())
    urls = client.post(
        f"/i/{applicant.interview_token}/takes/{take['key']}/parts/",
        {"parts": [1, 2]},
        content_type="application/json",
    ).json()["urls"]

    for url in urls.values():
        assert urlsplit(url).netloc == split.public
        assert signed_for(url, "PUT", split.public)
        assert not signed_for(url, "PUT", split.internal), "signed for the host, not rewritten afterwards"
    # A real PUT of each part to the public address, then completion by the server.
    etags = []
    for number in (1, 2):
        part = data[(number - 1) * take["chunk_bytes"] : number * take["chunk_bytes"]]
        response = requests.put(urls[str(number)], data=part, timeout=10)
        assert response.status_code == 200, response.text
        etags.append({"number": number, "etag": response.headers["ETag"]})
    done = client.post(
        f"/i/{applicant.interview_token}/takes/{take['key']}/complete/",
        {"size": len(data), "parts": etags, "duration": 2.5},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert Take.objects.get().state == Take.State.COMPLETE

    playback = done.json()["url"]
    assert urlsplit(playback).netloc == split.public and signed_for(playback, "GET", split.public)
    assert requests.get(playback, headers={"Range": "bytes=0-3"}, timeout=10).content == data[:4]
    # Create, complete, the ranged check of the container: all from the server, all to the internal host.
    assert split.sent and {urlsplit(url).netloc for url in split.sent} == {split.internal}


def test_the_reviewer_redirect_and_the_admin_links_point_browsers_to_the_public_host(
    split, applicant, admin_client
):
    from sharing import services as sharing

    applicant.company.share_url_enabled = True
    applicant.company.save(update_fields=["share_url_enabled"])
    data = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 100
    client, _take, _done = upload(applicant, data)
    take = Take.objects.get()
    services.take_keep(take=take)

    link = sharing.share_link_get_or_create(applicant=applicant)
    html = client.get(f"/s/{link.token}/").content.decode()
    video = html.split("<video", 1)[1].split('src="', 1)[1].split('"', 1)[0]
    redirect = client.get(video)
    assert redirect.status_code == 302 and urlsplit(redirect["Location"]).netloc == split.public
    assert requests.get(redirect["Location"], headers={"Range": "bytes=0-3"}, timeout=10).content == data[:4]

    # The admin's file link goes through storage.url(): public with the app's backend.
    admin = admin_client.get(f"/admin/interviews/take/{take.pk}/change/").content.decode()
    public_link = f'href="http://{split.public}/'
    if split.backend == "interviews.storage.S3MediaStorage":
        assert public_link in admin and f"http://{split.internal}/" not in admin
        assert urlsplit(take.file.url).netloc == split.public


@pytest.fixture
def same(s3, settings):
    settings.AWS_S3_PUBLIC_ENDPOINT_URL = None
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "interviews.storage.S3MediaStorage"}}
    return s3


def test_without_a_public_endpoint_browsers_use_the_servers_one(same, applicant):
    _client, _take, done = upload(applicant, b"\x1a\x45\xdf\xa3" + b"x" * 1000)

    assert done["url"].startswith(f"{same.url}/")
    assert storage.browser_storage() is storage.media_storage()
