"""CSV import benchmark (docs/product.md §11): 10,000 and 100,000 CP932 rows, validated, committed with D03.

Runs on PostgreSQL (DATABASE_URL) in a scratch database of its own (<name>_bench), emptied before and
after. Each size runs in a fresh process so its peak RSS is its own. Uses the services the upload
page and the worker use: applicant_import_create (validation), applicant_import_confirm, and
applicant_import_execute (what the worker task calls).

    DATABASE_URL=postgres://… .venv/bin/python bench/import_csv.py [--rows N]
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewmaker.settings")
os.environ.setdefault("IM_IGNORE_DOTENV", "1")
os.environ.setdefault("DEBUG", "false")  # as deployed: no query log

TARGETS = {10_000: 1.0, 100_000: 10.0}
RSS_TARGET_MB = 300


def run_one(rows: int) -> int:
    faulthandler.dump_traceback_later(50, exit=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from applicants.imports import services
    from applicants.imports.models import ApplicantImport
    from applicants.imports.samples import applicants_csv
    from applicants.models import Applicant, Company, JobPosting
    from interviewmaker.celery import app as celery_app
    from messaging.models import Message

    if connection.vendor != "postgresql":
        print("needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
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


def _empty(connection) -> None:  # type: ignore[no-untyped-def]
    """Start and end with an empty scratch database (kept between runs: creating one takes seconds)."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE applicants_company, messaging_message CASCADE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="one size only (else 10,000 and 100,000)")
    args = parser.parse_args()
    if args.rows:
        return run_one(args.rows)
    print(f"targets: 10,000 rows ≤ 1 s, 100,000 rows ≤ 10 s, peak RSS ≤ {RSS_TARGET_MB} MB")
    for rows in TARGETS:
        code = subprocess.call([sys.executable, __file__, "--rows", str(rows)])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
