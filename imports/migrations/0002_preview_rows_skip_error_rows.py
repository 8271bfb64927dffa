"""The preview table's first 20 rows, and whether error rows were left out (issue 14 §13)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='applicantimport',
            name='preview_rows',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='applicantimport',
            name='skip_error_rows',
            field=models.BooleanField(default=False, verbose_name='error rows left out'),
        ),
    ]
