"""Serve the app with a real Celery worker and beat in one command (`make run`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default=os.environ.get("RUN_ADDR", "127.0.0.1:8000"))

    def handle(self, *args: Any, addr: str, **options: Any) -> None:
        # This process holds the embedded PostgreSQL server (if used) until the last of the three
        # exits, so Ctrl-C stops it too; web and worker find it running.
        connection.ensure_connection()
        if settings.EMBEDDED_DATABASE:
            db = settings.DATABASES["default"]
            self.stdout.write(f"Embedded PostgreSQL: data in {db['PGDATA']}, socket in {db['HOST']}")
        connection.close()
        beat_schedule = settings.VAR_DIR / "celerybeat-schedule"
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "interviewmaker",
                "worker",
                "--beat",
                "--schedule",
                str(beat_schedule),
                "-l",
                "INFO",
                "-c",
                "2",
            ],
            start_new_session=True,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Dashboard: http://{addr}/dashboard/  (worker pid {worker.pid})")
        )
        web = subprocess.Popen([sys.executable, "manage.py", "runserver", addr, "--noreload"])
        # `kill` (SIGTERM) stops everything as Ctrl-C does, so the embedded server stops with the app.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            _stop(web, lambda sig: web.send_signal(sig))
            _stop(worker, lambda sig: os.killpg(worker.pid, sig))


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _stop(proc: subprocess.Popen[bytes], send: Any) -> None:
    """SIGTERM, then SIGKILL after 15 s, unless it has exited already (Ctrl-C reaches web directly)."""
    if proc.poll() is not None:
        return
    send(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        proc.wait()
