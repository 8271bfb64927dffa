"""Row validation (docs/product.md §4): one tight pass over the records, one query for what exists.

The same code serves the preview (dry run) and the import, which re-validates inside its transaction
because someone may have registered the same email since the preview.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower

from applicants import normalize
from applicants.fields import FIELDS, ApplicantField
from applicants.models import Applicant, JobPosting
from imports.errors import FileProblem
from imports.parsing import Header, count_data_rows, decode, is_blank, match_header, records
from interviewmaker.numbers import ascii_int

NEW, UPDATE, SKIPPED, ERROR = "new", "update", "skipped", "error"
# Detailed errors kept per upload; beyond this only the count of error rows grows.
MAX_LISTED_ERRORS = 10_000
PROGRESS_EVERY = 1_000
# Data rows of the file kept, normalised, for the preview table (取り込み後の内容).
PREVIEW_ROWS = 20
# A cell quoted in the preview of an error row is cut to this many characters (as in error messages).
PREVIEW_ERROR_CELL = 100

_MAX_LENGTH: dict[str, int] = {f.name: f.max_length for f in FIELDS}
# Plain text columns: trimmed and held to their length inline in validate() (the hot path).
_PLAIN = {f.name for f in FIELDS if f.clean is None}
_SPACES = normalize.SPACES
# Cells an export neutralised against spreadsheet formulas ('=SUM…) come back with the apostrophe.
_FORMULA_START = ("'=", "'+", "'-", "'@", "'\t", "'\r")


class RowError(Exception):
    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params


def _cell_cleaner(spec: ApplicantField) -> Callable[[str], Any]:
    """The field's cleaner (applicants.fields) for a CSV cell: errors become RowError codes."""
    assert spec.clean is not None
    clean_value, limit = spec.clean, spec.max_length

    def clean(value: str) -> Any:
        if "'" in value[:4]:  # rare: only then look for an export's formula apostrophe
            text = normalize.clean_text(value)
            if text.startswith(_FORMULA_START):
                value = text[1:]
        try:
            result = clean_value(value)
        except ValidationError as exc:
            text = normalize.clean_text(value)
            if exc.code == "required":
                raise RowError("required") from None
            if exc.code == "max_length":
                raise RowError("too_long", length=len(text), max=limit) from None
            raise RowError(spec.error or "invalid", value=text[:100]) from None
        if limit and isinstance(result, str) and len(result) > limit:
            raise RowError("too_long", length=len(result), max=limit)
        return result

    return clean


CLEANERS: dict[str, Callable[[str], Any]] = {f.name: _cell_cleaner(f) for f in FIELDS if f.clean is not None}


@dataclass
class ValidRow:
    kind: str  # NEW or UPDATE (skipped rows are only counted)
    row: int
    values: dict[str, Any]
    pk: int | None = None  # the applicant an UPDATE changes


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass
class Report:
    """What a pass found: counts, errors as codes, ignored columns, the first new row, the first rows."""

    encoding: str = ""
    total_rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {NEW: 0, UPDATE: 0, SKIPPED: 0, "error": 0})
    errors: list[list[Any]] = field(default_factory=list)  # [row, column, code, params]
    errors_truncated: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    sample: dict[str, Any] | None = None
    sample_row: int | None = None
    # The first PREVIEW_ROWS data rows: {row, kind (new|update|skipped|error), im_id, values}, the values
    # normalised as they will be stored (JSON: dates as ISO 8601).
    preview_rows: list[dict[str, Any]] = field(default_factory=list)

    def add_error(self, row: int, column: str, code: str, params: dict[str, Any]) -> None:
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append([row, column, code, params])
        else:
            self.errors_truncated = True

    @property
    def is_valid(self) -> bool:
        return self.counts["error"] == 0

    @property
    def error_rows(self) -> set[int] | None:
        """The rows with errors, or None when the list was cut at MAX_LISTED_ERRORS."""
        if self.errors_truncated:
            return None
        return {error[0] for error in self.errors}


