"""A Redis that refuses connections or accepts them and never answers (docs/decisions.md, Redis outage).

Redis carries the broker and the rate-limit counters. Applicants, reviewers and recruiters keep working
through an outage: rate limits fail open, every call gives up within about a second, and what could not
be published waits in the database for the beat sweeps.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.samples import applicants_csv
from interviewmaker import outage
from interviewmaker.celery import app as celery_app
from interviewmaker.settings import ratelimit_cache_config
from sharing import services as sharing_services
from tests.factories import ApplicantFactory

# "No request waits more than about two seconds on Redis."
LIMIT_SECONDS = 2.0


@pytest.fixture
def refusing_redis_url() -> Iterator[str]:
    """A port that is bound but not listening: every connection is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


@pytest.fixture
def hanging_redis_url() -> Iterator[str]:
    """A server that accepts connections and never answers (a stuck Redis, a half-open firewall path)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:  # the accept timeout, to look at `stop` again
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        server.close()


@pytest.fixture(params=["refusing", "hanging"])
def dead_redis_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_redis_url"))


@pytest.fixture
def ratelimit_cache_at(settings: Any) -> Callable[[str], None]:
    """Point the rate-limit cache at `url` exactly as settings.py does with REDIS_URL."""

    def point(url: str) -> None:
        settings.CACHES = {**settings.CACHES, "ratelimit": ratelimit_cache_config(url)}

    return point


@pytest.fixture
def broker_at(settings: Any) -> Iterator[Callable[[str], None]]:
    """Publish for real (not eagerly) to `url`, with settings.py's Redis transport options."""
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("needs the Redis broker settings (REDIS_URL, as make test sets)")
    previous = (
        celery_app.conf.broker_url,
        celery_app.conf.broker_transport_options,
        celery_app.conf.broker_connection_timeout,
    )

    def point(url: str) -> None:
        celery_app.conf.update(
            broker_url=url,
            broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            broker_connection_timeout=getattr(settings, "CELERY_BROKER_CONNECTION_TIMEOUT", 4.0),
            task_always_eager=False,
        )
        # Drop the cached connection pools so the next publish connects to the new URL.
        celery_app._pool = None  # type: ignore[attr-defined]
        celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]

    yield point
    celery_app.conf.update(
        broker_url=previous[0], broker_transport_options=previous[1], broker_connection_timeout=previous[2]
    )
    celery_app._pool = None  # type: ignore[attr-defined]
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    """Run one request as if it were the first after Redis went away (nothing remembered yet)."""
    outage.broker.reset()
    outage.ratelimit_cache.reset()
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_applicant_and_reviewer_pages_work_without_rate_limits_while_redis_is_down(
    client, job_posting, dead_redis_url, ratelimit_cache_at, caplog
):
    applicant = ApplicantFactory(job_posting=job_posting)
    link = sharing_services.share_link_get_or_create(applicant=applicant)
    token = applicant.interview_token
    for url in (f"/i/{token}/", f"/s/{link.token}/"):  # the first render's own cost is not Redis's
        assert client.get(url).status_code == 200
    ratelimit_cache_at(dead_redis_url)

    page, page_seconds = timed(lambda: client.get(f"/i/{token}/"))
    take, take_seconds = timed(
        lambda: client.post(
            f"/i/{token}/takes/",
            {"question": job_posting.questions.first().pk, "type": "video/webm"},
            content_type="application/json",
        )
    )
    review, review_seconds = timed(lambda: client.get(f"/s/{link.token}/"))

    assert (page.status_code, take.status_code, review.status_code) == (200, 201, 200)
    assert max(page_seconds, take_seconds, review_seconds) < LIMIT_SECONDS
    assert "rate-limit cache unavailable" in caplog.text
    assert "requests pass without rate limiting" in caplog.text


def test_after_one_failure_the_next_requests_skip_redis(
    client, job_posting, hanging_redis_url, ratelimit_cache_at
):
    ratelimit_cache_at(hanging_redis_url)
    token = ApplicantFactory(job_posting=job_posting).interview_token
    client.get(f"/i/{token}/")  # pays the socket timeout once
    started = time.monotonic()
    for _ in range(5):
        assert client.get(f"/i/{token}/").status_code == 200
    assert time.monotonic() - started < 1.0


def test_recruiter_writes_answer_quickly_while_the_broker_is_down(
    alice_api, job_posting, dead_redis_url, broker_at, django_capture_on_commit_callbacks, caplog
):
    broker_at(dead_redis_url)
    ApplicantFactory(job_posting=job_posting, status="awaiting")

    def within_commit(call: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    created, create_seconds = timed(
        lambda: within_commit(
            lambda: alice_api.post(
                "/api/v1/applicants/", {"job_posting": job_posting.pk, "email": "new@example.jp"}
            )
        )
    )
    uploaded, upload_seconds = timed(
        lambda: within_commit(
            lambda: alice_api.post(
                "/api/v1/applicant-imports/",
                {"job_posting": job_posting.pk, "file": SimpleUploadedFile("a.csv", applicants_csv(3))},
                format="multipart",
            )
        )
    )
    confirmed, confirm_seconds = timed(
        lambda: within_commit(
            lambda: alice_api.post(f"/api/v1/applicant-imports/{uploaded.json()['id']}/confirm/")
        )
    )
    requested, request_seconds = timed(
        lambda: within_commit(
            lambda: alice_api.post(
                "/api/v1/answer-requests/",
                {"job_posting": job_posting.pk, "status": "awaiting"},
                format="json",
            )
        )
    )

    statuses = [r.status_code for r in (created, uploaded, confirmed, requested)]
    assert statuses == [201, 201, 202, 201], [
        r.content[:300] for r in (created, uploaded, confirmed, requested)
    ]
    assert max(create_seconds, upload_seconds, confirm_seconds, request_seconds) < LIMIT_SECONDS
    assert "waits for its sweep" in caplog.text


def test_healthz_reports_a_dead_broker_quickly_without_its_error_text(client, db, dead_redis_url, broker_at):
    broker_at(dead_redis_url)
    response, seconds = timed(lambda: client.get("/healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "broker": "unavailable",
        "database_engine": response.json()["database_engine"],
    }
    assert seconds < LIMIT_SECONDS
