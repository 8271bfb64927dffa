"""Every write of the webhooks app: endpoints, the outbox of deliveries, and sending them.

Delivery follows the outbox discipline of mail (docs/messaging.md): a `WebhookDelivery` row is written
in the transaction of its cause, a worker sends it after commit, and a beat sweep picks up whatever a
lost task or a broker outage left behind. Per endpoint one sender holds a lease and sends in id order,
so at most one delivery is in flight per endpoint and an applicant's events arrive in order.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import urllib3
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from standardwebhooks import Webhook

from applicants.models import Company, Membership
from interviewmaker.tasks import enqueue_on_commit
from webhooks import security
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint, new_secret

logger = logging.getLogger(__name__)

RESPONSE_EXCERPT = 1000
USER_AGENT = "interviewmaker-webhooks/1"


# --- Endpoints ---------------------------------------------------------------------------------------


def endpoint_save(
    *,
    company: Company,
    endpoint: WebhookEndpoint | None,
    url: str,
    events: Sequence[str],
    enabled: bool,
    description: str = "",
    by: Any = None,
) -> WebhookEndpoint:
    """Create or change an endpoint; the URL must be acceptable (security.check_url)."""
    security.check_url(url)
    if endpoint is None:
        endpoint = WebhookEndpoint(company=company, created_by=by if getattr(by, "pk", None) else None)
    endpoint.url, endpoint.description = url, description
    endpoint.events = sorted(set(events) & set(Event.values))
    if enabled and not endpoint.enabled:
        # Switching a disabled endpoint on again starts its failure count afresh.
        endpoint.failing_since, endpoint.disabled_reason = None, ""
    endpoint.enabled = enabled
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one keeps signing too for WEBHOOK_SECRET_OVERLAP_HOURS (both signatures)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = timezone.now() + dt.timedelta(
        hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS
    )
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return endpoint


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same event id and body): back in the queue, after the ones waiting."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == WebhookDelivery.Status.PENDING:
        return delivery
    again = WebhookDelivery.objects.create(
        company_id=delivery.company_id,
        endpoint_id=delivery.endpoint_id,
        event_id=f"{delivery.event_id}.r{uuid.uuid4().hex[:8]}",
        event_type=delivery.event_type,
        body=delivery.body,
        applicant_id=delivery.applicant_id,
        next_attempt_at=timezone.now(),
    )
    _nudge(delivery.endpoint_id)
    return again


# --- Emitting events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One event's object and the applicant it concerns (for order and filtering)."""

    data: dict[str, Any]
    applicant_id: int | None = None


def subscribed(*, company_id: int, event: str) -> list[WebhookEndpoint]:
    return list(
        WebhookEndpoint.objects.filter(company_id=company_id, enabled=True, events__contains=[event]).only(
            "pk", "company_id"
        )
    )


def events_emit(
    *, company: Company, event: str, items: Iterable[Item], endpoints: list[WebhookEndpoint] | None = None
) -> int:
    """Write one delivery per item and subscribed endpoint, in the caller's transaction; sent on commit.

    Costs one query when the company has no endpoint for the event (none when the caller looked them
    up already: `endpoints`).
    """
    if endpoints is None:
        endpoints = subscribed(company_id=company.pk, event=event)
    if not endpoints:
        return 0
    now = timezone.now()
    rows: list[WebhookDelivery] = []
    for item in items:
        event_id = f"msg_{uuid.uuid4().hex}"
        body = json.dumps(
            {
                "id": event_id,
                "type": event,
                "timestamp": now.isoformat(),
                "company": {"id": company.pk, "name": company.name},
                "data": item.data,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        rows.extend(
            WebhookDelivery(
                company_id=company.pk,
                endpoint_id=endpoint.pk,
                event_id=event_id,
                event_type=event,
                body=body,
                applicant_id=item.applicant_id,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        )
    _insert(rows)
    for endpoint in endpoints:
        _nudge(endpoint.pk)
    return len(rows)


_COPY_FROM = 200
_COLUMNS = (
    "company_id", "endpoint_id", "event_id", "event_type", "body", "applicant_id", "status", "attempts",
    "next_attempt_at", "last_response", "last_error", "created_at",
)  # fmt: skip


def _insert(rows: list[WebhookDelivery]) -> None:
    """bulk_create for a few rows; COPY for an import's worth (the ORM binds 10,000 JSON bodies
    slowly: 3 of the 5.6 s that 10,000 events first cost went to quoting)."""
    if len(rows) < _COPY_FROM:
        WebhookDelivery.objects.bulk_create(rows)
        return
    now = timezone.now()
    columns = ", ".join(_COLUMNS)
    # Identifiers only come from the model, never from input.
    statement = f"COPY {WebhookDelivery._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                (
                    row.company_id, row.endpoint_id, row.event_id, row.event_type, row.body, row.applicant_id,
                    row.status, 0, row.next_attempt_at, "", "", now,
                )
            )  # fmt: skip


def _nudge(endpoint_id: int) -> None:
    from webhooks.tasks import endpoint_deliver_task

    enqueue_on_commit(endpoint_deliver_task, endpoint_id)


# --- Delivering ------------------------------------------------------------------------------------


def _claim(endpoint_id: int) -> WebhookEndpoint | None:
    """Take the endpoint's sending lease; None when another sender has it or it is disabled."""
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    taken = (
        WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True)
        .filter(Q(sending_until__isnull=True) | Q(sending_until__lt=now))
        .update(sending_until=lease)
    )
    return WebhookEndpoint.objects.filter(pk=endpoint_id).first() if taken else None


