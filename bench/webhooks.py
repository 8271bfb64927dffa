"""Webhook delivery benchmark (issue 15): one registration of 10,000 applicants → 10,000
`applicant.registered` events → a receiver on loopback that verifies every signature.

Runs on PostgreSQL (DATABASE_URL) in a scratch database of its own (<name>_whbench). The registration is
the one service every channel uses (a CSV import's rows go through it); delivery is the service the
worker task runs (`webhooks.services.endpoint_deliver`), called in a loop as the worker and the beat
sweep would. The receiver runs in a separate process (ThreadingHTTPServer) and deduplicates on
`webhook-id`.

    DATABASE_URL=postgres://… .venv/bin/python bench/webhooks.py [--events 10000]

Prints events/s of delivery, the delay from the registration's commit to the last delivery, and what
the events cost the registration itself (with and without a subscribed endpoint).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewmaker.settings")
os.environ.setdefault("IM_IGNORE_DOTENV", "1")
os.environ.setdefault("DEBUG", "false")


def receiver(
    port_out: multiprocessing.Queue, secret_in: multiprocessing.Queue, counts: multiprocessing.Queue
) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from standardwebhooks import Webhook

    secret = None
    seen: set[str] = set()
    bad = 0

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real ATS endpoint behind a proxy

        def do_POST(self) -> None:
            nonlocal bad, secret
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if secret is None:
                secret = secret_in.get()
            try:
                Webhook(secret).verify(body, {k.lower(): v for k, v in self.headers.items()})
                seen.add(self.headers["webhook-id"])
            except Exception:
                bad += 1
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            if self.path.endswith("?report"):
                pass

        def do_GET(self) -> None:
            counts.put((len(seen), bad))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_out.put(server.server_address[1])
    server.serve_forever()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone

    from applicants.models import Applicant, Company, JobPosting
    from applicants.services import ApplicantData, applicants_register
    from interviewmaker.celery import app as celery_app
    from webhooks import services
    from webhooks.models import WebhookDelivery

    celery_app.conf.broker_url = "memory://"  # the nudges go nowhere: this process is the worker
    celery_app.conf.task_always_eager = False
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    name = f"{connection.settings_dict['NAME']}_whbench"
    connection.settings_dict["TEST"]["NAME"] = name
    old = setup_databases(verbosity=0, interactive=False, keepdb=True)
    ports: multiprocessing.Queue = multiprocessing.Queue()
    secrets_q: multiprocessing.Queue = multiprocessing.Queue()
    counts: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=receiver, args=(ports, secrets_q, counts), daemon=True)
    process.start()
    port = ports.get(timeout=10)
    try:
        for model in (WebhookDelivery, Applicant, JobPosting, Company):
            model.objects.all().delete()
        company = Company.objects.create(name="ベンチ商事")
        deadline = timezone.now() + timezone.timedelta(days=14)
        rows = [
            ApplicantData(email=f"wh{n}@example.jp", values={"last_name": "山田"}) for n in range(args.events)
        ]

        # What the events cost the registration: the same rows, without and with an endpoint.
        plain = JobPosting.objects.create(company=company, title="no webhook", deadline=deadline)
        t0 = time.perf_counter()
        with transaction.atomic():
            applicants_register(job_posting=plain, rows=rows, via="csv")
        without = time.perf_counter() - t0

        endpoint = services.endpoint_save(
            company=company,
            endpoint=None,
            url=f"http://127.0.0.1:{port}/ats/hooks",
            events=["applicant.registered"],
            enabled=True,
        )
        secrets_q.put(endpoint.secret)
        posting = JobPosting.objects.create(company=company, title="webhook", deadline=deadline)
        rows = [
            ApplicantData(email=f"wh{n}@example.jp", values={"last_name": "山田"}) for n in range(args.events)
        ]
        t0 = time.perf_counter()
        with transaction.atomic():
            applicants_register(job_posting=posting, rows=rows, via="csv")
        committed = time.perf_counter()
        with_events = committed - t0

        pending = WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING)
        while pending.exists():
            services.endpoint_deliver(endpoint_id=endpoint.pk, budget_seconds=3600)
        done = time.perf_counter()
        import urllib.request

        urllib.request.urlopen(f"http://127.0.0.1:{port}/report")
        received, bad = counts.get(timeout=10)
        delivered = WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").count()
        span = done - committed
        print(
            f"{args.events:,} applicant.registered events: registration {without:.2f} s without an endpoint, "
            f"{with_events:.2f} s with one (+{with_events - without:.2f} s to write the events)"
        )
        print(
            f"delivered {delivered:,}, received and verified {received:,} distinct ids, "
            f"{bad} bad signatures; "
            f"commit → last delivery {span:.2f} s = {delivered / span:,.0f} events/s "
            f"(load avg {os.getloadavg()[0]:.1f})"
        )
    finally:
        process.terminate()
        for model in (WebhookDelivery, Applicant, JobPosting, Company):
            model.objects.all().delete()
        teardown_databases(old, verbosity=0, keepdb=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
