"""Webhook endpoints of a company and the outbox of their deliveries (docs/webhooks.md)."""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    APPLICANT_REGISTERED = "applicant.registered", _("Applicant registered")
    APPLICANT_SUBMITTED = "applicant.submitted", _("Applicant submitted")
    APPLICANT_EXPIRED = "applicant.expired", _("Applicant expired")
    APPLICANT_WITHDRAWN = "applicant.withdrawn", _("Applicant withdrawn")
    EVALUATION_SUBMITTED = "evaluation.submitted", _("Evaluation submitted")
    IMPORT_COMPLETED = "import.completed", _("CSV import completed")
    ANSWER_REQUEST_COMPLETED = "answer_request.completed", _("Answer request completed")


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    company = models.ForeignKey(
        "applicants.Company", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = ArrayField(models.CharField(max_length=40, choices=Event.choices), verbose_name=_("events"))
    enabled = models.BooleanField(_("enabled"), default=True)
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    # After a rotation, deliveries are signed with both secrets until this time (docs/webhooks.md).
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Since when every attempt has failed; a day of it disables the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(_("disabled because"), max_length=300, blank=True)
    # One delivery in flight per endpoint: the sender holding this lease sends, in order.
    sending_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: written in the transaction of its cause, sent by a worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    company = models.ForeignKey(
        "applicants.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # The Standard Webhooks message id (`webhook-id`): the same on every attempt, so receivers can
    # deduplicate.
    event_id = models.CharField(_("event id"), max_length=40)
    event_type = models.CharField(_("event"), max_length=40, choices=Event.choices)
    # The exact body signed and sent, the same bytes on every attempt.
    body = models.TextField()
    applicant_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    last_response = models.TextField(_("response"), blank=True)
    last_error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_event")
        ]
        indexes = [
            # The sender's next row, in order, per endpoint.
            models.Index(
                fields=["endpoint", "id"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
