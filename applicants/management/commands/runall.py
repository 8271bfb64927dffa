"""Serve the app with real Celery workers (default and video queues) and beat in one command (`make run`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Run the web server, the Celery workers (default and video queues) and beat; Ctrl-C stops all."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default=os.environ.get("RUN_ADDR", "127.0.0.1:8000"))

    def handle(self, *args: Any, addr: str, **options: Any) -> None:
        # This process holds the embedded PostgreSQL server (if used) until web and the workers have
        # exited, so Ctrl-C stops it too; they find it running.
        connection.ensure_connection()
        if settings.EMBEDDED_DATABASE:
            db = settings.DATABASES["default"]
            self.stdout.write(f"Embedded PostgreSQL: data in {db['PGDATA']}, socket in {db['HOST']}")
        connection.close()
        beat_schedule = settings.VAR_DIR / "celerybeat-schedule"
        # Two workers, as in production: the default queue (mail, imports, webhooks) with beat, and the
        # video queue (ffmpeg) with its own concurrency, so that videos never hold up the rest.
        worker = _celery_worker(
            "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-c", "2", "--beat", "--schedule", str(beat_schedule)
        )
        video_worker = _celery_worker(
            "-Q", settings.VIDEO_QUEUE, "-c", str(settings.VIDEO_WORKER_CONCURRENCY), "-n", "video@%h"
        )
        pids = f"worker pid {worker.pid}, video worker pid {video_worker.pid}"
        self.stdout.write(self.style.SUCCESS(f"Dashboard: http://{addr}/dashboard/  ({pids})"))
        web = subprocess.Popen([sys.executable, "manage.py", "runserver", addr, "--noreload"])
        # `kill` (SIGTERM) stops everything as Ctrl-C does, so the embedded server stops with the app.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            _stop(
                (web, web.send_signal),
                (worker, lambda sig: os.killpg(worker.pid, sig)),
                (video_worker, lambda sig: os.killpg(video_worker.pid, sig)),
            )


def _celery_worker(*options: str) -> subprocess.Popen[bytes]:
    """A `celery worker` in its own process group (stopped with its pool children)."""
    command = [sys.executable, "-m", "celery", "-A", "interviewmaker", "worker", "-l", "INFO", *options]
    return subprocess.Popen(command, start_new_session=True)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _stop(*procs: tuple[subprocess.Popen[bytes], Any]) -> None:
    """SIGTERM to every process still running (Ctrl-C has reached them directly), all at once so that
    their warm shutdowns overlap; then SIGKILL to any still running 15 s later."""
    running = [(proc, send) for proc, send in procs if proc.poll() is None]
    for _proc, send in running:
        send(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc, send in running:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            send(signal.SIGKILL)
            proc.wait()
