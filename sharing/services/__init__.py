"""Every write of the sharing app: links, views, sheets, evaluations, export audit; reviewers and
their assignments (`sharing.services.reviewers`) and the submission digests (`.digests`), re-exported
at the end of this module."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applicants.models import Applicant, Company, JobPosting
from interviewmaker import csvfiles
from sharing import pgexport, selectors
from sharing.models import (
    Evaluation,
    EvaluationItem,
    EvaluationSheet,
    ShareLink,
    ShareLinkView,
    ShareUrlExport,
    SharingSettings,
    share_url,
)
from webhooks import emit

# request.user: a recruiter, or AnonymousUser / None for system work.
User = Any

# The share URL CSV is a file format read by ATS imports, so its header is fixed (docs/product.md §8).
SHARE_CSV_HEADER = (
    "iM採用ID",
    "メールアドレス",
    "姓",
    "名",
    "フリーエリア1",
    "フリーエリア2",
    "フリーエリア3",
    "回答状況",
    "共有用URL",
)


def _user_or_none(user: User | None) -> Any:
    return user if user is not None and user.is_authenticated else None


# --- Settings -------------------------------------------------------------------------------------


@transaction.atomic
def sharing_settings_save(
    *, company: Company, link_expiry_days: int | None, evaluations_visibility: str
) -> None:
    SharingSettings.objects.update_or_create(
        company=company,
        defaults={"link_expiry_days": link_expiry_days, "evaluations_visibility": evaluations_visibility},
    )


# --- Links ----------------------------------------------------------------------------------------

# 2 × gen_random_uuid() = 244 random bits from PostgreSQL's CSPRNG, as unpadded URL-safe base64.
_PG_RANDOM_SQL = (
    "rtrim(translate(encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),"
    " 'hex'), 'base64'), '+/', '-_'), '=')"
)


ANALYZE_AFTER_ROWS = 1000


@transaction.atomic
def share_links_ensure(*, applicants: QuerySet[Applicant], by: User | None = None) -> int:
    """Give every applicant of the queryset a live share link, set-based; returns how many were created.

    One INSERT … SELECT does it for any number of rows, with tokens drawn by PostgreSQL; the partial
    unique index and ON CONFLICT DO NOTHING make a concurrent export or regeneration harmless. Raw SQL
    because the ORM cannot insert from a select: it would bring every id through Python and back.
    """
    user = _user_or_none(by)
    live = ShareLink.objects.filter(applicant=OuterRef("pk"), revoked_at__isnull=True)
    # A withdrawn (辞退) applicant is no longer shown to reviewers: no link, not even a new one.
    missing = applicants.order_by().exclude(status=Applicant.Status.WITHDRAWN).filter(~Exists(live))
    sub_sql, sub_params = missing.values("pk").query.sql_with_params()
    sql = (
        # sub_sql is compiled by the ORM; its values stay bound parameters.
        "INSERT INTO sharing_sharelink (company_id, applicant_id, token, created_at, created_by_id) "  # noqa: S608
        f"SELECT a.company_id, a.id, {_PG_RANDOM_SQL}, %s, %s "
        f"FROM applicants_applicant a WHERE a.id IN ({sub_sql}) ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), getattr(user, "pk", None), *sub_params])
        created = max(cursor.rowcount, 0)
        if created >= ANALYZE_AFTER_ROWS:
            # Fresh statistics, or the export's join right after a big insert plans a nested loop
            # over a table the planner still thinks is empty (seconds instead of milliseconds).
            cursor.execute("ANALYZE sharing_sharelink")
        return created


def share_links_for_posting(*, job_posting_id: int) -> int:
    """Links for the posting's applicants that have none, while the company has share URLs on.

    Registration nudges this after commit, so that the share URL CSV finds every link ready instead of
    creating 100,000 of them on the first download.
    """
    posting = JobPosting.objects.select_related("company").filter(pk=job_posting_id).first()
    if posting is None or not posting.company.share_url_enabled:
        return 0
    return share_links_ensure(applicants=Applicant.objects.filter(job_posting=posting))


def share_links_sweep() -> int:
    """Links for every applicant of every company with share URLs on; a no-op when all exist."""
    return share_links_ensure(applicants=Applicant.objects.filter(company__share_url_enabled=True))


def share_links_attach(*, company: Company, applicants: Sequence[Applicant]) -> None:
    """Set `applicant.share_link` for a page of applicants, creating missing links: two queries per page."""
    if not applicants:
        return
    pks = [a.pk for a in applicants]
    share_links_ensure(applicants=Applicant.objects.filter(company=company, pk__in=pks))
    links = {
        link.applicant_id: link
        for link in ShareLink.objects.filter(company=company, applicant_id__in=pks, revoked_at__isnull=True)
    }
    for applicant in applicants:
        applicant.share_link = links.get(applicant.pk)  # type: ignore[attr-defined]


@transaction.atomic
def share_link_get_or_create(*, applicant: Applicant, by: User | None = None) -> ShareLink | None:
    """The applicant's live link, made if missing; None for a withdrawn applicant, who has none."""
    link = selectors.share_link_active(company=applicant.company, applicant=applicant)
    if link is not None or applicant.status == Applicant.Status.WITHDRAWN:
        return link
    share_links_ensure(applicants=Applicant.objects.filter(pk=applicant.pk), by=by)
    return ShareLink.objects.get(applicant=applicant, revoked_at__isnull=True)


