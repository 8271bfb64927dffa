"""`Question` moves from the interviews app to applicants (it belongs to `JobPosting`): state only, the
table `interviews_question` stays as it is (interviews/0004 removes the model from that app's state)."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("applicants", "0014_applicant_search_narrow"),
        ("interviews", "0003_token_unique_constraints"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Question",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("position", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                        ("text", models.TextField(max_length=2000, verbose_name="question")),
                        ("preparation_seconds", models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(600)], verbose_name="preparation time (seconds)")),
                        ("answer_seconds", models.PositiveSmallIntegerField(default=60, validators=[django.core.validators.MinValueValidator(10), django.core.validators.MaxValueValidator(600)], verbose_name="answer time limit (seconds)")),
                        ("max_takes", models.PositiveSmallIntegerField(default=2, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10)], verbose_name="maximum takes")),
                        ("job_posting", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="questions", to="applicants.jobposting")),
                    ],
                    options={
                        "verbose_name": "question",
                        "verbose_name_plural": "questions",
                        "db_table": "interviews_question",
                        "ordering": ["job_posting", "position", "id"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
