"""Composite foreign keys, which Django cannot declare: migrations add them as SQL.

Used where a row carries its tenant (`company`) next to its parent: one key over (parent, company)
referencing the parent's unique (id, company) both proves the parent exists and keeps the row in the
parent's company, with one check per inserted row instead of two. Like Django's own keys they are
checked at commit (DEFERRABLE INITIALLY DEFERRED); deletes cascade in the ORM as before.
"""

from __future__ import annotations

from django.db import migrations


def composite_foreign_key(
    *, name: str, table: str, columns: tuple[str, ...], ref_table: str, ref_columns: tuple[str, ...]
) -> migrations.RunSQL:
    def q(identifier: str) -> str:
        return f'"{identifier}"'

    return migrations.RunSQL(
        f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} FOREIGN KEY ({', '.join(map(q, columns))}) "
        f"REFERENCES {q(ref_table)} ({', '.join(map(q, ref_columns))}) DEFERRABLE INITIALLY DEFERRED",
        reverse_sql=f"ALTER TABLE {q(table)} DROP CONSTRAINT IF EXISTS {q(name)}",
    )
