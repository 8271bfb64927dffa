"""Concurrent exports and regenerations on PostgreSQL leave exactly one live link per applicant."""

from __future__ import annotations

import threading

from django.db import connection

from applicants.models import Applicant
from sharing import services
from sharing.models import ShareLink
from tests.factories import ApplicantFactory, JobPostingFactory


def _in_threads(target, n: int = 4) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def run() -> None:
        try:
            barrier.wait()
            target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_exports_create_one_link_each(transactional_db, company):
    posting = JobPostingFactory(company=company)
    ApplicantFactory.create_batch(200, job_posting=posting)
    errors = _in_threads(
        lambda: services.share_links_ensure(applicants=Applicant.objects.filter(company=company))
    )
    assert errors == []
    assert ShareLink.objects.filter(revoked_at__isnull=True).count() == 200
    assert ShareLink.objects.count() == 200


def test_concurrent_regenerations_leave_one_live_link(transactional_db, company):
    applicant: Applicant = ApplicantFactory(job_posting=JobPostingFactory(company=company))  # type: ignore[assignment]
    services.share_link_get_or_create(applicant=applicant)
    errors = _in_threads(lambda: services.share_link_regenerate(applicant=applicant))
    assert errors == []
    assert ShareLink.objects.filter(applicant=applicant, revoked_at__isnull=True).count() == 1
    assert ShareLink.objects.filter(applicant=applicant).count() == 5