def share_links_revoke(*, applicant_ids: Sequence[int], by: User | None = None) -> int:
    """Revoke the live links of these applicants (their reviewer pages answer 404 at once)."""
    return ShareLink.objects.filter(applicant_id__in=applicant_ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=_user_or_none(by)
    )


class ShareLinkWithdrawn(Exception):
    """A withdrawn applicant gets no share link."""


@transaction.atomic
def share_link_regenerate(*, applicant: Applicant, by: User | None = None) -> ShareLink:
    """Revoke the applicant's link (the old URL stops working at once) and issue a new one."""
    if applicant.status == Applicant.Status.WITHDRAWN:
        raise ShareLinkWithdrawn
    user = _user_or_none(by)
    # Lock the applicant so two regenerations in parallel leave exactly one live link.
    Applicant.objects.select_for_update().filter(pk=applicant.pk).get()
    ShareLink.objects.filter(applicant=applicant, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    return ShareLink.objects.create(company=applicant.company, applicant=applicant, created_by=user)


def share_link_view_record(*, link: ShareLink, ip_address: str | None, user_agent: str) -> ShareLinkView:
    return ShareLinkView.objects.create(link=link, ip_address=ip_address or None, user_agent=user_agent[:300])


# --- Evaluation sheets ----------------------------------------------------------------------------


@transaction.atomic
def evaluation_sheet_for(*, job_posting: JobPosting) -> EvaluationSheet:
    """The posting's sheet, created as the default "System standard" (overall A–E and a comment)."""
    sheet = selectors.evaluation_sheet_get(job_posting=job_posting)
    if sheet is not None:
        return sheet
    # Sheet and item names are data recruiters edit; store them in the company's language.
    with translation.override(job_posting.company.language):
        sheet, created = EvaluationSheet.objects.get_or_create(
            job_posting=job_posting, defaults={"company": job_posting.company, "name": _("System standard")}
        )
        if created:
            EvaluationItem.objects.bulk_create(
                [
                    EvaluationItem(
                        sheet=sheet, position=0, label=_("Overall rating"), kind=EvaluationItem.Kind.GRADE
                    ),
                    EvaluationItem(
                        sheet=sheet,
                        position=1,
                        label=_("Comment"),
                        kind=EvaluationItem.Kind.TEXT,
                        required=False,
                    ),
                ]
            )
    return EvaluationSheet.objects.prefetch_related("items").get(pk=sheet.pk)


@dataclass
class ItemData:
    label: str
    kind: str
    required: bool
    id: int | None = None


@transaction.atomic
def evaluation_sheet_save(
    *, job_posting: JobPosting, name: str, items: Sequence[ItemData]
) -> EvaluationSheet:
    """Replace the posting's sheet items; evaluations already given keep their own copy of labels."""
    sheet = evaluation_sheet_for(job_posting=job_posting)
    sheet.name = name
    sheet.save()
    existing = {item.pk: item for item in sheet.items.all()}
    keep: set[int] = set()
    for position, data in enumerate(items):
        item = existing.get(data.id) if data.id else None
        if item is None:
            item = EvaluationItem(sheet=sheet)
        item.position, item.label, item.kind, item.required = position, data.label, data.kind, data.required
        item.save()
        keep.add(item.pk)
    sheet.items.exclude(pk__in=keep).delete()
    return EvaluationSheet.objects.prefetch_related("items").get(pk=sheet.pk)


# --- Evaluations ----------------------------------------------------------------------------------


@transaction.atomic
def evaluation_submit(
    *,
    link: ShareLink,
    sheet: EvaluationSheet,
    reviewer_name: str,
    answers: Mapping[int, str],
    submission: uuid.UUID | None = None,
) -> Evaluation:
    """Store one reviewer's evaluation of the link's applicant, with a copy of each item's label.

    `submission` is the form's one-time key: the same form posted twice (at once or later) stores one
    evaluation and returns it both times.
    """
    if submission is not None:
        existing = Evaluation.objects.filter(link=link, submission=submission).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                company=link.company,
                applicant=link.applicant,
                link=link,
                sheet_name=sheet.name,
                reviewer_name=reviewer_name,
                values=_evaluation_values(sheet, answers),
                submission=submission,
            )
    except IntegrityError:
        # The twin POST committed first (PostgreSQL made this one wait for it).
        return Evaluation.objects.get(link=link, submission=submission)
    emit.object_event(
        company=link.company,
        event="evaluation.submitted",
        data=evaluation_data(evaluation),
        applicant_id=evaluation.applicant_id,
    )
    return evaluation


