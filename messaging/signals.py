"""anymail's tracking webhooks → the outbox: delivered, bounced, complained."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailTrackingEvent, tracking
from django.dispatch import receiver

from messaging.services import tracking_event_apply


@receiver(tracking, dispatch_uid="messaging.tracking")
def tracking_received(sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    tracking_event_apply(
        event_type=event.event_type,
        message_id=event.message_id,
        metadata=event.metadata,
        timestamp=event.timestamp,
        description=event.description or event.mta_response or "",
        recipient=event.recipient,
    )
