"""Benchmark of the applicant list and まとめて処理モード on PostgreSQL (docs/product.md §11, issue 6).

Seeds BENCH_MAIN (100,000) applicants in one company and BENCH_OTHERS (900,000) in nine others with
set-based INSERT … SELECT, then prints p50/p95 server time of the filtered list page and of the status
counts over BENCH_REQUESTS (200) requests, and the time to commit a bulk answer request (D04 outbox
rows) for BENCH_BULK (50,000) 調整中 applicants. Runs on its own database `<DATABASE_URL name>_bench_list`,
created here and dropped at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/im_list .venv/bin/python bench/list.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path
from unittest import mock
from urllib.parse import quote, urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MAIN = int(os.environ.get("BENCH_MAIN", 100_000))
OTHERS = int(os.environ.get("BENCH_OTHERS", 900_000))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 200))
BULK = int(os.environ.get("BENCH_BULK", 50_000))
OTHER_COMPANIES = 9
# Free-text searches (label, q): one-, two-, three-character Japanese, half-width kana, ASCII.
SEARCHES = [
    ("1 char '髙'", "髙"),
    ("2 chars '髙橋'", "髙橋"),
    ("3 chars '早稲田'", "早稲田"),
    ("half-width 'ﾀｶﾊｼ'", "ﾀｶﾊｼ"),
    ("'ATS-4242'", "ATS-4242"),
    ("email part 'a4242@'", "a4242@"),
    ("iM採用ID '4242'", "4242"),
]

source_url = os.environ.get("DATABASE_URL", "")
if not source_url.startswith("postgres"):
    sys.exit("bench/list.py needs DATABASE_URL=postgres://…")
parsed = urlparse(source_url)
BENCH_DB = f"{parsed.path.lstrip('/') or 'interviewmaker'}_bench_list"
os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{BENCH_DB}"))
os.environ["IM_IGNORE_DOTENV"] = "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewmaker.settings")


def admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    url = urlunparse(parsed._replace(path="/postgres"))
    return psycopg.connect(url, autocommit=True)


def recreate_database() -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def seed() -> tuple[int, int]:
    """Companies, postings and applicants, set-based; returns (company id, posting id) of the main one."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from applicants.models import Company, JobPosting, Membership
    from tests.factories import UserFactory

    deadline = timezone.now() + dt.timedelta(days=7)
    main = Company.objects.create(name="ベンチ商事", csv_upload_enabled=True, share_url_enabled=True)
    posting = JobPosting.objects.create(company=main, title="2027年度 新卒採用", deadline=deadline)
    Membership.objects.create(user=UserFactory(username="bench"), company=main, role=Membership.Role.ADMIN)
    plan = [(main, posting, MAIN)]
    per_other = OTHERS // OTHER_COMPANIES
    for n in range(OTHER_COMPANIES):
        company = Company.objects.create(name=f"他社{n}")
        other_posting = JobPosting.objects.create(company=company, title="新卒採用", deadline=deadline)
        plan.append((company, other_posting, per_other))
    # Status mix of a posting a week before its deadline: half 調整中, a third 回答済.
    status = (
        "CASE WHEN g %% 20 < 10 THEN 'awaiting' WHEN g %% 20 < 17 THEN 'submitted' "
        "WHEN g %% 20 < 19 THEN 'expired' ELSE 'withdrawn' END"
    )
    with connection.cursor() as cursor:
        for company, company_posting, count in plan:
            cursor.execute(
                f"""
                INSERT INTO applicants_applicant (
                    company_id, job_posting_id, im_id, email, last_name, first_name, last_name_kana,
                    first_name_kana, phone, birth_date, school, faculty, department, graduation_year,
                    free_area_1, free_area_2, free_area_3, status, interview_token, created_via,
                    created_at, updated_at)
                SELECT %s, %s, g, 'a' || g || '@example.jp',
                       (ARRAY['佐藤','鈴木','髙橋','田中','伊藤','渡辺','山本','中村'])[1 + g %% 8],
                       '太郎' || g,
                       (ARRAY['サトウ','スズキ','タカハシ','タナカ',
                              'イトウ','ワタナベ','ヤマモト','ナカムラ'])[1 + g %% 8],
                       'タロウ', '09012345678', NULL,
                       (ARRAY['東京大学','京都大学','大阪大学','早稲田大学','慶應義塾大学'])[1 + g %% 5],
                       '', '', 2027, 'ATS-' || g, '', '', {status},
                       md5(%s::text || '-' || g) || md5(g::text), 'csv',
                       now() - (g * 50 || ' seconds')::interval, now()
                FROM generate_series(1, %s) AS g
                """,  # noqa: S608 - `status` is the constant above
                [company.pk, company_posting.pk, company.pk, count],
            )
            Company.objects.filter(pk=company.pk).update(last_im_id=count)
        cursor.execute("VACUUM ANALYZE applicants_applicant")
    return main.pk, posting.pk


