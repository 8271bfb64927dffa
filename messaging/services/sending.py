"""Sending the outbox: claim a batch with SKIP LOCKED and a lease, send over one connection, mark rows.

Exactly once: a row is `sending` only while a worker holds its lease, and it becomes `sent` in the
statement written right after the mail left. With the outbox SMTP backend the mark is written between
the end-of-data marker and the server's reply, so a worker killed at any instant leaves either an
unsent row (the SMTP server drops a DATA without its end marker) or a row marked `sent`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import smtplib
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from applicants.models import Applicant, answer_deadline_expression
from messaging.models import Message
from messaging.services.ratelimit import rate_limiter
from messaging.services.tracking import tracking_reference

logger = logging.getLogger(__name__)

_TABLE = Message._meta.db_table
_MARK_SENT = (
    f"UPDATE {_TABLE} SET status = 'sent', sent_at = %s, lease_until = NULL, last_error = '', "  # noqa: S608
    "provider_message_id = %s WHERE id = %s AND claim_token = %s AND status = 'sending'"
)


class Outcome:
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


def _conf(name: str) -> Any:
    return getattr(settings, f"MESSAGING_{name}")


_CLAIM = (
    # SKIP LOCKED: concurrent senders each get different rows instead of queueing behind one another;
    # one statement claims the rows and returns them, so a batch costs a single round trip. Raw SQL
    # because the ORM needs two statements (select_for_update(skip_locked=True), then update()):
    # bench/claim.py measured them about 37 µs per message slower (201 against 164), a tenth of the
    # fan-out's whole budget of 333 µs per message.
    f"WITH picked AS (SELECT id FROM {_TABLE} WHERE status = 'queued' AND next_attempt_at <= %s "  # noqa: S608
    "ORDER BY next_attempt_at, id LIMIT %s FOR UPDATE SKIP LOCKED) "
    f"UPDATE {_TABLE} AS m SET status = 'sending', claim_token = %s, lease_until = %s, "
    "attempts = m.attempts + 1 FROM picked WHERE m.id = picked.id RETURNING m.*, "
    # The company's reply address (応募設定) as it is now, for Reply-To: in the same round trip.
    "(SELECT c.reply_to_email FROM applicants_company c WHERE c.id = m.company_id) AS reply_to_email"
)


def messages_claim(*, limit: int) -> tuple[str, list[int]]:
    """Take up to `limit` due rows for this worker: `sending` with a lease, attempts counted."""
    token, rows = _claim_rows(limit=limit)
    return token, [row.pk for row in rows]


@transaction.atomic
def _claim_rows(*, limit: int) -> tuple[str, list[Message]]:
    now = timezone.now()
    token = uuid.uuid4().hex
    lease_until = now + dt.timedelta(seconds=_conf("LEASE_SECONDS"))
    rows = list(Message.objects.raw(_CLAIM, [now, limit, token, lease_until]))
    return token, sorted(rows, key=lambda row: row.pk)


def messages_send_due(*, time_budget: float | None = None) -> int:
    """Claim and send batches until nothing is due or the time budget is spent; returns mails sent."""
    budget = _conf("TASK_TIME_BUDGET") if time_budget is None else time_budget
    deadline = time.monotonic() + budget
    sent = 0
    with _fast_commits():
        while True:
            token, rows = _claim_rows(limit=_conf("BATCH_SIZE"))
            if not rows:
                break
            rows = _cancel_closed(token=token, rows=rows)
            sent += _send_batch(token=token, rows=rows)
            if time.monotonic() > deadline:
                # Hand the rest to a fresh task so one task never runs for hours.
                _kick(count=_conf("BATCH_SIZE"))
                break
    _wake_for_retries()
    return sent


# Invitations to record (D03), answer requests (D04) and deadline extensions (D06): pointless, even
# misleading, once the interview is closed to the applicant.
INVITATIONS = ("D03", "D04", "D06")


def _cancel_closed(*, token: str, rows: list[Message]) -> list[Message]:
    """Cancel the batch's invitations whose applicant withdrew or whose deadline has passed, just
    before they would leave (they may have been queued while the interview was open); the rest go on.

    One indexed query per batch; a cancelled row keeps its reason in last_error.
    """
    ids = {row.applicant_id for row in rows if row.template_code in INVITATIONS and row.applicant_id}
    if not ids:
        return rows
    now = timezone.now()
    reasons: dict[int, str] = {}
    closed = (
        Applicant.objects.filter(pk__in=ids)
        .alias(effective_deadline=answer_deadline_expression())
        .filter(
            Q(status__in=[Applicant.Status.WITHDRAWN, Applicant.Status.EXPIRED])
            | Q(effective_deadline__lte=now)
        )
    )
    for pk, status in closed.values_list("pk", "status"):
        reasons[pk] = (
            gettext("Cancelled: the applicant has withdrawn.")
            if status == Applicant.Status.WITHDRAWN
            else gettext("Cancelled: the answer deadline has passed.")
        )
    if not reasons:
        return rows
    kept = []
    cancelled: dict[str, list[int]] = {}  # reason → message ids: one UPDATE per reason, not per row
    for row in rows:
        reason = reasons.get(row.applicant_id or 0) if row.template_code in INVITATIONS else None
        if reason is None:
            kept.append(row)
        else:
            cancelled.setdefault(reason, []).append(row.pk)
    for reason, pks in cancelled.items():
        Message.objects.filter(pk__in=pks, claim_token=token, status=Message.Status.SENDING).update(
            status=Message.Status.CANCELLED, lease_until=None, last_error=reason
        )
        logger.info("messages %s cancelled: %s", pks, reason)
    return kept


def message_id_for(message: Message) -> str:
    """A stable Message-ID per outbox row: a resend of the same row carries the same ID."""
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:24]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return f"<im.{message.pk}.{digest}@{domain}>"


def _build(message: Message, backend: Any) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"Message-ID": message_id_for(message)},
        connection=backend,
        # Claimed rows carry their company's reply address (_CLAIM); none: no Reply-To header.
        reply_to=[reply_to] if (reply_to := getattr(message, "reply_to_email", "")) else None,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    # anymail passes metadata to the ESP and returns it with tracking events (signed: see tracking.py).
    email.metadata = {"im_message": tracking_reference(message.pk)}  # type: ignore[attr-defined]
    return email


def _send_batch(*, token: str, rows: list[Message]) -> int:
    # Stop early enough that the lease never runs out under a mail in flight.
    lease = _conf("LEASE_SECONDS")
    lease_end = time.monotonic() + lease - min(2 * settings.EMAIL_TIMEOUT + 5, lease / 2)
    limiter = rate_limiter()
    backend = get_connection(fail_silently=False)
    sent = 0
    try:
        _open(backend)
    except Exception as exc:
        for row in rows:
            _mark_error(row, token, exc)
        return 0
    marks = SentMarks()
    prepared: dict[int, EmailMultiAlternatives] = {}
    try:
        marks.start()
        for index, row in enumerate(rows):
            if time.monotonic() > lease_end:
                with marks.paused():
                    _release(rows[index:], token)
                break
            limiter.wait()
            following = rows[index + 1] if index + 1 < len(rows) else None
            outcome = _send_one(backend, row, token, marks, prepared, following)
            sent += outcome == Outcome.SENT
            if outcome != Outcome.SENT and not _usable(backend):
                try:
                    _open(backend)
                except Exception as exc:
                    with marks.paused():
                        for rest in rows[index + 1 :]:
                            _mark_error(rest, token, exc)
                    break
    finally:
        marks.stop()
        try:
            backend.close()
        except Exception:  # a broken connection may fail to QUIT; it is being dropped anyway
            logger.debug("closing the mail connection failed", exc_info=True)
    return sent


def _open(backend: Any) -> None:
    backend.close()
    backend.open()


def _usable(backend: Any) -> bool:
    """False when an SMTP connection dropped and must be reopened for the next mail."""
    smtp = getattr(backend, "connection", None)
    if smtp is None:
        return not hasattr(backend, "connection")
    return getattr(smtp, "sock", None) is not None


def _send_one(
    backend: Any,
    row: Message,
    token: str,
    marks: SentMarks,
    prepared: dict[int, EmailMultiAlternatives],
    following: Message | None,
) -> str:
    email = prepared.pop(row.pk, None) or _build(row, backend)
    provider_id = email.extra_headers["Message-ID"]
    marked = False

    def accepted() -> Callable[[], None]:
        """Mark the row sent: the statement leaves within microseconds of the end-of-data marker."""
        nonlocal marked
        marks.mark(row.pk, token, provider_id)
        marked = True
        return _nothing

    try:
        if hasattr(backend, "send_outbox_message"):

            def prepare_following() -> None:
                # Build the next MIME message while the server digests this one.
                if following is not None:
                    upcoming = _build(following, backend)
                    backend.prepare(upcoming)
                    prepared[following.pk] = upcoming

            backend.send_outbox_message(email, accepted=accepted, meanwhile=prepare_following)
        else:
            backend.send_messages([email])
            status = getattr(email, "anymail_status", None)
            marks.mark(row.pk, token, getattr(status, "message_id", None) or provider_id)
            marked = True
    except Exception as exc:
        with marks.paused():
            return _mark_error(row, token, exc, was_marked=marked)
    return Outcome.SENT


def _nothing() -> None:
    return None


_MARK_SENT_RAW = (
    f"UPDATE {_TABLE} SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = '', "  # noqa: S608
    "provider_message_id = $1 WHERE id = $2 AND claim_token = $3 AND status = 'sending'"
).encode()


class SentMarks:
    """`sent` marks sent through libpq's pipeline mode: each is on the wire at once, answers read later.

    PostgreSQL commits every statement it has received, followed by its sync, even if this process
    dies right after; so a worker killed after a mail left has almost always marked it already, and
    no mark waits for a database round trip. While started, the ORM must not use the connection:
    `paused()` hands it back.
    """

    def __init__(self) -> None:
        self.active = False
        self.pending = 0

    def start(self) -> None:
        if self.active:
            return
        connection.ensure_connection()
        self.pg = connection.connection
        self.pgconn = self.pg.pgconn
        self.pg.lock.acquire()
        self.blocking = self.pgconn.nonblocking
        self.pgconn.nonblocking = 0  # blocking: each sync flushes the statement before returning
        self.pgconn.enter_pipeline_mode()
        self.active = True

    def mark(self, pk: int, token: str, provider: str) -> None:
        if not self.active:
            with connection.cursor() as cursor:
                cursor.execute(_MARK_SENT, [timezone.now(), provider[:255], pk, token])
            return
        params = [provider[:255].encode(), str(pk).encode(), token.encode()]
        # Read the answers to earlier marks first (they are back by now: a whole SMTP exchange has
        # passed). A process killed with unread data on a socket makes the kernel reset it, and a reset
        # can discard statements the server has not read yet; so at most this newest mark may be in
        # flight, and the only unread data can be its answer, sent after it was committed.
        self.drain()
        self.pgconn.send_query_params(_MARK_SENT_RAW, params)
        self.pgconn.pipeline_sync()  # its own transaction, committed on arrival
        self.pending += 1

    def drain(self) -> None:
        from psycopg import pq

        while self.pending:
            result = self.pgconn.get_result()
            if result is None:
                continue
            if result.status == pq.ExecStatus.PIPELINE_SYNC:
                self.pending -= 1
            elif result.status != pq.ExecStatus.COMMAND_OK:
                # The row stays `sending`; after its lease the sweep sends it again.
                logger.error("a sent mark failed: %s", (result.error_message or b"").decode(errors="replace"))

    def stop(self) -> None:
        if not self.active:
            return
        try:
            self.drain()
            self.pgconn.exit_pipeline_mode()
        finally:
            self.pgconn.nonblocking = self.blocking
            self.active = False
            self.pg.lock.release()

    @contextmanager
    def paused(self) -> Iterator[None]:
        was_active = self.active
        self.stop()
        try:
            yield
        finally:
            if was_active:
                self.start()


def classify(exc: BaseException) -> tuple[bool, str]:
    """(transient?, reason) of a sending error: 4xx and network trouble retry, 5xx fail."""
    from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused

    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        detail = "; ".join(f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items())
        return all(400 <= c < 500 for c in codes), f"Recipient refused: {detail}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500, f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.timeout | ConnectionError | OSError):
        return True, f"Connection problem: {exc}"
    if isinstance(exc, AnymailRecipientsRefused | AnymailInvalidAddress):
        return False, f"Recipient refused by the provider: {exc}"
    if isinstance(exc, AnymailAPIError):
        code = getattr(exc, "status_code", None)
        return code is None or code == 429 or code >= 500, f"Provider error {code or ''}: {_safe(exc)}"
    if isinstance(exc, ValueError | UnicodeError):
        return False, f"Message cannot be sent: {exc}"
    return True, f"{type(exc).__name__}: {exc}"


def _safe(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # some exceptions describe a response they may not have
        return repr(exc.args)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def backoff_seconds(attempts: int) -> float:
    base = _conf("RETRY_BASE_SECONDS") * 2 ** max(0, attempts - 1)
    return min(base, _conf("RETRY_MAX_SECONDS")) * random.uniform(0.8, 1.2)


def _mark_error(row: Message, token: str, exc: BaseException, *, was_marked: bool = False) -> str:
    transient, reason = classify(exc)
    logger.info("message %s: %s (%s)", row.pk, reason, "retry" if transient else "permanent")
    give_up = row.attempts >= _conf("MAX_ATTEMPTS")
    if transient and not give_up:
        values: dict[str, Any] = {
            "status": Message.Status.QUEUED,
            "next_attempt_at": timezone.now() + dt.timedelta(seconds=backoff_seconds(row.attempts)),
            "lease_until": None,
        }
        outcome = Outcome.RETRY
    else:
        if transient:
            reason = f"Gave up after {row.attempts} attempts. {reason}"
        values = {"status": Message.Status.FAILED, "lease_until": None}
        outcome = Outcome.FAILED
    # `sent` too: the outbox SMTP backend marks before the server's reply, which may still refuse.
    statuses = [Message.Status.SENDING, Message.Status.SENT] if was_marked else [Message.Status.SENDING]
    Message.objects.filter(pk=row.pk, claim_token=token, status__in=statuses).update(
        last_error=reason[:2000], **values
    )
    return outcome


def _release(rows: list[Message], token: str) -> None:
    """Give unsent rows of a batch back to the queue (no attempt spent)."""
    Message.objects.filter(
        pk__in=[r.pk for r in rows], claim_token=token, status=Message.Status.SENDING
    ).update(status=Message.Status.QUEUED, lease_until=None, attempts=F("attempts") - 1)


def messages_sweep(*, grace_seconds: float | None = None) -> int:
    """Re-queue rows whose lease expired (their worker died) and nudge senders for everything due.

    Returns how many due rows it found. Runs from beat; safe to run any time, anywhere.
    """
    now = timezone.now()
    lease_lost = Message.objects.filter(status=Message.Status.SENDING, lease_until__lt=now)
    # A row that took its worker down again and again is failed instead of looping forever.
    lease_lost.filter(attempts__gte=2 * _conf("MAX_ATTEMPTS")).update(
        status=Message.Status.FAILED, lease_until=None, last_error="Gave up: the worker was lost every time."
    )
    requeued = lease_lost.update(status=Message.Status.QUEUED, lease_until=None, next_attempt_at=now)
    if requeued:
        logger.warning("sweep: %s messages had an expired lease and were queued again", requeued)
    grace = _conf("SWEEP_GRACE_SECONDS") if grace_seconds is None else grace_seconds
    limit = _conf("BATCH_SIZE") * _conf("SENDERS")
    due = (
        Message.objects.filter(
            status=Message.Status.QUEUED, next_attempt_at__lte=now - dt.timedelta(seconds=grace)
        )
        .values("id")[:limit]
        .count()
    )
    if due:
        _kick(count=due)
    return due


def _kick(*, count: int, countdown: float | None = None) -> None:
    from messaging.tasks import senders_kick

    senders_kick(count=count, countdown=countdown)


def _wake_for_retries() -> None:
    """Schedule a sender for the earliest retry, so backoff does not wait for the next sweep.

    A retry already due counts too: it fell due after this sender's last, empty claim, so no claim
    took it, and it gets a sender at once instead of waiting for the sweep.
    """
    from interviewmaker.celery import app

    if app.conf.task_always_eager:
        return
    upcoming = (
        Message.objects.filter(status=Message.Status.QUEUED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if upcoming is not None:
        delay = max(0.0, (upcoming - timezone.now()).total_seconds()) + 0.05
        if delay < _conf("SWEEP_SECONDS"):
            _kick(count=1, countdown=delay)


@contextmanager
def _fast_commits() -> Iterator[None]:
    """Don't wait for the WAL flush of each `sent` mark.

    A committed mark is visible at once and survives a worker crash (the only crash the marks guard
    against); only a crash of PostgreSQL itself could forget the last few hundred milliseconds.
    """
    if not _conf("ASYNC_COMMIT"):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
