"""Benchmark of the D03 fan-out (docs/product.md §11): the outbox pipeline against a bare smtplib loop.

In one run, to the same local SMTP sink (aiosmtpd in its own process):
1. a bare `smtplib` loop sends N pre-rendered D03 mails over one connection;
2. N queued D03 rows are delivered by 2 Celery worker processes (real Redis broker, outbox SMTP
   backend: claim with SKIP LOCKED, one connection per batch, a `sent` mark per mail);
3. the pipeline alone, in this process, with Django's locmem backend (no network), N rows.
Prints both SMTP rates and their ratio (target ≥ 0.85) and the locmem rate (target ≥ 3,000/s).

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL). Uses a scratch database `<name>_fanout_bench`.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/fanout.py [-n 10000]
"""

from __future__ import annotations

import argparse
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewmaker.settings")
os.environ.setdefault("IM_IGNORE_DOTENV", "1")
os.environ.setdefault("DEBUG", "false")

RATIO_TARGET = 0.85
LOCMEM_TARGET = 3000.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sink(port: int) -> subprocess.Popen[str]:
    sink = subprocess.Popen(
        [sys.executable, "-m", "tests.plugins.smtp", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    return sink


def stop_sink(sink: subprocess.Popen[str]) -> int:
    sink.send_signal(signal.SIGTERM)
    out, _ = sink.communicate(timeout=30)
    return int(out.strip().splitlines()[-1])


def queue_d03(company, posting, n: int, prefix: str):  # type: ignore[no-untyped-def]
    """Register n applicants with their D03 rows, without nudging any sender."""
    from django.db import transaction

    from applicants.models import Applicant
    from applicants.services import ApplicantData, applicants_register

    rows = [
        ApplicantData(
            email=f"{prefix}{i}@example.jp",
            values={
                "last_name": "髙橋" if i % 7 == 0 else "山田",
                "first_name": f"①太郎{i}",
                "free_area_1": f"ATS-{i}",
            },
        )
        for i in range(n)
    ]
    with mock.patch("messaging.tasks.senders_kick"), transaction.atomic():
        return applicants_register(
            job_posting=posting, rows=rows, via=Applicant.CreatedVia.CSV, batch_size=5000
        )


def database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = f"{db.get('USER') or ''}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
    auth = f"{auth}@" if auth else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def bare_smtplib(port: int, messages) -> float:  # type: ignore[no-untyped-def]
    """Rate of one smtplib connection sending pre-rendered mails (bytes built before timing)."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives

    prepared = []
    for m in messages:
        email = EmailMultiAlternatives(m.subject, m.body, settings.DEFAULT_FROM_EMAIL, [m.to])
        prepared.append((m.to, email.message().as_bytes(linesep="\r\n")))
    sender = "no-reply@example.com"
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for to, data in prepared:
            smtp.sendmail(sender, [to], data)
    return len(prepared) / (time.perf_counter() - started)


def pipeline_smtp(port: int, company, n: int, workers: int) -> float:  # type: ignore[no-untyped-def]
    from django.conf import settings

    from interviewmaker.celery import app
    from messaging.models import Message
    from messaging.tasks import senders_kick

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": "messaging.backends.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "MESSAGING_SENDERS": str(workers * 2),
    }
    log = open(ROOT / "var" / "fanout-worker.log", "w")  # noqa: SIM115 - lives as long as the worker
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "interviewmaker", "worker", "-c", str(workers), "-l", "INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"fanout-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while b"ready." not in (ROOT / "var" / "fanout-worker.log").read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("worker did not start; see var/fanout-worker.log")
            time.sleep(0.2)
        app.conf.task_always_eager = False
        pending = Message.objects.filter(company=company, status__in=["queued", "sending"])
        started = time.perf_counter()
        senders_kick(count=n)
        while pending.exists():
            time.sleep(0.02)
        seconds = time.perf_counter() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        log.close()
    sent = Message.objects.filter(company=company, status="sent").count()
    assert sent == n, f"{sent} of {n} sent; see var/fanout-worker.log"
    del settings
    return n / seconds


def pipeline_locmem(company, n: int) -> float:  # type: ignore[no-untyped-def]
    from django.core import mail
    from django.test import override_settings

    from messaging.models import Message
    from messaging.services import messages_send_due

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        started = time.perf_counter()
        while messages_send_due():
            pass
        seconds = time.perf_counter() - started
    assert Message.objects.filter(company=company, status="sent").count() == n
    assert len(mail.outbox) == n
    return n / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    n = args.n

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases
    from django.utils import timezone

    from applicants.models import Company, JobPosting
    from messaging.models import Message

    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        # The worker processes connect through DATABASE_URL; the broker must be a real Redis.
        print(
            "needs a PostgreSQL server and Redis: set DATABASE_URL=postgres://… and REDIS_URL=redis://…",
            file=sys.stderr,
        )
        return 2
    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_fanout_bench"
    setup_databases(verbosity=0, interactive=False, keepdb=True)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE messaging_message, applicants_applicant, applicants_company CASCADE")
    (ROOT / "var").mkdir(exist_ok=True)

    company = Company.objects.create(name="ベンチ株式会社")
    posting = JobPosting.objects.create(
        company=company, title="2027年度 新卒採用", deadline=timezone.now() + timezone.timedelta(days=14)
    )
    started = time.perf_counter()
    queue_d03(company, posting, n, "smtp")
    queued_seconds = time.perf_counter() - started
    print(f"queued {n:,} D03 rows (register + render + outbox) in {queued_seconds:.2f} s", flush=True)

    port = free_port()
    sink = start_sink(port)
    try:
        sample = list(Message.objects.filter(company=company).order_by("id")[:n])
        bare = bare_smtplib(port, sample)
        print(f"bare smtplib loop      : {bare:8,.0f} messages/s", flush=True)
        pipeline = pipeline_smtp(port, company, n, args.workers)
        print(
            f"outbox pipeline (SMTP) : {pipeline:8,.0f} messages/s  ({args.workers} worker processes)",
            flush=True,
        )
    finally:
        delivered = stop_sink(sink)
    assert delivered == 2 * n, f"the sink got {delivered} mails, expected {2 * n}"
    ratio = pipeline / bare
    verdict = "ok" if ratio >= RATIO_TARGET else "LOW"
    print(f"ratio pipeline / bare  : {ratio:8.2f}  (target ≥ {RATIO_TARGET}) [{verdict}]")

    other = Company.objects.create(name="ベンチ二号株式会社")
    other_posting = JobPosting.objects.create(company=other, title="ロカメム", deadline=posting.deadline)
    queue_d03(other, other_posting, n, "locmem")
    locmem = pipeline_locmem(other, n)
    verdict = "ok" if locmem >= LOCMEM_TARGET else "LOW"
    print(f"outbox pipeline (locmem): {locmem:8,.0f} messages/s  (target ≥ {LOCMEM_TARGET:,.0f}) [{verdict}]")
    print(f"sink deliveries        : {delivered:,} (= 2 × {n:,}, none lost, none twice)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
