"""Every write of the CSV import: upload, validation (dry run), confirm, the import itself, file purge."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import PureWindowsPath
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Applicant, JobPosting
from applicants.services import ApplicantData, applicants_register
from imports import writes
from imports.errors import FileProblem
from imports.models import ApplicantImport
from imports.validation import NEW, Report, ValidRow, dry_run, read, validate
from interviewmaker.tasks import enqueue_on_commit
from webhooks import emit

logger = logging.getLogger(__name__)

# Rows per applicants_register / bulk update call: bounds memory and paces the progress bar.
CHUNK_ROWS = 5_000


class ImportNotConfirmable(Exception):
    """Confirm was asked for an import that is not validated without errors."""


def applicant_import_create(
    *, job_posting: JobPosting, file: File, file_name: str, by: Any
) -> ApplicantImport:
    """Record an upload and validate it: inline when small, else in a worker (the page polls).

    Not one transaction on purpose: the upload row must be visible to the polling page (and to the
    worker) while validation runs; validation itself writes nothing else.
    """
    size = file.size or 0
    applicant_import = ApplicantImport(
        company=job_posting.company,
        job_posting=job_posting,
        created_by=by if getattr(by, "pk", None) else None,
        file_name=(PureWindowsPath(file_name or "").name or "upload.csv")[:255],
        file_size=size,
    )
    if size > settings.IMPORT_MAX_BYTES:
        # Refused before storing or reading a byte of it; still listed in the history.
        applicant_import.status = ApplicantImport.Status.INVALID
        applicant_import.file_error = FileProblem(
            "too_large", size_mb=f"{size / 1_000_000:.1f}", max_mb=settings.IMPORT_MAX_BYTES // 1_000_000
        ).as_json()
        applicant_import.validated_at = timezone.now()
        applicant_import.save()
        return applicant_import
    applicant_import.file.save(f"{uuid.uuid4().hex}.csv", file, save=False)
    applicant_import.save()
    if size <= settings.IMPORT_INLINE_MAX_BYTES:
        applicant_import_validate(import_id=applicant_import.pk)
        applicant_import.refresh_from_db()
    else:
        from imports.tasks import applicant_import_validate_task

        pk = applicant_import.pk
        enqueue_on_commit(applicant_import_validate_task, pk)
    return applicant_import


def _read_file(applicant_import: ApplicantImport) -> bytes:
    if not applicant_import.file or applicant_import.file_deleted_at:
        raise FileProblem("file_missing")
    try:
        with applicant_import.file.open("rb") as fh:
            return fh.read(settings.IMPORT_MAX_BYTES + 1)
    except FileNotFoundError:
        raise FileProblem("file_missing") from None


def _store_report(pk: int, report: Report, **extra: Any) -> None:
    ApplicantImport.objects.filter(pk=pk).update(
        encoding=report.encoding,
        total_rows=report.total_rows,
        n_new=report.counts["new"],
        n_update=report.counts["update"],
        n_skipped=report.counts["skipped"],
        n_error=report.counts["error"],
        errors=report.errors,
        errors_truncated=report.errors_truncated,
        ignored_columns=report.ignored_columns,
        sample=report.sample,
        preview_rows=report.preview_rows,
        file_error=None,
        **extra,
    )


def _store_file_problem(pk: int, problem: FileProblem, **extra: Any) -> None:
    ApplicantImport.objects.filter(pk=pk).update(
        status=ApplicantImport.Status.INVALID, file_error=problem.as_json(), progress=100, **extra
    )


def applicant_import_validate(*, import_id: int) -> None:
    """The dry run: counts, errors and the D03 sample; writes nothing but the import row."""
    applicant_import = ApplicantImport.objects.select_related("job_posting__company").get(pk=import_id)
    if applicant_import.status != ApplicantImport.Status.VALIDATING:
        return  # a redelivered task: already validated
    now = timezone.now
    try:
        data = _read_file(applicant_import)
        progress = _Progress(import_id, total=_rough_rows(data))
        try:
            report = dry_run(
                data,
                job_posting=applicant_import.job_posting,
                max_rows=settings.IMPORT_MAX_ROWS,
                progress=progress,
            )
        finally:
            progress.close()
    except FileProblem as problem:
        _store_file_problem(import_id, problem, validated_at=now())
        return
    except Exception:
        # The upload page shows "failed" instead of spinning forever; the log has the cause.
        logger.exception("validation of applicant import %s failed", import_id)
        _store_file_problem(import_id, FileProblem("internal"), validated_at=now())
        ApplicantImport.objects.filter(pk=import_id).update(status=ApplicantImport.Status.FAILED)
        return
    status = ApplicantImport.Status.VALIDATED if report.is_valid else ApplicantImport.Status.INVALID
    _store_report(import_id, report, status=status, progress=100, validated_at=now())


@transaction.atomic
def applicant_import_confirm(
    *, applicant_import: ApplicantImport, by: Any, skip_error_rows: bool = False
) -> ApplicantImport:
    """Start the import of a validated upload; the work runs in a worker, enqueued on commit.

    `skip_error_rows` (「エラー行を除いて取り込む」): an upload with errors imports its rows without errors
    and leaves the error rows out; without it an upload with errors is refused (all or nothing).
    """
    # Locked so that two clicks (or two API calls) start one import, not two.
    locked = ApplicantImport.objects.select_for_update().get(pk=applicant_import.pk)
    # Nothing to leave out is an ordinary confirm (an API client may always send the option).
    skip = skip_error_rows and locked.n_error > 0
    if not (locked.can_skip_error_rows if skip else locked.can_confirm):
        raise ImportNotConfirmable(_refusal(locked, skip=skip))
    locked.status = ApplicantImport.Status.IMPORTING
    locked.progress = 0
    locked.skip_error_rows = skip
    locked.confirmed_by = by if getattr(by, "pk", None) else None
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["status", "progress", "skip_error_rows", "confirmed_by", "confirmed_at"])
    from imports.tasks import applicant_import_run_task

    pk = locked.pk
    enqueue_on_commit(applicant_import_run_task, pk)
    return locked


def _refusal(applicant_import: ApplicantImport, *, skip: bool) -> str:
    """Why this upload cannot be imported (as asked), in the reader's language."""
    if applicant_import.status in (ApplicantImport.Status.IMPORTING, ApplicantImport.Status.DONE):
        return _("This upload has already been imported.")
    if applicant_import.nothing_to_import:
        return _("Every applicant of this file is registered already: there is nothing to import.")
    if skip and applicant_import.status == ApplicantImport.Status.INVALID and not applicant_import.file_error:
        if applicant_import.errors_truncated:
            return _(
                "This file has too many errors to leave the error rows out: fix the file and upload it again."
            )
        if applicant_import.n_new + applicant_import.n_update == 0:
            return _("No row of this file can be registered: fix the errors and upload the file again.")
    if not skip and applicant_import.can_skip_error_rows:
        return _(
            "This upload has errors: fix the file and upload it again, or import it without the error rows."
        )
    return _("Only an upload validated without errors can be imported.")


