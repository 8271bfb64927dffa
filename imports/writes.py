"""Set-based writes of the import: updates of existing applicants in one statement per chunk."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from applicants.fields import FIELDS
from applicants.models import Applicant, JobPosting
from imports.validation import ValidRow

# PostgreSQL array types of the fields an upload may change.
_PG_TYPES = {f.name: f.sql_type for f in FIELDS}


@transaction.atomic
def applicants_bulk_update(
    *, job_posting: JobPosting, rows: Sequence[ValidRow], fields: Sequence[str]
) -> int:
    """Write the uploaded values of existing applicants of the posting; never sends D03.

    One UPDATE … FROM unnest(arrays) per call: raw SQL because bulk_update writes a CASE per column
    and row (no per-row statements, no CASE chains here).
    """
    if not rows or not fields:
        return 0
    meta = Applicant._meta
    column_of = {f.name: f.column for f in meta.concrete_fields}
    columns = [column_of[name] for name in fields]
    types = [_PG_TYPES.get(name, "text") for name in fields]
    assignments = ", ".join(f'"{column}" = v."{column}"' for column in columns)
    arrays = ", ".join(["%s::bigint[]", *(f"%s::{t}[]" for t in types)])
    names = ", ".join(['"id"', *(f'"{column}"' for column in columns)])
    sql = (
        f'UPDATE "{meta.db_table}" AS a SET {assignments}, "updated_at" = now() '  # noqa: S608 - names from the model
        f"FROM unnest({arrays}) AS v({names}) "
        'WHERE a."id" = v."id" AND a."job_posting_id" = %s'
    )
    params: list[Any] = [[row.pk for row in rows]]
    params += [[row.values[name] for row in rows] for name in fields]
    params.append(job_posting.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        updated = cursor.rowcount
    return updated
