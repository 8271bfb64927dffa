"""The outbox claim: one raw UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED) RETURNING against the ORM's
`select_for_update(skip_locked=True)` followed by an `update()` (what messaging/services/sending.py uses).

Both claim BATCH (200) queued D03 rows at a time until N (20,000) are claimed, in a scratch database
`<name>_claim_bench`, interleaved over ROUNDS (5) rounds so that a busy machine slows both alike.
Prints the median milliseconds per batch and microseconds per message of each, and their difference
against the fan-out's budget (3,000 messages/s in process is 333 µs per message).

    DATABASE_URL=postgres://… .venv/bin/python bench/claim.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewmaker.settings")
os.environ.setdefault("IM_IGNORE_DOTENV", "1")
os.environ.setdefault("DEBUG", "false")

N = int(os.environ.get("BENCH_CLAIM_N", 20_000))
BATCH = 200
ROUNDS = int(os.environ.get("BENCH_CLAIM_ROUNDS", 5))


def main() -> int:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import F
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone

    from applicants.models import Applicant
    from messaging.models import Message
    from messaging.services import sending
    from tests.factories import ApplicantFactory, JobPostingFactory

    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_claim_bench"
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    table = Message._meta.db_table
    raw_claim = (
        f"WITH picked AS (SELECT id FROM {table} WHERE status = 'queued' AND next_attempt_at <= %s "  # noqa: S608
        "ORDER BY next_attempt_at, id LIMIT %s FOR UPDATE SKIP LOCKED) "
        f"UPDATE {table} AS m SET status = 'sending', claim_token = %s, lease_until = %s, "
        "attempts = m.attempts + 1 FROM picked WHERE m.id = picked.id RETURNING m.*"
    )

    @transaction.atomic
    def claim_raw() -> int:
        now = timezone.now()
        rows = list(
            Message.objects.raw(raw_claim, [now, BATCH, uuid.uuid4().hex, now + dt.timedelta(minutes=10)])
        )
        return len(rows)

    def claim_orm() -> int:
        return len(sending.messages_claim(limit=BATCH)[1])

    try:
        posting = JobPostingFactory()
        applicant: Applicant = ApplicantFactory(job_posting=posting)
        Message.objects.bulk_create(
            Message(
                company=posting.company,
                applicant=applicant,
                template_code="D03",
                to=f"a{n}@example.jp",
                subject="件名",
                body="本文" * 200,
                idempotency_key=f"claim-bench-{n}",
                next_attempt_at=timezone.now(),
            )
            for n in range(N)
        )
        results: dict[str, list[float]] = {"raw UPDATE … RETURNING": [], "ORM select_for_update": []}
        for _round in range(ROUNDS):
            for name, claim in (("raw UPDATE … RETURNING", claim_raw), ("ORM select_for_update", claim_orm)):
                Message.objects.update(status=Message.Status.QUEUED, attempts=F("attempts") * 0)
                with connection.cursor() as cursor:
                    cursor.execute(f"VACUUM ANALYZE {table}")
                t0 = time.perf_counter()
                claimed = batches = 0
                while got := claim():
                    claimed += got
                    batches += 1
                assert claimed == N, (name, claimed)
                results[name].append((time.perf_counter() - t0) / batches * 1000)
        medians = {name: statistics.median(values) for name, values in results.items()}
        for name, ms in medians.items():
            print(f"{name:24}: {ms:6.2f} ms per batch of {BATCH}, {ms * 1000 / BATCH:5.1f} µs per message")
        diff = (medians["ORM select_for_update"] - medians["raw UPDATE … RETURNING"]) * 1000 / BATCH
        print(f"ORM − raw               : {diff:+5.1f} µs per message (in-process budget 333 µs per message)")
    finally:
        teardown_databases(old, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
