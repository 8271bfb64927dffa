"""An answer request (回答依頼): one bulk D04 send, recorded with who, when, what and how far it got."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AnswerRequest(models.Model):
    class Source(models.TextChoices):
        LIST = "list", _("Bulk processing mode")
        API = "api", _("API")
        AUTOMATIC = "automatic", _("Automatic reminder")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Sending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    company = models.ForeignKey(
        "applicants.Company", on_delete=models.CASCADE, related_name="answer_requests"
    )
    # Null when the search spans every posting of the company.
    job_posting = models.ForeignKey(
        "applicants.JobPosting",
        on_delete=models.CASCADE,
        related_name="answer_requests",
        null=True,
        blank=True,
        verbose_name=_("job posting"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.LIST)
    # One request per confirm form / API call / posting reminder: a resubmission finds this row instead.
    idempotency_key = models.CharField(max_length=100)
    # The selection: either the search parameters ("all N matching") or the ticked iM採用IDs.
    search = models.JSONField(_("search conditions"), default=dict, blank=True)
    im_ids = models.JSONField(default=list, blank=True)
    # Applicants registered after the confirmation have higher iM採用IDs and are not part of it.
    max_im_id = models.PositiveBigIntegerField(default=0)
    selected_count = models.PositiveIntegerField(_("selected"), default=0)
    target_count = models.PositiveIntegerField(_("to send"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    # 調整中 applicants left out because another request sent them a D04 within the resend window
    # (settings.ANSWER_REQUEST_RESEND_HOURS), unless the recruiter asked to send them again.
    send_again = models.BooleanField(_("send again to recently reminded"), default=False)
    recent_count = models.PositiveIntegerField(_("reminded recently"), default=0)
    processed_count = models.PositiveIntegerField(_("processed"), default=0)
    queued_count = models.PositiveIntegerField(_("messages queued"), default=0)
    # Keyset cursor of the background job: every applicant up to this iM採用ID has been handled.
    cursor_im_id = models.PositiveBigIntegerField(default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer request")
        verbose_name_plural = _("answer requests")
        # The table kept its name when まとめて処理モード became an app of their own (bulk/0001).
        db_table = "applicants_answerrequest"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "idempotency_key"], name="answer_request_idempotency"),
        ]
        indexes = [models.Index(fields=["company", "-created_at"], name="answer_request_company")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        """Progress of the background job, 0–100."""
        if self.state == self.State.DONE or self.target_count == 0:
            return 100 if self.state == self.State.DONE else 0
        return min(100, self.processed_count * 100 // self.target_count)

    def search_display(self) -> list[str]:
        """The recorded search conditions in words (the posting is shown on its own)."""
        from applicants.models import Applicant

        search = self.search or {}
        parts = []
        if search.get("status") in Applicant.Status.values:
            parts.append(_("Status: %(status)s") % {"status": Applicant.Status(search["status"]).label})
        if search.get("q"):
            parts.append(_("Keyword: %(q)s") % {"q": search["q"]})
        if search.get("registered_from") or search.get("registered_to"):
            parts.append(
                _("Registered: %(start)s – %(end)s")
                % {"start": search.get("registered_from", ""), "end": search.get("registered_to", "")}
            )
        if self.im_ids:
            parts.append(_("%(n)s ticked applicants") % {"n": len(self.im_ids)})
        return parts

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}
