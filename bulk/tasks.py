"""Celery tasks of まとめて処理モード: thin, they take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from bulk import services


@shared_task(bind=True, max_retries=5)
def answer_request_run_task(self, answer_request_id: int) -> None:  # type: ignore[no-untyped-def]
    """Queue the D04 messages of one answer request (resumes where a previous run stopped)."""
    try:
        services.answer_request_run(answer_request_id=answer_request_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            services.answer_request_fail(answer_request_id=answer_request_id, error=repr(exc))
            raise
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc


@shared_task
def auto_reminders_send_task() -> int:
    """Beat: send the automatic reminders that are due; returns how many requests were started."""
    return len(services.auto_reminders_send())


@shared_task
def answer_requests_resume_task() -> int:
    """Beat: re-enqueue answer requests whose task the broker lost."""
    return services.answer_requests_resume()
