"""Celery tasks of the applicants app: thin, they take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from applicants import search


@shared_task
def applicant_search_index_task(company_id: int) -> int:
    return search.backlog_index(company_id=company_id)


@shared_task
def applicant_search_backlog_sweep_task() -> int:
    return search.backlog_resume()


@shared_task
def retention_sweep_task() -> int:
    """Delete videos and share links whose retention period is over (applicants.retention)."""
    from applicants import retention

    return retention.retention_sweep()
