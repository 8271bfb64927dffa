"""The search entries become narrow: the n-gram keys move from a stored array into an expression index,
and the entry carries the applicant's posting, status and iM採用ID, kept in step by a trigger.

Existing entries are dropped and every applicant is put in the search backlog: the worker's sweep
indexes them again (until then the search scans the backlog's rows, so nothing goes missing).
"""

import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

import applicants.models

COLUMNS = (
    "email",
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "school",
    "free_area_1",
    "free_area_2",
    "free_area_3",
)
ARGUMENTS = ", ".join(f"{name} text" for name in COLUMNS)
JOINED = " || E'\\x1f' || ".join(COLUMNS)
NEW_COLUMNS = ", ".join(f"NEW.{name}" for name in COLUMNS)
WATCHED = (*COLUMNS, "status", "job_posting_id", "company_id")

FUNCTIONS = f"""
-- The searched text of an applicant: NFKC, lower case, columns joined by U+001F (no n-gram spans two
-- columns). applicants.search.search_text gives a query the same treatment.
CREATE FUNCTION applicant_search_document({ARGUMENTS}) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(normalize({JOINED}, NFKC)) $$;

-- The index keys of a document: each character's code point c, and each pair of neighbours in a
-- column as c << 21 | n, with the company (its low 21 bits) in bits 42 and up. applicants.search
-- .query_grams builds a query's keys the same way.
-- COST: about 30 µs a call, so that the planner never prefers computing it for every row of a scan to
-- reading the index.
CREATE FUNCTION applicant_search_keys(company bigint, document text) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000
    AS $$
    SELECT array_agg(DISTINCT ((company & 2097151) << 42) | k) FROM (
        SELECT CASE WHEN n IS NULL OR n = 31 THEN c ELSE (c << 21) | n END AS k
        FROM (SELECT ascii(ch)::bigint AS c, ascii(lead(ch) OVER (ORDER BY i))::bigint AS n
              FROM string_to_table(document, NULL) WITH ORDINALITY AS t(ch, i)) AS pairs
        WHERE c <> 31
        UNION ALL
        SELECT ascii(ch)::bigint FROM string_to_table(document, NULL) AS ch WHERE ch <> E'\\x1f'
    ) AS keys
    $$;
"""

TRIGGER = f"""
-- Every change of a searched column, the status or the posting rewrites the applicant's entry in the
-- same transaction (or writes it, if the worker has not yet): the search never finds an old value.
CREATE FUNCTION applicant_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO applicants_applicantsearch
        (applicant_id, company_id, job_posting_id, im_id, status, document)
    VALUES (NEW.id, NEW.company_id, NEW.job_posting_id, NEW.im_id, NEW.status,
            applicant_search_document({NEW_COLUMNS}))
    ON CONFLICT (applicant_id) DO UPDATE SET
        company_id = EXCLUDED.company_id, job_posting_id = EXCLUDED.job_posting_id,
        status = EXCLUDED.status, document = EXCLUDED.document;
    RETURN NULL;
END $$;

CREATE TRIGGER applicant_search_sync
    AFTER UPDATE OF {", ".join(WATCHED)} ON applicants_applicant
    FOR EACH ROW
    WHEN (({", ".join(f"OLD.{c}" for c in WATCHED)}) IS DISTINCT FROM ({", ".join(f"NEW.{c}" for c in WATCHED)}))
    EXECUTE FUNCTION applicant_search_sync();
"""

BACKLOG_EVERYONE = """
DELETE FROM applicants_applicantsearchbacklog;
INSERT INTO applicants_applicantsearchbacklog (company_id, im_id_from, im_id_to, created_at)
SELECT company_id, min(im_id), max(im_id), now() FROM applicants_applicant GROUP BY company_id;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("applicants", "0013_applicant_search"),
    ]

    operations = [
        migrations.RunSQL("TRUNCATE applicants_applicantsearch", migrations.RunSQL.noop),
        migrations.RunSQL(
            FUNCTIONS,
            "DROP FUNCTION applicant_search_keys(bigint, text);"
            f"DROP FUNCTION applicant_search_document({ARGUMENTS});",
        ),
        migrations.RemoveIndex(model_name="applicantsearch", name="applicant_search_grams"),
        migrations.RemoveField(model_name="applicantsearch", name="grams"),
        migrations.AddField(
            model_name="applicantsearch",
            name="im_id",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="applicantsearch",
            name="job_posting",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                default=0,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="applicants.jobposting",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="applicantsearch",
            name="status",
            field=models.CharField(
                choices=[
                    ("awaiting", "Awaiting"),
                    ("submitted", "Submitted"),
                    ("expired", "Expired"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="awaiting",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="applicantsearch",
            index=django.contrib.postgres.indexes.GinIndex(
                applicants.models.SearchKeys(models.F("company"), models.F("document")),
                name="applicant_search_keys",
            ),
        ),
        migrations.AddIndex(
            model_name="applicantsearch",
            index=models.Index(fields=["company", "im_id"], name="applicant_search_im_id"),
        ),
        # Room on each page for the trigger's status updates to stay HOT (no new index entries).
        migrations.RunSQL(
            "ALTER TABLE applicants_applicantsearch SET (fillfactor = 90)",
            "ALTER TABLE applicants_applicantsearch RESET (fillfactor)",
        ),
        migrations.RunSQL(
            TRIGGER,
            "DROP TRIGGER applicant_search_sync ON applicants_applicant;"
            "DROP FUNCTION applicant_search_sync();",
        ),
        # Reversed too: 0013's entries are rebuilt from an empty table by the same sweep.
        migrations.RunSQL(BACKLOG_EVERYONE, "TRUNCATE applicants_applicantsearch;" + BACKLOG_EVERYONE),
    ]
