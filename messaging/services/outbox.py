"""Writing the outbox: one `Message` row per mail, in the transaction of its cause, sent on commit.

Mail to applicants (D03–D06) is rendered from the applicant; mail to reviewers and recruiters (D07, D08,
`direct_messages_queue`) from the values its app computes, and has no applicant. Both go out through
the same claim, send, retry and tracking as every other row (messaging.services.sending).
"""

from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from applicants.models import Applicant, Company, JobPosting
from messaging.models import Message, TemplateCode
from messaging.rendering import Renderer, placeholders_for
from messaging.selectors import messaging_settings_get, suppressed_emails, template_get

logger = logging.getLogger(__name__)

# Columns written for a new row; the rest take their database defaults.
_COLUMNS = (
    "company_id",
    "applicant_id",
    "template_code",
    "idempotency_key",
    "to",
    "subject",
    "body",
    "html_body",
    "status",
    "last_error",
    "next_attempt_at",
    "created_by_id",
)
SUPPRESSED_NOTE = "Not sent: the address is on the company's suppression list."


def renderer_for(*, company: Company, code: str) -> Renderer:
    """Load the company's template once and precompile it."""
    template = template_get(company=company, code=code)
    return Renderer(
        company=company,
        subject=template.subject,
        body=template.body,
        html_body=template.html_body,
        language=template.language,
        placeholders=placeholders_for(code),
    )


class _Context:
    """Per-call caches so that rendering N applicants costs no query per applicant."""

    def __init__(self, code: str):
        self.code = code
        self.renderers: dict[int, Renderer] = {}
        self.postings: dict[int, JobPosting] = {}
        self.suppressed: dict[int, set[str]] = {}
        self.now = timezone.now()

    def company(self, applicant: Applicant) -> Company:
        cached = applicant._state.fields_cache.get("company")
        return cached if cached is not None else Company.objects.get(pk=applicant.company_id)

    def posting(self, applicant: Applicant) -> JobPosting:
        posting = self.postings.get(applicant.job_posting_id)
        if posting is None:
            posting = applicant._state.fields_cache.get("job_posting") or JobPosting.objects.get(
                pk=applicant.job_posting_id
            )
            self.postings[applicant.job_posting_id] = posting
        return posting

    def renderer(self, applicant: Applicant) -> Renderer:
        renderer = self.renderers.get(applicant.company_id)
        if renderer is None:
            company = self.company(applicant)
            renderer = renderer_for(company=company, code=self.code)
            self.renderers[applicant.company_id] = renderer
            self.suppressed[applicant.company_id] = suppressed_emails(company_id=company.pk)
        return renderer

    def row(self, applicant: Applicant, key: str, by_id: int | None) -> tuple[Any, ...]:
        subject, body, html_body = self.renderer(applicant).render(applicant, self.posting(applicant))
        suppressed = applicant.email.lower() in self.suppressed[applicant.company_id]
        return (
            applicant.company_id,
            applicant.pk,
            self.code,
            key,
            applicant.email,
            subject[:300],
            body,
            html_body,
            Message.Status.SUPPRESSED if suppressed else Message.Status.QUEUED,
            SUPPRESSED_NOTE if suppressed else "",
            self.now,
            by_id,
        )


def registration_messages_queue(*, applicants: list[Applicant]) -> None:
    """Queue exactly one D03 per newly registered applicant (key `D03:<pk>`), sent after commit."""
    if not applicants:
        return
    context = _Context(TemplateCode.D03)
    rows = (context.row(a, f"D03:{a.pk}", None) for a in applicants)
    # New applicants cannot have a D03 yet, so rows go straight in (COPY on PostgreSQL).
    created = _insert(rows, ignore_conflicts=False)
    _send_on_commit(created)


@transaction.atomic
def messages_queue(
    *, template_code: str, applicants: Iterable[Applicant] | QuerySet[Applicant], key: str
) -> int:
    """Queue `template_code` for each applicant once per `key`; returns how many rows were created.

    The idempotency key is `<code>:<key>:<applicant pk>`, so a retried request creates nothing twice.
    D05 creates nothing while the company has switched it off.
    """
    if template_code not in TemplateCode.values or template_code in DIRECT_CODES:
        raise ValueError(f"no template to applicants: {template_code!r}")
    context = _Context(template_code)
    rows = (
        context.row(a, f"{template_code}:{key}:{a.pk}", None)
        for a in _iterate(applicants)
        if template_code != TemplateCode.D05 or _d05_on(context, a)
    )
    created = _insert(rows, ignore_conflicts=True)
    _send_on_commit(created)
    return created


def _d05_on(context: _Context, applicant: Applicant) -> bool:
    flags: dict[int, bool] = context.__dict__.setdefault("d05", {})
    if applicant.company_id not in flags:
        flags[applicant.company_id] = messaging_settings_get(company=context.company(applicant)).d05_enabled
    return flags[applicant.company_id]