class _Invalid(Exception):
    """Re-validation inside the import found errors: roll everything back."""

    def __init__(self, report: Report):
        self.report = report


def applicant_import_execute(*, import_id: int) -> None:
    """Import a confirmed upload, all or nothing: re-validate, bulk insert with D03, bulk update.

    "All" is every row, or with skip_error_rows every row but the preview's error rows.
    """
    try:
        with transaction.atomic():
            report = _execute(import_id)
    except _Invalid as invalid:
        # Something changed since the preview (e.g. an update's applicant was deleted): a fresh preview
        # to confirm again, in either way.
        fresh = invalid.report
        status = ApplicantImport.Status.VALIDATED if fresh.is_valid else ApplicantImport.Status.INVALID
        _store_report(import_id, fresh, status=status, progress=100, skip_error_rows=False)
    except FileProblem as problem:
        _store_file_problem(import_id, problem)
    except IntegrityError:
        logger.warning("applicant import %s hit a concurrent registration", import_id, exc_info=True)
        _store_file_problem(import_id, FileProblem("conflict"), finished_at=timezone.now())
        ApplicantImport.objects.filter(pk=import_id).update(status=ApplicantImport.Status.FAILED)
    except Exception:
        logger.exception("applicant import %s failed", import_id)
        _store_file_problem(import_id, FileProblem("internal"), finished_at=timezone.now())
        ApplicantImport.objects.filter(pk=import_id).update(status=ApplicantImport.Status.FAILED)
        raise
    else:
        if report is not None:
            logger.info("applicant import %s done: %s", import_id, report.counts)


