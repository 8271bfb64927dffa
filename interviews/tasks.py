"""Celery tasks of the recorded interview: thin, they load rows and call one service."""

from __future__ import annotations

from celery import shared_task

from interviews import services
from interviews.models import Answer


# Routed to the video queue by name (CELERY_TASK_ROUTES), which its own workers consume.
@shared_task
def answer_normalise_task(answer_id: int) -> None:
    answer = Answer.objects.select_related("take", "applicant").filter(pk=answer_id).first()
    if answer is not None and answer.processing == Answer.Processing.PENDING:
        services.answer_normalise(answer=answer)


@shared_task
def applicants_expire_task() -> int:
    return services.applicants_expire()


@shared_task
def takes_abandoned_sweep_task() -> int:
    return services.takes_abandoned_sweep()


@shared_task
def answers_normalise_sweep_task() -> int:
    return services.answers_normalise_sweep()
