"""A real S3-compatible endpoint for tests: moto's ThreadedMotoServer on loopback, with a CORS rule."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
import requests

BUCKET = "interviewmaker-test"


@dataclass
class S3Endpoint:
    url: str
    client: object

    def objects(self) -> dict[str, int]:
        """Every stored key with its size."""
        listing = self.client.list_objects_v2(Bucket=BUCKET)  # type: ignore[attr-defined]
        return {o["Key"]: o["Size"] for o in listing.get("Contents", [])}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(name="s3")
def s3_endpoint(settings, monkeypatch) -> Iterator[S3Endpoint]:
    """Switch the default storage to S3 on a fresh moto server; the bucket exposes ETag to browsers."""
    from moto.moto_server import werkzeug_app
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    # Only the bucket's own CORS rule may let the browser read ETag, as on real S3.
    monkeypatch.setattr(werkzeug_app, "DISABLE_GLOBAL_CORS", True)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    # moto keeps its buckets in this process' memory: start every test from an empty state.
    requests.post(f"{url}/moto-api/reset", timeout=10)
    try:
        client = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_cors(Bucket=BUCKET, CORSConfiguration=CORS_RULES)
        settings.AWS_STORAGE_BUCKET_NAME = BUCKET
        settings.AWS_S3_ENDPOINT_URL = url
        settings.AWS_S3_REGION_NAME = "us-east-1"
        settings.AWS_S3_ADDRESSING_STYLE = "path"
        settings.USE_S3 = True
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}
        yield S3Endpoint(url=url, client=client)
    finally:
        server.stop()


# The rule docs/recording.md asks for (origins narrowed to the site in production).
CORS_RULES = {
    "CORSRules": [
        {
            "AllowedOrigins": ["*"],
            "AllowedMethods": ["PUT", "GET", "HEAD"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 3000,
        }
    ]
}
