"""CSV downloads of the import: the upload format, a posting's applicants in it, an upload's errors."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from applicants.imports.models import ApplicantImport
from applicants.imports.parsing import COLUMNS, HEADERS
from applicants.models import Applicant, JobPosting

# A cell starting like a formula would run in Excel; a leading apostrophe makes it text. The import
# strips that apostrophe again, so an exported file re-uploads unchanged.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _neutralise(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _encode(lines: Iterable[str], encoding: str) -> Iterator[bytes]:
    if encoding == "utf-8-sig":
        yield b"\xef\xbb\xbf"
        for line in lines:
            yield line.encode("utf-8")
    else:
        # Characters outside CP932 (rare: some emoji and variant kanji) become "?"; UTF-8 keeps them.
        for line in lines:
            yield line.encode("cp932", errors="replace")


def csv_response(rows: Iterable[Sequence[Any]], *, filename: str, encoding: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    lines = (writer.writerow(row) for row in rows)
    charset = "utf-8" if encoding == "utf-8-sig" else "shift_jis"
    response = StreamingHttpResponse(_encode(lines, encoding), content_type=f"text/csv; charset={charset}")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def format_rows() -> Iterator[list[str]]:
    yield HEADERS


def applicant_rows(*, job_posting: JobPosting) -> Iterator[list[str]]:
    """The posting's applicants in the upload format, to edit and re-upload as updates."""
    yield HEADERS
    fields = [name for _, name in COLUMNS]
    queryset = Applicant.objects.filter(job_posting=job_posting).order_by("im_id").values_list(*fields)
    for values in queryset.iterator(chunk_size=5000):
        row = []
        for name, value in zip(fields, values, strict=True):
            if name == "birth_date" and value is not None:
                row.append(f"{value:%Y/%m/%d}")
            else:
                row.append(_neutralise(value))
        yield row


def error_rows(*, applicant_import: ApplicantImport) -> Iterator[list[Any]]:
    yield [_("Row"), _("Column"), _("Error")]
    for error in applicant_import.rendered_errors():
        yield [error["row"] or "", error["column"] or "", _neutralise(error["message"])]
    if applicant_import.errors_truncated:
        yield [
            "",
            "",
            _("Only the first %(count)s errors are listed.") % {"count": len(applicant_import.errors)},
        ]
