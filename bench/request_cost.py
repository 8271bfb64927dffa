"""What one applicant request costs, without a server or other load: CPU and queries per call.

Runs the interview of bench/load.py (start page, device check, per question: record page, take, two
64 KiB chunks, complete, keep; confirm, submit, done) for --applicants applicants, one after another,
through Django's full middleware with the test client, against PostgreSQL (DATABASE_URL) and the
rate-limit cache on REDIS_URL. Prints per kind of call the median CPU time of this process and the
number of queries, then the CPU of the PostgreSQL backend per request. bench/load.py measures the
same flow under load; this one tells what a change of code costs, apart from the machine's noise
(run it a few times: the medians move by about 10 %).

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/request_cost.py [--applicants 80]

It creates a company of its own in DATABASE_URL's database and deletes it at the end.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewmaker.settings")
os.environ["IM_IGNORE_DOTENV"] = "1"
os.environ["DEBUG"] = "false"
os.environ["LOG_LEVEL"] = "WARNING"
MEDIA = Path(tempfile.mkdtemp(prefix="im-bench-media-"))
os.environ["MEDIA_ROOT"] = str(MEDIA)
os.environ["RECORDING_CHUNK_BYTES"] = str(64 * 1024)
QUESTIONS = 3


def setup_data(n: int) -> tuple[list[str], list[int], int]:
    """Migrate, then a posting of 3 questions and n applicants; returns tokens, questions, company."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from applicants import services
    from applicants.models import Applicant, Company
    from applicants.services import ApplicantData

    company = Company.objects.create(name="bench request cost")
    posting = services.job_posting_save(
        company=company,
        posting=None,
        data={"title": "bench", "deadline": timezone.now() + dt.timedelta(days=1), "is_open": True},
        questions=[
            {"text": f"質問{i + 1}", "preparation_seconds": 30, "answer_seconds": 60, "max_takes": 2}
            for i in range(QUESTIONS)
        ],
    )
    rows = [ApplicantData(email=f"cost{i}@example.jp", values={"last_name": "山田"}) for i in range(n)]
    created = services.applicants_register(job_posting=posting, rows=rows, via=Applicant.CreatedVia.CSV)
    questions = list(posting.questions.order_by("position").values_list("pk", flat=True))
    return [a.interview_token for a in created], questions, company.pk


def cleanup(company_id: int) -> None:
    from applicants.models import Company
    from interviews.models import Answer, Take
    from messaging.models import Message

    Message.objects.filter(company_id=company_id).delete()
    Answer.objects.filter(applicant__company_id=company_id).delete()
    Take.objects.filter(applicant__company_id=company_id).delete()
    Company.objects.filter(pk=company_id).delete()


class Flow:
    """The browser's calls of one interview, each timed (process CPU) and its queries counted."""

    def __init__(self, questions: list[int]) -> None:
        from django.test import Client

        self.questions = questions
        self.handler = Client().handler  # one handler: its middleware is built once, as in a server
        self.cpu: dict[str, list[float]] = collections.defaultdict(list)
        self.queries: dict[str, int] = {}
        self.data = b"\x1a\x45\xdf\xa3" + os.urandom(100 * 1024 - 4)  # WebM's magic, then noise

    def call(self, client: Any, kind: str, method: str, url: str, status: int, **kw: Any) -> Any:
        from django.db import connection

        statements: list[str] = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):  # a counter, not the debug cursor's logging
            started = time.process_time()
            response = getattr(client, method)(url, **kw)
            self.cpu[kind].append(time.process_time() - started)
        self.queries[kind] = max(self.queries.get(kind, 0), len(statements))
        if os.environ.get("IM_BENCH_SQL") == kind:
            print(f"{kind}:", *statements, sep="\n  ")
        if response.status_code != status:
            raise SystemExit(f"{kind}: HTTP {response.status_code} {response.content[:200]!r}")
        return response

    def run(self, token: str, index: int) -> None:
        from django.test import Client

        client = Client(REMOTE_ADDR=f"127.0.{index // 250}.{index % 250 + 1}")
        client.handler = self.handler
        page = f"/i/{token}/"
        self.call(client, "GET start page", "get", page, 200)
        self.call(client, "GET device check", "get", f"{page}check/", 200)
        for question in self.questions:
            self.call(client, "GET record page", "get", f"{page}record/", 200)
            csrf = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
            body = {"question": question, "type": "video/webm;codecs=vp8,opus"}
            take = self.call(
                client,
                "POST take",
                "post",
                f"{page}takes/",
                201,
                data=body,
                content_type="application/json",
                **csrf,
            )
            url = f"{page}takes/{take.json()['key']}/"
            for n in range(2):
                piece = self.data[n * 65536 : (n + 1) * 65536]
                kw = {"data": piece, "content_type": "application/octet-stream", **csrf}
                self.call(client, "PUT chunk", "put", f"{url}chunks/{n}", 200, **kw)
            done = {"size": len(self.data), "duration": 42.0}
            kw = {"data": done, "content_type": "application/json", **csrf}
            self.call(client, "POST complete", "post", f"{url}complete/", 200, **kw)
            self.call(client, "POST keep", "post", f"{url}keep/", 200, **csrf)
        self.call(client, "GET confirm page", "get", f"{page}confirm/", 200)
        form = {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
        self.call(client, "POST submit", "post", f"{page}confirm/", 302, data=form)
        self.call(client, "GET done page", "get", f"{page}done/", 200)


def backend_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend (same machine only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")  # PostgreSQL on another machine
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applicants", type=int, default=80)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench/request_cost.py needs DATABASE_URL=postgres://…")
        return 2
    tokens, questions, company_id = setup_data(args.applicants + 1)
    try:
        flow = Flow(questions)
        flow.run(tokens[0], 0)  # warm up: templates, translations, the connection
        flow.cpu.clear()
        pg_before = backend_cpu()
        for index, token in enumerate(tokens[1:], start=1):
            flow.run(token, index)
        pg = backend_cpu() - pg_before
        requests = sum(len(times) for times in flow.cpu.values())
        print(f"{args.applicants} interviews, {requests} requests, one after another\n")
        print(f"{'call':20s} {'n':>5s} {'CPU p50':>9s} {'queries':>8s}")
        for kind, times in flow.cpu.items():
            median = 1000 * statistics.median(times)
            print(f"{kind:20s} {len(times):5d} {median:7.2f} ms {flow.queries[kind]:8d}")
        django_ms, pg_ms = 1000 * sum(sum(t) for t in flow.cpu.values()) / requests, 1000 * pg / requests
        print(f"\nmean CPU per request: Django {django_ms:.2f} ms, PostgreSQL {pg_ms:.2f} ms")
        return 0
    finally:
        cleanup(company_id)
        shutil.rmtree(MEDIA, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
