"""The recorded interview's writes: takes, chunks, keeping, submitting, expiry and normalisation."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.utils import timezone

from applicants.models import Applicant
from interviews import services
from interviews.models import Answer, Take
from messaging.models import Message
from tests.factories import ApplicantFactory, JobPostingFactory

pytestmark = pytest.mark.django_db


def upload(applicant, question, data: bytes, chunk: int) -> Take:
    """Start a take, send its chunks (last first, to show order does not matter) and complete it."""
    take = services.take_start(applicant=applicant, question=question, declared_type="video/webm;codecs=vp8")
    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    for index in reversed(range(len(pieces))):
        take = Take.objects.select_related("applicant__job_posting").get(pk=take.pk)
        services.take_chunk_write(
            take=take, index=index, stream=io.BytesIO(pieces[index]), length=len(pieces[index])
        )
    return services.take_complete(take=take, size=len(data), duration=2.0)


@pytest.fixture
def small_chunks(settings):
    settings.RECORDING_CHUNK_BYTES = 16 * 1024
    return settings.RECORDING_CHUNK_BYTES


def test_chunks_in_any_order_and_repeated_make_the_exact_file(applicant, sample_webm, small_chunks):
    question = applicant.job_posting.questions.first()
    take = services.take_start(applicant=applicant, question=question, declared_type="video/webm")
    pieces = [sample_webm[i : i + small_chunks] for i in range(0, len(sample_webm), small_chunks)]
    for index in [*reversed(range(len(pieces))), 0, len(pieces) - 1]:  # a retried first and last chunk
        services.take_chunk_write(
            take=take, index=index, stream=io.BytesIO(pieces[index]), length=len(pieces[index])
        )
    take = services.take_complete(take=take, size=len(sample_webm), duration=2.0)
    assert take.state == Take.State.COMPLETE
    assert take.file.read() == sample_webm
    assert take.chunks.count() == len(pieces)


def test_completing_with_a_missing_chunk_is_refused(applicant, sample_webm, small_chunks):
    question = applicant.job_posting.questions.first()
    take = services.take_start(applicant=applicant, question=question, declared_type="video/webm")
    services.take_chunk_write(
        take=take, index=0, stream=io.BytesIO(sample_webm[:small_chunks]), length=small_chunks
    )
    with pytest.raises(services.UploadRejected, match=r"まだ届いていません|not arrived"):
        services.take_complete(take=take, size=len(sample_webm), duration=2.0)
    take.refresh_from_db()
    assert take.state == Take.State.UPLOADING


def test_bytes_that_are_not_webm_or_mp4_are_refused_whatever_the_declared_type(applicant):
    question = applicant.job_posting.questions.first()
    take = services.take_start(applicant=applicant, question=question, declared_type="video/webm")
    fake = b"<html>not a video</html>"
    with pytest.raises(services.UploadRejected):
        services.take_chunk_write(take=take, index=0, stream=io.BytesIO(fake), length=len(fake))
    assert not take.chunks.exists()
    assert take.file.size == 0


def test_mp4_declared_but_webm_sent_is_refused(applicant, sample_webm):
    question = applicant.job_posting.questions.first()
    take = services.take_start(applicant=applicant, question=question, declared_type="video/mp4")
    with pytest.raises(services.UploadRejected):
        services.take_chunk_write(take=take, index=0, stream=io.BytesIO(sample_webm[:1000]), length=1000)


def test_unsupported_declared_type_is_refused(applicant):
    question = applicant.job_posting.questions.first()
    with pytest.raises(services.UploadRejected):
        services.take_start(applicant=applicant, question=question, declared_type="image/gif")
    assert not Take.objects.exists()


def test_a_take_larger_than_the_limit_is_refused(applicant, sample_webm, settings, small_chunks):
    settings.RECORDING_MAX_TAKE_BYTES = 2 * small_chunks
    question = applicant.job_posting.questions.first()
    take = services.take_start(applicant=applicant, question=question, declared_type="video/webm")
    data = sample_webm[:small_chunks]
    with pytest.raises(services.UploadRejected, match="MB"):
        services.take_chunk_write(take=take, index=2, stream=io.BytesIO(data), length=len(data))
    with pytest.raises(services.UploadRejected, match="MB"):
        services.take_complete(take=take, size=3 * small_chunks, duration=1.0)


def test_takes_are_limited_per_question(applicant, sample_webm, small_chunks):
    question = applicant.job_posting.questions.first()
    question.max_takes = 2
    question.save()
    upload(applicant, question, sample_webm, small_chunks)
    upload(applicant, question, sample_webm, small_chunks)
    with pytest.raises(services.UploadRejected):
        services.take_start(applicant=applicant, question=question, declared_type="video/webm")


def test_keeping_a_take_makes_the_answer_final(applicant, sample_webm, small_chunks):
    question = applicant.job_posting.questions.first()
    first = upload(applicant, question, sample_webm, small_chunks)
    second = upload(applicant, question, sample_webm, small_chunks)
    answer = services.take_keep(take=second)
    assert answer.take == second
    with pytest.raises(services.UploadRejected):
        services.take_keep(take=first)
    with pytest.raises(services.UploadRejected):
        services.take_start(applicant=applicant, question=question, declared_type="video/webm")


def test_keeping_the_same_take_twice_is_harmless(applicant, sample_webm, small_chunks):
    question = applicant.job_posting.questions.first()
    take = upload(applicant, question, sample_webm, small_chunks)
    assert services.take_keep(take=take) == services.take_keep(take=take)
    assert Answer.objects.count() == 1


def test_a_take_still_uploading_cannot_be_kept(applicant):
    question = applicant.job_posting.questions.first()
    take = services.take_start(applicant=applicant, question=question, declared_type="video/webm")
    with pytest.raises(services.UploadRejected):
        services.take_keep(take=take)
    assert not Answer.objects.exists()


def answer_all(applicant, data, chunk):
    for question in applicant.job_posting.questions.all():
        services.take_keep(take=upload(applicant, question, data, chunk))


def test_submitting_sets_submitted_and_queues_d05_once(
    applicant, sample_webm, small_chunks, django_capture_on_commit_callbacks
):
    answer_all(applicant, sample_webm, small_chunks)
    with django_capture_on_commit_callbacks(execute=False):
        services.interview_submit(applicant=applicant)
    applicant.refresh_from_db()
    assert applicant.status == Applicant.Status.SUBMITTED
    assert Message.objects.filter(applicant=applicant, template_code="D05").count() == 1
    with pytest.raises(services.InterviewClosed):
        services.interview_submit(applicant=applicant)
    assert Message.objects.filter(applicant=applicant, template_code="D05").count() == 1


def test_submitting_with_an_unanswered_question_changes_nothing(applicant, sample_webm, small_chunks):
    question = applicant.job_posting.questions.first()
    services.take_keep(take=upload(applicant, question, sample_webm, small_chunks))
    with pytest.raises(services.UploadRejected):
        services.interview_submit(applicant=applicant)
    applicant.refresh_from_db()
    assert applicant.status == Applicant.Status.AWAITING
    assert not Message.objects.filter(template_code="D05").exists()


def test_after_submitting_nothing_can_be_recorded(applicant, sample_webm, small_chunks):
    answer_all(applicant, sample_webm, small_chunks)
    services.interview_submit(applicant=applicant)
    question = applicant.job_posting.questions.first()
    with pytest.raises(services.InterviewClosed) as closed:
        services.take_start(applicant=applicant, question=question, declared_type="video/webm")
    assert closed.value.reason == "submitted"


def test_withdrawn_applicant_can_record_nothing(applicant):
    applicant.status = Applicant.Status.WITHDRAWN
    applicant.save()
    with pytest.raises(services.InterviewClosed) as closed:
        services.take_start(
            applicant=applicant, question=applicant.job_posting.questions.first(), declared_type="video/webm"
        )
    assert closed.value.reason == "withdrawn"


def test_past_the_deadline_nothing_is_accepted_even_mid_upload(applicant, sample_webm, small_chunks):
    question = applicant.job_posting.questions.first()
    take = services.take_start(applicant=applicant, question=question, declared_type="video/webm")
    posting = applicant.job_posting
    posting.deadline = timezone.now() - dt.timedelta(minutes=1)
    posting.save()
    take = Take.objects.select_related("applicant__job_posting").get(pk=take.pk)
    with pytest.raises(services.InterviewClosed) as closed:
        services.take_chunk_write(take=take, index=0, stream=io.BytesIO(sample_webm[:100]), length=100)
    assert closed.value.reason == "deadline"


def test_a_question_of_another_posting_is_refused(applicant, other_company):
    foreign = JobPostingFactory(company=other_company)
    from tests.factories import QuestionFactory

    question = QuestionFactory(job_posting=foreign)
    with pytest.raises(services.UploadRejected):
        services.take_start(applicant=applicant, question=question, declared_type="video/webm")


def test_expiry_marks_only_awaiting_applicants_of_postings_past_deadline(job_posting, company):
    past = JobPostingFactory(company=company, deadline=timezone.now() - dt.timedelta(hours=1))
    waiting = ApplicantFactory(job_posting=past)
    submitted = ApplicantFactory(job_posting=past, status=Applicant.Status.SUBMITTED)
    withdrawn = ApplicantFactory(job_posting=past, status=Applicant.Status.WITHDRAWN)
    current = ApplicantFactory(job_posting=job_posting)
    assert services.applicants_expire() == 1
    statuses = dict(Applicant.objects.values_list("pk", "status"))
    assert statuses[waiting.pk] == "expired"
    assert statuses[submitted.pk] == "submitted"
    assert statuses[withdrawn.pk] == "withdrawn"
    assert statuses[current.pk] == "awaiting"


def test_the_beat_task_runs_the_expiry(company):
    from interviews.tasks import applicants_expire_task

    past = JobPostingFactory(company=company, deadline=timezone.now() - dt.timedelta(hours=1))
    waiting = ApplicantFactory(job_posting=past)
    applicants_expire_task.apply()
    waiting.refresh_from_db()
    assert waiting.status == "expired"


def ffprobe(path: str) -> str:
    """ffprobe's view of a file's streams and format; raises if it is not valid media."""
    fields = "stream=codec_name,codec_type:format=format_name,duration"
    args = ["ffprobe", "-v", "error", "-show_entries", fields, "-of", "default=nw=1", path]
    return subprocess.run(args, capture_output=True, check=True, text=True).stdout


def test_normalising_remuxes_a_vp8_take_into_webm_with_duration_index_and_poster(
    applicant, sample_webm, small_chunks
):
    """Every kind of take is covered in test_normalise.py; this is the sample the other tests use."""
    question = applicant.job_posting.questions.first()
    answer = services.take_keep(take=upload(applicant, question, sample_webm, small_chunks))
    services.answer_normalise(answer=answer)
    answer.refresh_from_db()
    assert answer.processing == Answer.Processing.DONE, answer.processing_error
    assert answer.duration == pytest.approx(2.0, abs=0.2)
    probe = ffprobe(answer.video.path)
    assert "codec_name=vp8" in probe and "codec_name=opus" in probe and "format_name=matroska,webm" in probe
    with open(answer.video.path, "rb") as video:
        head = video.read(200_000)
    cues, cluster = head.find(b"\x1c\x53\xbb\x6b"), head.find(b"\x1f\x43\xb6\x75")
    assert 0 < cues < cluster, "the Cues (index) before the first Cluster"
    with open(answer.poster.path, "rb") as poster:
        assert poster.read(3) == b"\xff\xd8\xff"


def test_normalising_a_broken_video_keeps_the_original_and_records_the_error(applicant, small_chunks):
    question = applicant.job_posting.questions.first()
    broken = b"\x1a\x45\xdf\xa3" + b"\x00garbage" * 100
    answer = services.take_keep(take=upload(applicant, question, broken, small_chunks))
    services.answer_normalise(answer=answer)
    answer.refresh_from_db()
    assert answer.processing == Answer.Processing.FAILED
    assert "exited with" in answer.processing_error  # ffprobe's or ffmpeg's own message
    assert answer.playback_name == answer.take.file.name
    assert answer.take.file.read() == broken
    assert answer.display_duration == 2.0


def test_without_ffmpeg_the_original_is_kept_with_a_clear_log_line(
    applicant, sample_webm, small_chunks, settings, caplog, django_capture_on_commit_callbacks
):
    settings.FFMPEG_BINARY = "/nonexistent/ffmpeg"
    question = applicant.job_posting.questions.first()
    take = upload(applicant, question, sample_webm, small_chunks)
    # Keeping queues the normalisation task on commit; it runs eagerly here.
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.take_keep(take=take)
    answer.refresh_from_db()
    assert answer.processing == Answer.Processing.SKIPPED
    assert "ffmpeg/ffprobe not found" in caplog.text
    assert answer.playback_name == answer.take.file.name


def test_the_sweep_requeues_answers_whose_task_was_lost(applicant, sample_webm, small_chunks):
    from interviews.tasks import answers_normalise_sweep_task

    question = applicant.job_posting.questions.first()
    answer = services.take_keep(take=upload(applicant, question, sample_webm, small_chunks))
    # The on-commit nudge never ran (broker lost it): the answer waits.
    assert services.answers_normalise_sweep() == 0, "recent answers are left to their own task"
    Answer.objects.filter(pk=answer.pk).update(kept_at=timezone.now() - dt.timedelta(hours=1))
    assert answers_normalise_sweep_task.apply().get() == 1
    answer.refresh_from_db()
    assert answer.processing == Answer.Processing.DONE, answer.processing_error


@pytest.mark.django_db(transaction=True)
def test_recording_never_waits_for_a_lock_on_the_posting(job_posting, sample_webm, small_chunks):
    """Starting, completing and keeping a take lock the applicant's and the take's rows only: while
    another transaction holds the posting's row (an import being confirmed locks it), applicants of
    that posting keep recording. A FOR UPDATE over the join locked the posting too, so every applicant
    of a posting queued behind every other (640 ms of lock wait per call at 200 applicants)."""
    import threading

    from django.db import connection, transaction

    from applicants.models import JobPosting

    applicant = ApplicantFactory(job_posting=job_posting)
    question = job_posting.questions.first()
    held, release = threading.Event(), threading.Event()

    def hold_the_posting() -> None:
        try:
            with transaction.atomic():
                JobPosting.objects.select_for_update().get(pk=job_posting.pk)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_posting)
    holder.start()
    try:
        assert held.wait(5)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        take = upload(applicant, question, sample_webm, small_chunks)
        assert take.state == Take.State.COMPLETE
        services.take_keep(take=take)
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert Answer.objects.filter(applicant=applicant, take=take).exists()
