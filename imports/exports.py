"""CSV downloads in the upload format (docs/product.md §4) and of an upload's errors.

The upload format serves two downloads: a posting's current applicants and a selection of the list
(まとめて処理モード), both to edit and upload again as updates. Cells that look like formulas get a
leading apostrophe (the import strips it again), and a CP932 download is refused, naming the rows,
when a value holds a character CP932 lacks: a re-upload must never silently change a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from applicants.models import Applicant
from imports.models import ApplicantImport
from imports.parsing import COLUMNS, HEADERS
from interviewmaker import csvfiles

FIELDS = [name for _, name in COLUMNS]


def csv_response(
    rows: Iterable[Sequence[Any]], *, header: Sequence[str], filename: str, encoding: str
) -> StreamingHttpResponse:
    """A streamed CSV download; `encoding` is a key of csvfiles.ENCODINGS (cp932 or utf-8 with BOM)."""
    charset = "Shift_JIS" if encoding == "cp932" else "utf-8"
    response = StreamingHttpResponse(
        csvfiles.stream_csv(header=header, rows=rows, encoding=encoding),
        content_type=f"text/csv; charset={charset}",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def upload_format_rows(queryset: QuerySet[Applicant]) -> Iterator[list[Any]]:
    """The applicants in the upload format's columns, oldest first; dates as 2003/01/03."""
    values = queryset.order_by("im_id").values_list(*FIELDS).iterator(chunk_size=csvfiles.CHUNK_ROWS)
    for row in values:
        yield [f"{v:%Y/%m/%d}" if hasattr(v, "isoformat") else ("" if v is None else v) for v in row]


def upload_format_csv(
    *, queryset: QuerySet[Applicant], filename: str, encoding: str
) -> StreamingHttpResponse:
    return csv_response(upload_format_rows(queryset), header=HEADERS, filename=filename, encoding=encoding)


def unencodable(*, queryset: QuerySet[Applicant], limit: int = 5) -> list[tuple[int, str]]:
    """(iM採用ID, characters) of up to `limit` applicants whose values CP932 cannot hold."""
    _scanned, problems, _bad_rows = csvfiles.cp932_problems(
        rows=upload_format_rows(queryset), columns=HEADERS[1:], limit=limit
    )
    found: dict[int, str] = {}
    for problem in problems:
        found[problem.im_id] = "".join(dict.fromkeys(found.get(problem.im_id, "") + problem.characters))
    return list(found.items())


def error_rows(*, applicant_import: ApplicantImport) -> Iterator[list[Any]]:
    for error in applicant_import.rendered_errors():
        yield [error["row"] or "", error["column"] or "", error["message"]]
    if applicant_import.errors_truncated:
        yield [
            "",
            "",
            _("Only the first %(count)s errors are listed.") % {"count": len(applicant_import.errors)},
        ]


def error_rows_cp932_ok(*, applicant_import: ApplicantImport) -> bool:
    """Can every error row be written in CP932? (The header and our own messages always can.)"""
    text = "\x1f".join(str(cell) for row in error_rows(applicant_import=applicant_import) for cell in row)
    return all(csvfiles.cp932_ok(ch) for ch in set(text))


def error_header() -> list[str]:
    return [_("Row"), _("Column"), _("Error")]
