"""CSV uploads and まとめて処理モード become the apps `imports` and `bulk`: state only, their tables
(`applicants_applicantimport`, `applicants_answerrequest`) stay as they are (imports/0001, bulk/0001)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0015_question"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="applicantimport",
                    name="company",
                ),
                migrations.RemoveField(
                    model_name="applicantimport",
                    name="confirmed_by",
                ),
                migrations.RemoveField(
                    model_name="applicantimport",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="applicantimport",
                    name="job_posting",
                ),
                migrations.DeleteModel(
                    name="AnswerRequest",
                ),
                migrations.DeleteModel(
                    name="ApplicantImport",
                ),
            ],
            database_operations=[],
        ),
    ]
