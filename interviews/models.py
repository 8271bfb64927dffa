"""The applicants' answers to a job posting's questions (applicants.models.Question): takes and answers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applicants.models import Question, new_token


def take_upload_to(take: Take, filename: str) -> str:
    """Originals live under the company and applicant, named by the take's random key."""
    return f"takes/{take.applicant.company_id}/{take.applicant_id}/{filename}"


class CurrentQuerySet(models.QuerySet):
    def current(self) -> CurrentQuerySet:
        """The applicant's present attempt: what a 受験リセット archived is left out."""
        return self.filter(archived_at__isnull=True)


class Take(models.Model):
    """One recording of a question by an applicant, uploaded in chunks (local) or parts (S3)."""

    class State(models.TextChoices):
        UPLOADING = "uploading", _("Uploading")
        COMPLETE = "complete", _("Uploaded")
        FAILED = "failed", _("Failed")

    class Container(models.TextChoices):
        WEBM = "webm", "WebM"
        MP4 = "mp4", "MP4"

    applicant = models.ForeignKey("applicants.Applicant", on_delete=models.CASCADE, related_name="takes")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="takes")
    # The public handle in URLs: the applicant's token plus this key address one take.
    key = models.CharField(max_length=40, default=new_token, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.UPLOADING)
    container = models.CharField(_("container"), max_length=4, choices=Container.choices)
    declared_type = models.CharField(_("declared type"), max_length=100, blank=True)
    file = models.FileField(_("original file"), max_length=300, upload_to=take_upload_to, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    # What the browser measured while recording; the fallback when ffmpeg cannot tell.
    client_duration = models.FloatField(_("recorded duration (seconds)"), null=True, blank=True)
    s3_upload_id = models.CharField(max_length=1024, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set by 受験リセット: an earlier attempt's take, kept for recruiters, not counted against max_takes.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        verbose_name = _("take")
        verbose_name_plural = _("takes")
        ordering = ["applicant", "question", "created_at", "id"]
        indexes = [models.Index(fields=["applicant", "question", "state"], name="take_applicant_question")]
        # A constraint rather than unique=True: no second (LIKE) index of random keys.
        constraints = [models.UniqueConstraint(fields=["key"], name="take_key_unique")]

    def __str__(self) -> str:
        return f"{self.applicant_id}/{self.question_id}/{self.key}"

    @property
    def storage_name(self) -> str:
        """The original's name in the default storage."""
        return self.file.name or ""


class TakeChunk(models.Model):
    """A chunk of a take received by Django (local storage); unique per index, so retries are idempotent."""

    take = models.ForeignKey(Take, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    size = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["take", "index"], name="take_chunk_unique")]

    def __str__(self) -> str:
        return f"{self.take_id}#{self.index}"


class Answer(models.Model):
    """The take an applicant kept for a question, with its normalised MP4 and poster."""

    class Processing(models.TextChoices):
        PENDING = "pending", _("Processing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Conversion failed (original kept)")
        SKIPPED = "skipped", _("Not converted (original kept)")

    applicant = models.ForeignKey("applicants.Applicant", on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    take = models.OneToOneField(Take, on_delete=models.PROTECT, related_name="answer")
    video = models.FileField(_("video (MP4)"), max_length=300, blank=True)
    poster = models.FileField(_("poster image"), max_length=300, blank=True)
    duration = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    processing = models.CharField(
        _("processing"), max_length=10, choices=Processing.choices, default=Processing.PENDING
    )
    processing_error = models.TextField(_("processing error"), blank=True)
    kept_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Set by 受験リセット: an earlier attempt's answer, shown to recruiters only (never to reviewers).
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["applicant", "question__position", "question_id"]
        constraints = [
            # One current answer per question; a reset's archived answers stand beside it.
            models.UniqueConstraint(
                fields=["applicant", "question"], condition=Q(archived_at__isnull=True), name="answer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id}/{self.question_id}"

    @property
    def playback_name(self) -> str:
        """The stored file reviewers watch: the normalised MP4, else the original take."""
        return self.video.name or self.take.storage_name

    @property
    def display_duration(self) -> float | None:
        return self.duration if self.duration is not None else self.take.client_duration
