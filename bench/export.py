"""Benchmark of the share URL CSV (docs/product.md §11): 100,000 applicants in CP932 and in UTF-8 with BOM.

Runs on PostgreSQL (DATABASE_URL, or the embedded server) in a scratch database `<name>_export_bench`,
kept between runs and emptied with TRUNCATE before and after each size (rolled-back runs would leave
it bloated with dead rows and make every later run slower). The applicants are committed and VACUUM
ANALYZEd first, as in a settled production database. Each size runs in a fresh process.
Measures the same service the CSV menu and the API call (`sharing.services.share_url_export`): the
first export also creates the share links (one INSERT … SELECT), later ones only read. The stream is
consumed as a client would, byte for byte, without keeping it. Peak memory is the highest RSS seen
during the export minus the RSS just before it (sampled every 2 ms), so it shows what the export
itself holds; a flat figure between 10,000 and 100,000 rows means memory does not grow with rows.

    DATABASE_URL=postgres://… .venv/bin/python bench/export.py [--rows N ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewmaker.settings")
os.environ.setdefault("IM_IGNORE_DOTENV", "1")

TARGET_SECONDS = 1.0
DEFAULT_SIZES = [10_000, 100_000]


class PeakRss:
    """Samples this process's RSS in a thread; `peak_mb` is the growth above the starting RSS."""

    def __init__(self) -> None:
        import psutil

        self.process = psutil.Process()
        self.base = self.process.memory_info().rss
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.002)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def peak_mb(self) -> float:
        return (self.peak - self.base) / 1e6


def run_one(rows: int) -> int:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_databases
    from django.utils import timezone

    from applicants.models import Applicant, Company, JobPosting
    from sharing.models import ShareLink, ShareUrlExport
    from sharing.services import share_url_export

    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_export_bench"
    setup_databases(verbosity=0, interactive=False, keepdb=True)

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE applicants_company CASCADE")

    empty()
    with transaction.atomic():
        company = Company.objects.create(name="ベンチ株式会社", share_url_enabled=True)
        posting = JobPosting.objects.create(
            company=company, title="2027年度 新卒", deadline=timezone.now() - timezone.timedelta(days=1)
        )
        statuses = ["awaiting", "submitted", "submitted", "expired"]
        batch = 5000
        for start in range(0, rows, batch):
            Applicant.objects.bulk_create(
                [
                    Applicant(
                        company=company,
                        job_posting=posting,
                        im_id=n + 1,
                        email=f"applicant{n}@example.jp",
                        last_name="髙橋" if n % 7 == 0 else "山田",
                        first_name=f"太郎{n}",
                        last_name_kana="ヤマダ",
                        first_name_kana="タロウ",
                        free_area_1=f"ATS-{n:07d}",
                        free_area_2="①期" if n % 5 == 0 else "",
                        free_area_3="=SUM(A1)" if n % 1000 == 0 else "東京～大阪",
                        status=statuses[n % 4],
                    )
                    for n in range(start, min(rows, start + batch))
                ]
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE applicants_applicant")
    results = []
    try:
        for label, encoding in (
            ("cp932, links created", "cp932"),
            ("cp932", "cp932"),
            ("utf-8 BOM", "utf-8"),
        ):
            with PeakRss() as memory:
                started = time.perf_counter()
                cpu_started = time.process_time()
                result = share_url_export(
                    company=company,
                    user=None,
                    params={"job_posting": str(posting.pk)},
                    encoding=encoding,
                    via=ShareUrlExport.Via.API,
                )
                assert result.stream is not None, result.problems[:3]
                size = 0
                lines = 0
                for chunk in result.stream:
                    size += len(chunk)
                    lines += chunk.count(b"\n")  # LF: a CRLF may straddle two blocks
                seconds = time.perf_counter() - started
                cpu = time.process_time() - cpu_started
            assert lines == rows + 1, (lines, rows)
            results.append((label, seconds, cpu, memory.peak_mb, size))
        assert ShareLink.objects.filter(company=company).count() == rows
    finally:
        empty()

    for label, seconds, cpu, peak_mb, size in results:
        verdict = "ok" if seconds <= TARGET_SECONDS or "created" in label else "SLOW"
        print(
            f"share URL CSV {rows:>7,} rows  {label:<22} {seconds:6.3f} s (python cpu {cpu:5.3f} s)  "
            f"peak +{peak_mb:6.1f} MB  {size / 1e6:6.1f} MB written  [{verdict}]",
            flush=True,
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=DEFAULT_SIZES)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return run_one(args.one)
    print(f"target: {TARGET_SECONDS:.0f} s for a share URL CSV of existing links; memory flat in rows")
    # The machine is shared: say how busy it was, so the figures can be read fairly.
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    status = 0
    for rows in args.rows:
        status |= subprocess.run([sys.executable, __file__, "--one", str(rows)], check=False).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
