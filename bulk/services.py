"""Writes of まとめて処理モード: bulk 回答依頼 (D04), bulk 辞退 and the automatic reminder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from applicants import selectors, services
from applicants.models import Applicant, Company, JobPosting
from bulk.models import AnswerRequest, AnswerRequestRecipient
from interviewmaker import csvfiles
from interviewmaker.tasks import enqueue_on_commit
from webhooks import emit

# Applicants handled per transaction by the background job: big enough for set-based inserts, small
# enough that the progress bar moves and a retried job repeats little.
CHUNK_SIZE = 5000
# The search parameters a selection keeps (what the list puts in its URL, minus paging).
# Downloads of the selection in the upload format: what Excel in Japan reads, or UTF-8 with a BOM.
CSV_ENCODINGS = csvfiles.ENCODING_LABELS


@dataclass(frozen=True)
class Selection:
    """What the recruiter chose: every applicant matching `search`, or only the ticked `im_ids` of it."""

    search: Mapping[str, str] = field(default_factory=dict)
    im_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, *, search: Mapping[str, Any], im_ids: Sequence[int] = ()) -> Selection:
        kept = {k: str(search[k]) for k in selectors.SEARCH_KEYS if search.get(k) not in (None, "")}
        return cls(search=kept, im_ids=tuple(sorted(set(im_ids))))


@dataclass(frozen=True)
class SelectionCounts:
    """A selection's size, per status."""

    by_status: Mapping[str, int]

    @property
    def selected(self) -> int:
        return sum(self.by_status.values())

    @property
    def awaiting(self) -> int:
        return self.by_status.get(Applicant.Status.AWAITING, 0)

    @property
    def skipped(self) -> int:
        """Not 調整中: a 回答依頼 leaves them out."""
        return self.selected - self.awaiting

    @property
    def extendable(self) -> int:
        """Would get the new deadline (期限延長): 調整中 and 期限切れ; 期限切れ ones return to 調整中."""
        return self.awaiting + self.by_status.get(Applicant.Status.EXPIRED, 0)

    @property
    def withdrawable(self) -> int:
        """Would change to 辞退: neither 回答済 (they keep their status) nor 辞退 already."""
        keep = (Applicant.Status.SUBMITTED, Applicant.Status.WITHDRAWN)
        return sum(n for status, n in self.by_status.items() if status not in keep)


def selection_queryset(
    *, company: Company, selection: Selection, max_im_id: int | None = None
) -> QuerySet[Applicant]:
    """The applicants of a selection, always within the company."""
    queryset = selectors.applicant_search(company=company, params=selection.search)
    if selection.im_ids:
        queryset = queryset.filter(im_id__in=selection.im_ids)
    if max_im_id is not None:
        queryset = queryset.filter(im_id__lte=max_im_id)
    return queryset


def selection_counts(
    *, company: Company, selection: Selection, max_im_id: int | None = None
) -> SelectionCounts:
    """How many are selected, per status, in one query."""
    queryset = selection_queryset(company=company, selection=selection, max_im_id=max_im_id)
    return SelectionCounts(by_status=selectors.status_counts(queryset=queryset))


def d04_preview(*, company: Company, selection: Selection) -> dict[str, str] | None:
    """D04 as the first recipient of the selection (its lowest iM採用ID 調整中) will get it, or None."""
    from messaging.services.outbox import renderer_for

    first = (
        selection_queryset(company=company, selection=selection)
        .filter(status=Applicant.Status.AWAITING)
        .select_related("job_posting", "company")
        .order_by("im_id")
        .first()
    )
    if first is None:
        return None
    subject, body, _html = renderer_for(company=company, code="D04").render(first, first.job_posting)
    return {"to": first.email, "subject": subject, "body": body}


def resend_window_start(at: dt.datetime) -> dt.datetime | None:
    """Since when a D04 counts as recent for a request made `at`; None when the window is off."""
    hours = settings.ANSWER_REQUEST_RESEND_HOURS
    return at - dt.timedelta(hours=hours) if hours else None


def _reminded_between(since: dt.datetime, until: dt.datetime) -> Exists:
    """The applicant got a D04 between `since` and `until` that may have reached them."""
    from messaging.models import Message

    # A D04 on its way or delivered; one that failed, bounced or was suppressed reached nobody.
    unreached = (Message.Status.FAILED, Message.Status.BOUNCED, Message.Status.SUPPRESSED)
    recent = Message.objects.filter(
        applicant=OuterRef("pk"), template_code="D04", created_at__gte=since, created_at__lt=until
    ).exclude(status__in=unreached)
    return Exists(recent)


