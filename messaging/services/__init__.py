"""Every write of the messaging app. Import from here: `from messaging.services import messages_queue`."""

from messaging.services.outbox import (
    DIRECT_CODES,
    DirectMail,
    direct_messages_queue,
    message_resend,
    messages_queue,
    registration_messages_queue,
)
from messaging.services.sending import messages_claim, messages_send_due, messages_sweep
from messaging.services.templates import (
    messaging_settings_save,
    template_reset,
    template_save,
    template_validate,
)
from messaging.services.tracking import applicant_email_correct, suppression_add, tracking_event_apply

__all__ = [
    "DIRECT_CODES",
    "DirectMail",
    "applicant_email_correct",
    "direct_messages_queue",
    "message_resend",
    "messages_claim",
    "messages_queue",
    "messages_send_due",
    "messages_sweep",
    "messaging_settings_save",
    "registration_messages_queue",
    "suppression_add",
    "template_reset",
    "template_save",
    "template_validate",
    "tracking_event_apply",
]