def evaluation_data(evaluation: Evaluation) -> dict[str, Any]:
    """An evaluation as `GET /api/v1/applicants/{im_id}/evaluations/` shows it, with the applicant's ids."""
    applicant = evaluation.applicant
    return {
        "id": evaluation.pk,
        "im_id": applicant.im_id,
        "free_area_1": applicant.free_area_1,
        "free_area_2": applicant.free_area_2,
        "free_area_3": applicant.free_area_3,
        "sheet_name": evaluation.sheet_name,
        "reviewer_name": evaluation.reviewer_name,
        "reviewer_id": evaluation.reviewer_id,
        "values": [{"label": v["label"], "kind": v["kind"], "value": v["value"]} for v in evaluation.values],
        "created_at": evaluation.created_at.isoformat(),
    }


@transaction.atomic
def evaluation_update(
    *, evaluation: Evaluation, sheet: EvaluationSheet, reviewer_name: str, answers: Mapping[int, str]
) -> Evaluation:
    """A reviewer's correction of their own evaluation: the same row, answered against today's sheet."""
    evaluation.sheet_name = sheet.name
    evaluation.reviewer_name = reviewer_name
    evaluation.values = _evaluation_values(sheet, answers)
    evaluation.updated_at = timezone.now()
    evaluation.save(update_fields=["sheet_name", "reviewer_name", "values", "updated_at"])
    return evaluation


def _evaluation_values(sheet: EvaluationSheet, answers: Mapping[int, str]) -> list[dict[str, Any]]:
    return [
        {"item": item.pk, "label": item.label, "kind": item.kind, "value": answers.get(item.pk, "")}
        for item in sheet.items.all()
    ]


# --- Share URL CSV --------------------------------------------------------------------------------


@dataclass
class ShareUrlExportResult:
    """Either a stream ready to send, or the rows CP932 cannot hold (then nothing was logged)."""

    rows: int
    stream: Iterator[bytes] | None = None
    problems: list[csvfiles.Unencodable] = field(default_factory=list)
    problem_rows: int = 0


