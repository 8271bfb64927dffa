"""An answer request (回答依頼): one bulk D04 send, recorded with who, when, what and how far it got."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
        from applicants.selectors import REMINDED_EVER, REMINDED_NEVER

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
        if search.get("reminded") == REMINDED_NEVER:
            parts.append(str(_("Answer requests: never sent")))
        elif search.get("reminded") == REMINDED_EVER:
            parts.append(str(_("Answer requests: sent at least once")))
        if search.get("not_reminded_since"):
            parts.append(_("No answer request since %(date)s") % {"date": search["not_reminded_since"]})
        if self.im_ids:
            parts.append(_("%(n)s ticked applicants") % {"n": len(self.im_ids)})
        return parts

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}


class AnswerRequestRecipient(models.Model):
    """One applicant of an answer request's selection: sent D04, or skipped and why.

    Written by the background job chunk by chunk (bulk.services.answer_request_run), set-based, as it
    reaches each applicant: what the job decided then, not what the confirmation predicted.
    """

    class Outcome(models.TextChoices):
        # A context of their own: the message statuses of the outbox use "Sent" in another sense.
        SENT = "sent", pgettext_lazy("answer request recipient", "Sent")
        SKIPPED = "skipped", pgettext_lazy("answer request recipient", "Skipped")

    class Reason(models.TextChoices):
        # Not 調整中 when the job reached them: the applicant's status (the same values).
        SUBMITTED = "submitted", _("Not awaiting: submitted")
        EXPIRED = "expired", _("Not awaiting: expired")
        WITHDRAWN = "withdrawn", _("Not awaiting: withdrawn")
        REMINDED_RECENTLY = "recent", _("Reminded recently by another request")
        SUPPRESSED = "suppressed", _("Address on the suppression list")
        REGISTERED_LATER = "later", _("Registered after the confirmation")

    answer_request = models.ForeignKey(
        AnswerRequest, on_delete=models.CASCADE, related_name="recipients", db_index=False
    )
    # Its own index serves deleting an applicant (the cascade finds the rows by it).
    applicant = models.ForeignKey(
        "applicants.Applicant",
        on_delete=models.CASCADE,
        related_name="answer_request_recipients",
        verbose_name=_("applicant"),
    )
    # The applicant's company and iM採用ID (neither ever changes): the list's 「最終回答依頼」 and its
    # search conditions join on them, so the applicants' own (posting|company, status, iM採用ID)
    # indexes answer without a visit of each applicant row. The rows go with their request or their
    # applicant: the company needs no constraint nor index of its own.
    company = models.ForeignKey(
        "applicants.Company",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    im_id = models.PositiveBigIntegerField(_("iM ID"))
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, blank=True)
    # The D04 queued for this recipient (a suppressed address gets one too, marked suppressed). Messages
    # are never deleted on their own, only with their applicant, who takes this row along: no
    # constraint, and no index that every outbox delete would have to maintain.
    message = models.ForeignKey(
        "messaging.Message",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("message"),
    )
    # When the job reached the applicant: for a sent one, when its D04 was queued.
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("answer request recipient")
        verbose_name_plural = _("answer request recipients")
        constraints = [
            # A retried chunk adds nobody twice (INSERT … ON CONFLICT DO NOTHING); the request's list in
            # iM採用ID order, and its counts.
            models.UniqueConstraint(fields=["answer_request", "im_id"], name="answer_request_recipient"),
        ]
        indexes = [
            # The list's 「最終回答依頼」 column and its search conditions: index-only, by iM採用ID, for
            # the D04 sent only.
            models.Index(
                fields=["company", "im_id", "created_at"],
                name="answer_request_recipient_sent",
                condition=models.Q(outcome="sent"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.answer_request_id} → {self.applicant_id} ({self.outcome})"
