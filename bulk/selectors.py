"""Reads of まとめて処理モード: an answer request's recipients (sent, skipped and why), its CSV rows, and the
D04 each applicant got from answer requests (the list's 「最終回答依頼」, through applicants.selectors)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from applicants.models import Company
from bulk.models import AnswerRequest, AnswerRequestRecipient
from interviewmaker import csvfiles
from interviewmaker.numbers import id_or_404

Outcome = AnswerRequestRecipient.Outcome
Reason = AnswerRequestRecipient.Reason


def answer_request_get(*, company: Company, pk: int | str) -> AnswerRequest:
    """One answer request of the company, or a 404 (another company's included)."""
    try:
        return AnswerRequest.objects.select_related("job_posting", "created_by").get(
            pk=id_or_404(pk), company=company
        )
    except AnswerRequest.DoesNotExist:
        raise Http404 from None


def reminders_sent() -> QuerySet[AnswerRequestRecipient]:
    """One row per D04 an answer request sent (`company_id`, `im_id`, `created_at`): the source of the
    list's 「最終回答依頼」 column and its search conditions (registered with applicants.selectors)."""
    return AnswerRequestRecipient.objects.filter(outcome=Outcome.SENT)


def recipient_list(
    *, answer_request: AnswerRequest, outcome: str = "", reason: str = ""
) -> QuerySet[AnswerRequestRecipient]:
    """The request's recipients in iM採用ID order (the unique index's), with their applicant and D04;
    `outcome` and a skip `reason` filter."""
    rows = AnswerRequestRecipient.objects.filter(answer_request=answer_request)
    if outcome in Outcome.values:
        rows = rows.filter(outcome=outcome)
    if reason in Reason.values:
        rows = rows.filter(reason=reason)
    return rows.select_related("applicant", "message").order_by("im_id")


@dataclass(frozen=True)
class RecipientCounts:
    """How many of a request's recipients were sent D04 and how many were skipped, per reason."""

    sent: int
    by_reason: dict[str, int]

    @property
    def skipped(self) -> int:
        return sum(self.by_reason.values())

    @property
    def total(self) -> int:
        return self.sent + self.skipped

    def reasons(self) -> list[dict[str, Any]]:
        """The reasons that occurred, in the order of Reason, with their labels."""
        return [
            {"value": value, "label": label, "count": self.by_reason[value]}
            for value, label in Reason.choices
            if self.by_reason.get(value)
        ]


def recipient_counts(*, answer_request: AnswerRequest) -> RecipientCounts:
    """Sent, and skipped per reason, in one query."""
    rows = (
        AnswerRequestRecipient.objects.filter(answer_request=answer_request)
        .order_by()
        .values_list("outcome", "reason")
        .annotate(n=Count("*"))
    )
    sent = 0
    by_reason: dict[str, int] = {}
    for outcome, reason, n in rows:
        if outcome == Outcome.SENT:
            sent += n
        else:
            by_reason[reason] = by_reason.get(reason, 0) + n
    return RecipientCounts(sent=sent, by_reason=by_reason)


# The CSV's columns: the iM採用ID first (csvfiles.cp932_problems names rows by it).
RECIPIENT_FIELDS = (
    "im_id",
    "applicant__last_name",
    "applicant__first_name",
    "applicant__email",
    "outcome",
    "reason",
    "message__status",
    "created_at",
)


def recipient_header() -> list[str]:
    return [
        gettext("iM ID"),
        gettext("Name"),
        gettext("Email address"),
        gettext("Outcome"),
        gettext("Reason"),
        gettext("D04 status"),
        gettext("At"),
    ]


def recipient_rows(
    *, answer_request: AnswerRequest, outcome: str = "", reason: str = ""
) -> Iterator[list[Any]]:
    """The recipients as CSV cells: iM採用ID, name, email, outcome, reason, D04 status, when (in the
    company's time zone, as the list's search conditions read dates)."""
    tz = answer_request.company.tzinfo
    outcomes = dict(Outcome.choices)
    reasons = dict(Reason.choices)
    statuses = _message_statuses()
    rows = (
        recipient_list(answer_request=answer_request, outcome=outcome, reason=reason)
        .select_related(None)
        .values_list(*RECIPIENT_FIELDS)
        .iterator(chunk_size=csvfiles.CHUNK_ROWS)
    )
    for im_id, last, first, email, row_outcome, reason, status, at in rows:
        yield [
            im_id,
            f"{last} {first}".strip(),
            email,
            str(outcomes.get(row_outcome, row_outcome)),
            str(reasons.get(reason, reason)),
            str(statuses.get(status, status or "")),
            timezone.localtime(at, tz).strftime("%Y-%m-%d %H:%M"),
        ]


def recipients_unencodable(*, answer_request: AnswerRequest, limit: int = 5) -> list[tuple[int, str]]:
    """(iM採用ID, characters) of up to `limit` recipients whose name or address CP932 cannot hold (the
    other cells are this app's own words)."""
    rows = (
        AnswerRequestRecipient.objects.filter(answer_request=answer_request)
        .values_list("im_id", "applicant__last_name", "applicant__first_name", "applicant__email")
        .iterator(chunk_size=csvfiles.CHUNK_ROWS)
    )
    _scanned, problems, _bad_rows = csvfiles.cp932_problems(
        rows=rows, columns=["last_name", "first_name", "email"], limit=limit
    )
    found: dict[int, str] = {}
    for problem in problems:
        found[problem.im_id] = "".join(dict.fromkeys(found.get(problem.im_id, "") + problem.characters))
    return list(found.items())


def _message_statuses() -> dict[str, Any]:
    from messaging.models import Message

    return dict(Message.Status.choices)