def _existing(job_posting: JobPosting) -> tuple[dict[str, int], dict[int, tuple[int, str]]]:
    """One query: lower-cased email → im_id, and im_id → (pk, lower-cased email) of the posting."""
    by_email: dict[str, int] = {}
    by_id: dict[int, tuple[int, str]] = {}
    rows = Applicant.objects.filter(job_posting=job_posting).values_list("im_id", "pk", Lower("email"))
    for im_id, pk, email in rows.iterator(chunk_size=10_000):
        by_email[email] = im_id
        by_id[im_id] = (pk, email)
    return by_email, by_id


def read(
    data: bytes, *, job_posting: JobPosting, max_rows: int, report: Report, known_rows: int | None = None
) -> tuple[str, Header]:
    """Decode and check the file's shape; FileProblem if it cannot be imported at all.

    `known_rows`: the stored file was already counted by its preview, so the import skips that pass.
    """
    text, report.encoding = decode(data)
    report.total_rows = count_data_rows(text, max_rows) if known_rows is None else known_rows
    first = next(records(text), None)
    if first is None:
        raise FileProblem("empty")
    header = match_header(first[1], job_posting.company)
    report.ignored_columns = header.ignored
    if report.total_rows == 0:
        raise FileProblem("header_only")
    return text, header


def validate(
    text: str,
    header: Header,
    *,
    job_posting: JobPosting,
    report: Report,
    progress: Callable[[int], None] | None = None,
) -> Iterator[ValidRow]:
    """Yield the valid new and update rows; count everything and record errors in `report`."""
    existing_emails, existing_ids = _existing(job_posting)
    # (index, field, header, cleaner, max length): plain text fields (cleaner None) are cleaned inline,
    # the hot path of a 100,000-row upload.
    columns = [
        (index, name, written, None if name in _PLAIN else CLEANERS.get(name), _MAX_LENGTH.get(name, 0))
        for index, name, written in header.columns
        if name != "im_id"
    ]
    id_index = next((index for index, name, _ in header.columns if name == "im_id"), None)
    email_column = next(written for _, name, written in header.columns if name == "email")
    id_column = next((written for _, name, written in header.columns if name == "im_id"), "iM採用ID")
    counts = report.counts
    seen_emails: dict[str, tuple[int, str]] = {}  # lower-cased email → (row, kind)
    seen_ids: dict[int, tuple[int, str]] = {}
    error_rows: set[int] = set()
    unknown_ids: list[tuple[int, int]] = []  # (row, im_id) not in this posting; classified after the pass
    done = 0
    preview = report.preview_rows
    previewed: dict[int, dict[str, Any]] = {}  # row → its preview entry

    def fail_earlier(row: int, kind: str) -> None:
        """A row counted as valid turns out to be a duplicate of a later one."""
        if row not in error_rows:
            error_rows.add(row)
            counts[kind] -= 1
            counts["error"] += 1
            if row in previewed:
                previewed[row]["kind"] = ERROR
            if row == report.sample_row:
                # The D03 preview must not show a row that will not be registered: the next new one.
                report.sample = report.sample_row = None

    def duplicate(
        seen: dict[Any, tuple[int, str]], key: Any, row: int, column: str, code: str, kind: str
    ) -> bool:
        """Both rows of a value the file holds twice are errors; True if this row repeats an earlier one."""
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = (row, kind)
            return False
        report.add_error(row, column, code, {"other": earlier[0]})
        report.add_error(earlier[0], column, code, {"other": row})
        fail_earlier(*earlier)
        return True

    for row, cells in records(text):
        if row == 1 or is_blank(cells):
            continue
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        values: dict[str, Any] = {}
        failed = False
        width = len(cells)
        for index, name, written, clean, limit in columns:
            cell = cells[index] if index < width else ""
            if clean is None:
                text = cell.strip(_SPACES)
                if text[:1] == "'" and text.startswith(_FORMULA_START):
                    text = text[1:]
                if len(text) > limit:
                    report.add_error(row, written, "too_long", {"length": len(text), "max": limit})
                    failed = True
                values[name] = text
                continue
            try:
                values[name] = clean(cell)
            except RowError as exc:
                report.add_error(row, written, exc.code, exc.params)
                failed = True
        raw_id = cells[id_index] if id_index is not None and id_index < width else ""
        im_id: int | None = None
        id_text = unicodedata.normalize("NFKC", normalize.clean_text(raw_id)) if raw_id else ""
        if id_text:
            im_id = ascii_int(id_text)
            if im_id is None:
                report.add_error(row, id_column, "invalid_id", {"value": id_text[:30]})
                failed = True
        email = values.get("email")
        key = email.lower() if email else None
        kind = NEW if not id_text else UPDATE
        pk = None
        if key is not None:
            email_kind = SKIPPED if kind == NEW and key in existing_emails else kind
            failed |= duplicate(seen_emails, key, row, email_column, "duplicate_email", email_kind)
        if im_id is not None:
            failed |= duplicate(seen_ids, im_id, row, id_column, "duplicate_id", UPDATE)
            target = existing_ids.get(im_id)
            if target is None:
                unknown_ids.append((row, im_id))
                failed = True
            else:
                pk = target[0]
                holder = existing_emails.get(key) if key is not None else None
                if holder is not None and holder != im_id:
                    report.add_error(row, email_column, "email_taken", {"im_id": holder})
                    failed = True
        if len(preview) < PREVIEW_ROWS:
            entry = _preview_entry(row, cells, values, columns, failed=failed, kind=kind, im_id=im_id)
            if entry["kind"] == NEW and key in existing_emails:
                entry["kind"], entry["im_id"] = SKIPPED, existing_emails[key]
            preview.append(entry)
            previewed[row] = entry
        if failed:
            if row not in error_rows:
                error_rows.add(row)
                counts["error"] += 1
            continue
        if kind == NEW and key in existing_emails:
            counts[SKIPPED] += 1
            continue
        counts[kind] += 1
        if kind == NEW and report.sample is None:
            report.sample = {k: _json_value(v) for k, v in values.items()}
            report.sample_row = row
        yield ValidRow(kind=kind, row=row, values=values, pk=pk)

    # The first new row as the whole file decided it (a duplicate further down may have failed the one
    # picked while streaming); beyond the preview's rows the streaming pick stands.
    first_new = next((entry for entry in preview if entry["kind"] == NEW), None)
    if first_new is not None:
        report.sample, report.sample_row = dict(first_new["values"]), first_new["row"]
    _classify_unknown_ids(unknown_ids, job_posting=job_posting, column=id_column, report=report)
    report.errors.sort(key=lambda error: error[0])
    if progress is not None:
        progress(done)