def index(company_ids: list[int]) -> None:
    """Fill the search entries of the seeded applicants the way the worker does after an import."""
    from django.db import connection

    from applicants import search
    from applicants.models import ApplicantSearchBacklog, Company

    for company in Company.objects.filter(pk__in=company_ids):
        ApplicantSearchBacklog.objects.create(company=company, im_id_from=1, im_id_to=company.last_im_id)
    started = time.perf_counter()
    main = search.backlog_index(company_id=company_ids[0])
    main_seconds = time.perf_counter() - started
    total = main + sum(search.backlog_index(company_id=pk) for pk in company_ids[1:])
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE applicants_applicantsearch")
    print(
        f"search entries: {main:,} of the main company in {main_seconds:.1f} s "
        f"({main / main_seconds:,.0f}/s), "
        f"{total:,} in all in {seconds:.1f} s (the worker's set-based indexing after an import)"
    )


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {p50 * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms   max {ordered[-1] * 1000:6.1f} ms"


def bench_list(company_id: int, posting_id: int) -> None:
    import datetime as dt

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from applicants import selectors
    from applicants.models import Company

    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="bench"))
    base = f"/applicants/?job_posting={posting_id}&status=awaiting"
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    pages = max(1, (MAIN // 2) // 50)
    rng = random.Random(6)
    cases = {
        "list page, posting + 調整中, page 1": lambda: base,
        f"list page, posting + 調整中, random page of {pages}": lambda: (
            f"{base}&page={rng.randint(1, pages)}"
        ),
        "list page, posting + 調整中, sorted by kana": lambda: f"{base}&sort=kana",
        "list page, posting + registration date range": lambda: (
            f"/applicants/?job_posting={posting_id}&registered_from={yesterday}&registered_to={yesterday}"
        ),
    }
    for label, q in SEARCHES:
        cases[f"list page, text search {label}"] = lambda q=q: (
            f"/applicants/?job_posting={posting_id}&q={quote(q)}"
        )
    client.get(base)  # warm up connections and templates
    for name, url in cases.items():
        samples, cpu = [], []
        for _ in range(REQUESTS if "text search" not in name else max(20, REQUESTS // 4)):
            target = url()
            with CaptureQueriesContext(connection) as queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(target)
                samples.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200, (target, response.status_code)
        db = sum(float(q["time"]) for q in queries.captured_queries)
        print(
            f"{name:<52} {percentiles(samples)}   (Python CPU p50 {statistics.median(cpu) * 1000:.1f} ms, "
            f"SQL {db * 1000:.1f} ms, {len(queries)} queries/page, {len(samples)} req)"
        )

    company = Company.objects.get(pk=company_id)
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        counts = selectors.status_counts(
            queryset=selectors.applicant_search(company=company, params={"job_posting": posting_id})
        )
        samples.append(time.perf_counter() - started)
    label = f"status counts of the posting ({sum(counts.values()):,} applicants)"
    print(f"{label:<52} {percentiles(samples)}")
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        selectors.status_counts(queryset=selectors.applicant_search(company=company, params={}))
        samples.append(time.perf_counter() - started)
    print(f"{'status counts of the whole company':<52} {percentiles(samples)}")
    for label, q in SEARCHES:
        for scope, params in (("posting", {"job_posting": posting_id, "q": q}), ("company", {"q": q})):
            samples = []
            for _ in range(max(20, REQUESTS // 4)):
                started = time.perf_counter()
                counts = selectors.status_counts(
                    queryset=selectors.applicant_list_search(company=company, params=params).counted
                )
                samples.append(time.perf_counter() - started)
            name = f"status counts, {scope}, {label} ({sum(counts.values()):,} found)"
            print(f"{name:<52} {percentiles(samples)}")


def bench_bulk(company_id: int, posting_id: int) -> None:
    from django.db import connection

    from applicants.models import Applicant, Company
    from bulk import services
    from bulk.models import AnswerRequest
    from messaging.models import Message

    company = Company.objects.get(pk=company_id)
    # Exactly BULK 調整中 applicants: tick the first ones of the posting by iM採用ID range.
    last = (
        Applicant.objects.filter(job_posting_id=posting_id, status="awaiting")
        .order_by("im_id")
        .values_list("im_id", flat=True)[BULK - 1]
    )
    selection = services.Selection.of(search={"job_posting": posting_id, "status": "awaiting"})
    # Delivery is the messaging benchmark's subject; here only the committed outbox rows count.
    with (
        mock.patch("bulk.tasks.answer_request_run_task.delay"),
        mock.patch("messaging.services.outbox._send_on_commit"),
    ):
        Company.objects.filter(pk=company_id).update(last_im_id=last)
        company.refresh_from_db()
        started = time.perf_counter()
        answer_request, _ = services.answer_request_create(
            company=company, selection=selection, idempotency_key="bench", by=None
        )
        confirmed = time.perf_counter()
        services.answer_request_run(answer_request_id=answer_request.pk)
        finished = time.perf_counter()
    answer_request.refresh_from_db()
    queued = Message.objects.filter(template_code="D04").count()
    assert answer_request.state == AnswerRequest.State.DONE
    assert queued == answer_request.target_count == BULK, (queued, answer_request.target_count)
    chunks = -(-BULK // services.CHUNK_SIZE)
    print(
        f"bulk answer request for {BULK:,} 調整中 applicants: committed in {finished - started:.2f} s "
        f"(request + counts {confirmed - started:.2f} s; D04 outbox rows {finished - confirmed:.2f} s "
        f"in {chunks} chunks, {BULK / (finished - confirmed):,.0f} rows/s)"
    )
    # Where the time goes: rendering vs inserting, measured on one chunk's worth.
    from messaging.services.outbox import _Context

    sample = list(
        Applicant.objects.filter(job_posting_id=posting_id, status="awaiting")
        .select_related("company", "job_posting")
        .order_by("im_id")[: services.CHUNK_SIZE]
    )
    context = _Context("D04")
    started = time.perf_counter()
    for applicant in sample:
        context.row(applicant, "x", None)
    render = time.perf_counter() - started
    print(
        f"  of which rendering D04: {render / len(sample) * 1e6:.0f} µs per message ({len(sample):,} sampled)"
    )
    # Doing it again with the same request finds everything queued: no duplicates.
    with mock.patch("messaging.services.outbox._send_on_commit"):
        AnswerRequest.objects.filter(pk=answer_request.pk).update(state="running", cursor_im_id=0)
        started = time.perf_counter()
        services.answer_request_run(answer_request_id=answer_request.pk)
        again = time.perf_counter() - started
    print(
        f"  re-running the same request (a retried job): {again:.2f} s, "
        f"D04 rows now {Message.objects.filter(template_code='D04').count():,}"
    )
    connection.close()


def main() -> None:
    import django

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average before the run: {load} ({os.cpu_count()} CPUs)")

    recreate_database()
    django.setup()
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)
    from django.core.management import call_command

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        company_id, posting_id = seed()
        from applicants.models import Company

        index([company_id, *Company.objects.exclude(pk=company_id).values_list("pk", flat=True)])
        print(
            f"seeded {MAIN:,} applicants in one company + {OTHERS:,} in {OTHER_COMPANIES} others "
            f"in {time.perf_counter() - started:.1f} s (database {BENCH_DB})"
        )
        bench_list(company_id, posting_id)
        bench_bulk(company_id, posting_id)
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            drop_database()
            print(f"dropped database {BENCH_DB}")


if __name__ == "__main__":
    main()