def _release(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(sending_until=None)


def endpoint_deliver(*, endpoint_id: int, budget_seconds: float | None = None) -> int:
    """Send the endpoint's due deliveries in order until none is due, one fails, or the budget ends.

    Returns how many were delivered. Safe to call concurrently: only the lease holder sends. Rows are
    read a batch at a time and their outcomes written a batch at a time; a sender that dies in between
    sends the unrecorded ones again, with the same `webhook-id` (receivers deduplicate on it).
    """
    endpoint = _claim(endpoint_id)
    if endpoint is None:
        return 0
    budget = budget_seconds if budget_seconds is not None else settings.WEBHOOK_LEASE_SECONDS / 2
    deadline = timezone.now() + dt.timedelta(seconds=budget)
    delivered = 0
    sender = _Sender(endpoint)
    try:
        while timezone.now() < deadline and endpoint.enabled:
            batch = list(
                WebhookDelivery.objects.filter(
                    endpoint_id=endpoint.pk, status=WebhookDelivery.Status.PENDING
                ).order_by("id")[: settings.WEBHOOK_BATCH]
            )
            done: list[WebhookDelivery] = []
            stop = not batch
            for row in batch:
                if (
                    row.next_attempt_at and row.next_attempt_at > timezone.now()
                ) or timezone.now() >= deadline:
                    stop = True  # not due: the head waits for its retry, and everything after it with it
                    break
                ok = sender.attempt(row)
                done.append(row)
                delivered += ok
                if not ok and row.status == WebhookDelivery.Status.PENDING:
                    stop = True  # failed, retried later: keep the order
                    break
            _record(done)
            if stop:
                break
            # Two senders never overlap, but an administrator may switch the endpoint off meanwhile.
            endpoint.refresh_from_db(fields=["enabled"])
    finally:
        sender.close()
        _release(endpoint)
    if delivered and _due(endpoint.pk):
        _nudge(endpoint.pk)
    return delivered


def _record(rows: list[WebhookDelivery]) -> None:
    WebhookDelivery.objects.bulk_update(
        rows,
        [
            "status", "attempts", "last_attempt_at", "last_status_code", "last_response", "last_error",
            "next_attempt_at", "delivered_at",
        ],
    )  # fmt: skip


def _due(endpoint_id: int) -> bool:
    return WebhookDelivery.objects.filter(
        endpoint_id=endpoint_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).exists()


def signature(endpoint: WebhookEndpoint, *, event_id: str, at: dt.datetime, body: str) -> str:
    """`webhook-signature`: v1 with the current secret, and the previous one during a rotation."""
    signatures = [Webhook(endpoint.secret).sign(event_id, at, body)]
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > at:
        signatures.append(Webhook(endpoint.previous_secret).sign(event_id, at, body))
    return " ".join(signatures)


class _Sender:
    """One sender run for one endpoint: its address resolved and checked once, one keep-alive
    connection pinned to that address (TLS still checks the URL's host name), and each attempt."""

    def __init__(self, endpoint: WebhookEndpoint):
        self.endpoint = endpoint
        self.target: security.Target | None = None
        self.pool: urllib3.HTTPConnectionPool | None = None

    def _connect(self) -> tuple[security.Target, urllib3.HTTPConnectionPool]:
        if self.target is None or self.pool is None:
            target = security.resolve(self.endpoint.url)
            timeout = urllib3.Timeout(
                connect=settings.WEBHOOK_CONNECT_TIMEOUT, read=settings.WEBHOOK_READ_TIMEOUT
            )
            if target.scheme == "https":
                self.pool = urllib3.HTTPSConnectionPool(
                    target.address,
                    target.port,
                    timeout=timeout,
                    retries=False,
                    server_hostname=target.host,
                    assert_hostname=target.host,
                    maxsize=1,
                )
            else:
                self.pool = urllib3.HTTPConnectionPool(
                    target.address, target.port, timeout=timeout, retries=False, maxsize=1
                )
            self.target = target
        return self.target, self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def attempt(self, row: WebhookDelivery) -> bool:
        endpoint = self.endpoint
        now = timezone.now()
        status_code, excerpt, error = None, "", ""
        try:
            target, pool = self._connect()
            response = pool.urlopen(
                "POST",
                target.path,
                body=row.body.encode(),
                headers={
                    "Host": _host_header(target),
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    "webhook-id": row.event_id,
                    "webhook-timestamp": str(int(now.timestamp())),
                    "webhook-signature": signature(endpoint, event_id=row.event_id, at=now, body=row.body),
                },
                redirect=False,
                retries=False,
                preload_content=False,
            )
            try:
                excerpt = response.read(RESPONSE_EXCERPT, decode_content=True).decode("utf-8", "replace")
            finally:
                response.release_conn()
            status_code = response.status
        except security.UrlRefused as refused:
            error = str(refused)
        except Exception as exc:  # connection refused, timeouts, TLS errors: the receiver is unreachable
            error = f"{type(exc).__name__}: {exc}"[:1000]
            self.close()
            self.target, self.pool = None, None
        ok = status_code is not None and 200 <= status_code < 300
        row.attempts += 1
        row.last_attempt_at, row.last_status_code = now, status_code
        row.last_response, row.last_error = excerpt, error or ("" if ok else f"HTTP {status_code}")
        if ok:
            row.status, row.delivered_at, row.next_attempt_at = WebhookDelivery.Status.DELIVERED, now, None
            if endpoint.failing_since is not None:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
                endpoint.failing_since = None
        else:
            _schedule_retry(row, now)
            _note_failure(endpoint, now)
        return ok


def _host_header(target: security.Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _schedule_retry(row: WebhookDelivery, now: dt.datetime) -> None:
    """Standard Webhooks' schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h): about a day, then failed."""
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    if row.attempts > len(schedule):
        row.status, row.next_attempt_at = WebhookDelivery.Status.FAILED, None
    else:
        row.next_attempt_at = now + dt.timedelta(seconds=schedule[row.attempts - 1])


def _note_failure(endpoint: WebhookEndpoint, now: dt.datetime) -> None:
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
        return
    if now - endpoint.failing_since >= dt.timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS):
        endpoint_disable(endpoint=endpoint, reason=_("Every delivery failed for a day."))


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> None:
    """Switch the endpoint off and tell the company's administrators by mail (once)."""
    changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_reason=reason[:300]
    )
    endpoint.enabled = False
    if not changed:
        return
    admins = list(
        Membership.objects.filter(company_id=endpoint.company_id, role=Membership.Role.ADMIN)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not admins:
        return
    company = Company.objects.get(pk=endpoint.company_id)
    with override(company.language):
        subject = _("A webhook endpoint was switched off")
        body = _(
            "Deliveries to %(url)s have failed for a day, so the endpoint was switched off: %(reason)s\n\n"
            "Events are kept. Fix the receiver, switch the endpoint on again in the application settings "
            "(Webhooks), and send the failed deliveries again from its log.\n"
        ) % {"url": endpoint.url, "reason": reason}
    send_mail(subject, body, None, admins, fail_silently=True)


def deliveries_sweep() -> int:
    """Nudge every endpoint with a due delivery and no live lease (retries, lost tasks, an outage)."""
    now = timezone.now()
    ids = list(
        WebhookEndpoint.objects.filter(enabled=True)
        .filter(Q(sending_until__isnull=True) | Q(sending_until__lt=now))
        .filter(
            deliveries__status=WebhookDelivery.Status.PENDING,
            deliveries__next_attempt_at__lte=now,
        )
        .values_list("pk", flat=True)
        .distinct()[:500]
    )
    from interviewmaker.tasks import publish
    from webhooks.tasks import endpoint_deliver_task

    for endpoint_id in ids:
        publish(endpoint_deliver_task, endpoint_id)
    return len(ids)
