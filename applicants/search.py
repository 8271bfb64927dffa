"""The applicant list's free-text search at index speed (docs/applicant-list.md, "Free-text search").

Each applicant has an `ApplicantSearch` row: its searched columns, NFKC-normalised and lower-cased as
one text, and the n-gram keys of that text in a GIN index: every character and every pair of
neighbouring characters (as integers), so that one-, two- and longer queries are all index lookups
(a trigram index cannot serve the two-character names 髙橋, 佐藤). A query of three or more characters
looks up its pairs and rechecks the text with LIKE.

Registrations (the CSV import's hot path) only record their iM採用ID range in `ApplicantSearchBacklog`;
a worker fills the entries after commit, set-based. Until then the search scans the backlog's rows
with the same normalisation, so a just-registered applicant is always found. Edits rewrite the entry
in their own transaction, so an edited applicant is found by the new value and not the old one.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from array import array
from collections.abc import Iterable
from itertools import pairwise, repeat
from operator import lshift, or_

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, TextField
from django.db.models.lookups import Contains
from django.utils import timezone

from applicants.models import Applicant, ApplicantSearch, ApplicantSearchBacklog, Company
from interviewmaker.numbers import ascii_int
from interviewmaker.tasks import enqueue_on_commit

# The searched columns, in document order. Digits of a query also match the iM採用ID exactly.
SEARCHED = (
    "email",
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "school",
    "free_area_1",
    "free_area_2",
    "free_area_3",
)
SEPARATOR = "\x1f"  # between columns: no n-gram spans two columns, and no query can contain it
# Applicants indexed per transaction by the worker (the import registers in chunks of 5,000 too).
INDEX_CHUNK = 5_000
_PAIR_SHIFT = 21  # code points fit in 21 bits: a pair (a, b) is a << 21 | b, never a single code point
_COMPANY_MASK = (1 << 21) - 1


def search_text(value: str) -> str:
    """What the index stores and the query looks for: NFKC (ﾀｶﾊｼ → タカハシ, ＡＴＳ → ATS), lower case.

    The same as PostgreSQL's lower(normalize(…, NFKC)) of _Document for the characters applicants use.
    """
    text = unicodedata.normalize("NFKC", value).lower()
    return "".join(ch for ch in text if ch >= " ")  # control characters cannot be searched for


def document_grams(document: str, im_id: int, company_id: int) -> list[int]:
    """Index keys of a document: each character, each pair of neighbours in a column, the iM採用ID.

    Every key carries the company (`_company_bits`), so a key's posting list in the GIN index holds
    that company's applicants only: 髙 reads 12,500 entries of a 100,000-applicant company, not
    125,000 of all tenants.
    """
    # C-level loops only: this runs for every registered applicant.
    points = array("I", document.encode("utf-32-le"))
    keys = set(points)
    keys.update(map(or_, map(lshift, points, repeat(_PAIR_SHIFT)), points[1:]))
    sep = ord(SEPARATOR)
    low = (1 << _PAIR_SHIFT) - 1
    company = _company_bits(company_id)
    grams = [company | k for k in keys if k != sep and k & low != sep and k >> _PAIR_SHIFT != sep]
    grams.append(-(company | im_id))
    return grams


def query_grams(text: str, company_id: int) -> list[int]:
    """Keys every matching document holds: the character of a one-character query, else its pairs."""
    points = [ord(ch) for ch in text]
    company = _company_bits(company_id)
    if len(points) == 1:
        return [company | points[0]]
    return sorted({company | (a << _PAIR_SHIFT) | b for a, b in pairwise(points)})


def _im_id_key(im_id: int, company_id: int) -> int:
    return -(_company_bits(company_id) | im_id)


def _company_bits(company_id: int) -> int:
    """The company in a key's top 21 bits (above a pair's 42); ids beyond 2**21 share, the filter on
    company_id keeps them apart."""
    return (company_id & _COMPANY_MASK) << (2 * _PAIR_SHIFT)


class _Document(Func):
    """The searched text of an applicant row: lower(normalize(concat_ws(U+001F, columns…), NFKC)).

    Computed by PostgreSQL (a few µs a row) both for the stored entries and for rows not indexed yet.
    """

    template = "lower(normalize(concat_ws(%(sep)s, %(expressions)s), NFKC))"
    output_field = TextField()

    def __init__(self, prefix: str = "") -> None:
        super().__init__(*(F(f"{prefix}{name}") for name in SEARCHED), sep=f"E'\\x{ord(SEPARATOR):02x}'")


def entries_matching(*, company: Company, q: str) -> QuerySet[ApplicantSearch]:
    """The company's search entries holding `q` (a GIN lookup of its keys), or its iM採用ID."""
    text = search_text(q)
    keys = Q(grams__contains=query_grams(text, company.pk))
    if len(text) > 2:
        keys &= Q(document__contains=text)  # the pairs in any order: recheck the substring
    if (im_id := ascii_int(q)) is not None:
        keys |= Q(grams__contains=[_im_id_key(im_id, company.pk)])
    return ApplicantSearch.objects.filter(keys, company=company)


