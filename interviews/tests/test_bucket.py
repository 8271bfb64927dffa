"""`manage.py prepare_bucket` against moto's S3 server on loopback, reached by the server at
http://127.0.0.1:<port> and by browsers at http://localhost:<port>, as in Docker Compose."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.core.management import CommandError, call_command

from interviews import storage
from interviews.tests.s3 import s3_endpoint  # noqa: F401 - the `s3` fixture

BUCKET = "interviewmaker-prepared"
SITE = "https://interviews.example.com"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bucket(s3, settings):
    """A bucket name nothing created yet, on a server the app and browsers reach by different names."""
    settings.AWS_STORAGE_BUCKET_NAME = BUCKET
    settings.AWS_S3_PUBLIC_ENDPOINT_URL = f"http://localhost:{urlsplit(s3.url).port}"
    settings.SITE_URL = f"{SITE}/recruit"  # a path: the CORS origin is scheme and host only
    settings.AWS_S3_CORS_EXTRA_ORIGINS = []
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "interviews.storage.S3MediaStorage"}}
    return s3


@pytest.fixture
def operations(bucket):
    """The names of the S3 operations the command sends, and to which host."""
    sent: list[tuple[str, str]] = []
    client = storage.media_storage().connection.meta.client  # type: ignore[attr-defined]

    def record(model, params, **kwargs):
        sent.append((model.name, urlsplit(params["url"]).netloc))

    client.meta.events.register("before-call.s3", record)
    return sent


def prepare(*args: str) -> str:
    out = StringIO()
    call_command("prepare_bucket", *args, stdout=out)
    return out.getvalue()


def preflight(endpoint: str, origin: str, method: str = "PUT") -> requests.Response:
    """What the browser asks before PUTting a part from the site's page."""
    return requests.options(
        f"{endpoint}/{BUCKET}/takes/1/1/a.webm?partNumber=1&uploadId=x",
        headers={"Origin": origin, "Access-Control-Request-Method": method},
        timeout=10,
    )


def test_it_creates_the_bucket_with_the_cors_rule_of_the_site_and_the_lifecycle_rule(bucket, operations):
    out = prepare()

    assert f"bucket {BUCKET}: created in us-east-1" in out
    assert f"CORS: set rule interviewmaker-browser-uploads for {SITE}" in out
    assert "lifecycle: set (rule interviewmaker-abort-incomplete-uploads aborts uploads" in out
    client = bucket.client
    client.head_bucket(Bucket=BUCKET)
    assert client.get_bucket_cors(Bucket=BUCKET)["CORSRules"] == [
        {
            "ID": "interviewmaker-browser-uploads",
            "AllowedOrigins": [SITE],
            "AllowedMethods": ["PUT", "GET", "HEAD"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 3000,
        }
    ]
    (rule,) = client.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert rule["ID"] == "interviewmaker-abort-incomplete-uploads" and rule["Status"] == "Enabled"
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 2}
    assert rule["Filter"].get("Prefix", "") == ""
    # The server's own calls went to the internal endpoint only.
    assert {host for _, host in operations} == {urlsplit(bucket.url).netloc}


def test_browsers_on_the_site_may_upload_to_the_public_endpoint_and_read_etag(bucket):
    prepare()
    public = f"http://localhost:{urlsplit(bucket.url).port}"

    allowed = preflight(public, SITE)
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == SITE
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    assert "PUT" in allowed.headers["Access-Control-Allow-Methods"]
    assert preflight(public, "https://elsewhere.example").status_code == 403


def test_a_second_run_changes_nothing(bucket, operations):
    prepare()
    cors = bucket.client.get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    lifecycle = bucket.client.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    operations.clear()

    out = prepare()

    assert f"bucket {BUCKET}: exists" in out
    assert "CORS: unchanged" in out and "lifecycle: unchanged" in out
    assert [name for name, _ in operations] == [
        "HeadBucket",
        "GetBucketCors",
        "GetBucketLifecycleConfiguration",
    ]
    assert bucket.client.get_bucket_cors(Bucket=BUCKET)["CORSRules"] == cors
    assert bucket.client.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"] == lifecycle


def test_rules_of_other_ids_are_kept_and_its_own_are_replaced(bucket, settings):
    client = bucket.client
    client.create_bucket(Bucket=BUCKET)
    cdn = {"ID": "cdn", "AllowedOrigins": ["https://cdn.example"], "AllowedMethods": ["GET"]}
    client.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [cdn]})
    tmp = {"ID": "expire-tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}
    client.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": [tmp]})

    out = prepare()
    assert "kept 1 other rule(s)" in out
    settings.AWS_S3_CORS_EXTRA_ORIGINS = ["https://hr.example.com"]
    settings.AWS_S3_ABORT_INCOMPLETE_UPLOAD_DAYS = 3
    out = prepare()

    assert "CORS: updated rule interviewmaker-browser-uploads" in out
    ours, theirs = client.get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    assert ours["ID"] == "interviewmaker-browser-uploads" and theirs == cdn
    assert ours["AllowedOrigins"] == [SITE, "https://hr.example.com"]
    rules = {rule["ID"]: rule for rule in client.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]}
    assert set(rules) == {"expire-tmp", "interviewmaker-abort-incomplete-uploads"}
    assert rules["expire-tmp"]["Expiration"] == {"Days": 7}
    assert rules["interviewmaker-abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"] == {
        "DaysAfterInitiation": 3
    }


