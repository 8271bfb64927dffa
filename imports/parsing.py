"""Reading an upload: encoding detection, CSV records and header matching (docs/product.md §4)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from applicants.fields import FIELDS
from applicants.models import Company
from applicants.normalize import clean_text
from imports.errors import FileProblem

# The upload format, in the order of the downloadable template: header → Applicant field (the
# headers are those of applicants.fields).
COLUMNS: tuple[tuple[str, str], ...] = (("iM採用ID", "im_id"), *((f.header, f.name) for f in FIELDS))
HEADERS = [header for header, _ in COLUMNS]

BOM = b"\xef\xbb\xbf"
# Zip (xlsx, ods) and OLE2 (xls) signatures: a workbook renamed to .csv.
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
# Python's cp932 codec maps the single bytes 0x80, 0xA0, 0xFD-0xFF, which CP932 leaves undefined, to
# these code points; Excel never writes them, so finding one means the file is not CP932 after all.
_CP932_UNDEFINED = re.compile("[\x80\uf8f0-\uf8f3]")
# Control characters never found in a CSV that Excel or an ATS writes (tab, CR and LF are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes) -> tuple[str, str]:
    """Bytes → text: a UTF-8 BOM means UTF-8; else strict UTF-8; else strict CP932 (Excel in Japan)."""
    if not data.strip(b" \t\r\n" + BOM):
        raise FileProblem("empty")
    if data.startswith(_SPREADSHEET_MAGIC):
        raise FileProblem("spreadsheet")
    if b"\x00" in data:  # no text file in UTF-8 or CP932 holds NUL bytes
        raise FileProblem("binary")
    if data.startswith(BOM):
        try:
            text, encoding = data[len(BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FileProblem("encoding", offset=exc.start + len(BOM)) from None
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as utf8_error:
            try:
                # cp932, not shift_jis: Excel's Shift_JIS holds 髙, ①, ～ which strict shift_jis rejects.
                text, encoding = data.decode("cp932"), "cp932"
            except UnicodeDecodeError as cp932_error:
                # The later failure is in the encoding the file most resembles, so its offset helps most.
                raise FileProblem("encoding", offset=max(utf8_error.start, cp932_error.start)) from None
            stray = _CP932_UNDEFINED.search(text)
            if stray:
                offset = len(text[: stray.start()].encode("cp932"))
                raise FileProblem("encoding", offset=max(utf8_error.start, offset)) from None
    if _CONTROL.search(text):
        raise FileProblem("binary")
    return text, encoding


def header_key(text: str) -> str:
    """How header cells are compared: NFKC (フリーエリア１ = フリーエリア1), trimmed, case-folded."""
    return unicodedata.normalize("NFKC", clean_text(text)).strip().casefold()


@dataclass
class Header:
    """Which column of the file feeds which Applicant field."""

    columns: list[tuple[int, str, str]]  # (index in the record, field, header as written)
    ignored: list[str] = field(default_factory=list)

    @property
    def fields(self) -> set[str]:
        return {name for _, name, _ in self.columns}


def match_header(cells: list[str], company: Company) -> Header:
    """Map header cells to fields; the company's free-area labels are aliases of フリーエリア1..3."""
    known = {header_key(header): name for header, name in COLUMNS}
    for spec in FIELDS:
        known.update({header_key(alias): spec.name for alias in spec.aliases})
    for n in (1, 2, 3):
        label = getattr(company, f"free_area_{n}_label")
        if label:
            # The standard names win if a label happens to equal one of them.
            known.setdefault(header_key(label), f"free_area_{n}")
    header = Header(columns=[])
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        written = clean_text(cell)
        name = known.get(header_key(cell))
        if name is None:
            if written:
                header.ignored.append(written)
            continue
        if name in seen:
            raise FileProblem("duplicate_column", column=written)
        seen.add(name)
        header.columns.append((index, name, written))
    if "email" not in seen:
        raise FileProblem("no_email_column")
    return header


def _reader(text: str) -> csv.Reader:  # type: ignore[name-defined]
    # strict: an unbalanced quote is an error rather than silently swallowing the rest of the file.
    return csv.reader(io.StringIO(text, newline=""), strict=True)


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of each CSV record; row 1 is the header. Quoted cells may hold line breaks."""
    reader = _reader(text)
    row = 0
    while True:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = str(exc)
            if "unexpected end of data" in message or "EOF" in message:
                raise FileProblem("unbalanced_quote", row=row) from None
            if "field larger than field limit" in message:
                raise FileProblem("field_too_long", row=row) from None
            raise FileProblem("malformed", row=row) from None
        yield row, cells


def is_blank(cells: list[str]) -> bool:
    """An empty line, or a row of empty cells (Excel writes those after the data)."""
    return not "".join(cells).strip(" \t\r\n\u3000")


def count_data_rows(text: str, limit: int) -> int:
    """A fast first pass: CSV syntax checked and the row limit enforced before any validation."""
    count = 0
    for row, cells in records(text):
        if row == 1 or is_blank(cells):
            continue
        count += 1
        if count > limit:
            raise FileProblem("too_many_rows", max=f"{limit:,}")
    return count