@transaction.atomic
def message_resend(
    *, applicant: Applicant, template_code: str, by: Any, key: str | None = None
) -> Message | None:
    """An explicit resend: always a new message. `key` (a form's nonce) makes a double submit harmless.

    Returns the new message, or None when this `key` was already used.
    """
    context = _Context(template_code)
    nonce = key or uuid.uuid4().hex
    values = dict(
        zip(
            _COLUMNS,
            context.row(applicant, f"{template_code}:resend:{applicant.pk}:{nonce}", None),
            strict=True,
        )
    )
    values["created_by_id"] = getattr(by, "pk", None)
    message, created = Message.objects.get_or_create(
        idempotency_key=values.pop("idempotency_key"), defaults=values
    )
    if not created:
        return None
    _send_on_commit(1)
    return message


# Templates to people who are not applicants; their rows have no applicant.
DIRECT_CODES = (TemplateCode.D07, TemplateCode.D08)


@dataclass(frozen=True)
class DirectMail:
    """A mail to a reviewer or a recruiter: its whole idempotency key (starting with the template code,
    naming the cause and the recipient), the address and the values of the template's placeholders."""

    key: str
    to: str
    values: Mapping[str, str]


@transaction.atomic
def direct_messages_queue(
    *, company: Company, template_code: str, mails: Iterable[DirectMail], by: Any = None
) -> int:
    """Queue D07 or D08 once per key, rendered from each mail's values; returns how many rows are new.

    The caller's key makes a repeated request, or a second run of a beat task, create nothing twice
    (ON CONFLICT DO NOTHING on the key, as for answer requests). Suppressed addresses are recorded as
    suppressed, not sent.
    """
    if template_code not in DIRECT_CODES:
        raise ValueError(f"{template_code!r} is a template to applicants")
    renderer = renderer_for(company=company, code=template_code)
    suppressed = suppressed_emails(company_id=company.pk)
    now = timezone.now()
    by_id = getattr(by, "pk", None)

    def rows() -> Iterator[tuple[Any, ...]]:
        for mail in mails:
            if not mail.key.startswith(f"{template_code}:") or len(mail.key) > 100:
                raise ValueError(f"bad idempotency key {mail.key!r}")
            subject, body, html_body = renderer.render_values(dict(mail.values))
            blocked = mail.to.lower() in suppressed
            status = Message.Status.SUPPRESSED if blocked else Message.Status.QUEUED
            note = SUPPRESSED_NOTE if blocked else ""
            yield (company.pk, None, template_code, mail.key, mail.to, subject[:300], body, html_body,
                   status, note, now, by_id)  # fmt: skip

    created = _insert(rows(), ignore_conflicts=True)
    _send_on_commit(created)
    return created


def _iterate(applicants: Iterable[Applicant] | QuerySet[Applicant]) -> Iterator[Applicant]:
    if isinstance(applicants, QuerySet):
        yield from applicants.order_by().iterator(chunk_size=5000)
    else:
        yield from applicants


def _chunks(rows: Iterable[tuple[Any, ...]], size: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Up to this many rows go in one INSERT … VALUES; more are COPYed.
SMALL_INSERT = 100


def _insert(rows: Iterable[tuple[Any, ...]], *, ignore_conflicts: bool) -> int:
    """Insert rendered rows, up to SMALL_INSERT in one INSERT, more with COPY; returns how many were created.

    Raw SQL because the ORM has no COPY: bench/fanout.py and bench/import_csv.py need it (a
    `bulk_create` of the D03 rows of 100,000 applicants alone takes longer than the whole import may).
    """
    table = Message._meta.db_table
    columns = ", ".join(f'"{name}"' for name in _COLUMNS)
    conflicts = " ON CONFLICT (idempotency_key) DO NOTHING" if ignore_conflicts else ""
    chunks = _chunks(rows)
    first = next(chunks, [])
    if len(first) <= SMALL_INSERT:
        # The only chunk, and a small one (a D05, a single D03): one INSERT, not six statements.
        if not first:
            return 0
        values = ", ".join(["(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"] * len(first))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}{conflicts}",  # noqa: S608
                [value for row in first for value in row],
            )
            return cursor.rowcount
    target = table if not ignore_conflicts else "messaging_stage"
    created = 0
    with connection.cursor() as cursor:
        if ignore_conflicts:
            # COPY into a staging table, then one INSERT … ON CONFLICT DO NOTHING counts what is new.
            cursor.execute("DROP TABLE IF EXISTS pg_temp.messaging_stage")
            # Identifiers only come from the model, never from input.
            stage = f"CREATE TEMP TABLE messaging_stage ON COMMIT DROP AS SELECT {columns} FROM {table}"  # noqa: S608
            cursor.execute(stage + " WITH NO DATA")
        # Rendering may query (templates, postings), which must not happen while a COPY holds the
        # connection: render a chunk first, then COPY it. Chunks also bound the memory used.
        for chunk in itertools.chain([first], chunks):
            with cursor.cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row(row)
            created += len(chunk)
        if ignore_conflicts:
            staged = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM messaging_stage"  # noqa: S608
            cursor.execute(staged + conflicts)
            created = cursor.rowcount
            cursor.execute("DROP TABLE messaging_stage")
    return created


def _send_on_commit(created: int) -> None:
    """Nudge senders once the rows are committed; the database row, not the task, is the truth."""
    if created <= 0:
        return
    from messaging.tasks import senders_kick

    transaction.on_commit(lambda: senders_kick(count=created))
