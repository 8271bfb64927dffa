"""Celery tasks of the CSV import: thin, they take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from imports import services


@shared_task
def applicant_import_validate_task(import_id: int) -> None:
    services.applicant_import_validate(import_id=import_id)


@shared_task
def applicant_import_run_task(import_id: int) -> None:
    services.applicant_import_execute(import_id=import_id)


@shared_task
def applicant_import_files_purge_task() -> int:
    return services.applicant_import_files_purge()


@shared_task
def applicant_imports_resume_task() -> int:
    return services.applicant_imports_resume()
