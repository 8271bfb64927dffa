"""Fixtures for tests that need real services: a Redis broker and a Celery worker process.

The database is always PostgreSQL (the embedded server when DATABASE_URL is unset). Without Redis a
test that needs it is skipped, unless IM_REQUIRE_SERVICES=1 (CI), where it fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import connection

from interviewmaker.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def require(condition: bool, reason: str) -> None:
    """Skip without the service locally; fail in CI, where every service must be there."""
    if condition:
        return
    if os.environ.get("IM_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _celery_eager() -> Iterator[None]:
    """Unit tests run tasks in-process; the `celery_worker` fixture switches this off."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "needs Redis (set REDIS_URL=redis://…)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        require(False, f"Redis at {url} is not reachable: {exc}")
    return url


def database_url_for_subprocess() -> str:
    """The URL of the test database this process is using, for a worker started beside it."""
    connection.ensure_connection()  # the embedded server writes its socket folder into the settings
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    if host.startswith("/"):  # a Unix socket folder: as query parameters, which psycopg takes as they are
        return f"postgres://{auth}/{db['NAME']}?{urlencode({'host': host, 'port': port})}"
    return f"postgres://{auth}{host}:{port}/{db['NAME']}"


class WorkerProcess:
    """A real `celery worker` process on the test database and the Redis broker."""

    def __init__(self, env: dict[str, str], log_path: Path, concurrency: int = 2):
        self.env = env
        self.log_path = log_path
        self.concurrency = concurrency
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "interviewmaker",
                "worker",
                "-l",
                "INFO",
                "-c",
                str(self.concurrency),
                # Every queue, as the workers of `make run` and docker-compose together consume them.
                "-Q",
                f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.VIDEO_QUEUE}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log_path.read_text()[-4000:]}")
            if b"ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready in {timeout}s:\n{self.log_path.read_text()[-4000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the whole process group (main process and its pool children)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def worker_env(transactional_db, redis_url, settings) -> dict[str, str]:
    """Environment for a subprocess (worker, server) sharing this test's database and broker."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DATABASE_URL": database_url_for_subprocess(),
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SITE_URL": settings.SITE_URL,
            "EMAIL_BACKEND": settings.EMAIL_BACKEND,
            "IM_IGNORE_DOTENV": "1",
            "DB_CONN_MAX_AGE": "0",
        }
    )
    return env


@pytest.fixture
def celery_worker(worker_env, tmp_path) -> Iterator[WorkerProcess]:
    """Start a real worker; tasks published by this process go to it through Redis."""
    _purge(worker_env["REDIS_URL"])
    worker = WorkerProcess(worker_env, tmp_path / "worker.log")
    celery_app.conf.task_always_eager = False
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        _purge(worker_env["REDIS_URL"])


def _purge(url: str) -> None:
    """Drop tasks a previous test left in the broker."""
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter("celery*"):
        client.delete(key)
    for key in client.scan_iter("_kombu*"):
        client.delete(key)
    for key in client.scan_iter(f"{settings.VIDEO_QUEUE}*"):  # the video queue's list (and priorities)
        client.delete(key)


def wait_for(predicate, timeout: float = 30, interval: float = 0.1, message: str = "condition"):  # type: ignore[no-untyped-def]
    """Poll until predicate() is truthy; return its value or fail after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {message}")
