"""Every write of the recorded interview: takes, chunks, answers, submission, expiry, normalisation."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Applicant, ApplicantEvent, Question
from interviewmaker.tasks import enqueue_on_commit
from interviews import media, storage
from interviews.models import Answer, Take, TakeChunk
from webhooks import emit

logger = logging.getLogger(__name__)

CONTENT_TYPES = {"webm": "video/webm", "mp4": "video/mp4"}


class InterviewClosed(Exception):
    """The interview accepts nothing any more; `reason` is withdrawn, submitted, expired or deadline."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class UploadRejected(Exception):
    """Bad input from the applicant's browser; the message is shown to the applicant."""


@dataclass(frozen=True)
class ChunkResult:
    index: int
    size: int


def interview_gate(*, applicant: Applicant) -> None:
    """Raise InterviewClosed unless the applicant may still record and submit."""
    if applicant.status == Applicant.Status.WITHDRAWN:
        raise InterviewClosed("withdrawn")
    if applicant.status == Applicant.Status.SUBMITTED:
        raise InterviewClosed("submitted")
    if applicant.status == Applicant.Status.EXPIRED or applicant.deadline_passed:
        raise InterviewClosed("deadline")


def _locked(applicant: Applicant) -> Applicant:
    """Lock the applicant's row and refresh what the gate reads: serialises starts, keeps and the submit.

    Only the applicant's row (`of=self`): a plain FOR UPDATE over the join would also lock the posting's
    row, and so serialise every applicant of the posting (measured: 640 ms of lock wait per call at
    200 applicants recording at once). Only the gate's columns are read again: the applicant, posting
    and company read for the request are kept, so a lock is one small query on every upload call.
    """
    row = (
        Applicant.objects.select_for_update(of=("self",))
        .filter(pk=applicant.pk)
        .values("status", "deadline", "job_posting__deadline")
        .get()
    )
    applicant.status, applicant.deadline = row["status"], row["deadline"]
    applicant.job_posting.deadline = row["job_posting__deadline"]
    interview_gate(applicant=applicant)
    return applicant


def _container_from_type(declared_type: str) -> str:
    base = declared_type.split(";", 1)[0].strip().lower()
    if base in {"video/webm", "audio/webm"}:
        return Take.Container.WEBM
    if base in {"video/mp4", "audio/mp4", "video/quicktime"}:
        return Take.Container.MP4
    raise UploadRejected(_("This video format is not supported. Please use a current browser."))


class UsedTake(NamedTuple):
    question_id: int
    state: str
    size: int | None
    chunk_bytes: int  # of the chunks received so far
    kept: bool


@dataclass(frozen=True)
class TakeUsage:
    """What an applicant's current takes use, read in one query on every upload call that checks limits.

    An applicant has a few takes per question at most (take_start caps them), so the rows are few.
    """

    takes: list[UsedTake]

    def _of(self, question: Question) -> list[UsedTake]:
        return [take for take in self.takes if take.question_id == question.pk]

    def completed(self, question: Question) -> int:
        return sum(1 for take in self._of(question) if take.state == Take.State.COMPLETE)

    def started(self, question: Question) -> int:
        return len(self._of(question))

    def kept(self, question: Question) -> bool:
        return any(take.kept for take in self._of(question))

    @property
    def stored_bytes(self) -> int:
        """Finished takes, and the chunks of takes still uploading."""
        complete = sum(t.size or 0 for t in self.takes if t.state == Take.State.COMPLETE)
        return complete + sum(t.chunk_bytes for t in self.takes if t.state == Take.State.UPLOADING)


