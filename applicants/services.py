"""Every write the applicants app does: registration, updates, job postings, memberships."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import search, signals
from applicants.fields import NAMES as FIELD_NAMES
from applicants.models import (
    ApiToken,
    Applicant,
    ApplicantEvent,
    Company,
    JobPosting,
    Membership,
    Question,
    api_token_hash,
    validate_deadline,
)


@dataclass
class ApplicantData:
    """Validated, normalised values of one applicant (see applicants.normalize)."""

    email: str
    values: dict[str, Any] = field(default_factory=dict)

    def as_fields(self) -> dict[str, Any]:
        data = {k: v for k, v in self.values.items() if k in FIELD_NAMES}
        data["email"] = self.email
        return data


def im_ids_allocate(*, company: Company, count: int) -> range:
    """Reserve `count` consecutive iM採用IDs for the company.

    The UPDATE takes the company row's lock until the surrounding transaction ends, so two
    registrations into one company at once cannot hand out the same ID; IDs only ever grow.
    """
    if count <= 0:
        return range(0)
    assert transaction.get_connection().in_atomic_block, "allocate inside the registering transaction"
    Company.objects.filter(pk=company.pk).update(last_im_id=F("last_im_id") + count)
    last = Company.objects.values_list("last_im_id", flat=True).get(pk=company.pk)
    return range(last - count + 1, last + 1)


@transaction.atomic
def applicants_register(
    *,
    job_posting: JobPosting,
    rows: Sequence[ApplicantData],
    via: str,
    batch_size: int = 2000,
) -> list[Applicant]:
    """Register new applicants for a job posting: the one way every channel adds applicants.

    Allocates iM採用IDs and interview tokens and queues D03 for each new applicant in the same
    transaction. Callers have already rejected emails registered for the posting.
    """
    company = job_posting.company
    ids = im_ids_allocate(company=company, count=len(rows))
    if len(rows) < _COPY_FROM_ROWS:
        applicants = [
            Applicant(
                company=company, job_posting=job_posting, im_id=im_id, created_via=via, **row.as_fields()
            )
            for im_id, row in zip(ids, rows, strict=True)
        ]
        created = Applicant.objects.bulk_create(applicants, batch_size=batch_size)
    else:
        created = _register_copy(job_posting=job_posting, ids=ids, rows=rows, via=via)
    search.backlog_add(company=company, im_ids=ids)
    # Messaging queues their D03, sharing has their share links made (docs/architecture.md).
    signals.applicants_registered.send(sender=Applicant, job_posting=job_posting, applicants=created)
    return created


# From this many rows on, registrations go through COPY (CSV uploads of up to 100,000 rows): raw SQL
# because bulk_create cannot reach the import's targets (docs/csv-import.md, "Performance").
_COPY_FROM_ROWS = 200


def _register_copy(
    *, job_posting: JobPosting, ids: range, rows: Sequence[ApplicantData], via: str
) -> list[Applicant]:
    """COPY the new rows in, then read their primary keys back by iM採用ID (one indexed query).

    Instances are built positionally (Django's fast path for rows loaded from the database), with the
    same defaults the model would apply; this is what keeps 100,000 registrations within seconds.
    """
    fields = [f for f in Applicant._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    fixed: dict[str, Any] = {
        "company_id": job_posting.company_id,
        "job_posting_id": job_posting.pk,
        "created_via": via,
        "created_at": now,
        "updated_at": now,
    }
    per_row = [
        f.attname for f in fields if f.attname not in fixed and f.has_default() and callable(f.default)
    ]
    template = [fixed[f.attname] if f.attname in fixed else f.get_default() for f in fields]
    slots = {f.attname: i for i, f in enumerate(fields)}
    callables = [(slots[f.attname], f.default) for f in fields if f.attname in per_row]
    im_id_slot = slots["im_id"]
    values: list[list[Any]] = []
    allowed = {name: slots[name] for name in FIELD_NAMES}
    email_slot = slots["email"]
    for im_id, row in zip(ids, rows, strict=True):
        record = template.copy()
        record[im_id_slot] = im_id
        for name, value in row.values.items():
            slot = allowed.get(name)
            if slot is not None:
                record[slot] = value
        record[email_slot] = row.email
        for slot, default in callables:
            record[slot] = default()
        values.append(record)
    table = Applicant._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for record in values:
                copy.write_row(record)
        cursor.execute(
            f'SELECT "im_id", "id" FROM "{table}" WHERE "company_id" = %s AND "im_id" BETWEEN %s AND %s',  # noqa: S608
            [job_posting.company_id, ids.start, ids.stop - 1],
        )
        pks = dict(cursor.fetchall())
    # Instances as Model.from_db would make them, minus __init__'s per-field work (and its
    # pre/post_init signals, which nothing here listens to): 10,000 of them cost milliseconds.
    attnames = [f.attname for f in fields]
    alias = connection.alias  # the proxy's attribute lookup is too slow to repeat per row
    created = []
    for record in values:
        applicant = Applicant.__new__(Applicant)
        applicant.__dict__.update(zip(attnames, record, strict=True))
        applicant.id = pks[record[im_id_slot]]
        state = applicant._state = ModelState()
        state.adding = False
        state.db = alias
        state.fields_cache = {"company": job_posting.company, "job_posting": job_posting}
        created.append(applicant)
    return created


@transaction.atomic
def applicant_update(*, applicant: Applicant, data: dict[str, Any]) -> Applicant:
    """Change an applicant's details; never sends D03. A concurrent twin's address (any case) raises
    EmailAlreadyRegistered and changes nothing."""
    for name, value in data.items():
        if name in FIELD_NAMES:
            setattr(applicant, name, value)
    with _email_clash_raises():
        applicant.save()  # the search entry follows (database trigger applicant_search_sync)
    return applicant


class EmailAlreadyRegistered(Exception):
    """The address (in any case) is registered for the posting already: found by the database when a
    concurrent request registered it between the form's check and the insert."""


EMAIL_CONSTRAINT = "applicant_email_unique"


@contextmanager
def _email_clash_raises() -> Iterator[None]:
    """Turn the database's one-address-per-posting refusal into EmailAlreadyRegistered, in a savepoint."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) == EMAIL_CONSTRAINT:
            raise EmailAlreadyRegistered from None
        raise


def applicant_register_one(*, job_posting: JobPosting, data: ApplicantData, via: str) -> Applicant:
    """One applicant from the form or the API, with its D03; EmailAlreadyRegistered when a concurrent
    request registered the address (in any case) first, and then nothing is written or sent."""
    with _email_clash_raises():
        (applicant,) = applicants_register(job_posting=job_posting, rows=[data], via=via)
    return applicant


@transaction.atomic
def applicants_withdraw(*, applicants: Sequence[Applicant], by: Any = None) -> int:
    """Mark applicants as 辞退 (withdrawn) and revoke their share links; submitted ones keep both."""
    rows = list(
        Applicant.objects.select_for_update()
        .filter(pk__in=[a.pk for a in applicants])
        .exclude(status__in=[Applicant.Status.SUBMITTED, Applicant.Status.WITHDRAWN])
        .values_list("pk", "company_id")
    )
    pks = [pk for pk, _company in rows]
    Applicant.objects.filter(pk__in=pks).update(status=Applicant.Status.WITHDRAWN, updated_at=timezone.now())
    by = by if getattr(by, "pk", None) else None
    ApplicantEvent.objects.bulk_create(
        [
            ApplicantEvent(company_id=company, applicant_id=pk, kind=ApplicantEvent.Kind.WITHDRAWN, by=by)
            for pk, company in rows
        ],
        batch_size=1000,
    )
    signals.applicants_withdrawn.send(sender=Applicant, applicant_ids=pks)  # sharing revokes their links
    return len(pks)


@dataclass
class Extension:
    """What a 期限延長 did: who got the new deadline, who of them were reopened, who was left alone."""

    extended: list[Applicant] = field(default_factory=list)
    reopened: int = 0
    # Reason → count: submitted and withdrawn applicants keep theirs, as do those whose own deadline
    # is already as late.
    skipped: dict[str, int] = field(default_factory=dict)


class DeadlineRefused(Exception):
    """The new deadline is not usable; the message says why, in the user's language."""


def applicants_deadline_extend(
    *, company: Company, applicant_ids: Sequence[int], deadline: dt.datetime, notify: bool, by: Any = None
) -> Extension:
    """期限延長: give the applicants a personal deadline; 期限切れ ones return to 調整中 and may record
    again. With `notify`, each extended applicant is sent D06 (once per applicant and deadline).

    Submitted and withdrawn applicants, and those whose deadline is already as late, are skipped.
    """
    if deadline <= timezone.now():
        raise DeadlineRefused(_("The new deadline has already passed. Choose a date and time in the future."))
    try:
        validate_deadline(deadline)
    except ValidationError as error:
        raise DeadlineRefused(error.messages[0]) from None
    with transaction.atomic():
        rows = list(
            Applicant.objects.select_for_update(of=("self",))
            .select_related("job_posting")
            .filter(company=company, pk__in=list(applicant_ids))
            .order_by("pk")
        )
        return _extend(rows=rows, deadline=deadline, notify=notify, by=by)


def _extend(
    *,
    rows: list[Applicant],
    deadline: dt.datetime,
    notify: bool,
    by: Any,
    posting_previous: dt.datetime | None = None,
) -> Extension:
    """Extend each applicant of `rows` (locked) to `deadline`: a personal deadline, or with
    `posting_previous` (the posting's old deadline) the posting's own new one."""
    result = Extension()
    closed = {Applicant.Status.SUBMITTED: "submitted", Applicant.Status.WITHDRAWN: "withdrawn"}
    events = []
    for applicant in rows:
        reason = closed.get(applicant.status)  # type: ignore[call-overload]
        # An awaiting applicant whose deadline is already as late keeps it; an expired one is reopened.
        awaiting = applicant.status == Applicant.Status.AWAITING
        if reason is None and posting_previous is None and awaiting and applicant.answer_deadline >= deadline:
            reason = "later"
        if reason is not None:
            result.skipped[reason] = result.skipped.get(reason, 0) + 1
            continue
        previous = posting_previous or applicant.answer_deadline
        reopened = applicant.status == Applicant.Status.EXPIRED
        result.reopened += reopened
        if posting_previous is None:
            applicant.deadline = deadline
        applicant.status = Applicant.Status.AWAITING
        result.extended.append(applicant)
        events.append(
            ApplicantEvent(
                company_id=applicant.company_id,
                applicant=applicant,
                kind=ApplicantEvent.Kind.DEADLINE_EXTENDED,
                by=by if getattr(by, "pk", None) else None,
                data={
                    "deadline": deadline.isoformat(),
                    "previous": previous.isoformat(),
                    "reopened": reopened,
                    "notified": notify,
                },
            )
        )
    Applicant.objects.bulk_update(result.extended, ["deadline", "status", "updated_at"], batch_size=1000)
    ApplicantEvent.objects.bulk_create(events, batch_size=1000)
    signals.applicants_deadline_extended.send(
        sender=Applicant, applicants=result.extended, notify=notify, key=f"{deadline.timestamp():.0f}"
    )
    return result


def job_posting_reopen(
    *, posting: JobPosting, previous: dt.datetime, notify: bool, by: Any = None
) -> Extension:
    """After a posting's deadline moved later (from `previous`): its 期限切れ applicants without a
    deadline of their own return to 調整中 under the posting's new deadline, with D06 if asked."""
    if posting.deadline <= timezone.now() or posting.deadline <= previous:
        return Extension()
    with transaction.atomic():
        rows = list(
            Applicant.objects.select_for_update(of=("self",))
            .select_related("job_posting")
            .filter(job_posting=posting, status=Applicant.Status.EXPIRED, deadline__isnull=True)
            .order_by("pk")
        )
        return _extend(rows=rows, deadline=posting.deadline, notify=notify, by=by, posting_previous=previous)


@transaction.atomic
def job_posting_save(
    *,
    company: Company,
    posting: JobPosting | None,
    data: dict[str, Any],
    questions: list[dict[str, Any]] | None,
    notify_reopened: bool = False,
    by: Any = None,
) -> JobPosting:
    """Create or update a job posting with its ordered questions (replacing the old list).

    Moving the deadline later reopens the posting's 期限切れ applicants (job_posting_reopen), with D06
    when `notify_reopened`; what that did is left in `posting.reopened`.
    """
    previous = None
    if posting is None:
        posting = JobPosting(company=company)
    else:
        # The stored deadline, under the row's lock: a bound form has already changed the instance.
        previous = (
            JobPosting.objects.select_for_update().values_list("deadline", flat=True).get(pk=posting.pk)
        )
    for name in ("title", "instructions", "practice_question", "deadline", "is_open"):
        if name in data:
            setattr(posting, name, data[name])
    posting.save()
    if questions is not None:
        _questions_replace(posting=posting, questions=questions)
    posting.reopened = Extension()
    if previous is not None:
        posting.refresh_from_db(fields=["deadline"])  # as stored, whatever type the caller gave
    if previous is not None and posting.deadline > previous:
        posting.reopened = job_posting_reopen(
            posting=posting, previous=previous, notify=notify_reopened, by=by
        )
    return posting


# What the API's optional question fields default to: the model's own defaults.
QUESTION_DEFAULTS = {
    field.name: field.get_default()
    for field in Question._meta.get_fields()
    if isinstance(field, models.Field) and field.has_default()
}


def _questions_replace(*, posting: JobPosting, questions: list[dict[str, Any]]) -> None:
    """Keep question rows (and so their answers) where the position still exists."""
    existing = list(posting.questions.order_by("position", "id"))
    for position, values in enumerate(questions):
        question = existing[position] if position < len(existing) else Question(job_posting=posting)
        question.position = position
        for name in ("text", "preparation_seconds", "answer_seconds", "max_takes"):
            # The API documents every field but the text as optional, with the model's default.
            value = values[name] if name in values else QUESTION_DEFAULTS[name]
            setattr(question, name, value)
        question.save()
    for stale in existing[len(questions) :]:
        stale.delete()


@transaction.atomic
def membership_create(*, company: Company, username: str, email: str, password: str, role: str) -> Membership:
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    return Membership.objects.create(user=user, company=company, role=role)


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Remove a recruiter from the company; the login is deactivated, history keeps the user."""
    user = membership.user
    membership.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])
    api_tokens_revoke(user=user)


@transaction.atomic
def api_token_create(*, user: Any) -> tuple[ApiToken, str]:
    """A new API token for the recruiter (its previous one stops working) and its key, shown only once."""
    api_tokens_revoke(user=user)
    key = secrets.token_urlsafe(32)  # 256 random bits
    token = ApiToken.objects.create(user=user, key_hash=api_token_hash(key), prefix=key[:6])
    return token, key


def api_tokens_revoke(*, user: Any) -> int:
    """Revoke every active API token of the user; calls with them answer 401 from now on."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
