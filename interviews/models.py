"""Questions of a job posting's recorded interview, and the applicants' answers."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from applicants.models import JobPosting


class Question(models.Model):
    job_posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("question"), max_length=2000)
    preparation_seconds = models.PositiveSmallIntegerField(
        _("preparation time (seconds)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(600)],
    )
    answer_seconds = models.PositiveSmallIntegerField(
        _("answer time limit (seconds)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(600)],
    )
    max_takes = models.PositiveSmallIntegerField(
        _("maximum takes"), default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["job_posting", "position", "id"]

    def __str__(self) -> str:
        return self.text[:50]