# Raw SQL on purpose: every chunk of every upload runs it, and the ORM spent more time building this
# query (an aggregate over a join and an EXISTS) than PostgreSQL spends answering it.
USAGE_SQL = f"""
SELECT t.question_id, t.state, t.size,
       COALESCE((SELECT SUM(c.size) FROM {TakeChunk._meta.db_table} c WHERE c.take_id = t.id), 0),
       EXISTS (SELECT 1 FROM {Answer._meta.db_table} a WHERE a.take_id = t.id AND a.archived_at IS NULL)
FROM {Take._meta.db_table} t
WHERE t.applicant_id = %s AND t.archived_at IS NULL
"""  # noqa: S608 - table names from the models, the applicant as a parameter


def _usage(applicant: Applicant) -> TakeUsage:
    with connection.cursor() as cursor:
        cursor.execute(USAGE_SQL, [applicant.pk])
        return TakeUsage(takes=[UsedTake(*row) for row in cursor.fetchall()])


@transaction.atomic
def take_start(*, applicant: Applicant, question: Question, declared_type: str) -> Take:
    """Open a new take for the question, locally (an empty file) or as an S3 multipart upload."""
    applicant = _locked(applicant)
    if question.job_posting_id != applicant.job_posting_id:
        raise UploadRejected(_("This question is not part of your interview."))
    usage = _usage(applicant)
    if usage.kept(question):
        raise UploadRejected(_("You have already kept an answer for this question."))
    if usage.completed(question) >= question.max_takes:
        raise UploadRejected(_("You have used all takes for this question."))
    # Started takes count too, so that one link cannot open uploads without end; one more than the
    # maximum (RECORDING_EXTRA_TAKES) lets a take whose upload failed be recorded again.
    if usage.started(question) >= question.max_takes + settings.RECORDING_EXTRA_TAKES:
        raise UploadRejected(_("You have started all takes for this question."))
    if usage.stored_bytes >= settings.RECORDING_MAX_APPLICANT_BYTES:
        raise UploadRejected(_quota_message())
    container = _container_from_type(declared_type)
    take = Take(
        applicant=applicant, question=question, container=container, declared_type=declared_type[:100]
    )
    take.file.name = storage.media_storage().generate_filename(
        f"takes/{applicant.company_id}/{applicant.pk}/{take.key}.{container}"
    )
    if storage.uses_s3():
        take.s3_upload_id = storage.s3_multipart_create(take.storage_name, CONTENT_TYPES[container])
    else:
        storage.local_path(take.storage_name).touch()
    take.save()
    return take