def _execute(import_id: int) -> Report | None:
    applicant_import = ApplicantImport.objects.get(pk=import_id)
    if applicant_import.status != ApplicantImport.Status.IMPORTING:
        return None
    # Serialises imports into one posting: a second one waits here, then re-validates and sees the
    # first one's applicants as already registered (skipped) instead of inserting duplicates.
    posting = (
        JobPosting.objects.select_for_update(of=("self",))
        .select_related("company")
        .get(pk=applicant_import.job_posting_id)
    )
    # Re-read under the lock: a redelivered task finds the first run's result and stops.
    applicant_import = ApplicantImport.objects.get(pk=import_id)
    if applicant_import.status != ApplicantImport.Status.IMPORTING:
        return None
    data = _read_file(applicant_import)
    report = Report()
    text, header = read(
        data,
        job_posting=posting,
        max_rows=settings.IMPORT_MAX_ROWS,
        report=report,
        known_rows=applicant_import.total_rows or None,
    )
    del data
    # With 「エラー行を除いて取り込む」 the rows left out are exactly the preview's error rows (every one is
    # in the stored list: confirm refuses a cut list).
    left_out = {error[0] for error in applicant_import.errors} if applicant_import.skip_error_rows else None
    progress = _Progress(import_id, total=report.total_rows, span=95)
    try:
        return _write(
            import_id, text, header, posting=posting, report=report, progress=progress, left_out=left_out
        )
    finally:
        progress.close()


def _write(
    import_id: int,
    text: str,
    header: Any,
    *,
    posting: JobPosting,
    report: Report,
    progress: _Progress,
    left_out: set[int] | None = None,
) -> Report:
    """Stream validated rows into chunked inserts and updates; any error rolls the whole import back.

    `left_out`: the error rows the recruiter chose to leave out. Any other error, or one of those rows
    turning valid, rolls back too: the import writes exactly what the confirmed preview said.
    Duplicates within the file (the errors a row gets after it was yielded) depend on the file alone,
    so they are among `left_out` already and a written row never becomes an error later.
    """
    update_fields = sorted(header.fields - {"im_id"})
    new_rows: list[ApplicantData] = []
    updates: list[ValidRow] = []
    for valid in validate(text, header, job_posting=posting, report=report, progress=progress):
        if left_out is not None and valid.row in left_out:
            continue  # not yet known as an error (a duplicate of a later row), or valid now: see below
        if valid.kind == NEW:
            new_rows.append(ApplicantData(email=valid.values["email"], values=valid.values))
            if len(new_rows) >= CHUNK_ROWS:
                applicants_register(job_posting=posting, rows=new_rows, via=Applicant.CreatedVia.CSV)
                new_rows = []
        else:
            updates.append(valid)
            if len(updates) >= CHUNK_ROWS:
                writes.applicants_bulk_update(job_posting=posting, rows=updates, fields=update_fields)
                updates = []
    if left_out is None:
        if not report.is_valid:
            raise _Invalid(report)
    elif report.error_rows != left_out:
        raise _Invalid(report)
    if new_rows:
        applicants_register(job_posting=posting, rows=new_rows, via=Applicant.CreatedVia.CSV)
    if updates:
        writes.applicants_bulk_update(job_posting=posting, rows=updates, fields=update_fields)
    _store_report(
        import_id, report, status=ApplicantImport.Status.DONE, progress=100, finished_at=timezone.now()
    )
    _announce(import_id)
    return report


