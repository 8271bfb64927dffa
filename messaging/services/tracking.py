"""ESP tracking events (delivered, bounced, complained), the suppression list, correct-and-resend."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Applicant, Company
from interviewmaker.numbers import ascii_int
from messaging.models import Message, Suppression, TemplateCode

logger = logging.getLogger(__name__)

# anymail's normalised event types → our status; other events (opened, deferred …) change nothing.
_EVENT_STATUS = {
    "delivered": Message.Status.DELIVERED,
    "bounced": Message.Status.BOUNCED,
    "complained": Message.Status.COMPLAINED,
    "rejected": Message.Status.FAILED,
    "failed": Message.Status.FAILED,
}
# Once one of these is recorded, a late `delivered` must not hide it.
_FINAL = {Message.Status.BOUNCED, Message.Status.COMPLAINED, Message.Status.FAILED}


# Tracking events name their message by a signed reference, never by the bare sequential primary key:
# whoever could post an event must not be able to bounce (and so suppress) any message by counting.
_SIGNER = signing.Signer(salt="messaging.tracking")


def tracking_reference(pk: int) -> str:
    """The message reference sent to the ESP as metadata: its pk, signed with SECRET_KEY."""
    return _SIGNER.sign(str(pk))


def _referenced_pk(reference: object) -> int | None:
    if not isinstance(reference, str):
        return None
    try:
        value = _SIGNER.unsign(reference)
    except signing.BadSignature:
        return None
    return ascii_int(value)


def _find(message_id: str | None, metadata: dict[str, Any] | None) -> Message | None:
    pk = _referenced_pk((metadata or {}).get("im_message"))
    queryset = Message.objects.select_for_update()
    if pk is not None:
        found = queryset.filter(pk=pk).first()
        if found is not None:
            return found
    if message_id:
        return queryset.filter(provider_message_id=message_id).first()
    return None


@transaction.atomic
def tracking_event_apply(
    *,
    event_type: str,
    message_id: str | None,
    metadata: dict[str, Any] | None = None,
    timestamp: dt.datetime | None = None,
    description: str = "",
    recipient: str | None = None,
) -> Message | None:
    """Record one tracking event on its message; a hard bounce or complaint suppresses the address."""
    status = _EVENT_STATUS.get(event_type)
    if status is None:
        return None
    message = _find(message_id, metadata)
    if message is None:
        logger.info("tracking event %s for unknown message %s", event_type, message_id)
        return None
    if status == Message.Status.DELIVERED and message.status in _FINAL:
        return message
    message.status = status
    message.event_at = timestamp or timezone.now()
    if description:
        message.last_error = description[:2000]
    message.save(update_fields=["status", "event_at", "last_error"])
    if status in (Message.Status.BOUNCED, Message.Status.COMPLAINED):
        suppression_add(
            company=message.company,
            email=recipient or message.to,
            reason=Suppression.Reason.BOUNCED
            if status == Message.Status.BOUNCED
            else Suppression.Reason.COMPLAINED,
            detail=description,
        )
    return message


@transaction.atomic
def suppression_add(*, company: Company, email: str, reason: str, detail: str = "") -> Suppression:
    """Put an address on the company's list; queued mail to it is suppressed at once."""
    address = email.strip().lower()
    suppression, _created = Suppression.objects.get_or_create(
        company=company, email=address, defaults={"reason": reason, "detail": detail[:2000]}
    )
    Message.objects.filter(company=company, to__iexact=address, status=Message.Status.QUEUED).update(
        status=Message.Status.SUPPRESSED,
        last_error="Not sent: the address is on the company's suppression list.",
    )
    return suppression


@transaction.atomic
def applicant_email_correct(
    *, applicant: Applicant, email: str, by: Any, resend_key: str | None = None
) -> Message | None:
    """Fix an applicant's address (a typo, a bounce) and send D03 again as a new message."""
    from applicants.normalize import clean_email
    from applicants.selectors import email_registered
    from applicants.services import applicant_update
    from messaging.services.outbox import message_resend

    address = clean_email(email)
    if email_registered(job_posting_id=applicant.job_posting_id, email=address, exclude_pk=applicant.pk):
        raise ValidationError({"email": _("This email address is already registered for this job posting.")})
    if address != applicant.email:
        applicant_update(applicant=applicant, data={"email": address})
    return message_resend(applicant=applicant, template_code=TemplateCode.D03, by=by, key=resend_key)
