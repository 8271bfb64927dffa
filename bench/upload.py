"""Upload benchmark: 50 applicants upload a 20 MB take each, at once, in chunks, to the local backend.

Everything is real: gunicorn on loopback serving the app, PostgreSQL from DATABASE_URL, the chunk
endpoint writing into MEDIA_ROOT (a temporary directory). Prints the aggregate throughput (MB/s) and
the server's CPU seconds per MB (user + system of gunicorn's processes, from psutil).

    DATABASE_URL=postgres://… .venv/bin/python bench/upload.py [--applicants 50] [--mb 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewmaker.settings")
os.environ["IM_IGNORE_DOTENV"] = "1"
MEDIA = Path(tempfile.mkdtemp(prefix="im-bench-media-"))
os.environ["MEDIA_ROOT"] = str(MEDIA)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setup_data(n: int) -> tuple[list[str], int, int]:
    """Migrate, then one posting with one question and n applicants; returns tokens, question and company."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from applicants.models import Applicant, Company, JobPosting, Question

    company = Company.objects.create(name="bench upload")
    deadline = timezone.now() + dt.timedelta(days=1)
    posting = JobPosting.objects.create(company=company, title="bench", deadline=deadline)
    question = Question.objects.create(job_posting=posting, text="bench", max_takes=3)
    Applicant.objects.bulk_create(
        Applicant(company=company, job_posting=posting, im_id=i + 1, email=f"bench{i}@example.jp")
        for i in range(n)
    )
    tokens = list(Applicant.objects.filter(company=company).values_list("interview_token", flat=True))
    return tokens, question.pk, company.pk


def cleanup(company_id: int) -> None:
    from applicants.models import Company
    from interviews.models import Answer, Take

    Answer.objects.filter(applicant__company_id=company_id).delete()
    Take.objects.filter(applicant__company_id=company_id).delete()
    Company.objects.filter(pk=company_id).delete()


def applicant_upload(base: str, token: str, question: int, data: bytes, chunk: int) -> int:
    """One applicant's browser: the page (CSRF cookie), start a take, PUT every chunk, complete."""
    session = requests.Session()
    session.get(f"{base}/i/{token}/record/", timeout=60).raise_for_status()
    headers = {"X-CSRFToken": session.cookies["csrftoken"]}
    start = {"question": question, "type": "video/webm"}
    take = session.post(f"{base}/i/{token}/takes/", json=start, headers=headers, timeout=60)
    take.raise_for_status()
    url = f"{base}/i/{token}/takes/{take.json()['key']}/"
    chunk_headers = {**headers, "Content-Type": "application/octet-stream"}
    for index in range(0, -(-len(data) // chunk)):
        body = data[index * chunk : (index + 1) * chunk]
        session.put(f"{url}chunks/{index}", data=body, headers=chunk_headers, timeout=120).raise_for_status()
    complete = {"size": len(data), "duration": 60}
    done = session.post(f"{url}complete/", json=complete, headers=headers, timeout=60)
    done.raise_for_status()
    assert done.json()["state"] == "complete", done.text
    return len(data)


def server_cpu(proc: psutil.Process) -> float:
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=50)
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=25)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench/upload.py needs DATABASE_URL=postgres://…")
        return 1

    tokens, question, company_id = setup_data(args.applicants)
    from django.conf import settings

    chunk = settings.RECORDING_CHUNK_BYTES
    data = b"\x1a\x45\xdf\xa3" + os.urandom(args.mb * 1024 * 1024 - 4)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RECORDING_RATE_PAGE": "100000/m", "RECORDING_RATE_UPLOAD": "100000/m"}
    env["RECORDING_MAX_TAKE_BYTES"] = str(max(len(data), settings.RECORDING_MAX_TAKE_BYTES))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "interviewmaker.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(args.workers), "-k", "gthread", "--threads", str(args.threads), "--timeout", "300",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        proc = psutil.Process(server.pid)
        cpu_before = server_cpu(proc)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.applicants) as pool:
            sent = sum(pool.map(lambda t: applicant_upload(base, t, question, data, chunk), tokens))
        elapsed = time.perf_counter() - started
        cpu = server_cpu(proc) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)
        cleanup(company_id)
        shutil.rmtree(MEDIA, ignore_errors=True)

    mb = sent / 2**20
    print(
        f"upload: {args.applicants} applicants x {args.mb} MB in {chunk // 1024} KiB chunks, "
        f"gunicorn {args.workers} workers x {args.threads} threads on loopback"
    )
    print(f"  {mb:.0f} MB in {elapsed:.1f} s = {mb / elapsed:.1f} MB/s")
    print(f"  server CPU {cpu:.1f} s = {cpu / mb * 1000:.1f} ms/MB ({cpu / mb:.4f} CPU s/MB)")
    print(f"  machine: {psutil.cpu_count()} cores shared by the clients and the server")
    return 0


if __name__ == "__main__":
    sys.exit(main())
