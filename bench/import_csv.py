"""CSV import benchmark (docs/product.md §11): 10,000 and 100,000 CP932 rows, validated, committed with D03.

Runs on PostgreSQL (DATABASE_URL) in a scratch database of its own (<name>_bench), emptied before and
after. Each size runs in a fresh process so its peak RSS is its own. Uses the services the upload
page and the worker use: applicant_import_create (validation), applicant_import_confirm, and
applicant_import_execute (what the worker task calls).

    DATABASE_URL=postgres://… [REDIS_URL=redis://…] .venv/bin/python bench/import_csv.py [--rows N] [--e2e]

With REDIS_URL it then runs the same sizes end to end as an ATS integration does: a real `celery
worker` subprocess on the same database and Redis, the file posted to the REST API with a token, the
import's status polled until `validated`, confirmed, polled until `done`; it prints the wall time of
each phase.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewmaker.settings")
os.environ.setdefault("IM_IGNORE_DOTENV", "1")
os.environ.setdefault("DEBUG", "false")  # as deployed: no query log

TARGETS = {10_000: 1.0, 100_000: 10.0}
RSS_TARGET_MB = 300


def run_one(rows: int) -> int:
    faulthandler.dump_traceback_later(180, exit=True)  # a loaded shared machine needs the margin
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from applicants.models import Applicant, Company, JobPosting
    from imports import services
    from imports.models import ApplicantImport
    from imports.samples import applicants_csv
    from interviewmaker.celery import app as celery_app
    from messaging.models import Message

    # Tasks the services enqueue on commit go to an in-memory broker: the bench times the work, and the
    # D03 senders (a separate benchmark) do not run.
    celery_app.conf.broker_url = "memory://"
    celery_app.conf.task_always_eager = False
    settings.IMPORT_INLINE_MAX_BYTES = settings.IMPORT_MAX_BYTES  # validate in this process, not a worker
    settings.MEDIA_ROOT = str(ROOT / "var" / "bench-media")
    # A scratch database of its own, so the bench never touches real data nor a test run.
    name = os.environ.get("BENCH_DATABASE_NAME") or f"{connection.settings_dict['NAME']}_bench"
    connection.settings_dict["TEST"]["NAME"] = name
    old = setup_databases(verbosity=0, interactive=False, keepdb=True)
    _empty(connection)
    try:
        from django.utils import timezone

        company = Company.objects.create(name="ベンチ商事", csv_upload_enabled=True)
        posting = JobPosting.objects.create(
            company=company, title="2027年度 新卒", deadline=timezone.now() + timezone.timedelta(days=14)
        )
        data = applicants_csv(rows, encoding="cp932")
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        applicant_import = services.applicant_import_create(
            job_posting=posting, file=ContentFile(data, name="bench.csv"), file_name="bench.csv", by=None
        )
        t1 = time.perf_counter()
        assert applicant_import.status == ApplicantImport.Status.VALIDATED, applicant_import.rendered_errors(
            3
        )
        services.applicant_import_confirm(applicant_import=applicant_import, by=None)
        services.applicant_import_execute(import_id=applicant_import.pk)
        t2 = time.perf_counter()
        cpu = time.process_time() - cpu0
        applicant_import.refresh_from_db()
        assert applicant_import.status == ApplicantImport.Status.DONE, applicant_import.rendered_errors(3)
        n_applicants = Applicant.objects.filter(job_posting=posting).count()
        n_d03 = Message.objects.filter(applicant__job_posting=posting, template_code="D03").count()
        assert n_applicants == rows and n_d03 == rows, (n_applicants, n_d03)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        total = t2 - t0
        verdict = "ok" if total <= TARGETS.get(rows, total) and peak_mb <= RSS_TARGET_MB else "OVER TARGET"
        print(
            f"{rows:>7,} rows  {len(data) / 1e6:5.1f} MB cp932  validate {t1 - t0:6.2f} s  "
            f"import+D03 {t2 - t1:6.2f} s  total {total:6.2f} s  {rows / total:9,.0f} rows/s  "
            f"peak RSS {peak_mb:5.0f} MB  (CPU here {cpu:5.2f} s; load avg {os.getloadavg()[0]:.1f})  "
            f"[{verdict}]"
        )
    finally:
        _empty(connection)
        teardown_databases(old, verbosity=0, keepdb=True)
    return 0


def run_end_to_end(rows: int) -> int:
    """Upload → validated → confirm → done through the REST API, with a real worker on Redis."""
    faulthandler.dump_traceback_later(300, exit=True)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone

    from applicants.models import Applicant, Company, JobPosting, Membership
    from imports.samples import applicants_csv
    from messaging.models import Message
    from tests.clients import api_client_for

    if not settings.REDIS_URL:
        print("the end-to-end run needs REDIS_URL=redis://…", file=sys.stderr)
        return 2
    settings.MEDIA_ROOT = str(ROOT / "var" / "bench-media")
    name = os.environ.get("BENCH_DATABASE_NAME") or f"{connection.settings_dict['NAME']}_bench"
    connection.settings_dict["TEST"]["NAME"] = name
    old = setup_databases(verbosity=0, interactive=False, keepdb=True)
    _empty(connection)
    worker = _start_worker(connection.settings_dict, settings.MEDIA_ROOT, settings.REDIS_URL)
    try:
        company = Company.objects.create(name="ベンチ商事", csv_upload_enabled=True)
        posting = JobPosting.objects.create(
            company=company, title="2027年度 新卒", deadline=timezone.now() + timezone.timedelta(days=14)
        )
        user = get_user_model().objects.create_user(username="bench-api", password="x")
        Membership.objects.create(user=user, company=company, role=Membership.Role.ADMIN)
        client = api_client_for(user)
        # A server process has served requests before: warm this one (URLs, imports, the broker
        # connection) with a small import on another posting, as the timed one goes.
        warm = JobPosting.objects.create(company=company, title="warm-up", deadline=posting.deadline)
        _import(client, warm.pk, applicants_csv(100, encoding="cp932"))
        data = applicants_csv(rows, encoding="cp932")
        t0, t1, t2 = _import(client, posting.pk, data)
        n_applicants = Applicant.objects.filter(job_posting=posting).count()
        n_d03 = Message.objects.filter(applicant__job_posting=posting, template_code="D03").count()
        assert n_applicants == rows and n_d03 == rows, (n_applicants, n_d03)
        total = t2 - t0
        verdict = "ok" if total <= TARGETS.get(rows, total) else "OVER TARGET"
        print(
            f"{rows:>7,} rows  end to end (API + worker)  upload→validated {t1 - t0:6.2f} s  "
            f"confirm→done {t2 - t1:6.2f} s  total {total:6.2f} s  "
            f"(load avg {os.getloadavg()[0]:.1f})  [{verdict}]"
        )
    finally:
        # Cold shutdown of the whole group: a warm one would first send the 100,000 D03 it was given.
        worker.kill()
        _empty(connection)
        teardown_databases(old, verbosity=0, keepdb=True)
    return 0


def _import(client, posting_id: int, data: bytes) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Upload, wait for validated, confirm, wait for done; returns the three instants."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("ats.csv", data, content_type="text/csv")
    t0 = time.perf_counter()
    response = client.post(
        "/api/v1/applicant-imports/", {"file": upload, "job_posting": posting_id}, format="multipart"
    )
    assert response.status_code == 201, response.content[:500]
    pk = response.json()["id"]
    status = _poll(client, pk, until={"validated", "invalid", "failed"})
    t1 = time.perf_counter()
    assert status == "validated", status
    response = client.post(f"/api/v1/applicant-imports/{pk}/confirm/")
    assert response.status_code == 202, response.content[:500]
    status = _poll(client, pk, until={"done", "invalid", "failed"})
    t2 = time.perf_counter()
    assert status == "done", status
    return t0, t1, t2


# How often the bench asks for the import's status (the upload page polls less often).
POLL_SECONDS = 0.02


def _poll(client, pk: int, *, until: set[str]) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 100
    while time.monotonic() < deadline:
        status = client.get(f"/api/v1/applicant-imports/{pk}/").json()["status"]
        if status in until:
            return str(status)
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"import {pk} still not {until}")


def _start_worker(db: dict, media_root: str, redis_url: str) -> Any:  # type: ignore[type-arg]
    """A real `celery worker` on the bench database and Redis (the tests' own); started and ready."""
    import redis

    from tests.plugins.services import WorkerProcess

    redis.Redis.from_url(redis_url).flushdb()  # tasks of an earlier run would land in this database
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": media_root,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "IM_IGNORE_DOTENV": "1",
    }
    log_path = ROOT / "var" / "bench-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.unlink(missing_ok=True)
    worker = WorkerProcess(env, log_path, concurrency=2)
    worker.start()
    return worker


def _empty(connection) -> None:  # type: ignore[no-untyped-def]
    """Start and end with an empty scratch database (kept between runs: creating one takes seconds)."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE applicants_company, messaging_message, auth_user CASCADE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="one size only (else 10,000 and 100,000)")
    parser.add_argument(
        "--e2e", action="store_true", help="through the API and a real worker (needs REDIS_URL)"
    )
    parser.add_argument("--service", action="store_true", help="the services only (no API, no worker)")
    args = parser.parse_args()
    if args.rows:
        return run_end_to_end(args.rows) if args.e2e else run_one(args.rows)
    print(f"targets: 10,000 rows ≤ 1 s, 100,000 rows ≤ 10 s, peak RSS ≤ {RSS_TARGET_MB} MB")
    modes = [[]] if args.service else [[], ["--e2e"]] if os.environ.get("REDIS_URL") else [[]]
    for mode in modes:
        for rows in TARGETS:
            code = subprocess.call([sys.executable, __file__, "--rows", str(rows), *mode])
            if code:
                return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