def _quota_message() -> str:
    return _(
        "Your recordings have reached the storage limit of %(mb)d MB for this interview. "
        "Please contact the company."
    ) % {"mb": settings.RECORDING_MAX_APPLICANT_BYTES // 2**20}


def _check_uploading(take: Take) -> None:
    interview_gate(applicant=take.applicant)
    if take.archived_at is not None:
        raise UploadRejected(_("Your interview was reset. Please reload the page and record again."))
    if take.state != Take.State.UPLOADING:
        raise UploadRejected(_("This take has already been finished."))


def take_chunk_write(*, take: Take, index: int, stream: Any, length: int) -> ChunkResult:
    """Store chunk `index` of a local take at its offset; sending the same chunk again is harmless."""
    _check_uploading(take)
    chunk_bytes = settings.RECORDING_CHUNK_BYTES
    if length <= 0 or length > chunk_bytes:
        raise UploadRejected(_("A chunk must be between 1 byte and the chunk size."))
    offset = index * chunk_bytes
    if offset + length > settings.RECORDING_MAX_TAKE_BYTES:
        raise UploadRejected(
            _("The recording is larger than %(mb)d MB.") % {"mb": settings.RECORDING_MAX_TAKE_BYTES // 2**20}
        )
    if _usage(take.applicant).stored_bytes + length > settings.RECORDING_MAX_APPLICANT_BYTES:
        raise UploadRejected(_quota_message())
    if index == 0:
        # Check the container from the bytes themselves before anything is written.
        head = stream.read(16)
        if storage.container_of(head) != take.container:
            raise UploadRejected(_("The file is not a WebM or MP4 video."))
        stream = _Prefixed(head, stream)
    written = storage.local_write(take.storage_name, offset, stream, length)
    if written != length:
        raise UploadRejected(_("The chunk arrived incomplete. It will be sent again."))
    TakeChunk.objects.bulk_create([TakeChunk(take=take, index=index, size=length)], ignore_conflicts=True)
    return ChunkResult(index=index, size=length)


class _Prefixed:
    """A stream that first returns bytes already read from it."""

    def __init__(self, head: bytes, stream: Any):
        self.head, self.stream = head, stream

    def read(self, n: int) -> bytes:
        if self.head:
            piece, self.head = self.head[:n], self.head[n:]
            return piece
        return bytes(self.stream.read(n))


def take_parts_presign(*, take: Take, part_numbers: list[int]) -> dict[int, str]:
    """Presigned PUT URLs for S3 multipart parts of a take (the browser uploads them directly)."""
    _check_uploading(take)
    max_parts = -(-settings.RECORDING_MAX_TAKE_BYTES // settings.RECORDING_S3_PART_BYTES)
    if not part_numbers or any(not 1 <= n <= max_parts for n in part_numbers) or len(part_numbers) > 100:
        raise UploadRejected(_("The recording is larger than %(mb)d MB.") % {"mb": _max_mb()})
    # Parts bypass Django: no URL for a part that would start beyond what the applicant may still store.
    room = settings.RECORDING_MAX_APPLICANT_BYTES - _usage(take.applicant).stored_bytes
    if (max(part_numbers) - 1) * settings.RECORDING_S3_PART_BYTES >= room:
        raise UploadRejected(_quota_message())
    return {n: storage.s3_part_url(take.storage_name, take.s3_upload_id, n) for n in part_numbers}


def _max_mb() -> int:
    return settings.RECORDING_MAX_TAKE_BYTES // 2**20


def received_chunks(*, take: Take) -> list[int]:
    return sorted(take.chunks.values_list("index", flat=True))


def _reject_stored(take: Take, error: str) -> Take:
    """Mark a take FAILED and delete its stored bytes once that is committed."""
    name = take.storage_name
    transaction.on_commit(lambda: storage.media_storage().delete(name))
    take.state = Take.State.FAILED
    take.error = error
    take.save(update_fields=["state", "error"])
    return take


@transaction.atomic
def take_complete(
    *, take: Take, size: int, duration: float | None, parts: list[dict[str, Any]] | None = None
) -> Take:
    """Finish a take once every byte is stored; check its size and real container. Idempotent.

    A take whose stored bytes are too big or not WebM/MP4 comes back in state FAILED and is deleted.
    """
    # The take's row only: not its applicant's nor the posting's (see _locked). The applicant and
    # question read for the request come along.
    locked = Take.objects.select_for_update().get(pk=take.pk)
    locked.applicant, locked.question = take.applicant, take.question
    take = locked
    if take.state == Take.State.COMPLETE:
        return take
    _check_uploading(take)
    if size <= 0 or size > settings.RECORDING_MAX_TAKE_BYTES:
        raise UploadRejected(_("The recording is larger than %(mb)d MB.") % {"mb": _max_mb()})
    if storage.uses_s3():
        _s3_complete(take, parts or [])
    else:
        _local_check(take, size)
    stored_size, head = storage.stored_size_and_head(take.storage_name)
    if stored_size > settings.RECORDING_MAX_TAKE_BYTES or storage.container_of(head) != take.container:
        # Returned, not raised, so that the FAILED state is committed; the caller tells the applicant.
        return _reject_stored(take, f"rejected: size {stored_size}, head {head[:8].hex()}")
    usage = _usage(take.applicant)
    if usage.completed(take.question) >= take.question.max_takes:
        raise UploadRejected(_("You have used all takes for this question."))
    if storage.uses_s3() and usage.stored_bytes + stored_size > settings.RECORDING_MAX_APPLICANT_BYTES:
        # S3 parts bypass Django, so the applicant's total is checked once the object exists.
        return _reject_stored(take, f"rejected: applicant quota, size {stored_size}")
    take.state = Take.State.COMPLETE
    take.size = stored_size
    take.client_duration = duration if duration and 0 < duration < 3600 else None
    take.completed_at = timezone.now()
    take.save(update_fields=["state", "size", "client_duration", "completed_at"])
    return take


def _local_check(take: Take, size: int) -> None:
    chunk_bytes = settings.RECORDING_CHUNK_BYTES
    expected = -(-size // chunk_bytes)
    sizes = dict(take.chunks.values_list("index", "size"))
    missing = [i for i in range(expected) if i not in sizes]
    if missing:
        raise UploadRejected(_("Some parts of the recording have not arrived yet."))
    short = any(sizes[i] != chunk_bytes for i in range(expected - 1))
    if short or sum(sizes[i] for i in range(expected)) != size or any(i >= expected for i in sizes):
        raise UploadRejected(_("The recording arrived with a different size than announced."))
    # Chunks are written in place, so a larger file can only come from a shorter final upload.
    path = storage.local_path(take.storage_name)
    if path.stat().st_size > size:
        os.truncate(path, size)


def _s3_complete(take: Take, parts: list[dict[str, Any]]) -> None:
    try:
        pairs = sorted((int(p["number"]), str(p["etag"])) for p in parts)
    except (KeyError, TypeError, ValueError):
        raise UploadRejected(_("The upload could not be finished. Please try again.")) from None
    if not pairs or [number for number, _etag in pairs] != list(range(1, len(pairs) + 1)):
        raise UploadRejected(_("Some parts of the recording have not arrived yet."))
    try:
        clean = [{"number": number, "etag": etag} for number, etag in pairs]
        storage.s3_multipart_complete(take.storage_name, take.s3_upload_id, clean)
    except Exception as exc:  # botocore's ClientError: a wrong ETag, a missing part, a too small part
        logger.warning("S3 multipart completion failed for take %s: %s", take.pk, exc)
        raise UploadRejected(_("The upload could not be finished. Please try again.")) from None


@transaction.atomic
def take_keep(*, take: Take) -> Answer:
    """Keep a finished take as the answer to its question; the answer is then final."""
    applicant = _locked(take.applicant)
    take = Take.objects.select_for_update().get(pk=take.pk, applicant=applicant)
    if take.state != Take.State.COMPLETE:
        raise UploadRejected(_("This take has not been uploaded completely yet."))
    existing = Answer.objects.current().filter(applicant=applicant, question_id=take.question_id).first()
    if existing is not None:
        # A retried "keep" whose first response was lost succeeds again instead of failing.
        if existing.take_id == take.pk:
            return existing
        raise UploadRejected(_("You have already kept an answer for this question."))
    answer = Answer.objects.create(
        applicant=applicant, question_id=take.question_id, take=take, duration=take.client_duration
    )
    from interviews.tasks import answer_normalise_task

    enqueue_on_commit(answer_normalise_task, answer.pk)
    return answer


@transaction.atomic
def interview_submit(*, applicant: Applicant) -> Applicant:
    """Submit every answer: status 回答済 and D05 queued, in one transaction; nothing changes afterwards."""
    applicant = _locked(applicant)
    question_ids = set(applicant.job_posting.questions.values_list("pk", flat=True))
    answered = set(applicant.answers.current().values_list("question_id", flat=True))
    if not question_ids or question_ids - answered:
        raise UploadRejected(_("Please answer every question before submitting."))
    applicant.status = Applicant.Status.SUBMITTED
    applicant.submitted_at = timezone.now()
    applicant.save(update_fields=["status", "submitted_at", "updated_at"])
    ApplicantEvent.objects.create(
        company_id=applicant.company_id, applicant=applicant, kind=ApplicantEvent.Kind.SUBMITTED
    )
    from messaging.services import messages_queue

    messages_queue(template_code="D05", applicants=[applicant], key="submitted")
    emit.applicants_event(company=applicant.company, event="applicant.submitted", applicants=[applicant])
    return applicant


class ResetRefused(Exception):
    """受験リセット is not possible for this applicant; the message says why, in the user's language."""


@dataclass(frozen=True)
class Reset:
    """What a 受験リセット did: the applicant as it is now, and how many answers and takes it archived."""

    applicant: Applicant
    answers: int
    takes: int


@transaction.atomic
def interview_reset(*, applicant: Applicant, by: Any = None) -> Reset:
    """受験リセット: archive the applicant's answers and takes and let them record again (調整中).

    Archived answers stay on the recruiter's applicant page; reviewers, exports and the applicant see
    only the new attempt. A withdrawn applicant, or one whose deadline has passed, is refused: extend
    the deadline first (applicants.services.applicants_deadline_extend).
    """
    applicant = (
        Applicant.objects.select_for_update(of=("self",)).select_related("job_posting").get(pk=applicant.pk)
    )
    if applicant.status == Applicant.Status.WITHDRAWN:
        raise ResetRefused(_("A withdrawn applicant's interview cannot be reset."))
    if applicant.status == Applicant.Status.EXPIRED or applicant.deadline_passed:
        raise ResetRefused(_("The deadline has passed: extend it first, then reset the interview."))
    now = timezone.now()
    answers = Answer.objects.current().filter(applicant=applicant).update(archived_at=now)
    takes = Take.objects.current().filter(applicant=applicant).update(archived_at=now)
    if not answers and not takes and applicant.status == Applicant.Status.AWAITING:
        raise ResetRefused(_("There is nothing to reset: the applicant has not recorded anything yet."))
    applicant.status = Applicant.Status.AWAITING
    applicant.submitted_at = None
    applicant.save(update_fields=["status", "submitted_at", "updated_at"])
    ApplicantEvent.objects.create(
        company_id=applicant.company_id,
        applicant=applicant,
        kind=ApplicantEvent.Kind.RESET,
        by=by,
        data={"answers": answers, "takes": takes},
    )
    return Reset(applicant=applicant, answers=answers, takes=takes)


@transaction.atomic
def applicants_expire(*, now: Any = None) -> int:
    """Mark 調整中 applicants whose deadline (their own, else the posting's) has passed as 期限切れ, in one
    UPDATE, and announce them (applicant.expired webhooks)."""
    # The UPDATE re-checks status under each row's lock, so an applicant whose submit commits
    # first keeps 回答済.
    moment = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE applicants_applicant a SET status = %s, updated_at = %s "
            "FROM applicants_jobposting p WHERE p.id = a.job_posting_id AND a.status = %s "
            "AND COALESCE(a.deadline, p.deadline) <= %s RETURNING a.id",
            [Applicant.Status.EXPIRED, timezone.now(), Applicant.Status.AWAITING, moment],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if ids:
        expired = list(
            Applicant.objects.filter(pk__in=ids).select_related("company", "job_posting").order_by("pk")
        )
        for company_id in sorted({a.company_id for a in expired}):
            mine = [a for a in expired if a.company_id == company_id]
            emit.applicants_event(company=mine[0].company, event="applicant.expired", applicants=mine)
    return len(ids)


def takes_abandoned_sweep(*, older_than: dt.timedelta | None = None) -> int:
    """Delete what takes still uploading long after they started left behind; they become FAILED.

    Local chunks are deleted with the file; S3 multipart uploads are aborted, which frees their parts.
    """
    age = older_than or dt.timedelta(hours=settings.RECORDING_ABANDONED_HOURS)
    stale = Take.objects.filter(state=Take.State.UPLOADING, created_at__lt=timezone.now() - age)
    swept = 0
    for take_id in list(stale.order_by("created_at").values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            # Locked and re-checked: a completion racing with the sweep either wins or waits.
            take = Take.objects.select_for_update(skip_locked=True).filter(pk=take_id).first()
            if take is None or take.state != Take.State.UPLOADING:
                continue
            try:
                if take.s3_upload_id:
                    storage.s3_multipart_abort(take.storage_name, take.s3_upload_id)
                elif take.storage_name:
                    storage.media_storage().delete(take.storage_name)
            except Exception:  # an upload already aborted, a file already gone: the row still closes
                logger.warning("cleaning abandoned take %s failed", take.pk, exc_info=True)
            take.chunks.all().delete()
            take.state = Take.State.FAILED
            take.error = "abandoned: upload never completed"
            take.save(update_fields=["state", "error"])
            swept += 1
    return swept


# --- Normalisation ---------------------------------------------------------------------------------


def answers_normalise_sweep(*, older_than: dt.timedelta = dt.timedelta(minutes=15)) -> int:
    """Queue again every answer still waiting for normalisation: the row is the truth, the task a nudge."""
    from interviews.tasks import answer_normalise_task

    stale = list(
        Answer.objects.filter(processing=Answer.Processing.PENDING, kept_at__lt=timezone.now() - older_than)
        .order_by("kept_at")
        .values_list("pk", flat=True)[:500]
    )
    for answer_id in stale:
        answer_normalise_task.delay(answer_id)
    return len(stale)


def answer_normalise(*, answer: Answer) -> Answer:
    """Make the file reviewers watch, its duration and a poster; keep the original on failure.

    A take whose codecs every browser plays is only remuxed (MP4 with +faststart, or WebM with its
    index in front); anything else is re-encoded to H.264 MP4 (interviews.media, docs/recording.md).
    """
    ffmpeg, ffprobe = settings.FFMPEG_BINARY, settings.FFPROBE_BINARY
    if not (shutil.which(ffmpeg) and shutil.which(ffprobe)):
        logger.warning(
            "ffmpeg/ffprobe not found (%s, %s): answer %s stays in its original format",
            ffmpeg,
            ffprobe,
            answer.pk,
        )
        return _processing_done(answer, Answer.Processing.SKIPPED, error=_("ffmpeg is not installed."))
    with tempfile.TemporaryDirectory(prefix="im-normalise-") as tmp:
        work = Path(tmp)
        source = work / f"source.{answer.take.container}"
        try:
            original = storage.media_storage().open(answer.take.storage_name, "rb")
            with original as src, open(source, "wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
            nice = settings.VIDEO_NICENESS
            result = media.normalise(ffmpeg=ffmpeg, ffprobe=ffprobe, source=source, work=work, niceness=nice)
            poster = work / "poster.jpg"
            media.poster(
                ffmpeg=ffmpeg, video=result.path, duration=result.duration, target=poster, niceness=nice
            )
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            logger.exception("normalising answer %s failed; the original is kept", answer.pk)
            return _processing_done(answer, Answer.Processing.FAILED, error=str(exc)[-2000:])
        base = f"answers/{answer.applicant.company_id}/{answer.applicant_id}/{answer.take.key}"
        store = storage.media_storage()
        with open(result.path, "rb") as fh:
            answer.video.name = store.save(f"{base}.{result.extension}", File(fh))
        with open(poster, "rb") as fh:
            answer.poster.name = store.save(f"{base}.jpg", File(fh))
        answer.duration = result.duration
        logger.info(
            "answer %s normalised: %s %s, %.1f s",
            answer.pk,
            "remuxed to" if result.remux else "re-encoded to",
            result.extension,
            result.duration,
        )
        return _processing_done(answer, Answer.Processing.DONE, error="")


def _processing_done(answer: Answer, processing: str, *, error: str) -> Answer:
    answer.processing = processing
    answer.processing_error = error
    answer.processed_at = timezone.now()
    answer.save(
        update_fields=["video", "poster", "duration", "processing", "processing_error", "processed_at"]
    )
    return answer
