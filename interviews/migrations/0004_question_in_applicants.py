"""`Question` now lives in the applicants app (applicants/0015): the answers' and takes' foreign keys
point there. State only: the table and its constraints are unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("applicants", "0015_question"),
        ("interviews", "0003_token_unique_constraints"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="take",
                    name="question",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="takes", to="applicants.question"),
                ),
                migrations.AlterField(
                    model_name="answer",
                    name="question",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="answers", to="applicants.question"),
                ),
                migrations.DeleteModel(name="Question"),
            ],
            database_operations=[],
        ),
    ]
