"""Upload abuse: takes started per question, bytes per applicant, abandoned uploads, S3 part bounds."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from interviews import services, storage
from interviews.models import Take, TakeChunk
from interviews.tests.s3 import s3_endpoint  # noqa: F401 - the `s3` fixture

pytestmark = pytest.mark.django_db
WEBM = storage.WEBM_MAGIC + b"\x00" * 60


def start(applicant, question) -> Take:
    return services.take_start(applicant=applicant, question=question, declared_type="video/webm")


def write(take: Take, index: int, data: bytes) -> None:
    take = Take.objects.select_related("applicant__job_posting").get(pk=take.pk)
    services.take_chunk_write(take=take, index=index, stream=io.BytesIO(data), length=len(data))


def test_started_takes_stop_at_the_maximum_plus_one_retry(applicant, settings):
    question = applicant.job_posting.questions.first()
    question.max_takes = 2
    question.save()
    for _ in range(2 + settings.RECORDING_EXTRA_TAKES):
        start(applicant, question)
    with pytest.raises(services.UploadRejected, match="回数をすべて使いました"):
        start(applicant, question)
    assert Take.objects.filter(question=question).count() == 3


def test_an_applicant_cannot_store_more_than_the_applicant_limit(applicant, settings):
    settings.RECORDING_CHUNK_BYTES = 64 * 1024
    settings.RECORDING_MAX_APPLICANT_BYTES = 3 * 64 * 1024
    first, second = applicant.job_posting.questions.all()[:2]
    chunk = WEBM + b"x" * (64 * 1024 - len(WEBM))
    take = start(applicant, first)
    write(take, 0, chunk)
    write(take, 1, chunk)
    other = start(applicant, second)
    write(other, 0, chunk)
    with pytest.raises(services.UploadRejected, match="上限"):
        write(other, 1, chunk)
    assert sum(TakeChunk.objects.values_list("size", flat=True)) == 3 * 64 * 1024
    with pytest.raises(services.UploadRejected, match="上限"):
        start(applicant, applicant.job_posting.questions.last())


def test_the_limit_message_is_japanese_by_default(client, applicant, settings):
    settings.RECORDING_MAX_APPLICANT_BYTES = 0
    question = applicant.job_posting.questions.first()
    response = client.post(
        f"/i/{applicant.interview_token}/takes/",
        {"question": question.pk, "type": "video/webm"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "上限" in response.json()["detail"]


def test_abandoned_local_uploads_are_deleted_and_recent_ones_kept(applicant):
    first, second = applicant.job_posting.questions.all()[:2]
    old, recent = start(applicant, first), start(applicant, second)
    write(old, 0, WEBM)
    Take.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert services.takes_abandoned_sweep() == 1
    old.refresh_from_db()
    assert old.state == Take.State.FAILED and not old.chunks.exists()
    assert not storage.media_storage().exists(old.storage_name)
    assert storage.media_storage().exists(recent.storage_name)
    assert Take.objects.get(pk=recent.pk).state == Take.State.UPLOADING


def test_abandoned_s3_multipart_uploads_are_aborted(s3, applicant):
    take = start(applicant, applicant.job_posting.questions.first())
    client, bucket = storage._s3()
    assert len(client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])) == 1
    Take.objects.filter(pk=take.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert services.takes_abandoned_sweep() == 1
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert Take.objects.get(pk=take.pk).state == Take.State.FAILED


def test_presigned_parts_are_bounded_in_count_and_by_the_applicant_limit(s3, applicant, settings):
    take = start(applicant, applicant.job_posting.questions.first())
    part = settings.RECORDING_S3_PART_BYTES
    max_parts = -(-settings.RECORDING_MAX_TAKE_BYTES // part)
    assert len(services.take_parts_presign(take=take, part_numbers=[1, 2])) == 2
    for numbers in ([max_parts + 1], list(range(1, 102)), [0], []):
        with pytest.raises(services.UploadRejected):
            services.take_parts_presign(take=take, part_numbers=numbers)
    settings.RECORDING_MAX_APPLICANT_BYTES = 2 * part
    assert len(services.take_parts_presign(take=take, part_numbers=[2])) == 1
    with pytest.raises(services.UploadRejected, match="上限"):
        services.take_parts_presign(take=take, part_numbers=[3])
