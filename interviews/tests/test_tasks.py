"""The normalisation task on a real Celery worker (Redis broker, PostgreSQL), queued on commit of a keep."""

from __future__ import annotations

import io

import pytest

from interviews import services
from interviews.models import Answer
from tests.plugins.services import wait_for

pytestmark = pytest.mark.integration


def test_keeping_a_take_gets_it_normalised_by_the_worker(celery_worker, applicant, sample_webm):
    question = applicant.job_posting.questions.first()
    take = services.take_start(applicant=applicant, question=question, declared_type="video/webm")
    services.take_chunk_write(take=take, index=0, stream=io.BytesIO(sample_webm), length=len(sample_webm))
    take = services.take_complete(take=take, size=len(sample_webm), duration=2.0)
    answer = services.take_keep(take=take)

    def processed() -> Answer | None:
        answer.refresh_from_db()
        return answer if answer.processing != Answer.Processing.PENDING else None

    wait_for(processed, timeout=90, message="the worker to normalise the answer")
    assert answer.processing == Answer.Processing.DONE, answer.processing_error
    # The sample is VP8 WebM: remuxed into WebM (docs/recording.md, "Playback formats").
    assert answer.video.name.endswith(".webm") and answer.poster.name.endswith(".jpg")
    assert answer.duration == pytest.approx(2.0, abs=0.2)
    assert "answer_normalise_task" in celery_worker.log()
