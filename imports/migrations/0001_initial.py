"""`ApplicantImport` moves from applicants to this app: state only, the table keeps its name."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('applicants', '0016_imports_and_bulk_apps'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ApplicantImport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(blank=True, max_length=255, upload_to='imports/%Y/%m/')),
                        ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                        ('file_size', models.PositiveIntegerField(default=0)),
                        ('file_deleted_at', models.DateTimeField(blank=True, null=True)),
                        ('encoding', models.CharField(blank=True, max_length=16)),
                        ('status', models.CharField(choices=[('validating', 'Validating'), ('validated', 'Ready to import'), ('invalid', 'Has errors'), ('importing', 'Importing'), ('done', 'Imported'), ('failed', 'Failed')], default='validating', max_length=12, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0)),
                        ('total_rows', models.PositiveIntegerField(default=0)),
                        ('n_new', models.PositiveIntegerField(default=0, verbose_name='new')),
                        ('n_update', models.PositiveIntegerField(default=0, verbose_name='updates')),
                        ('n_skipped', models.PositiveIntegerField(default=0, verbose_name='skipped')),
                        ('n_error', models.PositiveIntegerField(default=0, verbose_name='errors')),
                        ('errors', models.JSONField(blank=True, default=list)),
                        ('errors_truncated', models.BooleanField(default=False)),
                        ('file_error', models.JSONField(blank=True, null=True)),
                        ('ignored_columns', models.JSONField(blank=True, default=list)),
                        ('sample', models.JSONField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                        ('validated_at', models.DateTimeField(blank=True, null=True)),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='imports', to='applicants.company')),
                        ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
                        ('job_posting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='imports', to='applicants.jobposting', verbose_name='job posting')),
                    ],
                    options={
                        'verbose_name': 'applicant import',
                        'verbose_name_plural': 'applicant imports',
                        'db_table': 'applicants_applicantimport',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['company', '-created_at'], name='import_company_created')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
