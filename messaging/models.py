"""Message templates per company, the outbox of messages, and the suppression list."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applicants.models import Applicant, Company


class TemplateCode(models.TextChoices):
    D03 = "D03", _("D03 Registration complete")
    D04 = "D04", _("D04 Answer request")
    D05 = "D05", _("D05 Submission received")
    D06 = "D06", _("D06 Deadline extended")
    # To reviewers and recruiters, not applicants: their messages have no applicant (Message.applicant).
    D07 = "D07", _("D07 Evaluation request")
    D08 = "D08", _("D08 New submissions")


class Language(models.TextChoices):
    JA = "ja", _("Japanese")
    EN = "en", _("English")


class MessageTemplate(models.Model):
    """A company's own version of a template; without a row the shipped default is used."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="message_templates")
    code = models.CharField(_("template"), max_length=3, choices=TemplateCode.choices)
    # The recipients' language: it picks the shipped default and how {{回答期限}} is written.
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.JA)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body (plain text)"), max_length=20000)
    html_body = models.TextField(_("body (HTML, optional)"), max_length=50000, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="message_template_unique")]

    def __str__(self) -> str:
        return f"{self.company} {self.code}"


class MessagingSettings(models.Model):
    """Per-company switches of docs/product.md §5: D05 and the automatic reminder (D04) can be turned off."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="messaging_settings")
    d05_enabled = models.BooleanField(_("send D05 when an applicant submits"), default=True)
    auto_reminder_enabled = models.BooleanField(_("automatic reminders (D04)"), default=True)

    class Meta:
        verbose_name = _("messaging settings")
        verbose_name_plural = _("messaging settings")

    def __str__(self) -> str:
        return str(self.company)


class Message(models.Model):
    """One outgoing mail: written with its cause, sent by a worker, updated by ESP webhooks."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed")
        # Not sent: when it was about to leave, its invitation no longer held (the applicant withdrew,
        # or the answer deadline had passed). The reason is in last_error.
        CANCELLED = "cancelled", _("Cancelled")

    # Every index is written twice per mail (claimed, then marked sent), so none is kept twice: the
    # foreign keys are served by the (company|applicant, -created_at) indexes below. On PostgreSQL one
    # composite foreign key, (applicant, company) → the applicant's (id, company), stands for both
    # (migration 0003): a message always belongs to its applicant's company, one check per row.
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="messages", db_index=False, db_constraint=False
    )
    # Empty for mail to a reviewer or a recruiter (D07, D08): the row then names only its address, and
    # the idempotency key says whom it is for (`D07:<request>:reviewer:<id>`); the composite key is not
    # checked for it (MATCH SIMPLE skips a NULL column).
    applicant = models.ForeignKey(
        Applicant,
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,
        db_constraint=False,
        null=True,
        blank=True,
    )
    template_code = models.CharField(_("template"), max_length=3, choices=TemplateCode.choices)
    idempotency_key = models.CharField(max_length=100)
    to = models.EmailField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    html_body = models.TextField(_("HTML body"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, db_default=0)
    last_error = models.TextField(_("error"), blank=True, default="", db_default="")
    provider_message_id = models.CharField(max_length=255, blank=True, default="", db_default="")
    # A worker owns a `sending` row until lease_until; after that the sweep may hand it to another.
    claim_token = models.CharField(max_length=32, blank=True, default="", db_default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), db_default=models.functions.Now())
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    event_at = models.DateTimeField(_("last event at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The senders' work queue: only unsent rows are indexed, so it stays small.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="message_due",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
            models.Index(fields=["company", "-created_at"], name="message_company_created"),
            models.Index(fields=["applicant", "-created_at"], name="message_applicant_created"),
            models.Index(fields=["provider_message_id"], name="message_provider_id"),
            # Only explicit resends have an author; the index serves deleting a user.
            models.Index(
                fields=["created_by"], name="message_created_by", condition=models.Q(created_by__isnull=False)
            ),
        ]
        constraints = [
            # A unique constraint, not unique=True: no second (LIKE) index on PostgreSQL.
            models.UniqueConstraint(fields=["idempotency_key"], name="message_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"{self.template_code} → {self.to} ({self.status})"


class Suppression(models.Model):
    """An address of a company that gets no more mail (hard bounce or complaint)."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Hard bounce")
        COMPLAINED = "complained", _("Complaint")
        MANUAL = "manual", _("Added by an operator")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="suppressions")
    email = models.EmailField(_("email address"), max_length=254)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [models.UniqueConstraint(fields=["company", "email"], name="suppression_unique")]

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"
