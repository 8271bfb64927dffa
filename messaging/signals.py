"""Receivers: anymail's tracking webhooks → the outbox (delivered, bounced, complained); a registration
→ its D03 and a 期限延長 → its D06 (applicants.signals, in the changing transaction)."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailTrackingEvent, tracking
from django.dispatch import receiver

from applicants.signals import applicants_deadline_extended, applicants_registered
from messaging.services import messages_queue, registration_messages_queue, tracking_event_apply


@receiver(applicants_registered, dispatch_uid="messaging.registration_d03")
def registered(sender: Any, applicants: list[Any], **kwargs: Any) -> None:
    """Queue D03 for the new applicants, in the registering transaction."""
    registration_messages_queue(applicants=applicants)


@receiver(applicants_deadline_extended, dispatch_uid="messaging.extension_d06")
def deadline_extended(sender: Any, applicants: list[Any], notify: bool, key: str, **kwargs: Any) -> None:
    """Queue D06 (期限延長のお知らせ) for the extended applicants when the recruiter asked for it."""
    if notify and applicants:
        messages_queue(template_code="D06", applicants=applicants, key=key)


@receiver(tracking, dispatch_uid="messaging.tracking")
def tracking_received(sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    tracking_event_apply(
        event_type="deferred" if is_soft_bounce(event) else event.event_type,
        message_id=event.message_id,
        metadata=event.metadata,
        timestamp=event.timestamp,
        description=event.description or event.mta_response or "",
        recipient=event.recipient,
    )


def is_soft_bounce(event: AnymailTrackingEvent) -> bool:
    """A temporary bounce that anymail reports as `bounced` (Postmark, Brevo, Mandrill, MailerSend).

    The ESP keeps retrying and reports a hard bounce if it gives up, so a soft bounce must neither mark
    the mail bounced nor put the address on the suppression list. Their raw event names it "soft".
    """
    raw = event.esp_event
    if event.event_type != "bounced" or not isinstance(raw, dict):
        return False
    kinds = (raw.get("Type"), raw.get("event"), raw.get("type"))
    return any(isinstance(kind, str) and "soft" in kind.lower() for kind in kinds)
