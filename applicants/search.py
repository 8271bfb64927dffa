"""The applicant list's free-text search at index speed (docs/applicant-list.md, "Free-text search").

Each applicant has an `ApplicantSearch` entry: its searched columns, NFKC-normalised and lower-cased as
one text (SQL `applicant_search_document`), with a GIN index over the text's n-gram keys (SQL
`applicant_search_keys`): every character and every pair of neighbouring characters, as integers, so
that one-, two- and longer queries are all index lookups (a trigram index cannot serve the
two-character names 髙橋, 佐藤). A query of three or more characters looks up its pairs and rechecks the
text with LIKE. The entry also carries the applicant's posting, status and iM採用ID, so the list's
counts and page of a text search need nothing else (`entries_for_list`).

Registrations (the CSV import's hot path) only record their iM採用ID range in `ApplicantSearchBacklog`;
a worker fills the entries after commit, set-based. Until then the search scans the backlog's rows
with the same SQL function, so a just-registered applicant is always found. Every later change of a
searched column, the status or the posting rewrites the entry in its own transaction (the database
trigger `applicant_search_sync`), so an edited applicant is found by the new value and not the old one.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from itertools import pairwise

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.lookups import Contains
from django.utils import timezone

from applicants.models import (
    Applicant,
    ApplicantSearch,
    ApplicantSearchBacklog,
    Company,
    SearchDocument,
    SearchKeys,
)
from interviewmaker.numbers import ascii_int
from interviewmaker.tasks import enqueue_on_commit

SEPARATOR = "\x1f"  # between columns in a document: no n-gram spans two columns
# Applicants indexed per transaction by the worker (the import registers in chunks of 5,000 too).
INDEX_CHUNK = 5_000
_PAIR_SHIFT = 21  # code points fit in 21 bits: a pair (a, b) is a << 21 | b, never a single code point
_COMPANY_MASK = (1 << 21) - 1


def search_text(value: str) -> str:
    """What a query looks for: NFKC (ﾀｶﾊｼ → タカハシ, ＡＴＳ → ATS), lower case, as the documents are.

    The same as SQL applicant_search_document's lower(normalize(…, NFKC)) for the characters applicants
    use.
    """
    text = unicodedata.normalize("NFKC", value).lower()
    return "".join(ch for ch in text if ch >= " ")  # control characters cannot be searched for


def query_grams(text: str, company_id: int) -> list[int]:
    """Keys every matching document holds: the character of a one-character query, else its pairs.

    Built as SQL applicant_search_keys builds a document's: a pair (a, b) is a << 21 | b, and the
    company's low 21 bits sit above a pair's 42, so a key's posting list in the GIN index holds one
    company's applicants (髙 reads the 12,500 of a 100,000-applicant company, not those of all tenants).
    """
    points = [ord(ch) for ch in text]
    company = (company_id & _COMPANY_MASK) << (2 * _PAIR_SHIFT)
    if len(points) == 1:
        return [company | points[0]]
    return sorted({company | (a << _PAIR_SHIFT) | b for a, b in pairwise(points)})


def entries_matching(*, company: Company, q: str) -> QuerySet[ApplicantSearch]:
    """The company's search entries holding `q` (a GIN lookup of its keys), or of its iM採用ID."""
    text = search_text(q)
    im_id = ascii_int(q)
    keys = Q(keys__contains=query_grams(text, company.pk))
    if im_id is not None:
        keys |= Q(company=company, im_id=im_id)
    condition = keys
    if len(text) > 2:
        # The pairs in any order: recheck the substring. Written as a second clause rather than inside
        # the first, so that PostgreSQL leaves the key condition to the index and never recomputes the
        # keys of a row.
        recheck = Q(document__contains=text)
        if im_id is not None:
            recheck |= Q(im_id=im_id)
        condition &= recheck
    entries = ApplicantSearch.objects.alias(keys=SearchKeys(F("company"), F("document"))).filter(condition)
    # The company is in every key: a filter on company_id would only mislead the planner's estimate
    # (it takes the two as independent). Ids beyond 21 bits share keys, so there it is needed.
    return entries if company.pk <= _COMPANY_MASK else entries.filter(company=company)


def _unindexed(company: Company) -> Q:
    """The company's iM採用ID ranges registered but not indexed yet (one small query); empty Q if none."""
    backlog = ApplicantSearchBacklog.objects.filter(company=company).values_list("im_id_from", "im_id_to")
    unindexed = Q()
    for first, last in backlog:
        unindexed |= Q(im_id__range=(first, last))
    return unindexed


def entries_for_list(*, company: Company, q: str) -> QuerySet[ApplicantSearch] | None:
    """The entries matching `q`, when they alone answer the search: every applicant of the company is
    indexed. Their posting, status and iM採用ID are those of the applicants, so the list counts and
    pages them without joining the applicant table. None while the company has a backlog."""
    if not search_text(q) or _unindexed(company):
        return None
    return entries_matching(company=company, q=q).filter(company=company)


def text_condition(*, company: Company, q: str) -> Q | None:
    """The applicants of `company` whose searched columns contain `q` (or whose iM採用ID it is).

    Costs one small query: whether the company has registrations not indexed yet. Only then does the
    condition also scan those rows (by iM採用ID range) instead of relying on the index alone.
    """
    text = search_text(q)
    if not text:
        return None
    condition = Q(pk__in=entries_matching(company=company, q=q).values("applicant_id"))
    if unindexed := _unindexed(company):
        found = Q(Contains(SearchDocument(), text))
        if (im_id := ascii_int(q)) is not None:
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


def backlog_index(*, company_id: int) -> int:
    """Index the company's backlog, INDEX_CHUNK applicants per transaction; returns how many."""
    done = 0
    while True:
        with transaction.atomic():
            indexed = _backlog_index_chunk(company_id)
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
    indexed = entries_insert(company_id=company_id, first=entry.im_id_from, last=last)
    if last >= entry.im_id_to:
        entry.delete()
    else:
        ApplicantSearchBacklog.objects.filter(pk=entry.pk).update(im_id_from=last + 1)
    return indexed


def entries_insert(*, company_id: int, first: int, last: int) -> int:
    """Write the entries of the company's applicants `first`…`last`, then merge GIN's pending list once
    for the whole chunk (so searches never scan a long one); returns how many were written.

    An entry the trigger wrote meanwhile (an edit, a status change) is fresher than the rows read here:
    the conflict on the applicant keeps it. (INSERT … SELECT in raw SQL would save a third of the
    worker's time, 0.22 s instead of 0.33 s per 5,000; no target asks for it.)
    """
    rows = Applicant.objects.filter(company_id=company_id, im_id__range=(first, last)).values_list(
        "pk", "company_id", "job_posting_id", "im_id", "status", SearchDocument()
    )
    entries = [
        ApplicantSearch(
            applicant_id=pk,
            company_id=company,
            job_posting_id=posting,
            im_id=im_id,
            status=status,
            document=doc,
        )
        for pk, company, posting, im_id, status, doc in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        ApplicantSearch.objects.bulk_create(entries, ignore_conflicts=True, batch_size=INDEX_CHUNK)
        cursor.execute("SELECT gin_clean_pending_list('applicant_search_keys'::regclass)")
    return len(entries)


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