def selection_recently_reminded(
    *, company: Company, selection: Selection, at: dt.datetime, max_im_id: int | None = None
) -> int:
    """調整中 applicants of the selection who got a D04 within the resend window before `at`."""
    since = resend_window_start(at)
    if since is None:
        return 0
    queryset = selection_queryset(company=company, selection=selection, max_im_id=max_im_id)
    awaiting = queryset.filter(status=Applicant.Status.AWAITING)
    return awaiting.filter(_reminded_between(since, at)).count()


def answer_request_create(
    *,
    company: Company,
    selection: Selection,
    idempotency_key: str,
    by: User | AnonymousUser | None,
    source: str = AnswerRequest.Source.LIST,
    send_again: bool = False,
) -> tuple[AnswerRequest, bool]:
    """Record a bulk 回答依頼 and start its background job; (request, created).

    A second call with the same idempotency key (double click, resubmitted form, retried API call)
    returns the first request and sends nothing. Without one, applicants reminded within the resend
    window are still left out, unless `send_again` says the recruiter means it.
    """
    existing = AnswerRequest.objects.filter(company=company, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            answer_request = _answer_request_insert(
                company=company,
                selection=selection,
                idempotency_key=idempotency_key,
                by=by,
                source=source,
                send_again=send_again,
            )
    except IntegrityError:
        # A concurrent twin committed the same key first; PostgreSQL made us wait for it.
        return AnswerRequest.objects.get(company=company, idempotency_key=idempotency_key), False
    return answer_request, True


def _answer_request_insert(
    *,
    company: Company,
    selection: Selection,
    idempotency_key: str,
    by: User | AnonymousUser | None,
    source: str,
    send_again: bool,
) -> AnswerRequest:
    # IDs only grow: whoever registers after this moment is not part of what was confirmed.
    max_im_id = Company.objects.values_list("last_im_id", flat=True).get(pk=company.pk)
    counts = selection_counts(company=company, selection=selection, max_im_id=max_im_id)
    now = timezone.now()
    recent = (
        0
        if send_again
        else selection_recently_reminded(company=company, selection=selection, at=now, max_im_id=max_im_id)
    )
    posting_id = selectors.applicant_search_conditions(selection.search).job_posting_id
    answer_request = AnswerRequest.objects.create(
        company=company,
        job_posting_id=posting_id,
        created_by_id=by.pk if by is not None and by.is_authenticated else None,
        source=source,
        idempotency_key=idempotency_key,
        search=dict(selection.search),
        im_ids=list(selection.im_ids),
        max_im_id=max_im_id,
        selected_count=counts.selected,
        target_count=counts.awaiting - recent,
        skipped_count=counts.skipped,
        send_again=send_again,
        recent_count=recent,
    )
    from bulk.tasks import answer_request_run_task

    pk = answer_request.pk
    enqueue_on_commit(answer_request_run_task, pk)
    return answer_request


def answer_requests_resume(*, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Re-enqueue unfinished requests whose task the broker lost; a second run beside a live one is safe."""
    from bulk.tasks import answer_request_run_task

    stale = AnswerRequest.objects.filter(
        state__in=[AnswerRequest.State.QUEUED, AnswerRequest.State.RUNNING],
        created_at__lt=timezone.now() - older_than,
    ).values_list("pk", flat=True)
    pks = list(stale)
    for pk in pks:
        enqueue_on_commit(answer_request_run_task, pk)
    return len(pks)


def answer_request_run(*, answer_request_id: int, chunk_size: int = CHUNK_SIZE) -> AnswerRequest | None:
    """The background job: queue D04 chunk by chunk, each chunk committed with the progress it makes.

    Safe to run twice or to resume after a crash: the cursor only moves with its chunk's commit, and
    messages_queue is idempotent per (D04, request, applicant).
    """
    while True:
        with transaction.atomic():
            # Lock the row: a redelivered task running beside the original would count progress twice.
            answer_request = (
                AnswerRequest.objects.select_for_update(skip_locked=True)
                .select_related("company")
                .filter(pk=answer_request_id)
                .first()
            )
            if answer_request is None or answer_request.is_finished:
                return answer_request
            if not _answer_request_step(answer_request=answer_request, chunk_size=chunk_size):
                return answer_request


def _answer_request_step(*, answer_request: AnswerRequest, chunk_size: int) -> bool:
    """Handle the next `chunk_size` applicants of the selection; False once everything is done.

    One query reads the chunk with each applicant's reason to be skipped ('' = send), the D04 of the
    others is queued, then one INSERT records the whole chunk, each sent row linked to its D04.
    """
    from messaging.services import messages_queue

    now = timezone.now()
    if answer_request.started_at is None:
        answer_request.started_at = now
        answer_request.state = AnswerRequest.State.RUNNING
    selection = Selection(search=answer_request.search, im_ids=tuple(answer_request.im_ids))
    # Keyset paging of the confirmed selection, every status: (id, iM採用ID, reason) in iM採用ID order.
    chunk = list(
        selection_queryset(
            company=answer_request.company, selection=selection, max_im_id=answer_request.max_im_id
        )
        .filter(im_id__gt=answer_request.cursor_im_id)
        .annotate(reason=_skip_reason(answer_request))
        .order_by("im_id")
        .values_list("pk", "im_id", "reason")[:chunk_size]
    )
    if chunk:
        sent = list(
            Applicant.objects.filter(pk__in=[pk for pk, _im_id, reason in chunk if not reason])
            # One model per row: the company is attached below, postings are cached by messages_queue.
            .order_by("im_id")
        )
        for applicant in sent:
            applicant.company = answer_request.company
        if sent:
            answer_request.queued_count += messages_queue(
                template_code="D04", applicants=sent, key=str(answer_request.pk)
            )
        _recipients_insert(answer_request=answer_request, chunk=chunk, at=now)
        answer_request.processed_count += len(sent)
        answer_request.cursor_im_id = chunk[-1][1]
    if len(chunk) < chunk_size:
        _recipients_record_later(answer_request=answer_request, selection=selection, at=now)
        answer_request.state = AnswerRequest.State.DONE
        answer_request.finished_at = now
    answer_request.save()
    if answer_request.state == AnswerRequest.State.DONE:
        emit.object_event(
            company=answer_request.company,
            event="answer_request.completed",
            data={
                "id": answer_request.pk,
                "job_posting": answer_request.job_posting_id,
                "source": answer_request.source,
                "state": answer_request.state,
                "selected": answer_request.selected_count,
                "queued": answer_request.queued_count,
                "skipped": answer_request.skipped_count,
                "created_at": answer_request.created_at.isoformat(),
                "finished_at": now.isoformat(),
            },
        )
    return answer_request.state != AnswerRequest.State.DONE


def _skip_reason(answer_request: AnswerRequest) -> Case:
    """Why the request leaves an applicant out, as answer_request_create counted them; '' to send."""
    reasons: list[When] = [When(~Q(status=Applicant.Status.AWAITING), then=F("status"))]
    since = resend_window_start(answer_request.created_at)
    if since is not None and not answer_request.send_again:
        recent = _reminded_between(since, answer_request.created_at)
        reasons.append(When(recent, then=Value(AnswerRequestRecipient.Reason.REMINDED_RECENTLY)))
    return Case(*reasons, default=Value(""), output_field=CharField())


def _recipients_insert(
    *, answer_request: AnswerRequest, chunk: list[tuple[int, int, str]], at: dt.datetime
) -> None:
    """Record a chunk of (applicant id, iM採用ID, reason) in one INSERT: skipped with its reason, or sent
    and linked to its D04 — found by the outbox's unique key `D04:<request>:<applicant>`
    (messages_queue), and skipped after all when the address was suppressed. A row already written (a
    retried chunk) is kept as it is.

    Raw SQL: the ORM cannot insert from a select, nor join the outbox by its key while inserting.
    """
    from messaging.models import Message

    table, messages = AnswerRequestRecipient._meta.db_table, Message._meta.db_table
    sql = (
        # Identifiers are the models' table names; every value is a bound parameter.
        f"INSERT INTO {table} "  # noqa: S608
        "(answer_request_id, applicant_id, company_id, im_id, outcome, reason, message_id, created_at) "
        "SELECT %(request)s, c.applicant_id, %(company)s, c.im_id, "
        "CASE WHEN c.reason = '' AND m.status IS DISTINCT FROM %(suppressed)s "
        "THEN %(sent)s ELSE %(skipped)s END, "
        "CASE WHEN m.status = %(suppressed)s THEN %(suppressed_reason)s ELSE c.reason END, "
        "m.id, %(at)s "
        "FROM unnest(%(ids)s::bigint[], %(im_ids)s::bigint[], %(reasons)s::text[]) "
        "AS c (applicant_id, im_id, reason) "
        # One lookup of the unique key per sent row, never a scan of the whole outbox: LIMIT keeps
        # PostgreSQL from flattening the LATERAL into a hash join (it did, with a seq scan of the outbox).
        f"LEFT JOIN LATERAL (SELECT id, status FROM {messages} "
        "WHERE c.reason = '' AND idempotency_key = %(key)s || c.applicant_id::text LIMIT 1) m ON true "
        "ON CONFLICT (answer_request_id, im_id) DO NOTHING"
    )
    params: dict[str, Any] = {
        "request": answer_request.pk,
        "company": answer_request.company_id,
        "suppressed": Message.Status.SUPPRESSED,
        "sent": AnswerRequestRecipient.Outcome.SENT,
        "skipped": AnswerRequestRecipient.Outcome.SKIPPED,
        "suppressed_reason": AnswerRequestRecipient.Reason.SUPPRESSED,
        "at": at,
        "ids": [pk for pk, _im_id, _reason in chunk],
        "im_ids": [im_id for _pk, im_id, _reason in chunk],
        "reasons": [reason for _pk, _im_id, reason in chunk],
        "key": f"D04:{answer_request.pk}:",
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _recipients_record_later(*, answer_request: AnswerRequest, selection: Selection, at: dt.datetime) -> None:
    """The applicants matching the selection who registered after the confirmation: skipped.

    INSERT … SELECT in raw SQL: the ORM would bring every id through Python and back.
    """
    later = selection_queryset(company=answer_request.company, selection=selection).filter(
        im_id__gt=answer_request.max_im_id
    )
    sub_sql, sub_params = later.order_by("im_id").values("id", "im_id").query.sql_with_params()
    sql = (
        # sub_sql is compiled by the ORM; its values stay bound parameters, the identifiers are the model's.
        f"INSERT INTO {AnswerRequestRecipient._meta.db_table} "  # noqa: S608
        "(answer_request_id, applicant_id, company_id, im_id, outcome, reason, created_at) "
        f"SELECT %s, s.id, %s, s.im_id, %s, %s, %s FROM ({sub_sql}) s "
        "ON CONFLICT (answer_request_id, im_id) DO NOTHING"
    )
    params = [
        answer_request.pk,
        answer_request.company_id,
        AnswerRequestRecipient.Outcome.SKIPPED,
        AnswerRequestRecipient.Reason.REGISTERED_LATER,
        at,
        *sub_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def answer_request_fail(*, answer_request_id: int, error: str) -> None:
    """Mark a request whose job gave up; what was queued stays queued."""
    AnswerRequest.objects.filter(pk=answer_request_id).exclude(state=AnswerRequest.State.DONE).update(
        state=AnswerRequest.State.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def selection_extend(
    *, company: Company, selection: Selection, deadline: dt.datetime, notify: bool, by: Any
) -> services.Extension:
    """期限延長 for the selection (applicants.services.applicants_deadline_extend decides who)."""
    queryset = selection_queryset(company=company, selection=selection).filter(
        status__in=[Applicant.Status.AWAITING, Applicant.Status.EXPIRED]
    )
    ids = list(queryset.order_by().values_list("pk", flat=True))
    return services.applicants_deadline_extend(
        company=company, applicant_ids=ids, deadline=deadline, notify=notify, by=by
    )


@transaction.atomic
def selection_withdraw(*, company: Company, selection: Selection, by: Any = None) -> int:
    """Set 辞退 on the selection; 回答済 applicants keep their status (applicants_withdraw's rule)."""
    queryset = selection_queryset(company=company, selection=selection)
    applicants = list(queryset.select_related(None).only("pk").order_by())
    return services.applicants_withdraw(applicants=applicants, by=by)


@transaction.atomic
def job_posting_reminder_set(*, posting: JobPosting, enabled: bool, hours: int) -> JobPosting:
    """Switch a posting's automatic reminder on or off and set when it fires."""
    posting.auto_reminder_enabled = enabled
    posting.auto_reminder_hours = hours
    posting.save(update_fields=["auto_reminder_enabled", "auto_reminder_hours", "updated_at"])
    return posting


def auto_reminder_key(posting: JobPosting) -> str:
    return f"auto-reminder-{posting.pk}"


def auto_reminders_due(*, now: dt.datetime | None = None) -> list[JobPosting]:
    """Open postings whose reminder time has come, before their deadline, not yet reminded."""
    now = now or timezone.now()
    reminded = AnswerRequest.objects.filter(source=AnswerRequest.Source.AUTOMATIC).values("job_posting_id")
    candidates = (
        JobPosting.objects.filter(
            auto_reminder_enabled=True,
            is_open=True,
            deadline__gt=now,
            # The longest configurable lead time; the exact one is checked per posting below.
            deadline__lte=now + dt.timedelta(days=30),
        )
        .exclude(pk__in=reminded)
        # docs/product.md §5: a company can switch the automatic reminder off for all its postings.
        .exclude(company__messaging_settings__auto_reminder_enabled=False)
        .select_related("company")
    )
    return [p for p in candidates if p.deadline - dt.timedelta(hours=p.auto_reminder_hours) <= now]


def auto_reminders_send(*, now: dt.datetime | None = None) -> list[AnswerRequest]:
    """The beat job: one automatic 回答依頼 per due posting, to its applicants still 調整中."""
    created = []
    for posting in auto_reminders_due(now=now):
        with transaction.atomic():
            answer_request, is_new = answer_request_create(
                company=posting.company,
                # The whole posting: only 調整中 ones get D04, the others are counted as skipped.
                selection=Selection.of(search={"job_posting": posting.pk}),
                idempotency_key=auto_reminder_key(posting),
                by=None,
                source=AnswerRequest.Source.AUTOMATIC,
            )
        if is_new:
            created.append(answer_request)
    return created