def share_url_export(
    *, company: Company, user: User | None, params: Mapping[str, Any], encoding: str, via: str
) -> ShareUrlExportResult:
    """Share URL CSV of the list's current search: validate, create missing links, audit, then stream.

    Nothing is written when CP932 cannot hold a cell: the caller reports the rows and offers UTF-8.
    With `columns="labels"` the free areas' columns carry the company's labels (e.g. ATS応募者ID), for an
    ATS that maps its columns by name.
    """
    if encoding not in csvfiles.ENCODINGS:
        raise ValueError(encoding)
    header = share_csv_header(company=company, columns=str(params.get("columns") or ""))
    from applicants.selectors import SEARCH_KEYS, applicant_search

    applicants = applicant_search(company=company, params=params)
    spool = _spool(applicants=applicants, encoding=encoding, header=header)
    if spool.missing_links and not spool.problems:
        # First export of these applicants: create every link in one statement, then write again.
        share_links_ensure(applicants=applicants, by=user)
        spool = _spool(applicants=applicants, encoding=encoding, header=header)
    if spool.problems:
        return ShareUrlExportResult(rows=spool.rows, problems=spool.problems, problem_rows=spool.problem_rows)
    rows, stream = spool.rows, spool.stream()
    search = {k: str(params[k]) for k in (*SEARCH_KEYS, "sort", "columns") if params.get(k) not in (None, "")}
    ShareUrlExport.objects.create(
        company=company, user=_user_or_none(user), search=search, encoding=encoding, rows=rows, via=via
    )
    return ShareUrlExportResult(rows=rows, stream=stream)


def share_csv_header(*, company: Company, columns: str = "") -> tuple[str, ...]:
    """The fixed header, or with `columns="labels"` the company's free-area labels in their place
    (a free area without a label keeps its standard name)."""
    if columns != "labels":
        return SHARE_CSV_HEADER
    standard = list(SHARE_CSV_HEADER)
    for n in (1, 2, 3):
        label = getattr(company, f"free_area_{n}_label")
        if label:
            standard[standard.index(f"フリーエリア{n}")] = label
    return tuple(standard)


def _spool(*, applicants: QuerySet[Applicant], encoding: str, header: Sequence[str]) -> pgexport.Spool:
    return pgexport.spool_share_url_csv(
        applicants=applicants,
        encoding=encoding,
        header=header,
        status_labels=_status_labels(),
        url_prefix=share_url("")[:-1],
    )


def _status_labels() -> dict[str, str]:
    with translation.override("ja"):
        return {value: str(label) for value, label in Applicant.Status.choices}


def evaluations_csv(*, evaluations: QuerySet[Evaluation]) -> Iterator[bytes]:
    """Evaluations as UTF-8 CSV with BOM: one row per evaluation, one column per item label.

    Always UTF-8: free-text comments may hold anything, and no character may be lost to CP932.
    """
    labels: dict[str, None] = {}
    for values in evaluations.values_list("values", flat=True).iterator(chunk_size=2000):
        for value in values:
            labels.setdefault(value["label"], None)
    header = [
        _("iM ID"), _("Last name"), _("First name"), _("Reviewer"), _("Submitted at"), _("Edited at"), *labels
    ]  # fmt: skip

    def rows() -> Iterator[list[object]]:
        for evaluation in evaluations.iterator(chunk_size=2000):
            by_label = {value["label"]: value["value"] for value in evaluation.values}
            applicant = evaluation.applicant
            yield [
                applicant.im_id,
                applicant.last_name,
                applicant.first_name,
                evaluation.reviewer_name,
                _minute(evaluation.created_at),
                _minute(evaluation.updated_at),
                *(by_label.get(label, "") for label in labels),
            ]

    return csvfiles.stream_csv(header=header, rows=rows(), encoding="utf-8")


def _minute(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


# Reviewers, assignments and digests live in their own modules; callers use them from here.
from sharing.services.digests import submission_digests_send  # noqa: E402, F401
from sharing.services.reviewers import (  # noqa: E402, F401
    AssignResult,
    assignment_delete,
    posting_reviewers_set,
    review_requests_queue,
    reviewer_create,
    reviewer_delete,
    reviewer_evaluation_save,
    reviewer_link_regenerate,
    reviewer_link_revoke,
    reviewer_update,
    reviewers_assign_applicants,
    reviewers_assign_posting,
    submission_digest_set,
)