def text_condition(*, company: Company, q: str) -> Q | None:
    """The applicants of `company` whose searched columns contain `q` (or whose iM採用ID it is).

    Costs one small query: whether the company has registrations not indexed yet. Only then does the
    condition also scan those rows (by iM採用ID range) instead of relying on the index alone.
    """
    text = search_text(q)
    if not text:
        return None
    im_id = ascii_int(q)
    condition = Q(pk__in=entries_matching(company=company, q=q).values("applicant_id"))
    backlog = ApplicantSearchBacklog.objects.filter(company=company).values_list("im_id_from", "im_id_to")
    unindexed = Q()
    for first, last in backlog:
        unindexed |= Q(im_id__range=(first, last))
    if unindexed:
        found = Q(Contains(_Document(), text))
        if im_id is not None:
            found |= Q(im_id=im_id)
        condition |= Q(unindexed, found, company=company)
    return condition


def backlog_add(*, company: Company, im_ids: range) -> None:
    """Registered applicants wait here for the worker to index them (after commit, off the import's path)."""
    if not im_ids:
        return
    ApplicantSearchBacklog.objects.create(company=company, im_id_from=im_ids.start, im_id_to=im_ids.stop - 1)
    from applicants.tasks import applicant_search_index_task

    enqueue_on_commit(applicant_search_index_task, company.pk)


def entries_refresh(*, applicant_ids: Iterable[int]) -> None:
    """Rewrite the entries of edited applicants in the edit's transaction: the old text is never found."""
    rows = Applicant.objects.filter(pk__in=list(applicant_ids)).values_list(
        "pk", "company_id", "im_id", _Document()
    )
    ApplicantSearch.objects.bulk_create(
        [_entry(*row) for row in rows],
        update_conflicts=True,
        unique_fields=["applicant"],
        update_fields=["document", "grams"],
        batch_size=1_000,
    )


def backlog_index(*, company_id: int) -> int:
    """Index the company's backlog, INDEX_CHUNK applicants per transaction; returns how many."""
    done = 0
    while True:
        try:
            with transaction.atomic():
                indexed = _backlog_index_chunk(company_id)
        except IntegrityError:
            continue  # an edit wrote one of these entries meanwhile: take the chunk again without it
        if indexed is None:
            return done
        done += indexed


def _backlog_index_chunk(company_id: int) -> int | None:
    # SKIP LOCKED: a second worker on the same company takes the next range instead of waiting to
    # redo this one.
    entry = (
        ApplicantSearchBacklog.objects.select_for_update(skip_locked=True)
        .filter(company_id=company_id)
        .order_by("pk")
        .first()
    )
    if entry is None:
        return None
    last = min(entry.im_id_to, entry.im_id_from + INDEX_CHUNK - 1)
    # Entries an edit already wrote are fresher than what this would compute: left alone.
    rows = (
        Applicant.objects.filter(company_id=company_id, im_id__range=(entry.im_id_from, last))
        .exclude(Exists(ApplicantSearch.objects.filter(applicant_id=OuterRef("pk"))))
        .values_list("pk", "company_id", "im_id", _Document())
    )
    _copy([_entry(*row) for row in rows])
    if last >= entry.im_id_to:
        entry.delete()
    else:
        ApplicantSearchBacklog.objects.filter(pk=entry.pk).update(im_id_from=last + 1)
    return len(rows)


def _copy(entries: list[ApplicantSearch]) -> None:
    """COPY the entries in, then merge GIN's pending list once for the whole chunk.

    Raw SQL because the ORM is too slow here (5,000 entries of 60 keys: bulk_create 3.2 s, COPY 1.0 s,
    COPY into a 64 MB pending list merged once 0.7 s); the pending list is merged before commit so that
    searches never scan a long one.
    """
    if not entries:
        return
    table = ApplicantSearch._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        with cursor.cursor.copy(
            f'COPY "{table}" ("applicant_id", "company_id", "document", "grams") FROM STDIN'
        ) as copy:
            for entry in entries:
                # The array as COPY text: psycopg's generic list dumper costs more than the rest.
                grams = "{%s}" % ",".join(map(str, entry.grams))  # noqa: UP031
                copy.write_row((entry.applicant_id, entry.company_id, entry.document, grams))
        cursor.execute("SELECT gin_clean_pending_list('applicant_search_grams'::regclass)")


def _entry(pk: int, company_id: int, im_id: int, document: str) -> ApplicantSearch:
    return ApplicantSearch(
        applicant_id=pk,
        company_id=company_id,
        document=document,
        grams=document_grams(document, im_id, company_id),
    )


# A backlog entry this old lost its task (broker outage): the beat sweep enqueues it again.
STUCK_AFTER = dt.timedelta(minutes=5)


def backlog_resume(*, now: dt.datetime | None = None) -> int:
    """Re-enqueue the indexing of companies whose backlog waits too long; the rows are the truth."""
    from applicants.tasks import applicant_search_index_task

    cutoff = (now or timezone.now()) - STUCK_AFTER
    companies = set(
        ApplicantSearchBacklog.objects.filter(created_at__lt=cutoff).values_list("company_id", flat=True)
    )
    for company_id in companies:
        applicant_search_index_task.delay(company_id)
    return len(companies)
