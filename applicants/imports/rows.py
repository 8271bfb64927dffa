"""The preview's validated rows, kept beside the upload so that the import need not validate again.

The dry run writes every valid row (normalised values, and for updates the applicant's primary key)
as a small UTF-8 CSV next to the stored upload, headed by the *basis* of the validation: a digest of
everything in the database the rules read (the posting's applicants' iM採用IDs, keys and emails, the
company's free-area labels). Under the posting lock the import recomputes the basis; when it is
unchanged the kept rows are exactly what validating the file again would give, and are written as
they are. When anything changed (an email registered meanwhile, an update target deleted, a label
renamed) or the kept file is missing, the import validates the stored upload again, as before.
The kept rows are deleted once imported, and with the upload when it expires.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage

from applicants.imports.models import ApplicantImport
from applicants.imports.validation import ValidRow

SUFFIX = ".rows.csv"
_DATE_FIELDS = {"birth_date"}
_INT_FIELDS = {"graduation_year"}


class Writer:
    """Collects a dry run's valid rows in a temporary file (constant memory, csv's C writer)."""

    def __init__(self) -> None:
        self.file: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
        self.writer = csv.writer(self.file)
        self.fields: list[str] = []

    def start(self, *, fields: set[str], basis: str) -> None:
        self.fields = ["email", *sorted(fields - {"email", "im_id"})]
        self.writer.writerow([basis, *self.fields])

    def add(self, row: ValidRow) -> None:
        values = row.values
        self.writer.writerow(
            [row.kind, row.pk or "", *("" if values[f] is None else values[f] for f in self.fields)]
        )

    def save(self, applicant_import: ApplicantImport) -> None:
        """Store the rows next to the upload (overwriting rows of an earlier run)."""
        name = f"{applicant_import.file.name}{SUFFIX}"
        default_storage.delete(name)
        self.file.seek(0)
        stored = default_storage.save(name, File(io.BytesIO(self.file.read().encode())))
        if stored != name:  # the storage renamed it: the import will not find it and re-validates
            default_storage.delete(stored)

    def close(self) -> None:
        self.file.close()


def read(
    applicant_import: ApplicantImport, *, current_basis: str
) -> tuple[list[str], Iterator[ValidRow]] | None:
    """The kept rows (fields, rows) if they were validated against `current_basis`, else None."""
    upload = applicant_import.file.name
    # The kept rows go with their upload: a purged (or lost) upload imports nothing.
    if not upload or applicant_import.file_deleted_at or not default_storage.exists(upload):
        return None
    try:
        handle = default_storage.open(f"{upload}{SUFFIX}", "rb")
    except (FileNotFoundError, OSError):
        return None
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    reader = csv.reader(text)
    head = next(reader, None)
    if not head or head[0] != current_basis:
        text.close()
        return None
    fields = head[1:]
    return fields, _rows(reader, fields, text)


def _rows(reader: Any, fields: list[str], text: IO[str]) -> Iterator[ValidRow]:
    converters = [
        (i, dt.date.fromisoformat if f in _DATE_FIELDS else int)
        for i, f in enumerate(fields)
        if f in _DATE_FIELDS or f in _INT_FIELDS
    ]
    try:
        for n, (kind, pk, *cells) in enumerate(reader, start=2):
            values: dict[str, Any] = dict(zip(fields, cells, strict=True))
            for i, convert in converters:
                cell = cells[i]
                values[fields[i]] = convert(cell) if cell else None
            yield ValidRow(kind=kind, row=n, values=values, pk=int(pk) if pk else None)
    finally:
        text.close()


def delete(applicant_import: ApplicantImport) -> None:
    if applicant_import.file:
        default_storage.delete(f"{applicant_import.file.name}{SUFFIX}")