def _announce(import_id: int) -> None:
    """import.completed for the company's webhooks, in the import's transaction."""
    done = ApplicantImport.objects.select_related("company").get(pk=import_id)
    emit.object_event(
        company=done.company,
        event="import.completed",
        data={
            "id": done.pk,
            "job_posting": done.job_posting_id,
            "file_name": done.file_name,
            "status": done.status,
            "counts": done.counts,
            "skip_error_rows": done.skip_error_rows,
            "created_at": done.created_at.isoformat(),
            "finished_at": done.finished_at.isoformat() if done.finished_at else None,
        },
    )


def _rough_rows(data: bytes) -> int:
    """Line count as the progress bar's denominator during validation (quoted line breaks overcount)."""
    return max(data.count(b"\n"), 1)


class _Progress:
    """Write progress where the polling page can see it, even from inside the import's transaction.

    A second connection commits each step on its own, without waiting for the WAL flush (a progress
    figure is not worth a disk sync; about 100 of them per upload).
    """

    def __init__(self, import_id: int, *, total: int, span: int = 100):
        self.import_id, self.total, self.span = import_id, max(total, 1), span
        self.last = -1
        wrapper = connections[DEFAULT_DB_ALIAS]
        settings_dict = dict(wrapper.settings_dict)
        options = dict(settings_dict.get("OPTIONS") or {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
        settings_dict["OPTIONS"] = options
        self.side = wrapper.__class__(settings_dict, alias="__import_progress__")

    def __call__(self, done: int) -> None:
        percent = min(self.span, self.span * done // self.total)
        if percent == self.last:
            return
        self.last = percent
        try:
            with self.side.cursor() as cursor:
                cursor.execute(
                    "UPDATE applicants_applicantimport SET progress = %s WHERE id = %s",
                    [percent, self.import_id],
                )
        except Exception:  # progress is cosmetic; never fail an import over it
            logger.debug("progress update failed", exc_info=True)

    def close(self) -> None:
        self.side.close()


def applicant_import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete stored upload files older than IMPORT_FILE_RETENTION_DAYS; the history rows stay."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    stale = ApplicantImport.objects.filter(created_at__lt=cutoff, file_deleted_at__isnull=True).exclude(
        file=""
    )
    purged = 0
    for applicant_import in stale.exclude(status=ApplicantImport.Status.IMPORTING).iterator():
        applicant_import.file.delete(save=False)
        ApplicantImport.objects.filter(pk=applicant_import.pk).update(file="", file_deleted_at=timezone.now())
        purged += 1
    return purged


# An upload still validating or importing this long after its start lost its task (broker outage,
# purged queue): the sweep enqueues it again. A duplicate run is harmless (see _execute).
STUCK_AFTER = dt.timedelta(minutes=10)


def applicant_imports_resume(*, now: dt.datetime | None = None) -> int:
    """Re-enqueue uploads whose task the broker lost; the import row, not the task, is the truth."""
    from imports.tasks import applicant_import_run_task, applicant_import_validate_task

    cutoff = (now or timezone.now()) - STUCK_AFTER
    validating = list(
        ApplicantImport.objects.filter(
            status=ApplicantImport.Status.VALIDATING, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    importing = list(
        ApplicantImport.objects.filter(
            status=ApplicantImport.Status.IMPORTING, confirmed_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in validating:
        applicant_import_validate_task.delay(pk)
    for pk in importing:
        applicant_import_run_task.delay(pk)
    return len(validating) + len(importing)