def _preview_entry(
    row: int,
    cells: list[str],
    values: dict[str, Any],
    columns: list[tuple[int, str, str, Any, int]],
    *,
    failed: bool,
    kind: str,
    im_id: int | None,
) -> dict[str, Any]:
    """A row of the preview: the cleaned values; for an error row the refused cells as written."""
    shown: dict[str, Any] = {}
    width = len(cells)
    for index, name, _written, _clean, _limit in columns:
        if name in values:
            value = _json_value(values[name])
        else:  # the cleaner refused the cell: show what the file says
            value = normalize.clean_text(cells[index] if index < width else "")
        if failed and isinstance(value, str):
            value = value[:PREVIEW_ERROR_CELL]
        shown[name] = value
    return {"row": row, "kind": ERROR if failed else kind, "im_id": im_id, "values": shown}


def _classify_unknown_ids(
    unknown: list[tuple[int, int]], *, job_posting: JobPosting, column: str, report: Report
) -> None:
    """IDs missing from the posting: of another posting of the company, or unknown (one query)."""
    if not unknown:
        return
    elsewhere = set(
        Applicant.objects.filter(company_id=job_posting.company_id, im_id__in={i for _, i in unknown})
        .exclude(job_posting=job_posting)
        .values_list("im_id", flat=True)
    )
    for row, im_id in unknown:
        code = "other_posting_id" if im_id in elsewhere else "unknown_id"
        report.add_error(row, column, code, {"value": im_id})


def dry_run(
    data: bytes,
    *,
    job_posting: JobPosting,
    max_rows: int,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Validate without writing: the preview. FileProblem when the file cannot be read at all."""
    report = Report()
    text, header = read(data, job_posting=job_posting, max_rows=max_rows, report=report)
    for _row in validate(text, header, job_posting=job_posting, report=report, progress=progress):
        pass
    return report
