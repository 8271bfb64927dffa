"""The share URL CSV on PostgreSQL: `COPY (…) TO STDOUT WITH (FORMAT csv)` writes the rows in C.

Python only re-encodes blocks of 2,000 rows into a spooled temporary file, checking CP932 on the way,
so the database is read once, nothing is sent before the whole file is known to be encodable, memory
stays flat (the spool moves to disk past 4 MB), and a slow client never holds a database cursor.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet

from applicants.models import Applicant
from interviewmaker import csvfiles
from sharing import selectors

COLUMNS = ("im_id", "email", "last_name", "first_name", "f1", "f2", "f3", "status", "token")
TEXT_COLUMNS = COLUMNS[1:7]
SPOOL_IN_MEMORY = 4 * 1024 * 1024
READ_SIZE = 64 * 1024
SORT_MEMORY = "64MB"


def _neutralised(column: str) -> str:
    # Same rule as csvfiles.neutralise; NULLIF makes '' an empty field (as Python's csv), not "".
    triggers = ", ".join(f"E'{ch.encode('unicode_escape').decode()}'" for ch in csvfiles.FORMULA_TRIGGERS)
    cell = f"t.{column}"
    return f"NULLIF(CASE WHEN left({cell}, 1) IN ({triggers}) THEN '''' || {cell} ELSE {cell} END, '')"


def copy_statement(
    *, applicants: QuerySet[Applicant], status_labels: dict[str, str], url_prefix: str
) -> tuple[str, list[Any]]:
    """The COPY statement for a search; its values stay bound parameters."""
    inner_sql, inner_params = selectors.share_url_rows(applicants=applicants).query.sql_with_params()
    status_sql = " ".join("WHEN %s THEN %s" for _ in status_labels)
    status_params = [value for pair in status_labels.items() for value in pair]
    select = ", ".join(
        [
            "t.im_id",
            *(_neutralised(column) for column in TEXT_COLUMNS),
            f"CASE t.status {status_sql} ELSE t.status END",
            # A withdrawn applicant has no link and gets none: an empty string ("") instead of the
            # NULL that marks a link still to be made.
            "CASE WHEN t.token IS NOT NULL THEN %s || t.token || '/' WHEN t.status = %s THEN '' END",
        ]
    )
    sql = (
        f"COPY (SELECT {select} FROM ({inner_sql}) AS t({', '.join(COLUMNS)})) "  # noqa: S608 - ORM SQL, bound values
        "TO STDOUT WITH (FORMAT csv)"
    )
    return sql, [*status_params, url_prefix, Applicant.Status.WITHDRAWN.value, *inner_params]


@dataclass
class Spool:
    rows: int = 0
    file: IO[bytes] | None = None
    problems: list[csvfiles.Unencodable] = field(default_factory=list)
    problem_rows: int = 0
    missing_links: int = 0

    def stream(self) -> Iterator[bytes]:
        """The finished file in blocks; closes it at the end or when the client goes away."""
        assert self.file is not None
        try:
            while block := self.file.read(READ_SIZE):
                yield block
        finally:
            self.file.close()


def spool_share_url_csv(
    *,
    applicants: QuerySet[Applicant],
    encoding: str,
    header: Sequence[str],
    status_labels: dict[str, str],
    url_prefix: str,
) -> Spool:
    """Run the COPY into a temporary file in `encoding`; on CP932 trouble, the rows instead of a file."""
    try:
        sql, params = copy_statement(
            applicants=applicants, status_labels=status_labels, url_prefix=url_prefix
        )
    except EmptyResultSet:
        # A search that can match nothing (another company's posting, `job_posting=null`) has no SQL.
        sql, params = "", []
    codec = csvfiles.ENCODINGS[encoding]
    spool = Spool()
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - handed to the stream
    head = csvfiles.TextBuffer()
    csv.writer(head, lineterminator="\r\n").writerow(header)
    out.write(head.take().encode(codec))
    block: list[bytes] = []

    def flush() -> None:
        text = b"".join(block).decode("utf-8")
        if encoding == "cp932":
            try:
                data = text.encode("cp932")
            except UnicodeEncodeError:
                _collect_problems(spool, block, labels=header[:7])
                return
        else:
            data = text.encode("utf-8")
        if not spool.problems:
            out.write(data)

    if sql:
        # Room to sort 100,000 rows in memory instead of on disk; LOCAL ends with the transaction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
            with cursor.cursor.copy(sql, params) as copy:
                for data in copy:
                    row = bytes(data)
                    # No live link yet: the URL, the last field, is NULL (empty).
                    spool.missing_links += row.endswith(b",\n")
                    # PostgreSQL ends each row with LF; Excel and RFC 4180 want CRLF.
                    block.append(row[:-1] + b"\r\n")
                    spool.rows += 1
                    if len(block) == csvfiles.CHUNK_ROWS:
                        flush()
                        block.clear()
    if block:
        flush()
    if spool.problems or spool.missing_links:
        out.close()
        return spool
    out.seek(0)
    spool.file = out
    return spool


def _collect_problems(spool: Spool, block: list[bytes], labels: Sequence[str], limit: int = 100) -> None:
    """Name the rows of a block CP932 cannot hold: iM採用ID, column and characters."""
    for line in block:
        cells = next(csv.reader([line.decode("utf-8")]))
        bad_here = False
        for column, cell in zip(labels[1:7], cells[1:7], strict=True):
            bad = "".join(dict.fromkeys(ch for ch in cell if not csvfiles.cp932_ok(ch)))
            if bad:
                bad_here = True
                if len(spool.problems) < limit:
                    spool.problems.append(
                        csvfiles.Unencodable(im_id=int(cells[0]), column=column, characters=bad)
                    )
        spool.problem_rows += bad_here
