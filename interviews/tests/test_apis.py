"""GET /api/v1/applicants/{im_id}/answers/: an applicant's answers for ATS integrations."""

from __future__ import annotations

import io

import pytest

from interviews import services

pytestmark = pytest.mark.django_db


def keep_answer(applicant, data: bytes) -> None:
    question = applicant.job_posting.questions.order_by("position").first()
    take = services.take_start(applicant=applicant, question=question, declared_type="video/webm")
    services.take_chunk_write(take=take, index=0, stream=io.BytesIO(data), length=len(data))
    services.take_keep(take=services.take_complete(take=take, size=len(data), duration=2.0))


def test_it_lists_every_question_with_its_answer_and_a_short_lived_url(alice_client, applicant, sample_webm):
    keep_answer(applicant, sample_webm)
    response = alice_client.get(f"/api/v1/applicants/{applicant.im_id}/answers/")
    assert response.status_code == 200
    rows = response.json()
    assert [r["position"] for r in rows] == [1, 2, 3]
    assert rows[0]["answered"] and rows[0]["take_count"] == 1 and rows[0]["duration"] == 2.0
    assert rows[0]["video_url"].startswith("http://testserver/m/")
    assert not rows[1]["answered"] and rows[1]["video_url"] == ""
    video = alice_client.get(rows[0]["video_url"].removeprefix("http://testserver"))
    assert video.status_code == 200


def test_outsider_gets_404(charlie_client, applicant):
    assert charlie_client.get(f"/api/v1/applicants/{applicant.im_id}/answers/").status_code == 404


def test_anonymous_is_refused(client, applicant):
    assert client.get(f"/api/v1/applicants/{applicant.im_id}/answers/").status_code in {401, 403}