def test_it_creates_the_bucket_in_the_configured_region(bucket, settings):
    settings.AWS_S3_REGION_NAME = "eu-central-1"
    settings.STORAGES = {**settings.STORAGES}  # a new storage, with a client for that region

    assert f"bucket {BUCKET}: created in eu-central-1" in prepare()
    assert bucket.client.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == "eu-central-1"


def test_the_lifecycle_rule_covers_only_the_apps_prefix_in_a_shared_bucket(bucket, settings):
    settings.AWS_LOCATION = "interviewmaker"
    settings.STORAGES = {**settings.STORAGES}

    assert "under interviewmaker/" in prepare()
    (rule,) = bucket.client.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert rule["Filter"] == {"Prefix": "interviewmaker/"}


@pytest.fixture
def minio_like(bucket, settings) -> Iterator[None]:
    """moto behind a proxy that answers like MinIO's community edition: no bucket CORS (NotImplemented),
    and lifecycle rules with AbortIncompleteMultipartUpload refused as MalformedXML."""
    upstream = bucket.url

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            query = urlsplit(self.path).query.split("&")
            if "cors" in query or ("lifecycle" in query and self.command == "PUT"):
                code, status = ("NotImplemented", 501) if "cors" in query else ("MalformedXML", 400)
                error = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>no</Message></Error>"
                self._send(status, {"Content-Type": "application/xml"}, error.encode())
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "content-length"}}
            response = requests.request(
                self.command, upstream + self.path, headers=headers, data=body, timeout=10
            )
            hop = {"content-length", "transfer-encoding", "connection", "content-encoding"}
            self._send(
                response.status_code,
                {k: v for k, v in response.headers.items() if k.lower() not in hop},
                response.content,
            )

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = _answer

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.AWS_S3_ENDPOINT_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STORAGES = {**settings.STORAGES}
    yield
    server.shutdown()
    server.server_close()


def test_on_a_store_without_bucket_cors_nor_lifecycle_it_explains_and_succeeds(minio_like, bucket):
    out = prepare()

    assert f"bucket {BUCKET}: created" in out
    assert "warning: CORS: this server does not support bucket CORS rules (NotImplemented)" in out
    assert f"MINIO_API_CORS_ALLOW_ORIGIN={SITE}" in out
    assert "warning: lifecycle: this server does not keep AbortIncompleteMultipartUpload rules" in out
    bucket.client.head_bucket(Bucket=BUCKET)
    # Nothing to change, nothing to fail on the next start either.
    assert "warning: CORS" in prepare()


def test_without_s3_it_says_what_to_configure(settings):
    settings.USE_S3 = False

    with pytest.raises(CommandError, match="S3 is not configured: set AWS_STORAGE_BUCKET_NAME"):
        prepare()


def test_wrong_credentials_are_named_without_a_traceback(bucket):
    # moto then checks every request against its IAM users, of which "testing" is none.
    requests.post(f"{bucket.url}/moto-api/reset-auth", data=b"0", timeout=10)
    try:
        with pytest.raises(CommandError) as refused:
            prepare()
    finally:
        requests.post(f"{bucket.url}/moto-api/reset-auth", data=b"inf", timeout=10)
    message = str(refused.value)
    assert "refused HeadBucket" in message and "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in message


def test_an_endpoint_that_never_answers_fails_after_the_wait(bucket, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.AWS_S3_ENDPOINT_URL = f"http://127.0.0.1:{port}"
    settings.STORAGES = {**settings.STORAGES}

    with pytest.raises(CommandError, match=f"Cannot reach S3 at http://127.0.0.1:{port}"):
        prepare("--wait", "1")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base.update({"IM_IGNORE_DOTENV": "1", "VAR_DIR": str(ROOT / "var" / "settings-test"), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_line_prints_the_error_not_a_traceback():
    result = manage("prepare_bucket")

    assert result.returncode == 1
    assert "CommandError: S3 is not configured" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AWS_S3_PUBLIC_ENDPOINT_URL", "localhost:9000"),
        ("AWS_S3_ENDPOINT_URL", "minio:9000"),
        ("AWS_S3_CORS_EXTRA_ORIGINS", "hr.example.com"),
        ("AWS_S3_ABORT_INCOMPLETE_UPLOAD_DAYS", "0"),
    ],
)
def test_a_bad_storage_setting_stops_the_start(name, value):
    result = manage("check", **{name: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr
