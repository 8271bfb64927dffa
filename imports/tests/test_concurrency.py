"""Two recruiters importing into one company at once (PostgreSQL, real concurrent transactions)."""

from __future__ import annotations

import threading
from unittest import mock

from django.core.files.base import ContentFile
from django.db import connection, transaction

from applicants.models import Applicant
from imports import services
from imports.models import ApplicantImport
from imports.samples import applicants_csv
from messaging.models import Message
from tests.factories import JobPostingFactory


def _validated(posting, data: bytes) -> ApplicantImport:
    imp = services.applicant_import_create(
        job_posting=posting, file=ContentFile(data, name="a.csv"), file_name="a.csv", by=None
    )
    assert imp.can_confirm
    with mock.patch("imports.tasks.applicant_import_run_task.delay"):
        services.applicant_import_confirm(applicant_import=imp, by=None)
    return imp


def _run_together(*import_ids: int) -> list[BaseException]:
    barrier = threading.Barrier(len(import_ids))
    failures: list[BaseException] = []

    def work(pk: int) -> None:
        try:
            barrier.wait()
            services.applicant_import_execute(import_id=pk)
        except BaseException as exc:  # reported to the test thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(pk,)) for pk in import_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return failures


def test_two_imports_into_two_postings_get_distinct_im_ids(transactional_db, company):
    first, second = JobPostingFactory(company=company), JobPostingFactory(company=company)
    a = _validated(first, applicants_csv(1500, start=1))
    b = _validated(second, applicants_csv(1500, start=1))  # the same people, another posting
    assert _run_together(a.pk, b.pk) == []
    assert set(ApplicantImport.objects.values_list("status", flat=True)) == {"done"}
    ids = list(Applicant.objects.filter(company=company).values_list("im_id", flat=True))
    assert len(ids) == 3000 and sorted(ids) == list(range(1, 3001))
    company.refresh_from_db()
    assert company.last_im_id == 3000
    assert Message.objects.filter(template_code="D03").count() == 3000


def test_two_overlapping_imports_into_one_posting_register_each_email_once(transactional_db, company):
    posting = JobPostingFactory(company=company)
    a = _validated(posting, applicants_csv(1200, start=1))
    b = _validated(posting, applicants_csv(1200, start=601))  # rows 601–1200 are in both files
    assert _run_together(a.pk, b.pk) == []
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("done", "done")
    assert a.n_skipped + b.n_skipped == 600
    assert a.n_new + b.n_new == 1800
    assert Applicant.objects.filter(job_posting=posting).count() == 1800
    assert Message.objects.filter(template_code="D03").count() == 1800
    emails = list(Applicant.objects.values_list("email", flat=True))
    assert len(emails) == len(set(emails))


def test_progress_is_visible_to_the_polling_page_while_the_import_transaction_is_open(
    transactional_db, company
):
    imp = _validated(JobPostingFactory(company=company), applicants_csv(3, start=1))
    seen: list[int] = []

    def poll() -> None:  # the upload page, on its own connection
        try:
            seen.append(ApplicantImport.objects.values_list("progress", flat=True).get(pk=imp.pk))
        finally:
            connection.close()

    with transaction.atomic():
        progress = services._Progress(imp.pk, total=4)
        try:
            progress(2)
            thread = threading.Thread(target=poll)
            thread.start()
            thread.join(30)
            # A progress figure is not worth a WAL flush: the side connection commits asynchronously.
            with progress.side.cursor() as cursor:  # type: ignore[union-attr]
                cursor.execute("SHOW synchronous_commit")
                assert cursor.fetchone()[0] == "off"
        finally:
            progress.close()
    assert seen == [50]
