"""The selection as a CSV in the upload format (SPEC §4), to edit and upload again as updates.

The columns come from the import (applicants.imports.parsing); its own download covers a whole posting
and writes "?" for characters CP932 lacks, whereas a selection here is refused in CP932 when it holds
such characters (see `unencodable`), so a re-upload never silently changes a name.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import QuerySet

from applicants.imports.parsing import COLUMNS as UPLOAD_COLUMNS
from applicants.imports.parsing import HEADERS
from applicants.models import Applicant, Company

CODECS = {"cp932": "cp932", "utf-8": "utf-8"}
# A spreadsheet runs a cell starting with one of these as a formula (or shifts it, for tab/CR).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 2000


def neutralise(value: object) -> str:
    """The cell as text; a leading ' stops a spreadsheet from running it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text and text[0] in FORMULA_TRIGGERS else text


def _rows(queryset: QuerySet[Applicant]) -> Iterator[list[str]]:
    fields = [name for _, name in UPLOAD_COLUMNS]
    for values in queryset.order_by("im_id").values_list(*fields).iterator(chunk_size=ROWS_PER_CHUNK):
        # Dates as the import's own download writes them (it accepts 2003/1/3 and 2003-01-03).
        yield [neutralise(f"{v:%Y/%m/%d}" if hasattr(v, "isoformat") else v) for v in values]


def unencodable(*, queryset: QuerySet[Applicant], encoding: str, limit: int = 5) -> list[tuple[str, str]]:
    """(iM採用ID, characters) of rows the encoding cannot hold: CP932 lacks emoji and some kanji."""
    codec = CODECS[encoding]
    found = []
    for row in _rows(queryset):
        bad = "".join(sorted({ch for cell in row for ch in cell if not _encodable(ch, codec)}))
        if bad:
            found.append((row[0], bad))
            if len(found) >= limit:
                break
    return found


def _encodable(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


class _Lines:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def upload_format_csv(*, company: Company, queryset: QuerySet[Applicant], encoding: str) -> Iterator[bytes]:
    """Encoded CSV chunks, CRLF line ends; UTF-8 begins with a BOM so Excel reads it as UTF-8."""
    codec = CODECS[encoding]
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="\r\n")
    writer.writerow(HEADERS)
    yield (b"\xef\xbb\xbf" if codec == "utf-8" else b"") + lines.take().encode(codec)
    for n, row in enumerate(_rows(queryset), start=1):
        writer.writerow(row)
        if n % ROWS_PER_CHUNK == 0:
            yield lines.take().encode(codec)
    yield lines.take().encode(codec)
